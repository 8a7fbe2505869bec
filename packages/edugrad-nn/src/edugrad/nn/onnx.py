"""`torch.onnx` as far as edugrad has it: the name `export`, which says clearly that it cannot.

Top layer (`edugrad.nn`). edugrad does not write ONNX files. What it can export is the graph of a computation,
for reading: `loss.graph().to_dot()` / `.to_mermaid()` (see "How backward works" in the docs).
"""

from __future__ import annotations

from typing import Any, NoReturn

__all__ = ["export"]


def export(model: Any, args: Any = (), f: Any = None, **kwargs: Any) -> NoReturn:
    """Would write `model` as an ONNX file; raises, since edugrad has no ONNX exporter."""
    raise NotImplementedError("onnx.export: edugrad cannot write ONNX files; save the weights with torch.save("
                              "model.state_dict(), path) (safetensors, which PyTorch reads) and export from PyTorch, "
                              "or draw the graph with loss.graph().to_dot()")
