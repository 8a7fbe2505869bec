"""`Adadelta`: per-coordinate steps from running averages of squared gradients and squared updates (Zeiler, 2012).

Neural-network layer (`edugrad.nn.optim`). With rho the smoothing constant, v the average of g^2 and u the
average of the squared updates:

    v = rho * v + (1 - rho) * g^2
    delta = sqrt(u + eps) / sqrt(v + eps) * g        u = rho * u + (1 - rho) * delta^2
    p = p - lr * delta

The ratio of the two root mean squares gives the step the units of the parameter, so the paper needs no
learning rate at all: PyTorch's `lr` (default 1.0) only scales the result.
"""

from __future__ import annotations

from typing import Any

from edugrad.nn.optim.optimizer import Optimizer, Params, State, check_option, gradient
from edugrad.tensor import Tensor


class Adadelta(Optimizer):
    """Adadelta, as `torch.optim.Adadelta` (`foreach` changes nothing here)."""

    def __init__(self, params: Params, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0, foreach: bool | None = None, *, capturable: bool = False,
                 maximize: bool = False, differentiable: bool = False) -> None:
        defaults = {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay, "maximize": maximize,
                    "capturable": capturable, "foreach": foreach, "differentiable": differentiable}
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        for name in ("lr", "eps", "weight_decay"):
            check_option("Adadelta", name, group[name])
        check_option("Adadelta", "rho", group["rho"], 0.0, at_most=1.0)

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> State:
        return {"step": 0, "square_avg": Tensor.zeros_like(p), "acc_delta": Tensor.zeros_like(p)}

    def _update(self, p: Tensor, state: State, group: dict[str, Any]) -> None:
        grad = gradient(p, group["maximize"], group["weight_decay"])
        state["step"] += 1
        rho, eps = group["rho"], group["eps"]
        square_avg = state["square_avg"].mul_(rho).addcmul_(grad, grad, value=1 - rho)
        delta = (state["acc_delta"] + eps).sqrt().div_((square_avg + eps).sqrt()).mul_(grad)
        state["acc_delta"].mul_(rho).addcmul_(delta, delta, value=1 - rho)
        p.add_(delta, alpha=-group["lr"])
