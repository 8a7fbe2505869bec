"""State dicts move between edugrad.nn and torch.nn both ways: a small CNN and a Transformer encoder layer give
the same keys (in the same order), load strictly into their twin, compute the same outputs afterwards, and
train along the same trajectory."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch

from edugrad import nn
from edugrad.tensor import Tensor, no_grad, tensor

Array = np.ndarray[Any, Any]


def cnn(lib: Any, dropout: float = 0.0) -> Any:
    """The same small CNN in either library (`lib` is edugrad.nn or torch.nn)."""
    return lib.Sequential(
        lib.Conv2d(1, 4, 3, padding=1), lib.BatchNorm2d(4), lib.ReLU(), lib.MaxPool2d(2),
        lib.Conv2d(4, 8, 3, padding=1, groups=2), lib.GroupNorm(2, 8), lib.SiLU(), lib.AvgPool2d(2),
        lib.Flatten(), lib.Dropout(dropout), lib.Linear(8 * 2 * 2, 10),
    )


def transformer(lib: Any, dropout: float = 0.1) -> Any:
    return lib.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=dropout, batch_first=True)


def to_torch(state: dict[str, Tensor]) -> dict[str, torch.Tensor]:
    return {key: torch.from_numpy(value.numpy()) for key, value in state.items()}


def to_edugrad(state: dict[str, torch.Tensor]) -> dict[str, Array]:
    return {key: value.detach().numpy() for key, value in state.items()}


def images(seed: int, n: int = 4) -> Array:
    return np.random.default_rng(seed).normal(size=(n, 1, 8, 8)).astype(np.float32)


def assert_same_state(ours: nn.Module, theirs: torch.nn.Module, atol: float = 0.0) -> None:
    state = ours.state_dict()
    assert list(state) == list(theirs.state_dict())
    for key, value in theirs.state_dict().items():
        assert state[key].dtype.name == str(value.dtype).removeprefix("torch."), key
        np.testing.assert_allclose(state[key].numpy(), value.numpy(), atol=atol, rtol=0 if not atol else 1e-4,
                                   err_msg=key)


@pytest.mark.parametrize("make, inputs", [
    (cnn, lambda: images(0)),
    (transformer, lambda: np.random.default_rng(0).normal(size=(2, 5, 8)).astype(np.float32)),
], ids=["cnn", "transformer"])
def test_torch_to_edugrad_and_back(make: Any, inputs: Any) -> None:
    theirs, ours = make(torch.nn).eval(), make(nn).eval()
    assert [name for name, _ in ours.named_parameters()] == [name for name, _ in theirs.named_parameters()]
    ours.load_state_dict(to_edugrad(theirs.state_dict()))
    assert_same_state(ours, theirs)
    x = inputs()
    np.testing.assert_allclose(ours(Tensor(x)).numpy(), theirs(torch.tensor(x)).detach().numpy(), atol=1e-5)
    fresh = make(torch.nn).eval()
    fresh.load_state_dict(to_torch(ours.state_dict()))  # strict by default in torch too
    assert_same_state(ours, fresh)


@pytest.mark.parametrize("make", [cnn, transformer], ids=["cnn", "transformer"])
def test_edugrad_to_torch(make: Any) -> None:
    ours, theirs = make(nn), make(torch.nn)
    theirs.load_state_dict(to_torch(ours.state_dict()))
    assert_same_state(ours, theirs)


def test_training_trajectories_match_and_can_switch_library() -> None:
    """Five steps of gradient descent in training mode (batch statistics, running averages) in both libraries
    from the same weights; then the edugrad model's state continues training in torch."""
    theirs, ours = cnn(torch.nn), cnn(nn)
    ours.load_state_dict(to_edugrad(theirs.state_dict()))
    targets = np.random.default_rng(1).integers(0, 10, 4)
    for step in range(5):
        x = images(step)
        loss = nn.CrossEntropyLoss()(ours(tensor(x)), tensor(targets))
        expected = torch.nn.CrossEntropyLoss()(theirs(torch.tensor(x)), torch.tensor(targets))
        np.testing.assert_allclose(loss.item(), expected.item(), rtol=1e-4, err_msg=f"loss at step {step}")
        ours.zero_grad()
        theirs.zero_grad()
        loss.backward()
        expected.backward()
        with no_grad():
            for p in ours.parameters():
                assert p.grad is not None
                p.assign(p - p.grad * 0.1)
        with torch.no_grad():
            for q in theirs.parameters():
                q -= q.grad * 0.1
        assert_same_state(ours, theirs, atol=1e-5)
    resumed = cnn(torch.nn)
    resumed.load_state_dict(to_torch(ours.state_dict()))
    x = images(9)
    np.testing.assert_allclose(resumed(torch.tensor(x)).detach().numpy(), ours(Tensor(x)).numpy(), atol=1e-5)


def test_dropout_model_in_eval_mode_matches_after_transfer() -> None:
    theirs, ours = cnn(torch.nn, dropout=0.5).eval(), cnn(nn, dropout=0.5).eval()
    ours.load_state_dict(to_edugrad(theirs.state_dict()))
    x = images(3)
    np.testing.assert_allclose(ours(Tensor(x)).numpy(), theirs(torch.tensor(x)).detach().numpy(), atol=1e-5)


def test_nested_containers_have_torchs_keys() -> None:
    def build(lib: Any) -> Any:
        return lib.ModuleDict({
            "embed": lib.Embedding(10, 4, padding_idx=0),
            "blocks": lib.ModuleList([lib.Sequential(lib.LayerNorm(4), lib.Linear(4, 4)) for _ in range(2)]),
            "attn": lib.MultiheadAttention(4, 2, bias=False),
            "head": lib.Sequential(lib.BatchNorm1d(4, affine=False), lib.ConvTranspose2d(4, 2, 2)),
        })

    ours, theirs = build(nn), build(torch.nn)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    theirs.load_state_dict(to_torch(ours.state_dict()))
    ours.load_state_dict(to_edugrad(theirs.state_dict()))
    assert_same_state(ours, theirs)


def test_torch_rejects_what_edugrad_rejects() -> None:
    """A state dict of a different architecture fails in both libraries, and edugrad names the key."""
    wide_ours, wide_theirs = nn.Linear(3, 5), torch.nn.Linear(3, 5)
    narrow_ours, narrow_theirs = nn.Linear(3, 4), torch.nn.Linear(3, 4)
    with pytest.raises(RuntimeError, match="size mismatch for weight"):
        narrow_theirs.load_state_dict(wide_theirs.state_dict())
    with pytest.raises(RuntimeError, match=r"size mismatch for weight: copying a param with shape \(5, 3\) from checkpoint, the "
                       r"shape in current model is \(4, 3\)"):
        narrow_ours.load_state_dict(wide_ours.state_dict())
