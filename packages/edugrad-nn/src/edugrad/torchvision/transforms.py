"""`edugrad.torchvision.transforms` is `torchvision.transforms`: `edugrad.nn.data.transforms`."""

from edugrad.nn.data.transforms import *  # noqa: F403
from edugrad.nn.data.transforms import __all__ as __all__
