"""edugrad.nn: neural-network building blocks on top of `edugrad.tensor` (the top layer of edugrad).

`Module` finds parameters, buffers and submodules by attribute and names them as PyTorch does, so state
dicts move between edugrad and `torch.nn`. The layers (linear, convolution, pooling, normalization,
embedding, dropout, attention, activations, containers) and the losses are thin modules over Tensor ops.
`optim` holds the optimizers and learning-rate schedulers, `utils` gradient clipping, `data` the DataLoader
and transforms, `save` / `load` (from `serialization`) write and read safetensors files, and `datasets`
loads MNIST and Fashion-MNIST as NumPy arrays.
"""

from edugrad.nn import data, datasets, functional, init, optim, utils
from edugrad.nn.activation import GELU, LeakyReLU, LogSoftmax, ReLU, SiLU, Sigmoid, Softmax, Tanh
from edugrad.nn.attention import MultiheadAttention
from edugrad.nn.container import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential
from edugrad.nn.conv import Conv2d, ConvTranspose2d
from edugrad.nn.dropout import Dropout
from edugrad.nn.embedding import Embedding
from edugrad.nn.flatten import Flatten
from edugrad.nn.linear import Bilinear, Identity, Linear
from edugrad.nn.loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, NLLLoss
from edugrad.nn.module import IncompatibleKeys, Module
from edugrad.nn.parameter import Parameter
from edugrad.nn.normalization import BatchNorm1d, BatchNorm2d, GroupNorm, LayerNorm
from edugrad.nn.pooling import AvgPool2d, MaxPool2d
from edugrad.nn.serialization import CheckpointError, load, load_checkpoint, save, save_checkpoint
from edugrad.nn.transformer import TransformerEncoderLayer

__version__ = "0.1.0"

__all__ = [
    "AvgPool2d", "BCELoss", "BCEWithLogitsLoss", "BatchNorm1d", "BatchNorm2d", "Bilinear", "CheckpointError",
    "Conv2d", "ConvTranspose2d", "CrossEntropyLoss", "Dropout", "Embedding", "Flatten", "GELU", "GroupNorm",
    "Identity", "IncompatibleKeys", "L1Loss", "LayerNorm", "LeakyReLU", "Linear", "LogSoftmax", "MSELoss",
    "MaxPool2d", "Module", "ModuleDict", "ModuleList", "MultiheadAttention", "NLLLoss", "Parameter", "ParameterDict",
    "ParameterList", "ReLU", "Sequential", "SiLU", "Sigmoid", "Softmax", "Tanh", "TransformerEncoderLayer", "data",
    "datasets", "functional", "init", "load", "load_checkpoint", "optim", "save", "save_checkpoint", "utils",
]
