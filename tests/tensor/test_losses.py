"""The losses against torch.nn.functional (every reduction, ignore_index, label smoothing) and their errors."""

import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from parity import Case, check_parity

from edugrad.tensor import Tensor, tensor
from edugrad.tensor.tracing import trace

REDUCTIONS = ["mean", "sum", "none"]
TARGET = np.array([3, 0, -100, 4, 1, 3])  # class indices for (6, 5) logits; one ignored with PyTorch's default
TARGET_2D = np.array([[[0, 2], [1, -100]], [[2, 2], [0, 1]]])  # for (2, 3, 2, 2) logits: classes on axis 1
ALL_IGNORED = np.array([-100, -100, -100])  # the mean over no targets is nan (0 / 0), as in torch
TARGET_U8 = np.array([3, 0, 255, 4, 1, 3], np.uint8)  # torch takes uint8 class indices too (255: a typical ignore)
LABELS = np.array([[2, -1, 0], [4, 4, 1]])  # for (2, 3, 5) logits, reference style: classes last, -1 ignored
BINARY = np.random.default_rng(7).uniform(0, 1, (4, 3)).astype(np.float32)  # soft labels


def _t(array: np.ndarray) -> torch.Tensor:
    return torch.tensor(array)


def loss_cases(reduction: str) -> list[Case]:
    r = {"reduction": reduction}
    return [
        Case(f"cross_entropy {reduction}", lambda x, **k: x.cross_entropy(tensor(TARGET), **k),
             lambda x, **k: F.cross_entropy(x, _t(TARGET), **k), [(6, 5)], kwargs=r),
        Case(f"cross_entropy smoothing {reduction}",
             lambda x, **k: x.cross_entropy(tensor(TARGET), label_smoothing=0.2, **k),
             lambda x, **k: F.cross_entropy(x, _t(TARGET), label_smoothing=0.2, **k), [(6, 5)], kwargs=r),
        Case(f"cross_entropy ignore_index {reduction}",
             lambda x, **k: x.cross_entropy(tensor(TARGET.clip(0)), ignore_index=3, label_smoothing=0.1, **k),
             lambda x, **k: F.cross_entropy(x, _t(TARGET.clip(0)), ignore_index=3, label_smoothing=0.1, **k),
             [(6, 5)], kwargs=r),
        Case(f"cross_entropy smoothing all ignored {reduction}",
             lambda x, **k: x.cross_entropy(tensor(ALL_IGNORED), label_smoothing=0.1, **k),
             lambda x, **k: F.cross_entropy(x, _t(ALL_IGNORED), label_smoothing=0.1, **k), [(3, 5)], kwargs=r),
        Case(f"cross_entropy smoothing uint8 {reduction}",  # the default ignore_index -100 does not fit in uint8
             lambda x, **k: x.cross_entropy(tensor(TARGET_U8 % 5), label_smoothing=0.1, **k),
             lambda x, **k: F.cross_entropy(x, _t(TARGET_U8 % 5), label_smoothing=0.1, **k), [(6, 5)], kwargs=r),
        Case(f"cross_entropy smoothing uint8 ignore_index {reduction}",
             lambda x, **k: x.cross_entropy(tensor(TARGET_U8), ignore_index=255, label_smoothing=0.1, **k),
             lambda x, **k: F.cross_entropy(x, _t(TARGET_U8), ignore_index=255, label_smoothing=0.1, **k), [(6, 5)],
             kwargs=r),
        Case(f"cross_entropy spatial {reduction}", lambda x, **k: x.cross_entropy(tensor(TARGET_2D), **k),
             lambda x, **k: F.cross_entropy(x, _t(TARGET_2D), **k), [(2, 3, 2, 2)], kwargs=r),
        Case(f"cross_entropy unbatched {reduction}", lambda x, **k: x.cross_entropy(tensor(2), **k),
             lambda x, **k: F.cross_entropy(x, _t(np.array(2)), **k), [(5,)], kwargs=r),
        Case(f"cross_entropy probabilities {reduction}", lambda x, p, **k: x.cross_entropy(p, **k),
             lambda x, p, **k: F.cross_entropy(x, p, **k), [(4, 5), (4, 5)], low=0.0, high=1.0, kwargs=r),
        Case(f"cross_entropy probabilities smoothing {reduction}",
             lambda x, p, **k: x.cross_entropy(p, label_smoothing=0.3, **k),
             lambda x, p, **k: F.cross_entropy(x, p, label_smoothing=0.3, **k), [(2, 3, 4), (2, 3, 4)], low=0.0,
             high=1.0, kwargs=r),
        Case(f"nll_loss {reduction}", lambda x, **k: x.nll_loss(tensor(TARGET), **k),
             lambda x, **k: F.nll_loss(x, _t(TARGET), **k), [(6, 5)], kwargs=r),
        Case(f"nll_loss ignore_index spatial {reduction}",
             lambda x, **k: x.nll_loss(tensor(TARGET_2D.clip(0)), ignore_index=2, **k),
             lambda x, **k: F.nll_loss(x, _t(TARGET_2D.clip(0)), ignore_index=2, **k), [(2, 3, 2, 2)], kwargs=r),
        Case(f"nll_loss unbatched {reduction}", lambda x, **k: x.nll_loss(tensor(3), **k),
             lambda x, **k: F.nll_loss(x, _t(np.array(3)), **k), [(5,)], kwargs=r),
        Case(f"nll_loss all ignored {reduction}", lambda x, **k: x.nll_loss(tensor(ALL_IGNORED), **k),
             lambda x, **k: F.nll_loss(x, _t(ALL_IGNORED), **k), [(3, 5)], kwargs=r),
        Case(f"nll_loss float64 {reduction}", lambda x, **k: x.nll_loss(tensor(TARGET), **k),
             lambda x, **k: F.nll_loss(x, _t(TARGET), **k), [(6, 5)], dtype="float64", kwargs=r),
        Case(f"binary_cross_entropy {reduction}", lambda p, **k: p.binary_cross_entropy(Tensor(BINARY), **k),
             lambda p, **k: F.binary_cross_entropy(p, _t(BINARY), **k), [(4, 3)], low=0.02, high=0.98, kwargs=r),
        Case(f"binary_cross_entropy_with_logits {reduction}",
             lambda x, **k: x.binary_cross_entropy_with_logits(Tensor(BINARY), **k),
             lambda x, **k: F.binary_cross_entropy_with_logits(x, _t(BINARY), **k), [(4, 3)], low=-30, high=30,
             kwargs=r),
        Case(f"mse_loss {reduction}", lambda x, y, **k: x.mse_loss(y, **k), F.mse_loss, [(3, 4), (3, 4)], kwargs=r),
        Case(f"l1_loss {reduction}", lambda x, y, **k: x.l1_loss(y, **k), F.l1_loss, [(3, 4), (3, 4)], kwargs=r),
    ]


