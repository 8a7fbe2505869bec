"""`edugrad.torch.nn.init` is `torch.nn.init`: `edugrad.nn.init` (re-exported only)."""

from edugrad.nn.init import *  # noqa: F403
from edugrad.nn.init import __all__ as __all__
from edugrad.nn.init import _calculate_fan_in_and_fan_out as _calculate_fan_in_and_fan_out  # torch's private helper
