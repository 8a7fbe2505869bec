"""edugrad.nn.parallel: data-parallel training, `torch.nn.parallel` on edugrad modules.

Top layer (`edugrad.nn`). `distributed.py` holds `DistributedDataParallel` (construction, forward, `no_sync`),
`reducer.py` the buckets and the hooks that average gradients over the processes after backward. Both run
on torch.distributed (`edugrad.nn.distributed`), imported when a model is wrapped: importing this package
needs no torch, so a program that wraps its model only under torchrun runs alone without it.
"""

from edugrad.nn.parallel.distributed import DistributedDataParallel

__all__ = ["DistributedDataParallel"]
