"""The course's tasks, bottom-up through the layers: each one's checks and its reference in edugrad.

Outside the four layers (exercises/grader/). Each task's checks compare the Solution with PyTorch (forward
and backward) and run edugrad's own checkers (check_function, gradcheck) on it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from exercises.grader.compare import against_torch, expect_function_ok, small_inputs
from exercises.grader.core import Check, Solution, Task, register


def _library(module: str, *names: str) -> Callable[[], dict[str, Any]]:
    """The reference: the objects `names` of an edugrad module, imported when first graded."""
    def load() -> dict[str, Any]:
        imported = __import__(module, fromlist=list(names))
        return {n: getattr(imported, n) for n in names}
    return load


def _function_checks(name: str, torch_fn: Callable[..., torch.Tensor], shapes: tuple[tuple[int, ...], ...],
                     hint: str, low: float = -2.0, **kwargs: Any) -> tuple[Check, Check]:
    """Two checks of the Function `name`: against torch (output and gradients), and check_function."""
    arrays = small_inputs(*shapes, low=low)

    def matches_torch(s: Solution) -> None:
        function = getattr(s, name)
        against_torch(name, lambda *xs: function.apply(*xs, **kwargs), torch_fn, arrays, hint)

    def keeps_contract(s: Solution) -> None:
        expect_function_ok(getattr(s, name), arrays, hint, **kwargs)

    return (Check(f"{name} matches torch", matches_torch, hint),
            Check(f"{name} passes check_function", keeps_contract, hint))


register(Task(
    name="elementwise", title="elementwise Functions and their derivatives", number=2,
    module="exercises.tasks.t02_elementwise", names=("Exp", "Log", "Mul", "Sigmoid"),
    reference=_library("edugrad.function", "Exp", "Log", "Mul", "Sigmoid"),
    checks=(
        *_function_checks("Exp", torch.exp, ((2, 3),), "d/dx e^x = e^x: save the output in forward"),
        *_function_checks("Log", torch.log, ((2, 3),), "d/dx ln x = 1/x: save the input", low=0.5),
        *_function_checks("Mul", torch.mul, ((2, 3), (2, 3)),
                          "two inputs, two gradients: return (g * b, g * a)"),
        *_function_checks("Sigmoid", torch.sigmoid, ((2, 3),),
                          "d/dx sigmoid(x) = y (1 - y) with y the output; compute 1 / (1 + e^-x)"),
    ),
))
