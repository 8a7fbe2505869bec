"""Every callable `edugrad.torch` exports has torch 2.13's signature (names, order, kinds, defaults), and every
Tensor method torch also has, except the documented exceptions below, each with its reason. A new difference,
or an exception that no longer differs, fails the test."""

from __future__ import annotations

import pytest
from signatures import NAMESPACES, report

#: (namespace, name) -> why edugrad's signature differs from the one torch documents.
EXCEPTIONS: dict[tuple[str, str], str] = {
    ("Tensor", "mul_"): "torch's docstring says `value`, but torch accepts only `other` (as edugrad)",
    ("Tensor", "div_"): "torch's docstring says `value`, but torch accepts only `other` (as edugrad)",
    ("Tensor", "where"): "torch's docstring says `y`, but torch accepts only `other` (as edugrad)",
    ("Tensor", "new_zeros"): "torch documents (size, ...) but takes sizes one by one too, as edugrad's *size",
    ("Tensor", "new_ones"): "torch documents (size, ...) but takes sizes one by one too, as edugrad's *size",
    ("Tensor", "new_empty"): "torch documents (size, ...) but takes sizes one by one too, as edugrad's *size",
    ("Tensor", "stride"): "torch documents stride(dim) with dim optional; x.stride() works (dim=None), as size's",
    ("edugrad.torch", "squeeze"): "torch documents no default for dim, but torch.squeeze(x) works (dim=None)",
    ("edugrad.torch", "einsum"): "torch documents einsum(*args); edugrad names the equation and the operands",
    ("edugrad.torch", "normal"): "torch documents four overloads no one Python signature has; edugrad's takes "
                                 "all their calls (tensor or float mean and std, size, generator)",
    ("edugrad.torch", "sum"): "one function is torch.sum and Tensor.sum, whose dtype is positional",
    ("edugrad.torch", "prod"): "one function is torch.prod and Tensor.prod, whose dtype is positional",
    ("edugrad.torch", "reshape"): "one function is torch.reshape(input, shape) and Tensor.reshape(*shape): the "
                                  "shape cannot be passed as a keyword",
    ("edugrad.torch", "permute"): "one function is torch.permute(input, dims) and Tensor.permute(*dims): the "
                                  "dims cannot be passed as a keyword",
}


@pytest.mark.parametrize("namespace", ["Tensor", *NAMESPACES])
def test_signatures_are_torchs(namespace: str) -> None:
    differing = {name: problems for name, problems in report(namespace).items() if problems}
    unexplained = {name: problems for name, problems in differing.items() if (namespace, name) not in EXCEPTIONS}
    assert not unexplained, f"{namespace}: signatures that differ from torch 2.13's: {unexplained}"
    stale = [name for (space, name) in EXCEPTIONS if space == namespace and name not in differing]
    assert not stale, f"{namespace}: documented exceptions that no longer differ, remove them: {stale}"
