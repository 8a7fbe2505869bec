"""`RMSprop`: divide the gradient by a running root mean square of recent gradients (Hinton, 2012).

Neural-network layer (`edugrad.nn.optim`). With alpha the smoothing constant:

    v = alpha * v + (1 - alpha) * g^2        p = p - lr * g / (sqrt(v) + eps)

`centered=True` also averages the gradient itself, ga = alpha * ga + (1 - alpha) * g, and divides by the
estimated standard deviation sqrt(v - ga^2) instead of the root mean square. With momentum m, a buffer
b = m * b + g / (sqrt(v) + eps) takes the place of the scaled gradient: p = p - lr * b.
"""

from __future__ import annotations

from typing import Any

from edugrad.nn.optim.optimizer import Optimizer, Params, State, check_option, gradient
from edugrad.tensor import Tensor


class RMSprop(Optimizer):
    """RMSprop, as `torch.optim.RMSprop`."""

    def __init__(self, params: Params, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0, momentum: float = 0, centered: bool = False, capturable: bool = False,
                 foreach: bool | None = None, maximize: bool = False, differentiable: bool = False) -> None:
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps, "centered": centered,
                    "weight_decay": weight_decay, "capturable": capturable, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable}
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        for name in ("lr", "alpha", "eps", "weight_decay", "momentum"):
            check_option("RMSprop", name, group[name])

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> State:
        state = {"step": 0, "square_avg": Tensor.zeros_like(p)}
        if group["momentum"] > 0:
            state["momentum_buffer"] = Tensor.zeros_like(p)
        if group["centered"]:
            state["grad_avg"] = Tensor.zeros_like(p)
        return state

    def _update(self, p: Tensor, state: State, group: dict[str, Any]) -> None:
        grad = gradient(p, group["maximize"], group["weight_decay"])
        state["step"] += 1
        alpha = group["alpha"]
        square_avg = state["square_avg"].mul_(alpha).addcmul_(grad, grad, value=1 - alpha)
        if group["centered"]:
            grad_avg = state["grad_avg"].lerp_(grad, 1 - alpha)
            avg = (square_avg - grad_avg * grad_avg).sqrt()  # E[g^2] - E[g]^2 is the variance
        else:
            avg = square_avg.sqrt()
        avg.add_(group["eps"])
        if group["momentum"] > 0:
            buffer = state["momentum_buffer"].mul_(group["momentum"]).addcdiv_(grad, avg)
            p.add_(buffer, alpha=-group["lr"])
        else:
            p.addcdiv_(grad, avg, value=-group["lr"])
