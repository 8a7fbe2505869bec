"""edugrad.nn.data: datasets, the DataLoader that batches them, and image transforms.

Top layer (`edugrad.nn`), with the names of `torch.utils.data` and `torchvision.transforms`:

    from edugrad.nn.data import DataLoader, TensorDataset, transforms
    loader = DataLoader(TensorDataset(images, labels), batch_size=128, shuffle=True, seed=0)
    for x, y in loader: ...

`dataset.py` holds `Dataset` and `TensorDataset`, `collate.py` turns samples into batches, `loader.py` walks a
dataset in (shuffled) batches, and `transforms.py` converts and augments images, one or a batch at a time.
"""

import edugrad.nn.data.transforms as transforms
from edugrad.nn.data.collate import default_collate
from edugrad.nn.data.dataset import Dataset, TensorDataset
from edugrad.nn.data.loader import DataLoader

__all__ = ["DataLoader", "Dataset", "TensorDataset", "default_collate", "transforms"]
