"""edugrad.nn.utils: helpers for training loops (gradient clipping), as `torch.nn.utils`.

Neural-network layer (`edugrad.nn`); uses only the public Tensor API.
"""

from edugrad.nn.utils.clip_grad import clip_grad_norm_, clip_grad_value_

__all__ = ["clip_grad_norm_", "clip_grad_value_"]
