"""`LBFGS`: the limited-memory BFGS quasi-Newton method (Nocedal, 1980; Liu & Nocedal, 1989), with an optional
strong Wolfe line search.

Neural-network layer (`edugrad.nn.optim`). Newton's method steps by -H^-1 g with H the Hessian; BFGS builds
an estimate of H^-1 from how the gradient changed along the last steps, and L-BFGS keeps only the last
`history_size` pairs (s = step taken, y = change of gradient) and applies the estimate with the two-loop
recursion, never forming a matrix. All parameters are treated as one flat vector. One `step(closure)` runs
up to `max_iter` iterations and calls the closure (which must clear the gradients, compute the loss, call
backward and return the loss) once per iteration, or several times while the line search looks for a
step length t that satisfies the strong Wolfe conditions (enough decrease: f(x + t d) <= f + c1 t g.d; a
flat enough slope: |g(x + t d).d| <= c2 |g.d|). Like PyTorch's, it follows minFunc (Schmidt, 2005), so the
iterates, and every decision of the line search, are PyTorch's.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial
from typing import Any, ClassVar, NamedTuple

from edugrad.nn._checks import positive_int
from edugrad.nn.optim.optimizer import Optimizer, Params, State, check_option, scalar_state, state_tensor
from edugrad.tensor import Tensor, enable_grad, no_grad


class LBFGS(Optimizer):
    """L-BFGS, as `torch.optim.LBFGS`: one parameter group, and `step(closure)` needs the closure (`_step` is
    the algorithm; `Optimizer.step` runs it between the step hooks)."""

    _scalar_state: ClassVar[tuple[str, ...]] = ()  # its state keeps PyTorch's Python numbers as they are

    def __init__(self, params: Params, lr: float = 1, max_iter: int = 20, max_eval: int | None = None,
                 tolerance_grad: float = 1e-7, tolerance_change: float = 1e-9, history_size: int = 100,
                 line_search_fn: str | None = None) -> None:
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = {"lr": lr, "max_iter": max_iter, "max_eval": max_eval, "tolerance_grad": tolerance_grad,
                    "tolerance_change": tolerance_change, "history_size": history_size,
                    "line_search_fn": line_search_fn}
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params: list[Tensor] = self.param_groups[0]["params"]

    def _check_group(self, group: dict[str, Any]) -> None:
        for name in ("lr", "tolerance_grad", "tolerance_change"):
            check_option("LBFGS", name, group[name])
        for name in ("max_iter", "max_eval", "history_size"):
            positive_int("LBFGS", name, group[name])
        if group["line_search_fn"] not in (None, "strong_wolfe"):
            raise ValueError(f"LBFGS: line_search_fn must be None or 'strong_wolfe', got {group['line_search_fn']!r}")

    def _numel(self) -> int:
        return sum(p.numel() for p in self._params)

    def _flat_grad(self) -> Tensor:
        """All gradients as one new vector, in the order of the parameters (zeros where there is none)."""
        parts = [Tensor.zeros(p.numel(), dtype=p.dtype, backend=p.backend) if p.grad is None else p.grad.reshape(-1)
                 for p in self._params]
        return Tensor.cat(parts).clone()  # a copy: zero_grad(set_to_none=False) must not change it

    def _move(self, t: float, direction: Tensor) -> None:
        """x = x + t * direction, with x all parameters as one flat vector."""
        offset = 0
        for p in self._params:
            p.add_(direction[offset:offset + p.numel()].reshape(p.shape), alpha=t)
            offset += p.numel()

    def _evaluate(self, closure: Callable[[], Any]) -> tuple[Any, Tensor]:
        """The closure's loss (recorded for backward) and the flat gradient it leaves."""
        with enable_grad():
            loss = closure()
        return loss, self._flat_grad()

    def _evaluate_at(self, closure: Callable[[], Any], t: float, d: Tensor) -> tuple[float, Tensor]:
        """The loss and flat gradient at x + t d, leaving the parameters at x (for the line search)."""
        start = [p.clone() for p in self._params]
        self._move(t, d)
        loss, flat_grad = self._evaluate(closure)
        for p, value in zip(self._params, start):
            p.copy_(value)
        return float(loss), flat_grad

    def _step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Run up to `max_iter` L-BFGS iterations; returns the loss the closure computed first."""
        if closure is None:
            raise TypeError("LBFGS.step needs a closure that clears the gradients, computes the loss, calls "
                            "backward() and returns the loss: optimizer.step(closure)")
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        with no_grad():
            return self._iterate(closure, self.param_groups[0], self.state[self._params[0]])

    def _iterate(self, closure: Callable[[], Any], group: dict[str, Any], state: State) -> Any:
        lr, max_iter, max_eval = group["lr"], group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)
        first_loss, flat_grad = self._evaluate(closure)
        loss = float(first_loss)
        evals = 1
        state["func_evals"] += 1
        if _max_abs(flat_grad) <= tolerance_grad:
            return first_loss  # already at a stationary point
        for n_iter in range(1, max_iter + 1):
            state["n_iter"] += 1
            if state["n_iter"] == 1:
                d = -flat_grad  # no curvature known yet: steepest descent
                state.update(old_dirs=[], old_stps=[], ro=[], H_diag=1.0)
            else:
                self._remember(state, flat_grad - state["prev_flat_grad"], state["d"] * state["t"],
                               group["history_size"])
                d = self._two_loop(state, flat_grad, group["history_size"])
            state["prev_flat_grad"], state["prev_loss"], previous_loss = flat_grad, loss, loss
            # the first step is scaled so its size is at most lr (the gradient's scale is unknown)
            t = min(1.0, 1.0 / float(flat_grad.abs().sum())) * lr if state["n_iter"] == 1 else lr
            state["d"], state["t"] = d, t
            gtd = _dot(flat_grad, d)
            if gtd > -tolerance_change:
                break  # d does not go downhill (enough): stop
            evals_now, converged = 0, False
            if group["line_search_fn"] == "strong_wolfe":
                loss, flat_grad, t, evals_now = _strong_wolfe(partial(self._evaluate_at, closure, d=d), t, d, loss,
                                                              flat_grad, gtd, max_ls=max_eval - evals)
                state["t"] = t
                self._move(t, d)
                converged = _max_abs(flat_grad) <= tolerance_grad
            else:
                self._move(t, d)  # a fixed step of length lr along d
                if n_iter != max_iter:
                    value, flat_grad = self._evaluate(closure)
                    loss, evals_now = float(value), 1
                    converged = _max_abs(flat_grad) <= tolerance_grad
            evals += evals_now
            state["func_evals"] += evals_now
            if (n_iter == max_iter or evals >= max_eval or converged or _max_abs(d * t) <= tolerance_change
                    or abs(loss - previous_loss) < tolerance_change):
                break
        return first_loss

    @staticmethod
    def _remember(state: State, y: Tensor, s: Tensor, history_size: int) -> None:
        """Add the pair (s, y) to the history, if it shows positive curvature (y.s > 0, which keeps the
        estimate of H^-1 positive definite), dropping the oldest beyond `history_size`."""
        ys = _dot(y, s)
        if ys <= 1e-10:
            return
        if len(state["old_dirs"]) == history_size:
            for key in ("old_dirs", "old_stps", "ro"):
                state[key].pop(0)
        state["old_dirs"].append(y)
        state["old_stps"].append(s)
        state["ro"].append(1.0 / ys)
        state["H_diag"] = ys / _dot(y, y)  # the initial estimate H0 = (y.s / y.y) I, from the newest pair

    @staticmethod
    def _two_loop(state: State, flat_grad: Tensor, history_size: int) -> Tensor:
        """The direction -H^-1 g by the two-loop recursion over the stored pairs (Nocedal & Wright, Alg. 7.4)."""
        dirs, steps, ro = state["old_dirs"], state["old_stps"], state["ro"]
        al = state.setdefault("al", [None] * history_size)
        q = -flat_grad
        for i in range(len(dirs) - 1, -1, -1):  # newest to oldest
            al[i] = _dot(steps[i], q) * ro[i]
            q.add_(dirs[i], alpha=-al[i])
        r: Tensor = q * state["H_diag"]
        for i in range(len(dirs)):  # oldest to newest
            be_i = _dot(dirs[i], r) * ro[i]
            r.add_(steps[i], alpha=al[i] - be_i)
        return r

    def _loaded_state(self, p: Tensor, index: Any, saved: State, group: dict[str, Any]) -> State:
        """The saved state of the first parameter, where LBFGS keeps everything: flat vectors of all parameters'
        elements, lists of them, and numbers (PyTorch saves some as 0-d tensors)."""
        where = f"LBFGS.load_state_dict: state {{!r}} of parameter {index}"
        flat = (self._numel(),)
        loaded: State = {}
        for key, value in saved.items():
            if key in ("d", "prev_flat_grad"):
                loaded[key] = state_tensor(where.format(key), value, p, flat)
            elif key in ("old_dirs", "old_stps"):
                loaded[key] = [state_tensor(where.format(key), item, p, flat) for item in value]
            elif key in ("ro", "al"):
                loaded[key] = [None if item is None else scalar_state(where.format(key), item) for item in value]
            elif key in ("H_diag", "t", "prev_loss"):
                loaded[key] = scalar_state(where.format(key), value)
            elif key in ("func_evals", "n_iter"):
                loaded[key] = scalar_state(where.format(key), value, integer=True)
            else:
                loaded[key] = value
        return loaded


class _Point(NamedTuple):
    """A point of the line search: step length t, loss f, flat gradient g and slope gtd = g.d along d."""

    t: float
    f: float
    g: Tensor
    gtd: float


def _dot(a: Tensor, b: Tensor) -> float:
    return float((a * b).sum())


def _max_abs(x: Tensor) -> float:
    return float(x.abs().max())


def _cubic_minimum(a: _Point, b: _Point, bounds: tuple[float, float] | None = None) -> float:
    """The minimizer of the cubic that matches f and its slope at a and b, clamped to `bounds` (by default the
    interval between them); their midpoint if the cubic has no minimum (Nocedal & Wright, eq. 3.59)."""
    low, high = bounds if bounds is not None else (min(a.t, b.t), max(a.t, b.t))
    d1 = a.gtd + b.gtd - 3 * (a.f - b.f) / (a.t - b.t)
    d2_square = d1**2 - a.gtd * b.gtd
    if d2_square < 0:
        return (low + high) / 2.0
    d2 = math.sqrt(d2_square)
    near, far = (a, b) if a.t <= b.t else (b, a)
    t = far.t - (far.t - near.t) * ((far.gtd + d2 - d1) / (far.gtd - near.gtd + 2 * d2))
    return min(max(t, low), high)


def _strong_wolfe(evaluate: Callable[[float], tuple[float, Tensor]], t: float, d: Tensor, f: float, g: Tensor,
                  gtd: float, c1: float = 1e-4, c2: float = 0.9, tolerance_change: float = 1e-9,
                  max_ls: int = 25) -> tuple[float, Tensor, float, int]:
    """A step length along d that satisfies the strong Wolfe conditions, found by bracketing and then zooming
    in (Nocedal & Wright, Alg. 3.5 and 3.6). Returns (loss, flat gradient, t) there and the evaluations used."""
    start = _Point(0.0, f, g, gtd)
    f_new, g_new = evaluate(t)
    new = _Point(t, f_new, g_new, _dot(g_new, d))
    previous, evals, done = start, 1, False
    bracket: list[_Point] = []
    # 1. Extrapolate until an interval is sure to contain acceptable points.
    while len(bracket) == 0 and evals <= max_ls:
        if new.f > f + c1 * new.t * gtd or (evals > 2 and new.f >= previous.f):
            bracket = [previous, new]  # not enough decrease: a minimum lies between
        elif abs(new.gtd) <= -c2 * gtd:
            bracket, done = [new], True  # this point satisfies both conditions
        elif new.gtd >= 0:
            bracket = [previous, new]  # the slope turned: a minimum lies between
        else:
            step = _cubic_minimum(previous, new, bounds=(new.t + 0.01 * (new.t - previous.t), new.t * 10))
            f_new, g_new = evaluate(step)
            previous, new, evals = new, _Point(step, f_new, g_new, _dot(g_new, d)), evals + 1
    if not bracket:  # out of evaluations
        bracket = [start, new]
    # 2. Zoom: shrink the bracket around the point with the lowest loss.
    d_norm = _max_abs(d)
    low, high = (0, 1) if bracket[0].f <= bracket[-1].f else (1, 0)
    insufficient_progress = False
    while not done and evals <= max_ls:
        if abs(bracket[1].t - bracket[0].t) * d_norm < tolerance_change:
            break  # the bracket is too small to matter
        step = _cubic_minimum(bracket[0], bracket[1])
        top, bottom = max(bracket[0].t, bracket[1].t), min(bracket[0].t, bracket[1].t)
        margin = 0.1 * (top - bottom)
        if min(top - step, step - bottom) < margin:
            # Too close to an end of the bracket: after a second time in a row (or when outside it), move the
            # step to `margin` inside the nearer end, so the bracket keeps shrinking.
            if insufficient_progress or step >= top or step <= bottom:
                step = top - margin if abs(step - top) < abs(step - bottom) else bottom + margin
                insufficient_progress = False
            else:
                insufficient_progress = True
        else:
            insufficient_progress = False
        f_new, g_new = evaluate(step)
        new, evals = _Point(step, f_new, g_new, _dot(g_new, d)), evals + 1
        if new.f > f + c1 * new.t * gtd or new.f >= bracket[low].f:
            bracket[high] = new
            low, high = (0, 1) if bracket[0].f <= bracket[1].f else (1, 0)
        else:
            if abs(new.gtd) <= -c2 * gtd:
                done = True
            elif new.gtd * (bracket[high].t - bracket[low].t) >= 0:
                bracket[high] = bracket[low]
            bracket[low] = new
    best = bracket[low]
    return best.f, best.g, best.t, evals
