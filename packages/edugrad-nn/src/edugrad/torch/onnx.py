"""`edugrad.torch.onnx` is `torch.onnx` as far as edugrad has it: `edugrad.nn.onnx` (re-exported only)."""

from edugrad.nn.onnx import *  # noqa: F403
from edugrad.nn.onnx import __all__ as __all__
