"""`RAdam`: Adam with a rectified adaptive learning rate (Liu et al., 2020, "On the Variance of the Adaptive
Learning Rate and Beyond").

Neural-network layer (`edugrad.nn.optim`). In Adam's first steps v rests on a handful of gradients, so
1 / sqrt(v) varies wildly, which is why Adam is usually warmed up. RAdam estimates the length rho_t of the
moving average that v approximates and, while it is short (rho_t <= 5), takes plain momentum steps; after
that it takes Adam's step scaled by the rectification r_t, which corrects the variance of 1 / sqrt(v):

    rho_inf = 2 / (1 - beta2) - 1            rho_t = rho_inf - 2 t beta2^t / (1 - beta2^t)
    r_t = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
    p = p - lr * m / (1 - beta1^t) * r_t * sqrt(1 - beta2^t) / (sqrt(v) + eps)     (rho_t > 5)
    p = p - lr * m / (1 - beta1^t)                                                 (otherwise)

`decoupled_weight_decay=True` shrinks the weights directly, as AdamW does.
"""

from __future__ import annotations

import math
from typing import Any

from edugrad.nn.optim.optimizer import Optimizer, Params, State, check_betas, check_option, decayed_gradient
from edugrad.tensor import Tensor


class RAdam(Optimizer):
    """RAdam, as `torch.optim.RAdam` (`foreach` changes nothing here)."""

    def __init__(self, params: Params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, decoupled_weight_decay: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay, "maximize": maximize,
                    "foreach": foreach, "capturable": capturable, "decoupled_weight_decay": decoupled_weight_decay,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        for name in ("lr", "eps", "weight_decay"):
            check_option("RAdam", name, group[name])
        check_betas("RAdam", group["betas"])

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> State:
        return {"step": 0, "exp_avg": Tensor.zeros_like(p), "exp_avg_sq": Tensor.zeros_like(p)}

    def _update(self, p: Tensor, state: State, group: dict[str, Any]) -> None:
        lr, (beta1, beta2) = group["lr"], group["betas"]
        grad = decayed_gradient(p, group)
        state["step"] = step = state["step"] + 1
        exp_avg = state["exp_avg"].lerp_(grad, 1 - beta1)
        exp_avg_sq = state["exp_avg_sq"].mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        bias_correction1, bias_correction2 = 1 - beta1**step, 1 - beta2**step
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * beta2**step / bias_correction2
        if rho_t > 5.0:
            rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            step_size = lr * rect * math.sqrt(bias_correction2) / bias_correction1
            p.addcdiv_(exp_avg, exp_avg_sq.sqrt().add_(group["eps"]), value=-step_size)
        else:
            p.add_(exp_avg, alpha=-lr / bias_correction1)
