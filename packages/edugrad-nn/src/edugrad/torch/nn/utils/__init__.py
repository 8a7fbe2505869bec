"""`edugrad.torch.nn.utils` is `torch.nn.utils`: `edugrad.nn.utils` (re-exported only)."""

from edugrad.nn.utils import *  # noqa: F403
from edugrad.nn.utils import __all__ as __all__
