"""`edugrad.torch.utils.data.dataloader` is `torch.utils.data.dataloader`: the DataLoader of `edugrad.nn.data.loader`
with the helpers torch's module exports beside it."""

from edugrad.nn.data.collate import default_collate, default_convert
from edugrad.nn.data.loader import DataLoader
from edugrad.nn.data.worker import get_worker_info

__all__ = ["DataLoader", "default_collate", "default_convert", "get_worker_info"]
