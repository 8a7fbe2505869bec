"""`edugrad.torch`: PyTorch's namespace over edugrad, so a PyTorch program runs with only its imports changed.

The top of edugrad's layers (above `edugrad.nn`), shipped by edugrad-nn. Like `torch/__init__.py`, it holds no
logic, only re-exports: torch's top-level functions are the module-level functions of `edugrad.tensor`, and
its submodules map onto the layers (`nn` onto `edugrad.nn`, `optim` onto `edugrad.nn.optim`, `utils.data` onto
`edugrad.nn.data`). A port changes its imports and nothing else::

    import edugrad.torch as torch
    import edugrad.torch.nn as nn
    import edugrad.torch.nn.functional as F

What differs from PyTorch is listed in the documentation's "Porting from PyTorch" page.
"""

from edugrad.tensor import *  # noqa: F403  (torch's top level is the Tensor layer's module level)
from edugrad.tensor import __all__ as _tensor_names
from edugrad.nn.amp import autocast, get_autocast_dtype, is_autocast_enabled
from edugrad.nn.serialization import load, save
from edugrad.torch import accelerator, amp, autograd, backends, cuda, distributed, nn, onnx, optim, utils

__all__ = [*_tensor_names, "accelerator", "amp", "autocast", "autograd", "backends", "cuda", "distributed",
           "get_autocast_dtype", "is_autocast_enabled", "load", "nn", "onnx", "optim", "save", "utils"]
