"""`parameters_to_vector` and `vector_to_parameters`: all parameters as one flat vector and back, as in
`torch.nn.utils` (for methods that treat the weights as one point in R^n: line searches, evolution
strategies, second-order methods).

Neural-network layer (`edugrad.nn.utils`). The vector is the parameters flattened and concatenated in the
order given; `vector_to_parameters` gives each parameter the values of its slice of the vector through
`.data`, as PyTorch does, so the Parameter objects an optimizer holds stay the same. (In PyTorch the
parameters then view the vector's memory; in edugrad a slice is a tensor of its own, so a later in-place
change of the vector does not reach them.)
"""

from __future__ import annotations

from collections.abc import Iterable

from edugrad.tensor import Tensor, cat

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """The parameters flattened and concatenated into one 1-d tensor (differentiable)."""
    return cat([p.reshape(-1) for p in parameters])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Give each parameter, in order, the values of the next numel() elements of the 1-d `vec`."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"vector_to_parameters: expected a Tensor, but got: {type(vec).__name__}")
    params = list(parameters)
    needed = sum(p.numel() for p in params)
    if vec.ndim != 1 or vec.shape[0] != needed:
        raise ValueError(f"vector_to_parameters: expected a 1-d vector of {needed} elements (the parameters' numel), "
                         f"got shape {vec.shape}")
    start = 0
    for p in params:
        p.data = vec[start:start + p.numel()].reshape(p.shape).detach()
        start += p.numel()
