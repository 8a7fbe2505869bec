"""edugrad.nn: neural-network building blocks on top of `edugrad.tensor` (the top layer of edugrad).

`Module` finds parameters, buffers and submodules by attribute and names them as PyTorch does, so state
dicts move between edugrad and `torch.nn`. The layers (linear, convolution, pooling, normalization,
embedding, dropout, attention, activations, containers) and the losses are thin modules over Tensor ops.
`optim` holds the optimizers and learning-rate schedulers, `amp` the GradScaler and autocast of mixed
precision, `utils` gradient clipping, `data` the DataLoader and transforms, `save` / `load` (from
`serialization`) write and read safetensors files, and `datasets` loads MNIST and Fashion-MNIST as NumPy arrays.
"""

from edugrad.nn import (
    activation, amp, attention, container, conv, data, datasets, distance, dropout, embedding, flatten, fold,
    functional, init, linear, loss, normalization, optim, padding, pixelshuffle, pooling, rnn, transformer,
    upsampling, utils,
)
from edugrad.nn.activation import *  # noqa: F403  (every activation module: activation.__all__)
from edugrad.nn.attention import *  # noqa: F403
from edugrad.nn.container import *  # noqa: F403
from edugrad.nn.conv import *  # noqa: F403
from edugrad.nn.distance import *  # noqa: F403
from edugrad.nn.dropout import *  # noqa: F403
from edugrad.nn.embedding import *  # noqa: F403
from edugrad.nn.flatten import *  # noqa: F403
from edugrad.nn.fold import *  # noqa: F403
from edugrad.nn.linear import *  # noqa: F403
from edugrad.nn.normalization import *  # noqa: F403
from edugrad.nn.padding import *  # noqa: F403
from edugrad.nn.pixelshuffle import *  # noqa: F403
from edugrad.nn.pooling import *  # noqa: F403
from edugrad.nn.rnn import *  # noqa: F403
from edugrad.nn.transformer import *  # noqa: F403
from edugrad.nn.upsampling import *  # noqa: F403
from edugrad.nn.loss import *  # noqa: F403  (every loss module: loss.__all__)
from edugrad.nn.compare import Comparison, Difference, compare_with_torch
from edugrad.nn.module import IncompatibleKeys, Module
from edugrad.nn.parameter import Parameter
from edugrad.nn.serialization import CheckpointError, load, load_checkpoint, save, save_checkpoint

__version__ = "0.1.0"

__all__ = [
    "CheckpointError", "IncompatibleKeys", "Module", "Parameter", "amp", "data", "datasets", "functional", "init",
    "load", "load_checkpoint", "optim", "save", "save_checkpoint", "utils",
    "Comparison", "Difference", "compare_with_torch",  # edugrad's own: a layer-by-layer check against PyTorch
]
__all__ += activation.__all__
__all__ += loss.__all__
__all__ += attention.__all__
__all__ += container.__all__
__all__ += conv.__all__
__all__ += distance.__all__
__all__ += dropout.__all__
__all__ += embedding.__all__
__all__ += flatten.__all__
__all__ += fold.__all__
__all__ += linear.__all__
__all__ += normalization.__all__
__all__ += padding.__all__
__all__ += pixelshuffle.__all__
__all__ += pooling.__all__
__all__ += rnn.__all__
__all__ += transformer.__all__
__all__ += upsampling.__all__
