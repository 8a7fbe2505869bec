"""`edugrad.torch.optim` is `torch.optim`: `edugrad.nn.optim` (re-exported only)."""

from edugrad.nn.optim import *  # noqa: F403
from edugrad.nn.optim import __all__ as __all__
