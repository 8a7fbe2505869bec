"""`edugrad.torch.nn.init` is `torch.nn.init`: `edugrad.nn.init` (re-exported only)."""

from edugrad.nn.init import *  # noqa: F403
from edugrad.nn.init import __all__ as __all__
