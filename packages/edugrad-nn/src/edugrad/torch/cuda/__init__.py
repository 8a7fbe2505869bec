"""`edugrad.torch.cuda` is `torch.cuda`: here only its deprecated `amp` submodule (re-exported only)."""

from edugrad.torch.cuda import amp

__all__ = ["amp"]
