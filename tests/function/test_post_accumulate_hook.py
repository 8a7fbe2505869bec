"""register_post_accumulate_grad_hook: called with the leaf once its `.grad` holds the new sum, as torch's.

DistributedDataParallel (edugrad.nn.parallel) averages gradients there; each case runs the same steps in torch.
"""

from __future__ import annotations

import pytest
import torch
from function_helpers import const, leaf, numpy_of

from edugrad.function import Mul, Node, Sum, grad


def test_the_hook_sees_the_accumulated_grad_of_each_backward_as_torch() -> None:
    x = leaf([1.0, 2.0])
    seen: list[list[float]] = []
    x.register_post_accumulate_grad_hook(lambda node: seen.append(numpy_of(node.grad).tolist()))
    for factor in (3.0, 5.0):
        Sum.apply(Mul.apply(x, const([factor, factor]))).backward()

    t = torch.tensor([1.0, 2.0], requires_grad=True)
    expected: list[list[float]] = []
    t.register_post_accumulate_grad_hook(lambda p: expected.append(p.grad.tolist()))
    for factor in (3.0, 5.0):
        (t * factor).sum().backward()
    assert seen == expected == [[3.0, 3.0], [8.0, 8.0]]


def test_a_leaf_used_twice_calls_the_hook_once_with_the_sum() -> None:
    x = leaf([2.0])
    calls: list[Node] = []
    x.register_post_accumulate_grad_hook(calls.append)
    Sum.apply(Mul.apply(x, x)).backward()
    assert calls == [x] and numpy_of(x.grad).tolist() == [4.0]


def test_the_hook_may_change_grad_in_place_and_is_removable() -> None:
    x = leaf([1.0, 1.0])
    remove = x.register_post_accumulate_grad_hook(lambda node: setattr(node, "grad", Mul.apply(node.grad,
                                                                                                 const([0.5, 0.5]))))
    Sum.apply(x).backward()
    assert numpy_of(x.grad).tolist() == [0.5, 0.5]
    remove()
    remove()  # harmless, as a second handle.remove()
    Sum.apply(x).backward()
    assert numpy_of(x.grad).tolist() == [1.5, 1.5]


def test_grad_does_not_accumulate_so_it_calls_no_hook() -> None:
    x = leaf([1.0])
    calls: list[Node] = []
    x.register_post_accumulate_grad_hook(calls.append)
    grad(Sum.apply(Mul.apply(x, x)), x)
    t = torch.tensor([1.0], requires_grad=True)
    torch_calls: list[torch.Tensor] = []
    t.register_post_accumulate_grad_hook(torch_calls.append)
    torch.autograd.grad((t * t).sum(), t)
    assert calls == [] and torch_calls == []


def test_only_a_leaf_that_requires_grad_takes_one() -> None:
    with pytest.raises(RuntimeError, match="register_post_accumulate_grad_hook.*require grad"):
        const([1.0]).register_post_accumulate_grad_hook(lambda node: None)
    with pytest.raises(RuntimeError, match="non-leaf"):
        Mul.apply(leaf([1.0]), const([2.0])).register_post_accumulate_grad_hook(lambda node: None)


def test_a_hook_that_returns_a_value_is_refused_as_torch_refuses_it() -> None:
    x = leaf([1.0])
    x.register_post_accumulate_grad_hook(lambda node: node.grad)
    with pytest.raises(RuntimeError, match="must return None"):
        Sum.apply(x).backward()
    t = torch.tensor([1.0], requires_grad=True)
    t.register_post_accumulate_grad_hook(lambda p: p.grad)
    with pytest.raises(RuntimeError, match="should return None"):
        t.sum().backward()
