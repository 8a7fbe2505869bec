"""`edugrad.torch.autograd` is the part of `torch.autograd` edugrad has: `grad` and the recording switches of
`edugrad.tensor` (re-exported only). torch's `autograd.Function` (custom ops with a `ctx`) is not edugrad's
Function contract; write a custom op as an `edugrad.function.Function` instead."""

from edugrad.tensor import enable_grad, grad, inference_mode, no_grad, set_grad_enabled

__all__ = ["enable_grad", "grad", "inference_mode", "no_grad", "set_grad_enabled"]
