"""`edugrad.torch.utils.data.sampler` is `torch.utils.data.sampler`: `edugrad.nn.data.sampler`."""

from edugrad.nn.data.sampler import (
    BatchSampler, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler, WeightedRandomSampler,
)

__all__ = ["BatchSampler", "RandomSampler", "Sampler", "SequentialSampler", "SubsetRandomSampler",
           "WeightedRandomSampler"]
