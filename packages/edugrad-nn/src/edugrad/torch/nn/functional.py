"""`edugrad.torch.nn.functional` is `torch.nn.functional`: `edugrad.nn.functional` (re-exported only)."""

from edugrad.nn.functional import *  # noqa: F403
from edugrad.nn.functional import __all__ as __all__
