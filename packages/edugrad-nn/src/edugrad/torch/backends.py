"""`edugrad.torch.backends` is `torch.backends`: `cuda.matmul.allow_tf32`, `cudnn.allow_tf32`, `cudnn.benchmark`,
`cudnn.deterministic` (assignable, no effect) and `mps.is_available()` (False); see `edugrad.tensor.accelerators`.
Re-exports only."""

from edugrad.tensor.accelerators import backends_cuda as cuda
from edugrad.tensor.accelerators import cudnn, mps

__all__ = ["cuda", "cudnn", "mps"]
