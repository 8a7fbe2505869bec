"""`edugrad.torch.nn.utils.rnn` is `torch.nn.utils.rnn`: `edugrad.nn.utils.rnn` (re-exported only)."""

from edugrad.nn.utils.rnn import *  # noqa: F403
from edugrad.nn.utils.rnn import __all__ as __all__
