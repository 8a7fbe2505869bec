"""`edugrad.torch.optim.lr_scheduler` is `torch.optim.lr_scheduler`: `edugrad.nn.optim.lr_scheduler`."""

from edugrad.nn.optim.lr_scheduler import *  # noqa: F403
from edugrad.nn.optim.lr_scheduler import __all__ as __all__
