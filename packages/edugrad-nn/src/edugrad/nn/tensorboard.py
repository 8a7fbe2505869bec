"""`SummaryWriter`: TensorBoard logging, as `torch.utils.tensorboard.SummaryWriter`.

Top layer (`edugrad.nn`). Writing TensorBoard's event files is the job of tensorboardX, a well-kept library
that needs neither TensorFlow nor PyTorch; it is an optional dependency (`pip install edugrad-nn[tensorboard]`),
as TensorBoard is for PyTorch. This module only teaches it edugrad's tensors: a value that is a Tensor is
handed over as a NumPy array, which tensorboardX takes for every kind of summary.
"""

from __future__ import annotations

from typing import Any

from edugrad.tensor import Tensor

try:
    from tensorboardX import SummaryWriter as _Writer
except ImportError as error:  # as torch.utils.tensorboard does without TensorBoard: say what to install
    raise ImportError("edugrad's TensorBoard logging (SummaryWriter) needs the tensorboardX package: pip install "
                      "tensorboardX (or edugrad-nn[tensorboard])") from error

__all__ = ["SummaryWriter"]


def _plain(value: Any) -> Any:
    """A Tensor as a NumPy array; anything else as it is."""
    return value.numpy() if isinstance(value, Tensor) else value


class SummaryWriter(_Writer):  # type: ignore[misc]  # tensorboardX is untyped
    """Writes TensorBoard event files to `log_dir` (default `runs/<date>_<host><comment>`), as PyTorch's
    SummaryWriter; `add_scalar`, `add_scalars`, `add_histogram`, `add_image` and `add_images` also take
    edugrad Tensors."""

    def add_scalar(self, tag: str, scalar_value: Any, *args: Any, **kwargs: Any) -> None:
        """Log one number (a Python number or a one-element Tensor) under `tag`, at step `global_step`."""
        super().add_scalar(tag, _plain(scalar_value), *args, **kwargs)

    def add_scalars(self, main_tag: str, tag_scalar_dict: dict[str, Any], *args: Any, **kwargs: Any) -> None:
        """Log several numbers under one main tag."""
        super().add_scalars(main_tag, {k: _plain(v) for k, v in tag_scalar_dict.items()}, *args, **kwargs)

    def add_histogram(self, tag: str, values: Any, *args: Any, **kwargs: Any) -> None:
        """Log the distribution of `values` (e.g. a layer's weights)."""
        super().add_histogram(tag, _plain(values), *args, **kwargs)

    def add_image(self, tag: str, img_tensor: Any, *args: Any, **kwargs: Any) -> None:
        """Log one image (C, H, W by default)."""
        super().add_image(tag, _plain(img_tensor), *args, **kwargs)

    def add_images(self, tag: str, img_tensor: Any, *args: Any, **kwargs: Any) -> None:
        """Log a batch of images (N, C, H, W by default)."""
        super().add_images(tag, _plain(img_tensor), *args, **kwargs)
