"""`edugrad.torch.utils.data` is `torch.utils.data`: `edugrad.nn.data` (re-exported only), with torch's
submodules `dataloader`, `dataset`, `distributed` and `sampler`."""

from edugrad.nn.data import *  # noqa: F403
from edugrad.nn.data import __all__ as __all__
from edugrad.torch.utils.data import dataloader, dataset, distributed, sampler  # noqa: F401  (torch's submodules)
