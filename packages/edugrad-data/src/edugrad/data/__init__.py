"""edugrad.data: the bottom layer of edugrad.

`TensorData` is an n-dimensional array with a small, fixed set of low-level ops
(`edugrad.data.ops`), run by a backend (NumPy by default, torch optionally). It knows nothing about gradients:
the layer above, `edugrad.function`, builds differentiable Functions from these ops. Like a torch tensor, a
`TensorData` is a view (shape, strides, offset) of a `Storage` that its views share.
"""

from edugrad.data.backend import Backend, available_backends, get_backend, register_backend
from edugrad.data.dtypes import DType, dtypes, promote_types, result_type
from edugrad.data.ops import (
    ALL_OPS, BinaryOps, CastOps, ContractionOps, IndexOps, LoadOps, MovementOps, Op, ReduceOps, ScanOps, SortOps,
    TernaryOps, UnaryOps, WindowOps, WriteOps,
)
from edugrad.data.tensor_data import (
    Storage, TensorData, add_observer, check_shape, normalize_axes, normalize_axis, remove_observer,
)

__version__ = "0.1.0"

__all__ = [
    "ALL_OPS", "Backend", "BinaryOps", "CastOps", "ContractionOps", "DType", "IndexOps", "LoadOps",
    "MovementOps", "Op", "ReduceOps", "ScanOps", "SortOps", "Storage", "TensorData", "TernaryOps", "UnaryOps",
    "WindowOps", "WriteOps", "add_observer", "available_backends", "check_shape", "dtypes", "get_backend",
    "normalize_axes", "normalize_axis", "promote_types", "register_backend", "remove_observer", "result_type",
]
