"""`Rprop`: resilient backpropagation (Riedmiller & Braun, 1993), which uses only the sign of the gradient.

Neural-network layer (`edugrad.nn.optim`). Every coordinate has its own step size, which grows by etas[1]
while the gradient keeps its sign and shrinks by etas[0] when the sign flips (the last step jumped over a
minimum), within the bounds `step_sizes`. The parameter moves by its step size against the gradient's sign;
after a flip it does not move, and the next step treats the gradient as zero:

    s = clip(s * (etas[1] if g * g_prev > 0, etas[0] if g * g_prev < 0, else 1), step_sizes)
    g = 0 where the sign flipped        p = p - sign(g) * s        g_prev = g

Being blind to the gradient's size, Rprop suits full-batch training; the step sizes start at `lr`.
"""

from __future__ import annotations

from typing import Any

from edugrad.nn.optim.optimizer import Optimizer, Params, State, check_option, gradient
from edugrad.tensor import Tensor


class Rprop(Optimizer):
    """Rprop, as `torch.optim.Rprop` (`foreach` changes nothing here)."""

    def __init__(self, params: Params, lr: float = 1e-2, etas: tuple[float, float] = (0.5, 1.2),
                 step_sizes: tuple[float, float] = (1e-6, 50), *, capturable: bool = False,
                 foreach: bool | None = None, maximize: bool = False, differentiable: bool = False) -> None:
        defaults = {"lr": lr, "etas": etas, "step_sizes": step_sizes, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable, "capturable": capturable}
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        check_option("Rprop", "lr", group["lr"])
        etas = group["etas"]
        if not (isinstance(etas, (tuple, list)) and len(etas) == 2 and 0.0 < etas[0] < 1.0 < etas[1]):
            raise ValueError(f"Rprop: invalid eta values {etas!r}; expected a pair (etaminus, etaplus) with "
                             "0 < etaminus < 1 < etaplus")
        step_sizes = group["step_sizes"]
        if not (isinstance(step_sizes, (tuple, list)) and len(step_sizes) == 2 and 0 <= step_sizes[0] <= step_sizes[1]):
            raise ValueError(f"Rprop: invalid step_sizes {step_sizes!r}; expected a pair (min, max) with "
                             "0 <= min <= max")

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> State:
        return {"step": 0, "prev": Tensor.zeros_like(p), "step_size": Tensor.full_like(p, group["lr"])}

    def _update(self, p: Tensor, state: State, group: dict[str, Any]) -> None:
        (etaminus, etaplus), (step_min, step_max) = group["etas"], group["step_sizes"]
        grad = gradient(p, group["maximize"], 0)
        state["step"] += 1
        agreement = (grad * state["prev"]).sign()  # 1: the same sign as last step, -1: it flipped, 0: a zero
        flipped = agreement < 0
        factor = agreement.masked_fill(agreement > 0, etaplus).masked_fill(flipped, etaminus)
        factor = factor.masked_fill(agreement == 0, 1)
        step_size = state["step_size"].mul_(factor).clamp_(step_min, step_max)
        grad = grad.masked_fill(flipped, 0)
        p.addcmul_(grad.sign(), step_size, value=-1)
        state["prev"].copy_(grad)
