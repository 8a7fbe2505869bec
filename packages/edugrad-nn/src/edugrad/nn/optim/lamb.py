"""`LAMB`: layer-wise adaptive moments for large-batch training (You et al., 2019, "Large Batch Optimization
for Deep Learning: Training BERT in 76 minutes").

Neural-network layer (`edugrad.nn.optim`). LAMB computes Adam's bias-corrected direction, adds decoupled
weight decay, and then rescales the step of each parameter tensor (each layer) by a trust ratio, so that
the step is a fixed fraction of the weights' size, whatever the scale of the gradient:

    m = beta1 * m + (1 - beta1) * g          v = beta2 * v + (1 - beta2) * g^2
    r = (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + eps) + weight_decay * p
    p = p - lr * phi(||p||) / ||r|| * r,     phi(z) = min(z, clamp_value)

phi is the paper's scaling function with the bounds [0, 10] of the common implementations (for example
cybertronai/pytorch-lamb and torch-optimizer); where ||p|| or ||r|| is zero the ratio is 1 (tinygrad, apex).
PyTorch has no LAMB; the tests check it against a NumPy transcription of these equations.
"""

from __future__ import annotations

import math
from typing import Any

from edugrad.nn.optim.optimizer import Optimizer, Params, State, check_betas, check_option, gradient
from edugrad.tensor import Tensor


class LAMB(Optimizer):
    """LAMB: Adam's direction with the step of each parameter tensor scaled to ||p|| (capped at clamp_value)."""

    def __init__(self, params: Params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-6, weight_decay: float = 0, clamp_value: float = 10.0, *,
                 maximize: bool = False) -> None:
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "clamp_value": clamp_value, "maximize": maximize}
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        for name in ("lr", "eps", "weight_decay", "clamp_value"):
            check_option("LAMB", name, group[name])
        check_betas("LAMB", group["betas"])

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> State:
        return {"step": 0, "exp_avg": Tensor.zeros_like(p), "exp_avg_sq": Tensor.zeros_like(p)}

    def _update(self, p: Tensor, state: State, group: dict[str, Any]) -> None:
        (beta1, beta2), weight_decay = group["betas"], group["weight_decay"]
        grad = gradient(p, group["maximize"], 0)  # the weight decay joins the update below, after Adam's scaling
        state["step"] = step = state["step"] + 1
        exp_avg = state["exp_avg"].lerp_(grad, 1 - beta1)
        exp_avg_sq = state["exp_avg_sq"].mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        update = (exp_avg / (1 - beta1**step)) / ((exp_avg_sq / (1 - beta2**step)).sqrt() + group["eps"])
        if weight_decay:
            update = update + p * weight_decay
        weight_norm = min(_norm(p), group["clamp_value"])
        update_norm = _norm(update)
        trust_ratio = weight_norm / update_norm if weight_norm > 0 and update_norm > 0 else 1.0
        p.sub_(update, alpha=group["lr"] * trust_ratio)


def _norm(x: Tensor) -> float:
    """The Euclidean norm of all elements of x."""
    return math.sqrt(float((x * x).sum()))
