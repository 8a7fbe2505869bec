"""inference_mode, compile, is_grad_enabled and Tensor.__format__ at the top of edugrad.tensor, against PyTorch 2.13."""

from __future__ import annotations

import pytest
import torch

import edugrad.tensor as et


@pytest.mark.parametrize("lib", [et, torch], ids=["edugrad", "torch"])
def test_inference_mode_records_nothing_as_context_and_decorator(lib: object) -> None:
    x = lib.ones(2, requires_grad=True)  # type: ignore[attr-defined]
    with lib.inference_mode():  # type: ignore[attr-defined]
        assert not lib.is_grad_enabled() and not (x * 2).requires_grad  # type: ignore[attr-defined]
    assert lib.is_grad_enabled()  # type: ignore[attr-defined]

    @lib.inference_mode()  # type: ignore[attr-defined, untyped-decorator]
    def double(t: object) -> object:
        return t * 2  # type: ignore[operator]

    assert not double(x).requires_grad  # type: ignore[attr-defined]
    with lib.inference_mode(False):  # type: ignore[attr-defined]
        assert (x * 2).requires_grad


def test_compile_returns_the_model_unchanged() -> None:
    def model(t: et.Tensor) -> et.Tensor:
        return t + 1

    assert et.compile(model) is model
    assert et.compile(mode="max-autotune")(model) is model
    assert et.compile(model, fullgraph=True, dynamic=False, backend="inductor")(et.zeros(1)).tolist() == [1.0]


def test_format_of_a_0d_tensor_is_its_number_as_torch() -> None:
    for spec in (".4f", ".2e", "", "8.3f"):
        assert format(et.tensor(3.14159), spec) == format(torch.tensor(3.14159), spec)
    assert f"{et.tensor(7)}" == f"{torch.tensor(7)}"
    with pytest.raises(TypeError):
        format(et.tensor([1.5]), ".2f")
    with pytest.raises(TypeError):
        format(torch.tensor([1.5]), ".2f")
