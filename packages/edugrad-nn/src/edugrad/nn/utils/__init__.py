"""edugrad.nn.utils: helpers for training loops (gradient clipping, parameters as one vector) and, in
`edugrad.nn.utils.rnn`, sequences of different lengths (padding, packing), as `torch.nn.utils`.

Neural-network layer (`edugrad.nn`); uses only the public Tensor API.
"""

from edugrad.nn.utils.clip_grad import clip_grad_norm_, clip_grad_value_, clip_grads_with_norm_, get_total_norm
from edugrad.nn.utils.convert_parameters import parameters_to_vector, vector_to_parameters
from edugrad.nn.utils import rnn  # noqa: F401  (a submodule, as torch.nn.utils.rnn is there after import)

__all__ = [
    "clip_grad_norm_", "clip_grad_value_", "clip_grads_with_norm_", "get_total_norm", "parameters_to_vector",
    "vector_to_parameters",
]
