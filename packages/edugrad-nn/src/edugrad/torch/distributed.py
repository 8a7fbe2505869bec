"""`edugrad.torch.distributed` is `torch.distributed`: `edugrad.nn.distributed` (re-exported only), which calls
torch.distributed itself; any other name (`ReduceOp`, `new_group`, ...) is torch.distributed's own."""

from edugrad.nn.distributed import *  # noqa: F403
from edugrad.nn.distributed import __all__ as __all__
from edugrad.nn.distributed import __getattr__ as __getattr__
