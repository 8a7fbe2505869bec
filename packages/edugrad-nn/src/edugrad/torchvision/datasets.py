"""`edugrad.torchvision.datasets` is `torchvision.datasets` (MNIST, FashionMNIST): `edugrad.nn.data.mnist`."""

from edugrad.nn.data.mnist import *  # noqa: F403
from edugrad.nn.data.mnist import __all__ as __all__
