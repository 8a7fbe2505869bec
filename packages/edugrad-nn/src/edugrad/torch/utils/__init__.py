"""`edugrad.torch.utils`: `torch.utils`, of which edugrad has `data`."""

from edugrad.torch.utils import data

__all__ = ["data"]
