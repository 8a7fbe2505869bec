"""`edugrad.torch.utils.data.distributed` is `torch.utils.data.distributed`: `DistributedSampler` of
`edugrad.nn.data` (re-exported only)."""

from edugrad.nn.data.sampler import DistributedSampler

__all__ = ["DistributedSampler"]
