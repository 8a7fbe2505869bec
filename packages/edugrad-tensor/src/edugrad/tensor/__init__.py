"""edugrad.tensor: the user-facing `Tensor` with a PyTorch-like API (the top computing layer of edugrad).

Every Tensor method is composed of the differentiable Functions of `edugrad.function`, which compute on the
`TensorData` of `edugrad.data`.
"""

from edugrad.data import DType, dtypes
from edugrad.function import enable_grad, grad, no_grad, set_grad_enabled
from edugrad.tensor.tensor import Tensor  # first: it imports the topic modules in the order they need
from edugrad.tensor.binary import where
from edugrad.tensor.combine import cat, stack
from edugrad.tensor.tracing import trace
from edugrad.tensor.creation import randperm
from edugrad.tensor.devices import device
from edugrad.tensor.random import (
    Generator, default_generator, get_rng_state, initial_seed, manual_seed, seed, set_rng_state,
)

__version__ = "0.1.0"

__all__ = ["DType", "Tensor", "cat", "dtypes", "enable_grad", "grad", "no_grad", "set_grad_enabled", "stack", "trace",
           "where"]

# creation, random streams and devices
__all__ += ["Generator", "default_generator", "device", "get_rng_state", "initial_seed", "manual_seed", "randperm",
            "seed", "set_rng_state"]
