"""`edugrad.torch.utils.data.dataloader` is `torch.utils.data.dataloader`: `edugrad.nn.data.loader`."""

from edugrad.nn.data.loader import *  # noqa: F403
from edugrad.nn.data.loader import __all__ as __all__
