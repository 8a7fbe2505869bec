"""Tensor.backward's full torch signature: `inputs=` accumulates only into the named tensors (leaves or not)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import edugrad.torch as et


def _run(lib: object, inputs: str) -> list[object]:
    a = lib.tensor([1.0, 2.0], requires_grad=True)  # type: ignore[attr-defined]
    b = lib.tensor([3.0, -1.0], requires_grad=True)  # type: ignore[attr-defined]
    h = a * b
    h.retain_grad()
    loss = (h * h + b).sum()
    chosen = {"a": [a], "b and h": [b, h], "a alone": a}[inputs]
    loss.backward(inputs=chosen)
    return [None if t.grad is None else t.grad.detach().numpy().tolist() for t in (a, b, h)]


@pytest.mark.parametrize("inputs", ["a", "b and h", "a alone"])
def test_backward_accumulates_only_into_the_inputs_given(inputs: str) -> None:
    assert _run(et, inputs) == _run(torch, inputs)


def test_backward_with_inputs_adds_to_an_existing_grad() -> None:
    grads = []
    for lib in (et, torch):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        (a * a).sum().backward(inputs=[a])
        (a * 3).sum().backward(inputs=[a])
        grads.append(a.grad.numpy())
    np.testing.assert_array_equal(*grads)


def test_backward_refuses_an_input_that_does_not_require_grad() -> None:
    a = et.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="inputs must be a non-empty sequence of tensors that require grad"):
        (a * 2).sum().backward(inputs=[et.tensor([1.0])])


@pytest.mark.parametrize("options", [{}, {"allow_unused": True}, {"materialize_grads": True},
                                     {"create_graph": True, "only_inputs": True}])
def test_autograd_grad_takes_torchs_options(options: dict[str, bool]) -> None:
    results = []
    for lib in (et, torch):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        unused = lib.tensor([5.0], requires_grad=True)
        y = (a * a * a).sum()
        if options.get("allow_unused") or options.get("materialize_grads"):
            found = lib.autograd.grad(y, [a, unused], **options)
        else:
            found = lib.autograd.grad(y, [a], **options)
        results.append([None if g is None else g.detach().numpy().tolist() for g in found])
    assert results[0] == results[1]


def test_autograd_grad_refuses_an_unused_input_unless_allowed() -> None:
    a, unused = et.tensor([1.0], requires_grad=True), et.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="were not used"):
        et.autograd.grad((a * 2).sum(), [a, unused])
    with pytest.raises(NotImplementedError, match="is_grads_batched"):
        et.autograd.grad((a * 2).sum(), [a], is_grads_batched=True)
