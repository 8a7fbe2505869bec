"""Honest answers to torch's questions about accelerators: `torch.cuda.*`, `torch.backends.*` and
`torch.accelerator.*`, for the devices edugrad has (see `devices`).

Tensor layer (`edugrad.tensor`). edugrad reaches a GPU only through its torch backend, so "is CUDA available" means:
PyTorch is installed, sees a CUDA GPU, and the torch backend runs on it (`EDUGRAD_TORCH_DEVICE` did not choose
the CPU). edugrad computes on that one GPU. Apple's MPS has no backend here: it is never available. The
`torch.backends` flags (TF32 matmuls, cuDNN's autotuner) are assignable, since programs set them, but change
nothing: the NumPy backend has no such modes, and the torch backend runs torch's defaults.
"""

from __future__ import annotations

from edugrad.data import Backend, dtypes
from edugrad.tensor import random
from edugrad.tensor.devices import backend_of, device, device_of


def _gpu() -> Backend | None:
    """The torch backend if it computes on a GPU, else None (asking imports torch where it is installed)."""
    try:
        return backend_of("cuda")
    except RuntimeError:
        return None


# torch.cuda


def is_available() -> bool:
    """Whether edugrad can put tensors on "cuda" (torch installed, a GPU it sees, the torch backend on it)."""
    return _gpu() is not None


def device_count() -> int:
    """How many GPUs edugrad computes on: 1 with CUDA (the torch backend's), else 0."""
    return 1 if is_available() else 0


def current_device() -> int:
    """The index of the GPU edugrad computes on; a RuntimeError without one."""
    index = device_of(_cuda("current_device")).index
    return 0 if index is None else index


def is_bf16_supported() -> bool:
    """Whether bfloat16 works on the GPU: CUDA is there and the ml_dtypes package gives edugrad bfloat16."""
    return is_available() and dtypes.bfloat16.unavailable is None


def manual_seed(seed: int) -> None:
    """Seed the GPU's default Generator (a no-op without CUDA, as in torch)."""
    gpu = _gpu()
    if gpu is not None:
        random.default_generator_of(gpu).manual_seed(seed)


def manual_seed_all(seed: int) -> None:
    """Seed the default Generator of every GPU: here the one GPU's."""
    manual_seed(seed)


def synchronize(device: device | str | int | None = None) -> None:
    """Wait for the GPU's queued work. edugrad's ops return when their result is there (a value read from the
    GPU waits for it), so there is nothing to wait for; without CUDA this is a RuntimeError, as in torch."""
    _cuda("synchronize")


def _cuda(op: str) -> Backend:
    gpu = _gpu()
    if gpu is None:
        backend_of("cuda")  # raises the RuntimeError that says what is missing
        raise RuntimeError(f"{op}: CUDA is not available")
    return gpu


# torch.accelerator


def accelerator_is_available() -> bool:
    """torch.accelerator.is_available(): whether a GPU is there (CUDA is edugrad's only accelerator)."""
    return is_available()


def current_accelerator(check_available: bool = False) -> device | None:
    """torch.accelerator.current_accelerator(): `device("cuda")` where CUDA is available, else None."""
    return device("cuda") if is_available() else None


# torch.backends: objects whose attributes programs read and assign (torch.backends.cudnn.benchmark = True)


class Mps:
    """torch.backends.mps."""

    @staticmethod
    def is_available() -> bool:
        """False: edugrad has no MPS backend."""
        return False

    @staticmethod
    def is_built() -> bool:
        """False: edugrad has no MPS backend."""
        return False


class Matmul:
    """torch.backends.cuda.matmul: `allow_tf32` (TensorFloat-32 in matrix products), assignable; no effect."""

    allow_tf32: bool = False
    allow_fp16_reduced_precision_reduction: bool = True
    allow_bf16_reduced_precision_reduction: bool = True


class Cudnn:
    """torch.backends.cudnn's flags, assignable; no effect (edugrad does not use cuDNN)."""

    enabled: bool = True
    allow_tf32: bool = True
    benchmark: bool = False
    deterministic: bool = False

    @staticmethod
    def is_available() -> bool:
        """False: edugrad does not use cuDNN."""
        return False


class CudaBackend:
    """torch.backends.cuda: its `matmul` flags."""

    matmul = Matmul()

    @staticmethod
    def is_built() -> bool:
        """Whether edugrad can reach CUDA at all: through the torch backend, so where CUDA is available."""
        return is_available()


backends_cuda = CudaBackend()
cudnn = Cudnn()
mps = Mps()
