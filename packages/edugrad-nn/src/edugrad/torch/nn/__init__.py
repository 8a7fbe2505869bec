"""`edugrad.torch.nn` is `torch.nn`: the modules, layers and losses of `edugrad.nn` (re-exported only; its
`functional`, `init` and `utils` are `edugrad.nn`'s too)."""

from edugrad.nn import *  # noqa: F403
from edugrad.nn import __all__ as __all__
from edugrad.torch.nn import parallel  # noqa: F401  (torch.nn.parallel is there after `import torch`)