def sparse_reference(x: torch.Tensor, labels: np.ndarray, smoothing: float) -> torch.Tensor:
    return F.cross_entropy(x.reshape(-1, x.shape[-1]), _t(labels).flatten(), ignore_index=-1,
                           label_smoothing=smoothing)


@pytest.mark.parametrize("case", [c for r in REDUCTIONS for c in loss_cases(r)], ids=str)
def test_loss_parity(case: Case) -> None:
    check_parity(case)


@pytest.mark.parametrize("labels", [LABELS, np.full_like(LABELS, -1), LABELS.clip(0).astype(np.uint8)],
                         ids=["labels", "all ignored", "uint8"])
@pytest.mark.parametrize("smoothing", [0.0, 0.25])
def test_sparse_categorical_crossentropy(labels: np.ndarray, smoothing: float) -> None:
    check_parity(Case("sparse_categorical_crossentropy",
                      lambda x: x.sparse_categorical_crossentropy(tensor(labels), label_smoothing=smoothing),
                      lambda x: sparse_reference(x, labels, smoothing), [(2, 3, 5)]))


def test_sparse_categorical_crossentropy_on_log_probabilities() -> None:
    # The reference MNIST example feeds it log_softmax output: log_softmax is idempotent, so that still works.
    x = Tensor(np.random.default_rng(0).normal(size=(4, 3)).astype(np.float32))
    labels = tensor([0, 2, 1, 1])
    np.testing.assert_allclose(x.log_softmax(1).sparse_categorical_crossentropy(labels).item(),
                               x.sparse_categorical_crossentropy(labels).item(), rtol=1e-6)


@pytest.mark.parametrize("loss", ["nll_loss", "cross_entropy", "sparse_categorical_crossentropy"])
def test_class_index_losses_record_one_nll_function(loss: str) -> None:
    # The pick of each target's log-probability, the mask of ignored targets and the mean are one Function;
    # cross-entropy adds only the LogSoftmax before it. Its backward applies three: Reshape, Expand, Mul.
    x = Tensor(np.random.default_rng(0).normal(size=(6, 5)).astype(np.float32), requires_grad=True)
    target = tensor(TARGET.clip(0))
    with trace() as t:
        getattr(x, loss)(target).backward()
    expected = {"NLLLoss": 1} if loss == "nll_loss" else {"LogSoftmax": 1, "NLLLoss": 1}
    assert t.counts("function", backward=False) == expected
    [nll_backward] = [e for e in t.find("function", backward=True) if e.name == "NLLLossBackward"]
    assert [e.name for e in nll_backward.children if e.level == "function"] == ["Reshape", "Expand", "Mul"]


def test_binary_cross_entropy_clamps_the_log_at_minus_100() -> None:
    p = Tensor(np.array([1e-45, 1e-45], np.float32))  # log(1e-45) is about -103.3
    loss = p.binary_cross_entropy(Tensor([1.0, 0.0]), reduction="none")
    expected = F.binary_cross_entropy(torch.tensor([1e-45, 1e-45]), torch.tensor([1.0, 0.0]), reduction="none")
    np.testing.assert_allclose(loss.numpy(), expected.numpy(), atol=1e-30)
    assert loss.numpy()[0] == 100.0


