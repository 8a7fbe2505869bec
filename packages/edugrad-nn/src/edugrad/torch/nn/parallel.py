"""`edugrad.torch.nn.parallel` is `torch.nn.parallel`: `edugrad.nn.parallel` (re-exported only)."""

from edugrad.nn.parallel import *  # noqa: F403
from edugrad.nn.parallel import __all__ as __all__
