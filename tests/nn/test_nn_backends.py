"""edugrad.nn.functional and the optimizers on tensors of another backend than the default: the helper tensors
a function makes (indices, masks, noise, averaging matrices) and an optimizer's state go to the backend of
their input or parameter, so a result is there too and equals the NumPy backend's. The torch backend on the
CPU stands in for the GPU ("cuda" is that backend on PyTorch's GPU), so this runs without one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from edugrad.nn import functional as F
from edugrad.nn import optim
from edugrad.tensor import Tensor, dtypes, tensor

pytest.importorskip("torch")

RNG = np.random.default_rng(0)
IMAGE = RNG.standard_normal((2, 3, 5, 5)).astype(np.float32)
SCORES = RNG.standard_normal((4, 5)).astype(np.float32)
CLASSES = np.array([0, 3, 1, 4])
LABELS = np.array([[3, 0, -1, 1, 2], [1, 4, 2, -1, 0], [0, -1, 3, 2, 1], [4, 2, -1, 0, 0]])
WEIGHT = RNG.standard_normal((6, 3)).astype(np.float32)
BAGS = np.array([1, 2, 4, 5, 4, 3])


def image(backend: str) -> Tensor:
    return tensor(IMAGE, backend=backend)


DETERMINISTIC: dict[str, Callable[[str], Any]] = {
    "interpolate nearest": lambda b: F.interpolate(image(b), size=(3, 7)),
    "interpolate bilinear": lambda b: F.interpolate(image(b), size=(3, 7), mode="bilinear"),
    "adaptive_avg_pool2d uneven": lambda b: F.adaptive_avg_pool2d(image(b), 3),
    "max_unpool2d": lambda b: F.max_unpool2d(*F.max_pool2d(image(b), 2, return_indices=True), 2, output_size=(5, 5)),
    "pdist": lambda b: F.pdist(tensor(SCORES, backend=b)),
    "one_hot": lambda b: F.one_hot(tensor(CLASSES, backend=b), 5),
    "embedding scale_grad_by_freq": lambda b: F.embedding(tensor(BAGS, backend=b), tensor(WEIGHT, backend=b),
                                                          scale_grad_by_freq=True),
    "embedding max_norm": lambda b: F.embedding(tensor(BAGS, backend=b), tensor(WEIGHT, backend=b), max_norm=1.0),
    "embedding_bag 2-d": lambda b: F.embedding_bag(tensor(BAGS.reshape(2, 3), backend=b), tensor(WEIGHT, backend=b)),
    "embedding_bag offsets": lambda b: F.embedding_bag(tensor(BAGS, backend=b), tensor(WEIGHT, backend=b),
                                                       tensor(np.array([0, 2, 2]), backend=b), padding_idx=4),
    "embedding_bag max": lambda b: F.embedding_bag(tensor(BAGS.reshape(3, 2), backend=b), tensor(WEIGHT, backend=b),
                                                   mode="max"),
    "gaussian_nll_loss float var": lambda b: F.gaussian_nll_loss(image(b), image(b) * 0.5, 2.0),
    "multi_margin_loss": lambda b: F.multi_margin_loss(tensor(SCORES, backend=b), tensor(CLASSES, backend=b)),
    "multilabel_margin_loss": lambda b: F.multilabel_margin_loss(tensor(SCORES, backend=b),
                                                                 tensor(LABELS, backend=b)),
    "rrelu eval": lambda b: F.rrelu(image(b)),
}

RANDOM: dict[str, Callable[[str], Any]] = {
    "rrelu training": lambda b: F.rrelu(image(b), training=True),
    "gumbel_softmax hard": lambda b: F.gumbel_softmax(image(b), hard=True),
    "dropout2d": lambda b: F.dropout2d(image(b), 0.5),
    "alpha_dropout": lambda b: F.alpha_dropout(image(b), 0.5, training=True),
    "feature_alpha_dropout": lambda b: F.feature_alpha_dropout(image(b), 0.5, training=True),
}


@pytest.mark.parametrize("name", DETERMINISTIC)
def test_a_function_computes_on_its_inputs_backend(name: str) -> None:
    expected, result = DETERMINISTIC[name]("numpy"), DETERMINISTIC[name]("torch")
    assert result.backend == "torch"
    assert result.dtype == expected.dtype
    np.testing.assert_allclose(result.numpy(), expected.numpy(), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", RANDOM)
def test_a_random_function_draws_on_its_inputs_backend(name: str) -> None:
    result = RANDOM[name]("torch")
    assert result.backend == "torch" and result.shape == IMAGE.shape and result.dtype == dtypes.float32


def test_optimizers_keep_their_state_on_the_parameters_backend() -> None:
    weight = tensor(WEIGHT, backend="torch", requires_grad=True)
    unused = tensor(np.ones(3, np.float32), backend="torch", requires_grad=True)  # no gradient: LBFGS fills zeros
    adafactor = optim.Adafactor([weight])
    (weight * weight).sum().backward()
    adafactor.step()
    assert {t.backend for t in adafactor.state[weight].values() if isinstance(t, Tensor)} == {"torch"}
    lbfgs = optim.LBFGS([weight, unused], max_iter=2)

    def closure() -> Tensor:
        lbfgs.zero_grad()
        loss = (weight * weight).sum()
        loss.backward()
        return loss

    lbfgs.step(closure)
    assert weight.backend == unused.backend == "torch"


def test_a_state_dict_of_arrays_loads_onto_the_backend_of_the_model_and_optimizer() -> None:
    from edugrad import nn

    source = nn.Linear(3, 2)
    model = nn.Linear(3, 2)._apply(lambda t: tensor(t.numpy(), backend="torch"))
    model.load_state_dict({name: value.numpy() for name, value in source.state_dict().items()})
    assert model.weight.backend == "torch"
    np.testing.assert_array_equal(model.weight.numpy(), source.weight.numpy())
    optimizer = optim.Adam(source.parameters())
    source(Tensor.ones(1, 3)).sum().backward()
    optimizer.step()
    saved = optimizer.state_dict()  # its state tensors are on the NumPy backend
    moved = optim.Adam(model.parameters())
    moved.load_state_dict(saved)
    assert {t.backend for t in moved.state[model.weight].values() if isinstance(t, Tensor)} == {"torch"}
    model(tensor(np.ones((1, 3), np.float32), backend="torch")).sum().backward()
    moved.step()
    assert model.weight.backend == "torch"


def test_a_state_dict_on_one_backend_loads_into_a_model_on_another() -> None:
    # As torch's copy_ crosses devices: a checkpoint loaded with map_location="cpu" into a model elsewhere.
    from edugrad.nn import Linear

    source, target = Linear(3, 2), Linear(3, 2).to(dtypes.float32)
    for name, value in target.named_parameters():
        value.data = tensor(value.numpy(), backend="torch")
    target.load_state_dict(source.state_dict())
    assert all(p.backend == "torch" for p in target.parameters())
    np.testing.assert_array_equal(target.weight.numpy(), source.weight.numpy())
    copied = Tensor.zeros(3, backend="torch").copy_(tensor([1.0, 2.0, 3.0]))
    assert copied.backend == "torch" and copied.tolist() == [1.0, 2.0, 3.0]
