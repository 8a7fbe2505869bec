"""edugrad.function: differentiable Functions and the autograd engine (the middle layer of edugrad).

A `Function` computes on `TensorData` (edugrad.data) in `forward` and applies the chain rule in `backward`.
`Node` is the graph value the engine works on; `edugrad.tensor.Tensor` extends it with the user-facing API.
"""

from edugrad.function.broadcast import Expand, Sum
from edugrad.function.elementwise import (
    Add, Cast, Cos, Div, Equal, Exp, FloorDiv, Less, Log, Maximum, Mul, Neg, Pow, Reciprocal, Relu, Rounding, Sigmoid,
    Sin, Sqrt, Sub, Tanh, Where,
)
from edugrad.function.engine import backward, grad, topological_order
from edugrad.function.function import FreedGraphError, Function, Grads, Tracer, add_tracer, remove_tracer
from edugrad.function.gradcheck import GradcheckError, check_function, gradcheck, gradgradcheck
from edugrad.function.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from edugrad.function.graph import Graph, GraphNode
from edugrad.function.index import Gather, Scatter, ScatterAdd
from edugrad.function.loss import BinaryCrossEntropy, NLLLoss
from edugrad.function.matmul import MatMul
from edugrad.function.movement import Cat, Flip, Pad, Permute, Reshape, Shrink
from edugrad.function.node import Node, constant_like
from edugrad.function.reduce import CumSum, LogSoftmax, Max
from edugrad.function.transfer import Move
from edugrad.function.window import Fold, Unfold

__version__ = "0.1.0"

__all__ = [
    "Add", "BinaryCrossEntropy", "Cast", "Cat", "Cos", "CumSum", "Div", "Equal", "Exp", "Expand", "Flip",
    "FloorDiv", "Fold", "FreedGraphError", "Function", "Gather", "GradcheckError", "Grads", "Graph", "GraphNode",
    "Less", "Log", "LogSoftmax", "MatMul", "Max", "Maximum", "Move", "Mul", "NLLLoss", "Neg", "Node", "Pad",
    "Permute", "Pow", "Reciprocal", "Relu", "Reshape", "Rounding", "Scatter", "ScatterAdd", "Shrink", "Sigmoid",
    "Sin", "Sqrt", "Sub", "Sum", "Tanh", "Tracer", "Unfold", "Where", "add_tracer", "backward", "check_function",
    "constant_like", "enable_grad", "grad", "gradcheck", "gradgradcheck", "is_grad_enabled", "no_grad",
    "remove_tracer", "set_grad_enabled", "topological_order",
]
