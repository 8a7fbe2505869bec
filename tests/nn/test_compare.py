"""compare_with_torch: an edugrad model and its torch twin, layer by layer, forward and backward. A correct model
agrees everywhere; a planted bug in one layer's forward, or in one Function's backward, is reported at that
layer, with the element furthest off and both values (checked here against torch's own numbers)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch

from edugrad import nn
from edugrad.data import BinaryOps, TensorData, UnaryOps
from edugrad.function import Function
from edugrad.tensor import Tensor


class Net(nn.Module):
    """fc1 -> act -> fc2, with the activation given: a correct one or one with a planted bug."""

    def __init__(self, act: nn.Module) -> None:
        super().__init__()
        self.fc1 = nn.Linear(3, 5)
        self.act = act
        self.fc2 = nn.Linear(5, 2)

    def forward(self, x: Tensor) -> Tensor:
        return self.fc2(self.act(self.fc1(x)))  # type: ignore[no-any-return]


class TorchNet(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc1 = torch.nn.Linear(3, 5)
        self.act = torch.nn.Tanh()
        self.fc2 = torch.nn.Linear(5, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(self.act(self.fc1(x)))  # type: ignore[no-any-return]


class WrongTanh(nn.Module):
    """A port that got the activation wrong: tanh(x / 2) (a sigmoid rescaled) instead of tanh(x)."""

    def forward(self, x: Tensor) -> Tensor:
        return (x / 2).tanh()


class TanhForgetsTheSquare(Function):
    """tanh, with a backward that forgets the square: g (1 - tanh x) instead of g (1 - tanh² x)."""

    def forward(self, x: TensorData) -> TensorData:
        out = x.unary(UnaryOps.TANH)
        self.save_for_backward(out)
        return out

    def backward(self, g: TensorData) -> TensorData:  # type: ignore[override]  # the seed's style
        out = self.saved_tensors[0]._data
        return g.binary(BinaryOps.MUL, out.const(1.0).binary(BinaryOps.SUB, out))


class BackwardBugTanh(nn.Module):
    def forward(self, x: Tensor) -> Tensor:
        return TanhForgetsTheSquare.apply(x)


def inputs() -> np.ndarray[Any, Any]:
    return np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)


def twin(model: nn.Module) -> TorchNet:
    """The torch model, with edugrad's weights (the comparison copies them too; here to compute expectations)."""
    theirs = TorchNet()
    theirs.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in model.state_dict().items()})
    return theirs


def test_a_correct_model_agrees_everywhere() -> None:
    result = nn.compare_with_torch(Net(nn.Tanh()), TorchNet(), inputs())
    assert result.ok and result.first is None and result.differences == []
    # forward: fc1, act, fc2, the model; backward: the gradients of those 4 outputs and of 4 parameters
    assert result.checked == 12
    assert str(result) == "edugrad and PyTorch agree: 12 outputs and gradients, within rtol=0.0001, atol=1e-05"


def test_a_forward_bug_is_reported_at_its_layer_with_both_values() -> None:
    model = Net(WrongTanh())
    x = inputs()
    result = nn.compare_with_torch(model, TorchNet(), x)
    first = result.first
    assert first is not None and not result.ok
    assert (first.step, first.what, first.name, first.layer) == ("forward", "output of layer", "act", "WrongTanh")
    h = twin(model).fc1(torch.from_numpy(x)).detach().numpy().astype(np.float64)
    ours, theirs = np.tanh(h / 2), np.tanh(h)
    index = np.unravel_index(np.argmax(np.abs(ours - theirs)), h.shape)
    assert first.index == tuple(int(i) for i in index)
    assert first.ours == pytest.approx(ours[index], rel=1e-5)
    assert first.theirs == pytest.approx(theirs[index], rel=1e-5)
    assert first.error == pytest.approx(abs(ours[index] - theirs[index]), rel=1e-4)
    # fc1's output is right, so it is not reported; everything computed from act's output differs after it
    assert [(d.step, d.name) for d in result.differences][:3] == [("forward", "act"), ("forward", "fc2"),
                                                                   ("forward", "")]
    text = str(result)
    assert text.startswith(f"first difference (rtol=0.0001, atol=1e-05): forward, output of layer act "
                           f"(WrongTanh) at index {first.index}: edugrad {first.ours:.6g}, PyTorch {first.theirs:.6g}")


