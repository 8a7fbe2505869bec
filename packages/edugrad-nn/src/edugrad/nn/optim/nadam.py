"""`NAdam`: Adam with Nesterov momentum (Dozat, 2016, "Incorporating Nesterov Momentum into Adam").

Neural-network layer (`edugrad.nn.optim`). Nesterov's idea is to step from where the momentum is about to
carry the parameter; in Adam's terms, the update mixes the current gradient and the next step's momentum.
The momentum coefficient itself warms up, mu_t = beta1 * (1 - 0.96^(t * momentum_decay) / 2), and the bias
correction uses the product of all the mu so far:

    m = beta1 * m + (1 - beta1) * g          v = beta2 * v + (1 - beta2) * g^2
    d = sqrt(v / (1 - beta2^t)) + eps
    p = p - lr * (1 - mu_t) / (1 - mu_1...mu_t) * g / d - lr * mu_{t+1} / (1 - mu_1...mu_{t+1}) * m / d

`decoupled_weight_decay=True` shrinks the weights directly, as AdamW does (NAdamW).
"""

from __future__ import annotations

from typing import Any, ClassVar

from edugrad.nn.optim.optimizer import Optimizer, Params, State, check_betas, check_option, decayed_gradient
from edugrad.tensor import Tensor


class NAdam(Optimizer):
    """NAdam, as `torch.optim.NAdam` (`foreach` changes nothing here)."""

    _scalar_state: ClassVar[tuple[str, ...]] = ("step", "mu_product")

    def __init__(self, params: Params, lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, foreach: bool | None = None, maximize: bool = False,
                 capturable: bool = False, differentiable: bool = False) -> None:
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "momentum_decay": momentum_decay, "decoupled_weight_decay": decoupled_weight_decay,
                    "maximize": maximize, "foreach": foreach, "capturable": capturable,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        for name in ("lr", "eps", "weight_decay", "momentum_decay"):
            check_option("NAdam", name, group[name])
        check_betas("NAdam", group["betas"])

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> State:
        return {"step": 0, "mu_product": 1.0, "exp_avg": Tensor.zeros_like(p), "exp_avg_sq": Tensor.zeros_like(p)}

    def _update(self, p: Tensor, state: State, group: dict[str, Any]) -> None:
        lr, (beta1, beta2) = group["lr"], group["betas"]
        grad = decayed_gradient(p, group)
        state["step"] = step = state["step"] + 1
        mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * group["momentum_decay"]))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * group["momentum_decay"]))
        state["mu_product"] = mu_product = state["mu_product"] * mu
        exp_avg = state["exp_avg"].lerp_(grad, 1 - beta1)
        exp_avg_sq = state["exp_avg_sq"].mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        denom = (exp_avg_sq / (1 - beta2**step)).sqrt().add_(group["eps"])
        p.addcdiv_(grad, denom, value=-lr * (1.0 - mu) / (1.0 - mu_product))
        p.addcdiv_(exp_avg, denom, value=-lr * mu_next / (1.0 - mu_product * mu_next))
