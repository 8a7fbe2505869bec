"""`edugrad.nn.functional`: the losses as functions, for code written as `F.cross_entropy(logits, target)`.

Top layer (`edugrad.nn`). Activations and the other layer ops need no functional twin here: they are Tensor
methods (`x.relu()`, `x.conv2d(w)`, `x.softmax(-1)`), which play the role `torch.nn.functional` plays in PyTorch.
"""

from edugrad.nn.loss import (
    binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy, l1_loss, mse_loss, nll_loss,
)

__all__ = [
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy", "l1_loss", "mse_loss", "nll_loss",
]