def test_a_backward_bug_shows_where_the_gradient_first_goes_wrong() -> None:
    model = Net(BackwardBugTanh())
    x = inputs()
    result = nn.compare_with_torch(model, TorchNet(), x)
    assert all(d.step == "backward" for d in result.differences)  # the forward is right
    first = result.first
    assert first is not None
    # act's backward receives the right gradient (fc2's gradients agree) and passes a wrong one to fc1's output
    assert (first.what, first.name, first.layer) == ("gradient of layer output", "fc1", "Linear")
    assert [d.name for d in result.differences] == ["fc1", "fc1.weight", "fc1.bias"]
    assert "look at the backward of the layer that reads the output of fc1" in str(result)
    theirs = twin(model)
    hidden = theirs.fc1(torch.from_numpy(x))
    hidden.retain_grad()
    out = theirs.fc2(theirs.act(hidden))
    weights = np.random.default_rng(0).standard_normal(out.shape).astype(np.float32)
    (out * torch.from_numpy(weights)).sum().backward()
    assert hidden.grad is not None
    assert first.index is not None and first.theirs == pytest.approx(float(hidden.grad[first.index]), rel=1e-5)
    t = np.tanh(hidden.detach().numpy().astype(np.float64))
    # the planted rule: the gradient arriving at act, times (1 - t) where torch multiplies by (1 - t²)
    assert first.ours == pytest.approx(first.theirs * (1 - t[first.index]) / (1 - t[first.index] ** 2), rel=1e-4)


def test_a_parameter_gradient_that_differs_names_the_parameter() -> None:
    model = Net(nn.Tanh())
    theirs = TorchNet()
    # torch side: fc2.weight's gradient doubled
    theirs.fc2.weight.register_hook(lambda g: g * 2)  # type: ignore[no-untyped-call]
    result = nn.compare_with_torch(model, theirs, inputs())
    assert [(d.what, d.name) for d in result.differences] == [("gradient of parameter", "fc2.weight")]
    assert "this layer's own backward computes it" in str(result)


def test_outputs_of_different_shapes_are_reported_without_values() -> None:
    result = nn.compare_with_torch(nn.Flatten(0), torch.nn.Flatten(1), np.ones((2, 3, 4), dtype=np.float32))
    first = result.first
    assert first is not None and first.index is None and first.ours is None
    assert str(first) == ("forward, output of layer (the whole model) (Flatten): shape (24,) in edugrad, "
                          "(2, 12) in PyTorch")


def test_state_dicts_that_do_not_match_are_refused() -> None:
    with pytest.raises(ValueError, match=r"compare_with_torch: the two modules' state dicts must have the same "
                                         r"names; only the torch module has \['bias', 'weight'\], only the "
                                         r"edugrad module has \[\]"):
        nn.compare_with_torch(nn.Tanh(), torch.nn.Linear(2, 2), inputs())
    with pytest.raises(ValueError, match=r"weight has shape \(2, 3\) in the edugrad module and \(3, 2\)"):
        nn.compare_with_torch(nn.Linear(3, 2), torch.nn.Linear(2, 3), inputs())


def test_modules_of_the_wrong_framework_are_refused() -> None:
    with pytest.raises(TypeError, match="expects an edugrad.nn.Module and a torch.nn.Module, got Linear and Linear"):
        nn.compare_with_torch(torch.nn.Linear(3, 2), nn.Linear(3, 2), inputs())  # type: ignore[arg-type]
