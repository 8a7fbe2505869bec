"""`edugrad.torch.cuda.amp` is the deprecated `torch.cuda.amp`: `edugrad.nn.amp.cuda` (re-exported only)."""

from edugrad.nn.amp.cuda import *  # noqa: F403
from edugrad.nn.amp.cuda import __all__ as __all__
