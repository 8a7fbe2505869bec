"""`ASGD`: averaged stochastic gradient descent (Polyak & Juditsky, 1992), with a decaying step size.

Neural-network layer (`edugrad.nn.optim`). Plain SGD with a step size eta that shrinks as training goes on,
plus a running average `ax` of the iterates, which starts averaging at step t0. The parameters follow the
SGD iterates; the average is in the state (`optimizer.state[p]["ax"]`), to be copied into the model for
evaluation, since averaged iterates converge faster than the last one:

    p = p * (1 - lambd * eta) - eta * g
    ax = ax + mu * (p - ax)
    eta = lr / (1 + lambd * lr * t)^alpha        mu = 1 / max(1, t - t0)
"""

from __future__ import annotations

from typing import Any, ClassVar

from edugrad.nn.optim.optimizer import Optimizer, Params, State, check_option, gradient
from edugrad.tensor import Tensor


class ASGD(Optimizer):
    """ASGD, as `torch.optim.ASGD` (`foreach` changes nothing here)."""

    _scalar_state: ClassVar[tuple[str, ...]] = ("step", "eta", "mu")

    def __init__(self, params: Params, lr: float = 1e-2, lambd: float = 1e-4, alpha: float = 0.75,
                 t0: float = 1e6, weight_decay: float = 0, foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False, capturable: bool = False) -> None:
        defaults = {"lr": lr, "lambd": lambd, "alpha": alpha, "t0": t0, "weight_decay": weight_decay,
                    "foreach": foreach, "maximize": maximize, "differentiable": differentiable,
                    "capturable": capturable}
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        for name in ("lr", "weight_decay"):
            check_option("ASGD", name, group[name])

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> State:
        return {"step": 0, "eta": float(group["lr"]), "mu": 1.0, "ax": Tensor.zeros_like(p)}

    def _update(self, p: Tensor, state: State, group: dict[str, Any]) -> None:
        lr, lambd = group["lr"], group["lambd"]
        grad = gradient(p, group["maximize"], group["weight_decay"])
        state["step"] = step = state["step"] + 1
        eta = state["eta"]
        p.mul_(1 - lambd * eta).add_(grad, alpha=-eta)
        if state["mu"] != 1:
            state["ax"].lerp_(p, state["mu"])
        else:
            state["ax"].copy_(p)
        state["eta"] = lr / (1 + lambd * lr * step) ** group["alpha"]
        state["mu"] = 1 / max(1, step - group["t0"])
