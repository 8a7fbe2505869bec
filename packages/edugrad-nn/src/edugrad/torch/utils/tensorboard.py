"""`edugrad.torch.utils.tensorboard` is `torch.utils.tensorboard`: `edugrad.nn.tensorboard` (tensorboardX)."""

from edugrad.nn.tensorboard import *  # noqa: F403
from edugrad.nn.tensorboard import __all__ as __all__
