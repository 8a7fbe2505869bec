"""`SGD`: stochastic gradient descent, with momentum, dampening, Nesterov momentum and weight decay.

Neural-network layer (`edugrad.nn.optim`). With momentum m, the step follows a running sum of past
gradients instead of the latest one alone (PyTorch's formulation, where lr multiplies the buffer):

    b = g                          on the first step
    b = m * b + (1 - dampening) g  afterwards
    p = p - lr * b                 (Nesterov: p = p - lr * (g + m * b), a look-ahead along the buffer)
"""

from __future__ import annotations

from typing import Any, ClassVar

from edugrad.nn.optim.optimizer import Optimizer, Params, State, check_option, gradient
from edugrad.tensor import Tensor


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum, as `torch.optim.SGD`. `foreach` and `fused` choose
    between PyTorch's kernels and change nothing here."""

    _scalar_state: ClassVar[tuple[str, ...]] = ()  # SGD counts no steps

    def __init__(self, params: Params, lr: float = 1e-3, momentum: float = 0, dampening: float = 0,
                 weight_decay: float = 0, nesterov: bool = False, *, maximize: bool = False,
                 foreach: bool | None = None, differentiable: bool = False, fused: bool | None = None) -> None:
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening, "weight_decay": weight_decay,
                    "nesterov": nesterov, "maximize": maximize, "foreach": foreach,
                    "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        for name in ("lr", "momentum", "weight_decay"):
            check_option("SGD", name, group[name])
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError("SGD: Nesterov momentum requires a momentum and zero dampening")

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> State:
        # The momentum buffer starts as the first gradient, so _update makes it; without momentum there is no
        # state at all, as in PyTorch.
        return {"momentum_buffer": None} if group["momentum"] else {}

    def _update(self, p: Tensor, state: State, group: dict[str, Any]) -> None:
        grad = gradient(p, group["maximize"], group["weight_decay"])
        momentum = group["momentum"]
        if momentum:
            buffer = state.get("momentum_buffer")
            if buffer is None:
                buffer = state["momentum_buffer"] = grad.detach().clone()  # its own copy: it is updated in place
            else:
                buffer.mul_(momentum).add_(grad, alpha=1 - group["dampening"])
            grad = grad + buffer * momentum if group["nesterov"] else buffer
        p.add_(grad, alpha=-group["lr"])
