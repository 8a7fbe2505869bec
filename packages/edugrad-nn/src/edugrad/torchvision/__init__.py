"""`edugrad.torchvision`: the parts of torchvision a learner's program uses (`datasets`, `transforms`), over
edugrad's layers, so `from torchvision import datasets, transforms` becomes
`from edugrad.torchvision import datasets, transforms`. Shipped by edugrad-nn beside `edugrad.torch`; like it,
it only re-exports."""

from edugrad.torchvision import datasets, transforms

__all__ = ["datasets", "transforms"]
