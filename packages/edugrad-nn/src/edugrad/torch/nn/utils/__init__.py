"""`edugrad.torch.nn.utils` is `torch.nn.utils`: `edugrad.nn.utils` (re-exported only)."""

from edugrad.nn.utils import *  # noqa: F403
from edugrad.nn.utils import __all__ as __all__
from edugrad.torch.nn.utils import rnn  # noqa: F401  (torch.nn.utils.rnn, the facade module below)
