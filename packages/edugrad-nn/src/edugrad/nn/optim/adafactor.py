"""`Adafactor`: Adam's second moment in factored form, with relative step sizes (Shazeer & Stern, 2018).

Neural-network layer (`edugrad.nn.optim`). For a matrix parameter (R, C), Adam's second moment v takes R * C
numbers; Adafactor keeps only its row means r (R, 1) and column means c (1, C) and estimates
v ~ r c / mean(r), the best rank-1 fit, which saves almost all of the optimizer's memory. A vector keeps its
full v. There is no first moment. The averaging weight 1 - beta2_t = t^beta2_decay falls with the step t,
and the step is relative: its size is rho_t = min(lr, 1 / sqrt(t)) times the root mean square of the
parameter (at least eps[1]), and an update whose RMS exceeds d is scaled down to it:

    r = lerp(r, mean_cols(g^2), t^beta2_decay)     c = lerp(c, mean_rows(g^2), t^beta2_decay)
    u = g / sqrt(max(r c / max(mean(r), eps1), eps1^2))
    p = p - max(eps2, RMS(p)) * rho_t / max(1, RMS(u) / d) * u

(the variant PyTorch implements, with weight decay as in AdamW: p = p * (1 - lr * weight_decay)). eps[0]
None means the machine epsilon of the parameter's dtype.
"""

from __future__ import annotations

import math
from typing import Any

from edugrad.nn.optim.optimizer import Optimizer, Params, State, check_option, gradient
from edugrad.tensor import Tensor, finfo


class Adafactor(Optimizer):
    """Adafactor, as `torch.optim.Adafactor` (`foreach` changes nothing here)."""

    def __init__(self, params: Params, lr: float = 1e-2, beta2_decay: float = -0.8,
                 eps: tuple[float | None, float] = (None, 1e-3), d: float = 1.0, weight_decay: float = 0.0, *,
                 foreach: bool | None = None, maximize: bool = False) -> None:
        defaults = {"lr": lr, "beta2_decay": beta2_decay, "eps": eps, "d": d, "weight_decay": weight_decay,
                    "foreach": foreach, "maximize": maximize}
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        check_option("Adafactor", "lr", group["lr"])
        check_option("Adafactor", "weight_decay", group["weight_decay"])
        check_option("Adafactor", "d", group["d"], 1.0)
        if not group["beta2_decay"] <= 0:
            raise ValueError(f"Adafactor: beta2_decay should be <= 0 but is: {group['beta2_decay']}")
        eps = group["eps"]
        if not (isinstance(eps, (tuple, list)) and len(eps) == 2):
            raise ValueError(f"Adafactor: eps must be a pair (eps1 or None, eps2), got {eps!r}")
        if eps[0] is not None:
            check_option("Adafactor", "epsilon1", eps[0])
        check_option("Adafactor", "epsilon2", eps[1])

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> State:
        if p.ndim > 1:
            shape = p.shape
            return {"step": 0, "row_var": Tensor.zeros(*shape[:-1], 1, dtype=p.dtype, backend=p.backend),
                    "col_var": Tensor.zeros(*shape[:-2], 1, shape[-1], dtype=p.dtype, backend=p.backend)}
        return {"step": 0, "variance": Tensor.zeros_like(p)}

    def _update(self, p: Tensor, state: State, group: dict[str, Any]) -> None:
        lr, weight_decay = group["lr"], group["weight_decay"]
        eps1, eps2 = group["eps"]
        if eps1 is None:
            eps1 = finfo(p.dtype).eps
        grad = gradient(p, group["maximize"], 0)
        state["step"] = step = state["step"] + 1
        weight = step ** group["beta2_decay"]  # 1 - beta2_t
        rho = min(lr, 1 / math.sqrt(step))
        alpha = max(eps2, _rms(p)) * rho
        if weight_decay:
            p.mul_(1 - lr * weight_decay)
        squared = grad * grad
        if p.ndim > 1:
            row_var = state["row_var"].lerp_(squared.mean(-1, keepdim=True), weight)
            col_var = state["col_var"].lerp_(squared.mean(-2, keepdim=True), weight)
            variance = (row_var @ col_var) / row_var.mean(-2, keepdim=True).clamp(min=eps1)
        else:
            variance = state["variance"].lerp_(squared, weight)
        update = variance.clamp(min=eps1 * eps1).rsqrt() * grad
        p.add_(update, alpha=-alpha / max(1.0, _rms(update) / group["d"]))


def _rms(x: Tensor) -> float:
    """The root mean square of the elements of x."""
    return math.sqrt(float((x * x).sum()) / x.numel())