def test_binary_cross_entropy_with_logits_is_stable_for_huge_logits() -> None:
    x = Tensor([1e4, -1e4, 0.0], requires_grad=True)
    loss = x.binary_cross_entropy_with_logits(Tensor([0.0, 1.0, 1.0]), reduction="none")
    np.testing.assert_allclose(loss.numpy(), [1e4, 1e4, np.log(2)], rtol=1e-6)
    loss.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [1.0, -1.0, -0.5])  # sigmoid(x) - y, also at x = 0


@pytest.mark.parametrize("loss", ["cross_entropy", "nll_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits",
                                  "mse_loss", "l1_loss"])
def test_unknown_reduction(loss: str) -> None:
    x = Tensor(np.full((2, 3), 0.5, np.float32))
    target = tensor([0, 1]) if loss in ("cross_entropy", "nll_loss") else x
    with pytest.raises(ValueError, match=rf"{loss}: reduction must be 'mean', 'sum' or 'none', got 'avg'"):
        getattr(x, loss)(target, reduction="avg")


def test_class_target_of_wrong_shape_names_both_shapes() -> None:
    with pytest.raises(ValueError, match=r"cross_entropy: expected class indices of shape \(4,\) for input of "
                                         r"shape \(4, 3\), got target of shape \(4, 1\)"):
        Tensor.zeros(4, 3).cross_entropy(tensor([[0], [1], [2], [0]]))


def test_probability_target_of_wrong_shape() -> None:
    with pytest.raises(ValueError, match=r"cross_entropy: expected class probabilities of shape \(4, 3\) .* "
                                         r"got target of shape \(4, 2\)"):
        Tensor.zeros(4, 3).cross_entropy(Tensor.zeros(4, 2))


def test_nll_loss_wants_integer_targets() -> None:
    with pytest.raises(TypeError, match="nll_loss: class-index targets must have an integer dtype, got float32"):
        Tensor.zeros(2, 3).nll_loss(Tensor([0.0, 1.0]))


@pytest.mark.parametrize("bad", [[0, 3], [-2, 1]])
def test_target_out_of_range(bad: list[int]) -> None:
    with pytest.raises(IndexError, match=r"cross_entropy: targets must be class indices in \[0, 3\) or "
                                         r"ignore_index \(-100\)"):
        Tensor.zeros(2, 3).cross_entropy(tensor(bad))


@pytest.mark.parametrize("loss, expected", [("cross_entropy", "logits of shape (C,) or (N, C, ...)"),
                                            ("nll_loss", "log-probabilities of shape (C,) or (N, C, ...)"),
                                            ("sparse_categorical_crossentropy", "logits of shape (..., C)")])
def test_a_0d_input_has_no_class_axis(loss: str, expected: str) -> None:
    with pytest.raises(ValueError, match=re.escape(f"{loss}: expected {expected}, got a 0-d tensor")):
        getattr(tensor(0.5), loss)(tensor(0))


def test_target_must_be_a_tensor() -> None:
    with pytest.raises(TypeError, match="mse_loss: the target must be a Tensor, got list"):
        Tensor.zeros(2).mse_loss([0.0, 1.0])  # type: ignore[arg-type]


def test_regression_target_broadcasts_with_torchs_warning() -> None:
    x, y = np.float32([[1.0], [2.0], [4.0]]), np.float32([0.5, 1.0, 3.0])
    for ours, theirs in [(Tensor.mse_loss, torch.nn.functional.mse_loss), (Tensor.l1_loss, torch.nn.functional.l1_loss)]:
        with pytest.warns(UserWarning, match=r"Using a target size \(\(3,\)\) that is different to the input size"):
            loss = ours(Tensor(x), Tensor(y))
        with pytest.warns(UserWarning):
            expected = theirs(torch.tensor(x), torch.tensor(y))
        np.testing.assert_allclose(loss.numpy(), expected.numpy(), rtol=1e-6)
    with pytest.raises(ValueError, match="mse_loss: shapes"):
        Tensor.zeros(3, 2).mse_loss(Tensor.zeros(3))


@pytest.mark.parametrize("smoothing", [-0.1, 1.5])
def test_label_smoothing_out_of_range(smoothing: float) -> None:
    with pytest.raises(ValueError, match="label_smoothing must be in"):
        Tensor.zeros(2, 3).cross_entropy(tensor([0, 1]), label_smoothing=smoothing)
    with pytest.raises(ValueError, match="label_smoothing must be in"):
        Tensor.zeros(2, 3).sparse_categorical_crossentropy(tensor([0, 1]), label_smoothing=smoothing)


def test_the_reference_api_names_are_aliases_of_torchs() -> None:
    assert Tensor.binary_crossentropy is Tensor.binary_cross_entropy
    assert Tensor.binary_crossentropy_logits is Tensor.binary_cross_entropy_with_logits
