"""`Adam` and `AdamW`: adaptive moment estimation (Kingma & Ba, 2015), and Adam with decoupled weight decay
(Loshchilov & Hutter, 2019).

Neural-network layer (`edugrad.nn.optim`). Adam keeps two exponential moving averages per parameter, of the
gradient g and of its square, and divides one by the square root of the other, so every coordinate moves
about lr per step, whatever the scale of its gradient:

    m = beta1 * m + (1 - beta1) * g          v = beta2 * v + (1 - beta2) * g^2
    p = p - lr * (m / c1) / (sqrt(v / c2) + eps),   c1 = 1 - beta1^t,  c2 = 1 - beta2^t

m and v start at zero, so early on they are too small by the factors c1 and c2; dividing by them is the
bias correction. Adam's `weight_decay` adds `weight_decay * p` to the gradient (an L2 penalty, which the
division by sqrt(v) then rescales); AdamW instead shrinks the weights directly, p = p * (1 - lr * wd),
which keeps the decay the same for every coordinate.
"""

from __future__ import annotations

import math
from typing import Any

from edugrad.nn.optim.optimizer import Optimizer, Params, State, check_betas, check_option, decayed_gradient
from edugrad.tensor import Tensor


class Adam(Optimizer):
    """Adam, as `torch.optim.Adam` (`amsgrad=True`: divide by the largest v so far, which never lets the step
    grow back; `decoupled_weight_decay=True`: AdamW). `foreach` and `fused` choose between PyTorch's kernels
    and change nothing here."""

    def __init__(self, params: Params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, amsgrad: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False, capturable: bool = False, differentiable: bool = False,
                 fused: bool | None = None, decoupled_weight_decay: bool = False) -> None:
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay, "amsgrad": amsgrad,
                    "maximize": maximize, "foreach": foreach, "capturable": capturable,
                    "differentiable": differentiable, "fused": fused,
                    "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        for name in ("lr", "eps", "weight_decay"):
            check_option(self._name, name, group[name])
        check_betas(self._name, group["betas"])

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> State:
        state = {"step": 0, "exp_avg": Tensor.zeros_like(p), "exp_avg_sq": Tensor.zeros_like(p)}
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = Tensor.zeros_like(p)
        return state

    def _update(self, p: Tensor, state: State, group: dict[str, Any]) -> None:
        lr, (beta1, beta2) = group["lr"], group["betas"]
        grad = decayed_gradient(p, group)
        state["step"] = step = state["step"] + 1
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        exp_avg.lerp_(grad, 1 - beta1)
        exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        if group["amsgrad"]:
            exp_avg_sq = state["max_exp_avg_sq"].clamp_(exp_avg_sq)  # the largest v so far
        # lr * (m / c1) / (sqrt(v) / sqrt(c2) + eps) = (lr * sqrt(c2) / c1) * m / (sqrt(v) + eps * sqrt(c2)):
        # the corrections move onto two scalars, which saves a pass over the parameter.
        sqrt_c2 = math.sqrt(1 - beta2**step)
        step_size = lr * sqrt_c2 / (1 - beta1**step)
        p.addcdiv_(exp_avg, exp_avg_sq.sqrt().add_(group["eps"] * sqrt_c2), value=-step_size)


class AdamW(Adam):
    """Adam with decoupled weight decay (default 1e-2), as `torch.optim.AdamW`."""

    def __init__(self, params: Params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False, foreach: bool | None = None, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach, maximize=maximize,
                         capturable=capturable, differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)
