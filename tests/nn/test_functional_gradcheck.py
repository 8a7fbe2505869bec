"""Central-difference gradchecks (float64) of the nn.functional ops that are compositions of their own, so
their gradients are checked against the math as well as against torch's."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from edugrad.function import gradcheck
from edugrad.nn import functional as F
from edugrad.tensor import Tensor, dtypes

CASES: list[tuple[str, Callable[..., Tensor], list[tuple[int, ...]]]] = [
    ("celu", lambda x: F.celu(x, 0.7), [(3, 4)]),
    ("selu", F.selu, [(3, 4)]),
    ("logsigmoid", F.logsigmoid, [(3, 4)]),
    ("softsign", F.softsign, [(3, 4)]),
    ("glu", F.glu, [(3, 4)]),
    ("prelu", F.prelu, [(2, 3, 4), (3,)]),
    ("bilinear", F.bilinear, [(2, 3), (2, 2), (4, 3, 2), (4,)]),
    ("rms_norm", lambda x, w: F.rms_norm(x, [4], w), [(3, 4), (4,)]),
    ("group_norm", lambda x: F.group_norm(x, 2), [(2, 4, 3)]),
    ("local_response_norm", lambda x: F.local_response_norm(x, 3), [(2, 4, 3)]),
    ("normalize", F.normalize, [(3, 4)]),
    ("cosine_similarity", F.cosine_similarity, [(3, 4), (3, 4)]),
    ("pdist", F.pdist, [(4, 3)]),
    ("adaptive_avg_pool2d", lambda x: F.adaptive_avg_pool2d(x, (2, 3)), [(1, 2, 5, 7)]),
    ("adaptive_max_pool2d", lambda x: F.adaptive_max_pool2d(x, (2, 3)), [(1, 2, 5, 7)]),
    ("interpolate bilinear", lambda x: F.interpolate(x, size=(4, 5), mode="bilinear"), [(1, 2, 3, 3)]),
    ("pad reflect", lambda x: F.pad(x, (2, 1, 1, 1), "reflect"), [(1, 2, 3, 4)]),
    ("unfold", lambda x: F.unfold(x, 2, padding=1, stride=2), [(1, 2, 4, 4)]),
    ("fold", lambda x: F.fold(x, (3, 4), 2), [(1, 8, 6)]),
    ("pixel_shuffle", lambda x: F.pixel_shuffle(x, 2), [(1, 4, 2, 3)]),
    ("huber_loss", lambda x, y: F.huber_loss(x, y, delta=0.5), [(3, 4), (3, 4)]),
    ("gaussian_nll_loss", lambda x, y, v: F.gaussian_nll_loss(x, y, v * v + 0.5), [(3, 4), (3, 4), (3, 4)]),
    ("kl_div log_target", lambda x, y: F.kl_div(x, y, reduction="batchmean", log_target=True), [(3, 4), (3, 4)]),
    ("cosine_embedding_loss", lambda a, b: F.cosine_embedding_loss(a, b, Tensor([1.0, -1.0, 1.0]), 0.1),
     [(3, 4), (3, 4)]),
    ("triplet_margin_loss", F.triplet_margin_loss, [(3, 4), (3, 4), (3, 4)]),
    ("multilabel_soft_margin_loss", lambda x: F.multilabel_soft_margin_loss(x, Tensor([[1.0, 0.0, 1.0]] * 2)),
     [(2, 3)]),
]


@pytest.mark.parametrize("name, fn, shapes", CASES, ids=[c[0] for c in CASES])
def test_gradient_matches_central_differences(name: str, fn: Callable[..., Tensor],
                                              shapes: list[tuple[int, ...]]) -> None:
    rng = np.random.default_rng(0)
    inputs = [Tensor(rng.uniform(-2, 2, shape), dtype=dtypes.float64, requires_grad=True) for shape in shapes]
    assert gradcheck(fn, inputs)
