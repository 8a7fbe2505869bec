"""edugrad.nn: neural-network building blocks on top of `edugrad.tensor` (the top layer of edugrad).

`Module` finds parameters, buffers and submodules by attribute and names them as PyTorch does, so state
dicts move between edugrad and `torch.nn`. The layers (linear, convolution, pooling, normalization,
embedding, dropout, attention, activations, containers) and the losses are thin modules over Tensor ops.
`optim` holds the optimizers and learning-rate schedulers, `amp` the GradScaler and autocast of mixed
precision, `utils` gradient clipping, `data` the DataLoader and transforms, `save` / `load` (from
`serialization`) write and read safetensors files, and `datasets` loads MNIST and Fashion-MNIST as NumPy arrays.
"""

from edugrad.nn import activation, amp, data, datasets, functional, init, loss, optim, utils
from edugrad.nn.activation import *  # noqa: F403  (every activation module: activation.__all__)
from edugrad.nn.attention import MultiheadAttention
from edugrad.nn.container import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential
from edugrad.nn.conv import Conv2d, ConvTranspose2d
from edugrad.nn.dropout import Dropout
from edugrad.nn.embedding import Embedding
from edugrad.nn.flatten import Flatten
from edugrad.nn.linear import Bilinear, Identity, Linear
from edugrad.nn.loss import *  # noqa: F403  (every loss module: loss.__all__)
from edugrad.nn.module import IncompatibleKeys, Module
from edugrad.nn.parameter import Parameter
from edugrad.nn.normalization import BatchNorm1d, BatchNorm2d, GroupNorm, LayerNorm
from edugrad.nn.pooling import AvgPool2d, MaxPool2d
from edugrad.nn.serialization import CheckpointError, load, load_checkpoint, save, save_checkpoint
from edugrad.nn.transformer import TransformerEncoderLayer

__version__ = "0.1.0"

__all__ = [
    "AvgPool2d", "BatchNorm1d", "BatchNorm2d", "Bilinear", "CheckpointError", "Conv2d", "ConvTranspose2d", "Dropout",
    "Embedding", "Flatten", "GroupNorm", "Identity", "IncompatibleKeys", "LayerNorm", "Linear", "MaxPool2d",
    "Module", "ModuleDict", "ModuleList", "MultiheadAttention", "Parameter", "ParameterDict",
    "ParameterList", "Sequential", "TransformerEncoderLayer", "amp", "data", "datasets", "functional", "init", "load",
    "load_checkpoint", "optim", "save", "save_checkpoint", "utils",
]
__all__ += activation.__all__
__all__ += loss.__all__
