"""`edugrad.torch.distributed` is `torch.distributed`: `edugrad.nn.distributed` (re-exported only)."""

from edugrad.nn.distributed import *  # noqa: F403
from edugrad.nn.distributed import __all__ as __all__
