"""The element types of edugrad and PyTorch's rules for combining them.

Bottom layer (`edugrad.data`). A `DType` names an element type once, for every backend; each backend maps
it to its own (NumPy's `np.float32`, torch's `torch.float32`). The promotion rules below decide the dtype of
`a + b` before any op runs, so the low-level ops themselves only ever see operands of one dtype.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

try:  # bfloat16 is not a NumPy dtype; the optional ml_dtypes package adds it (`pip install edugrad-data[bfloat16]`)
    from ml_dtypes import bfloat16 as _np_bfloat16  # type: ignore[import-not-found, unused-ignore]
except ImportError:  # the name still exists, as torch.bfloat16 does, and using it says what to install
    _np_bfloat16 = None

Category = Literal["bool", "int", "float"]
_CATEGORY_RANK: dict[Category, int] = {"bool": 0, "int": 1, "float": 2}


@dataclass(frozen=True, eq=False)
class DType:
    """One element type: its name, size in bytes, category (bool < int < float) and NumPy equivalent.
    `unavailable` says why a dtype cannot hold data here (bfloat16 without ml_dtypes), else it is None."""

    name: str
    itemsize: int
    category: Category
    np_dtype: np.dtype[np.generic]
    unavailable: str | None = None
    # Stored rather than computed on each read: every op asks one of these at least once.
    is_floating_point: bool = field(init=False, repr=False)
    is_integer: bool = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "is_floating_point", self.category == "float")  # (the dataclass is frozen)
        object.__setattr__(self, "is_integer", self.category == "int")

    def __repr__(self) -> str:
        return f"dtypes.{self.name}"

    def __reduce__(self) -> str:
        # Pickle/copy by name, so identity comparisons (`dtype is dtypes.float32`) survive a round trip.
        return f"dtypes.{self.name}"


class dtypes:
    """The supported dtypes as attributes (`dtypes.float32`), like `torch.float32`."""

    bool = DType("bool", 1, "bool", np.dtype(np.bool_))
    uint8 = DType("uint8", 1, "int", np.dtype(np.uint8))
    int8 = DType("int8", 1, "int", np.dtype(np.int8))
    int16 = DType("int16", 2, "int", np.dtype(np.int16))
    int32 = DType("int32", 4, "int", np.dtype(np.int32))
    int64 = DType("int64", 8, "int", np.dtype(np.int64))
    float16 = DType("float16", 2, "float", np.dtype(np.float16))
    #: 8 exponent bits like float32, 7 mantissa bits: float32's range at float16's size. Without ml_dtypes a
    #: placeholder (two raw bytes) that every op refuses, naming the package.
    bfloat16 = (DType("bfloat16", 2, "float", np.dtype(_np_bfloat16)) if _np_bfloat16 is not None else
                DType("bfloat16", 2, "float", np.dtype("V2"), unavailable="bfloat16 needs the ml_dtypes package: "
                      "pip install 'edugrad-data[bfloat16]'"))
    float32 = DType("float32", 4, "float", np.dtype(np.float32))
    float64 = DType("float64", 8, "float", np.dtype(np.float64))

    #: What `Tensor([1.5])` and `Tensor.rand(...)` produce: float32, as in PyTorch.
    default_float = float32
    #: What `Tensor([1, 2])` and `arange(3)` produce: int64, as in PyTorch.
    default_int = int64

    @staticmethod
    def all() -> tuple[DType, ...]:
        return ALL_DTYPES

    @staticmethod
    def from_numpy(np_dtype: np.dtype[np.generic] | type) -> DType:
        """The DType for a NumPy dtype, in either byte order (arrays read from files are often big-endian);
        TypeError naming the supported ones if there is none."""
        native = np.dtype(np_dtype).newbyteorder("=")
        found = _BY_NUMPY.get(native)
        if found is None:
            raise TypeError(f"unsupported NumPy dtype {np.dtype(np_dtype)}; edugrad supports {_supported_names()}")
        return found

    @staticmethod
    def from_name(name: str) -> DType:
        """The DType called `name` (e.g. "float32"); TypeError for an unknown name."""
        found = _BY_NAME.get(name)
        if found is None:
            raise TypeError(f"unknown dtype {name!r}; edugrad supports {_supported_names()}")
        return found


ALL_DTYPES: tuple[DType, ...] = (
    dtypes.bool, dtypes.uint8, dtypes.int8, dtypes.int16, dtypes.int32, dtypes.int64, dtypes.float16,
    dtypes.float32, dtypes.float64,
)
#: bfloat16 with ml_dtypes: it holds data on the NumPy backend, but is not yet one of the dtypes every backend
#: passes the conformance suite with (the torch backend cannot convert ml_dtypes arrays yet).
EXTRA_DTYPES: tuple[DType, ...] = (dtypes.bfloat16,) if dtypes.bfloat16.unavailable is None else ()
_BY_NUMPY: dict[np.dtype[np.generic], DType] = {d.np_dtype: d for d in ALL_DTYPES + EXTRA_DTYPES}
_BY_NAME: dict[str, DType] = {d.name: d for d in ALL_DTYPES + EXTRA_DTYPES}


def _supported_names() -> str:
    return ", ".join(d.name for d in ALL_DTYPES)


Scalar = bool | int | float


def promote_types(a: DType, b: DType) -> DType:
    """The dtype of an op on two tensors, as `torch.promote_types`: the higher category wins
    (bool < int < float); within a category the wider type wins; uint8 with a signed int gives the signed one,
    except with int8, where only int16 holds both ranges; float16 with bfloat16 gives float32, which holds both."""
    if a is b:
        return a
    rank_a, rank_b = _CATEGORY_RANK[a.category], _CATEGORY_RANK[b.category]
    if rank_a != rank_b:
        return a if rank_a > rank_b else b
    if a.itemsize == b.itemsize and a.itemsize <= 2:  # uint8 and int8, float16 and bfloat16
        return dtypes.int16 if a.category == "int" else dtypes.float32
    return a if a.itemsize >= b.itemsize else b


def scalar_category(value: Scalar) -> Category:
    # bool is checked first because `isinstance(True, int)` holds in Python.
    if isinstance(value, bool):
        return "bool"
    return "int" if isinstance(value, int) else "float"


def result_type(dtype: DType, scalar: Scalar) -> DType:
    """The dtype of an op between a tensor and a Python scalar. Scalars are "weak", as in PyTorch: they
    never widen the tensor's dtype within its category (float32 * 2.0 stays float32), but a scalar of a
    higher category lifts the result to that category's default (int64 tensor + 0.5 is float32)."""
    category = scalar_category(scalar)
    if _CATEGORY_RANK[category] <= _CATEGORY_RANK[dtype.category]:
        return dtype
    return dtypes.default_float if category == "float" else dtypes.default_int
