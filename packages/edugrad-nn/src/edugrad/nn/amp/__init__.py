"""edugrad.nn.amp: automatic mixed precision's API, as `torch.amp`: `GradScaler` and `autocast`.

Neural-network layer (`edugrad.nn`). `GradScaler` really scales: it multiplies the loss by a large factor so
that small float16 gradients do not underflow, divides the gradients back before the optimizer step, skips
the step when a gradient came out inf or NaN and adapts the factor. `autocast` is accepted as PyTorch accepts
it, and changes nothing: edugrad computes every op in its operands' own dtype (see `autocast_mode`). The
deprecated `torch.cuda.amp` spellings are in `edugrad.nn.amp.cuda`.
"""

from edugrad.nn.amp.autocast_mode import autocast, get_autocast_dtype, is_autocast_available, is_autocast_enabled
from edugrad.nn.amp.grad_scaler import GradScaler, OptState

__all__ = ["GradScaler", "OptState", "autocast", "get_autocast_dtype", "is_autocast_available", "is_autocast_enabled"]
