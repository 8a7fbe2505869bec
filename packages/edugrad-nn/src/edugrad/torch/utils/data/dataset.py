"""`edugrad.torch.utils.data.dataset` is `torch.utils.data.dataset`: `edugrad.nn.data.dataset`."""

from edugrad.nn.data.dataset import (
    ChainDataset, ConcatDataset, Dataset, IterableDataset, StackDataset, Subset, TensorDataset, random_split,
)

__all__ = ["ChainDataset", "ConcatDataset", "Dataset", "IterableDataset", "StackDataset", "Subset", "TensorDataset",
           "random_split"]
