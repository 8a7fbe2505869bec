"""edugrad.nn.functional, the activation modules and the loss modules have torch 2.13's signatures (the
comparison of tests/torch_api/signatures.py), and nn.functional covers what the brief of issue 13 lists."""

from __future__ import annotations

import importlib.util
import inspect
import sys
from pathlib import Path
from types import ModuleType

import torch

from edugrad.nn import activation, loss
from edugrad.nn import functional as F

# torch builds these four with boolean_dispatch, whose signature is (*args, **kwargs); edugrad's are those of
# their `_with_indices` twins, which torch documents.
DISPATCHED = {"max_pool1d", "max_pool2d", "adaptive_max_pool1d", "adaptive_max_pool2d"}


def _signatures() -> ModuleType:
    path = Path(__file__).resolve().parents[1] / "torch_api" / "signatures.py"
    spec = importlib.util.spec_from_file_location("signatures", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks itself up there
    spec.loader.exec_module(module)
    return module


def test_functional_has_torchs_signatures() -> None:
    report = _signatures().report("edugrad.torch.nn.functional")
    assert len(report) > 100
    differing = {name: problems for name, problems in report.items() if problems and name not in DISPATCHED}
    assert not differing
    for name in DISPATCHED:
        ours = inspect.signature(getattr(F, name)).parameters
        theirs = inspect.signature(getattr(torch.nn.functional, f"{name}_with_indices")).parameters
        assert list(ours) == list(theirs)


def test_activation_and_loss_modules_have_torchs_constructors() -> None:
    signatures = _signatures()
    for module in (activation, loss):
        for name in module.__all__:
            assert signatures.compare(getattr(module, name), getattr(torch.nn, name)) == [], name


def test_every_activation_and_loss_module_of_torch_is_there() -> None:
    torch_activations = set(torch.nn.modules.activation.__all__) - {"MultiheadAttention"}  # a layer (workstream D)
    assert torch_activations == set(activation.__all__)
    left_out = {"NLLLoss2d", "CTCLoss", "LinearCrossEntropyLoss"}  # deprecated; not implemented (see the README)
    assert set(torch.nn.modules.loss.__all__) - left_out == set(loss.__all__)
