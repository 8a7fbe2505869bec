"""edugrad.nn.data: datasets, samplers, the DataLoader that batches them (with worker processes or without),
image transforms and the MNIST datasets.

Top layer (`edugrad.nn`), with the names and meanings of `torch.utils.data` and of `torchvision`'s
`transforms` and `datasets.MNIST` (which `edugrad.torch.utils.data` and `edugrad.torchvision` re-export):

    from edugrad.nn.data import DataLoader, TensorDataset
    loader = DataLoader(TensorDataset(images, labels), batch_size=128, shuffle=True)
    for x, y in loader: ...

`dataset.py` holds the datasets, `sampler.py` the orders of their indices, `collate.py` turns samples into
batches, `fetch.py` fetches one batch, `loader.py` is the DataLoader, `multiprocess.py` and `worker.py` its two
sides of loading in worker processes, `transforms.py` converts and augments images, and `mnist.py` reads MNIST
and Fashion-MNIST in torchvision's folder layout (`edugrad.torchvision.datasets`, not part of this namespace).
"""

import edugrad.nn.data.mnist as mnist
import edugrad.nn.data.transforms as transforms
from edugrad.nn.data.collate import default_collate, default_convert
from edugrad.nn.data.dataset import (
    ChainDataset, ConcatDataset, Dataset, IterableDataset, StackDataset, Subset, TensorDataset, random_split,
)
from edugrad.nn.data.loader import DataLoader
from edugrad.nn.data.sampler import (
    BatchSampler, DistributedSampler, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler,
    WeightedRandomSampler,
)
from edugrad.nn.data.worker import get_worker_info

__all__ = [
    "BatchSampler", "ChainDataset", "ConcatDataset", "DataLoader", "Dataset", "DistributedSampler", "IterableDataset",
    "RandomSampler", "Sampler", "SequentialSampler", "StackDataset", "Subset", "SubsetRandomSampler", "TensorDataset",
    "WeightedRandomSampler", "default_collate", "default_convert", "get_worker_info", "random_split", "transforms",
]
