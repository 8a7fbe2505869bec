"""`Adamax`: Adam with the infinity norm in place of the root mean square (Kingma & Ba, 2015, section 7).

Neural-network layer (`edugrad.nn.optim`). Adam divides by sqrt(v), an average of g^2; taking the p-th power
instead and letting p go to infinity turns the average into a decaying maximum, which needs no bias
correction of its own:

    m = beta1 * m + (1 - beta1) * g          u = max(beta2 * u, |g| + eps)
    p = p - lr / (1 - beta1^t) * m / u
"""

from __future__ import annotations

from typing import Any

from edugrad.nn.optim.optimizer import Optimizer, Params, State, check_betas, check_option, gradient
from edugrad.tensor import Tensor


class Adamax(Optimizer):
    """Adamax, as `torch.optim.Adamax` (`foreach` changes nothing here)."""

    def __init__(self, params: Params, lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, foreach: bool | None = None, *,
                 maximize: bool = False, differentiable: bool = False, capturable: bool = False) -> None:
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable, "capturable": capturable}
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        for name in ("lr", "eps", "weight_decay"):
            check_option("Adamax", name, group[name])
        check_betas("Adamax", group["betas"])

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> State:
        return {"step": 0, "exp_avg": Tensor.zeros_like(p), "exp_inf": Tensor.zeros_like(p)}

    def _update(self, p: Tensor, state: State, group: dict[str, Any]) -> None:
        (beta1, beta2) = group["betas"]
        grad = gradient(p, group["maximize"], group["weight_decay"])
        state["step"] = step = state["step"] + 1
        exp_avg = state["exp_avg"].lerp_(grad, 1 - beta1)
        exp_inf = state["exp_inf"].mul_(beta2).clamp_(grad.abs().add_(group["eps"]))  # max(beta2 u, |g| + eps)
        p.addcdiv_(exp_avg, exp_inf, value=-group["lr"] / (1 - beta1**step))
