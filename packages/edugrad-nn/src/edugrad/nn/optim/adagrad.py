"""`Adagrad`: scale each coordinate by the inverse root of its summed squared gradients (Duchi et al., 2011).

Neural-network layer (`edugrad.nn.optim`). Coordinates that have seen large gradients take smaller steps:

    s = s + g^2        p = p - lr_t * g / (sqrt(s) + eps),    lr_t = lr / (1 + (t - 1) * lr_decay)

s starts at `initial_accumulator_value`; since it only grows, the steps only shrink.
"""

from __future__ import annotations

from typing import Any

from edugrad.nn.optim.optimizer import Optimizer, Params, State, check_option, gradient
from edugrad.tensor import Tensor


class Adagrad(Optimizer):
    """Adagrad, as `torch.optim.Adagrad` (`foreach` and `fused` change nothing here)."""

    def __init__(self, params: Params, lr: float = 1e-2, lr_decay: float = 0, weight_decay: float = 0,
                 initial_accumulator_value: float = 0, eps: float = 1e-10, foreach: bool | None = None, *,
                 maximize: bool = False, differentiable: bool = False, fused: bool | None = None) -> None:
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        for name in ("lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps"):
            check_option("Adagrad", name, group[name])

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> State:
        return {"step": 0, "sum": Tensor.full_like(p, group["initial_accumulator_value"])}

    def _update(self, p: Tensor, state: State, group: dict[str, Any]) -> None:
        grad = gradient(p, group["maximize"], group["weight_decay"])
        state["step"] = step = state["step"] + 1
        lr = group["lr"] / (1 + (step - 1) * group["lr_decay"])
        total = state["sum"].addcmul_(grad, grad)
        p.addcdiv_(grad, total.sqrt().add_(group["eps"]), value=-lr)
