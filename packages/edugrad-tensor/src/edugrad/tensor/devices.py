"""`device`: where a tensor's values live, as `torch.device`, and which backend of `edugrad.data` that means.

Tensor layer (`edugrad.tensor`). edugrad computes on the backends of the data layer; a device names one the way
PyTorch names its devices:

- "cpu" is the default backend when it computes on the CPU (NumPy, unless `EDUGRAD_BACKEND` chose another),
  else the NumPy backend;
- "cuda" (or "cuda:0") is the torch backend where it runs on torch's GPU. It needs PyTorch and a CUDA GPU that
  torch sees; without them, asking for it is an error that says which is missing.

Every other device type of torch ("mps", "xpu", ...) can be named, as in torch, but holds no tensor here.
"""

from __future__ import annotations

import re

from edugrad.data import Backend, get_backend

#: The device types torch knows (the order of its error message), so that a misspelt one is an error.
DEVICE_TYPES = (
    "cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve", "fpga", "maia", "xla", "lazy",
    "vulkan", "mps", "meta", "hpu", "mtia", "privateuseone",
)
_DEVICE_STRING = re.compile(r"([a-z_]+)(?::(0|[1-9][0-9]*))?")


class device:  # noqa: N801  (torch's name)
    """A device type and an optional index, as `torch.device`: `device("cpu")`, `device("cuda", 0)` and
    `device("cuda:0")`; `.type` and `.index` (None when not given); equal when both are."""

    __slots__ = ("_type", "_index")

    _type: str
    _index: int | None

    def __init__(self, type: str | device, index: int | None = None) -> None:  # noqa: A002  (torch's name)
        if isinstance(type, device):
            index = type._index if index is None else index
            type = type._type
        if not isinstance(type, str):
            raise TypeError(f"device: expected a device string such as 'cpu' or 'cuda:0' (or a device), got "
                            f"{type.__class__.__name__}")
        match = _DEVICE_STRING.fullmatch(type)
        if match is None:
            raise RuntimeError(f"Invalid device string: {type!r}")
        if match.group(1) not in DEVICE_TYPES:
            raise RuntimeError(f"Expected one of {', '.join(DEVICE_TYPES)} device type at start of device string: "
                               f"{type}")
        if match.group(2) is not None:
            if index is not None:
                raise RuntimeError(f"type (string) must not include an index because index was passed explicitly: "
                                   f"{type}")
            index = int(match.group(2))
        if index is not None and (not isinstance(index, int) or isinstance(index, bool)):
            raise TypeError(f"device: the index must be an int, not {index.__class__.__name__}")
        if index is not None and index < 0:
            raise RuntimeError("Device index must not be negative")
        self._type, self._index = match.group(1), index

    @property
    def type(self) -> str:
        """"cpu", "cuda", ..."""
        return self._type

    @property
    def index(self) -> int | None:
        """The device's number among those of its type (None: the current one)."""
        return self._index

    def __eq__(self, other: object) -> bool:
        return isinstance(other, device) and (self._type, self._index) == (other._type, other._index)

    def __hash__(self) -> int:
        return hash((self._type, self._index))

    def __str__(self) -> str:
        return self._type if self._index is None else f"{self._type}:{self._index}"

    def __repr__(self) -> str:
        index = "" if self._index is None else f", index={self._index}"
        return f"device(type='{self._type}'{index})"


DeviceLike = device | str | int


def as_device(where: DeviceLike) -> device:
    """`where` as a device. A bare int is a GPU's index, as torch reads it (`0` is "cuda:0")."""
    if isinstance(where, device):
        return where
    if isinstance(where, int) and not isinstance(where, bool):
        return device("cuda", where)
    if isinstance(where, str):
        return device(where)
    raise TypeError(f"device: expected a device, a string such as 'cuda:0' or a GPU's index, got {where!r}")


def backend_of(where: DeviceLike | None) -> Backend:
    """The backend that holds tensors on `where` (the default backend for None); an error saying what is
    missing for a device edugrad cannot compute on."""
    if where is None:
        return get_backend()
    wanted = as_device(where)
    if wanted.type == "cpu":
        default = get_backend()
        return default if default.device == "cpu" else get_backend("numpy")
    if wanted.type != "cuda":
        raise RuntimeError(f"device {wanted}: edugrad computes on 'cpu' (NumPy) and 'cuda' (its torch backend) only")
    gpu = _cuda_backend(f"device {wanted}")
    if wanted.index is not None and str(wanted) != gpu.device:
        raise RuntimeError(f"device {wanted}: edugrad computes on one GPU, {gpu.device} (set EDUGRAD_TORCH_DEVICE "
                           "to choose another)")
    return gpu


def backend_for(device: DeviceLike | None, backend: str | None, op: str) -> Backend:
    """The backend a new tensor goes to: named by torch's `device=` or by edugrad's `backend=` (the default
    backend when neither is given)."""
    if backend is None:
        return backend_of(device)
    if device is not None:
        raise TypeError(f"{op}: give device= or backend=, not both")
    return get_backend(backend)


def _cuda_backend(what: str) -> Backend:
    """The torch backend, if it runs on a GPU; else a RuntimeError that says why not."""
    try:
        backend = get_backend("torch")
    except ImportError as error:
        raise RuntimeError(f"{what}: edugrad runs CUDA through its torch backend, which needs PyTorch "
                           "(pip install 'edugrad-data[torch]')") from error
    if not backend.device.startswith("cuda"):
        raise RuntimeError(f"{what}: the torch backend runs on {backend.device}: torch sees no CUDA GPU, or "
                           "EDUGRAD_TORCH_DEVICE chose the CPU")
    return backend


def device_of(backend: Backend) -> device:
    """The device a backend's tensors are on."""
    found = _known.get(backend)
    if found is None:
        found = _known[backend] = device(backend.device)
    return found


_known: dict[Backend, device] = {}
