"""`edugrad.torch.amp` is `torch.amp`: `edugrad.nn.amp` (re-exported only)."""

from edugrad.nn.amp import *  # noqa: F403
from edugrad.nn.amp import __all__ as __all__
