"""`edugrad.torch.utils.data` is `torch.utils.data`: `edugrad.nn.data` (re-exported only)."""

from edugrad.nn.data import *  # noqa: F403
from edugrad.nn.data import __all__ as __all__
