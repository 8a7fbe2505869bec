"""Bug hunt: a batch norm whose running variance is too small (exercises/bugs/, outside the four layers).

Symptom: trained on small batches, its running estimate of the variance settles below the data's
variance, so at evaluation every feature comes out too wide. Training-mode outputs match torch's: find it
with the torch comparison of the running statistics after one step.
"""

from __future__ import annotations

import numpy as np
import torch

from edugrad import nn
from edugrad.tensor import Tensor, manual_seed, randn
from exercises.bugs.hunt import Bug, expect_close


class BatchNorm1d(nn.Module):
    """Normalise each feature of a (batch, features) input by the batch's mean and variance in training, by
    running averages of them (momentum `momentum`) at evaluation; then scale by weight, shift by bias."""

    running_mean: Tensor
    running_var: Tensor

    def __init__(self, features: int, eps: float = 1e-5, momentum: float = 0.1) -> None:
        super().__init__()
        self.eps, self.momentum = eps, momentum
        self.weight = nn.Parameter(Tensor.ones(features))
        self.bias = nn.Parameter(Tensor.zeros(features))
        self.register_buffer("running_mean", Tensor.zeros(features))
        self.register_buffer("running_var", Tensor.ones(features))

    def forward(self, x: Tensor) -> Tensor:
        if self.training:
            # The batch is normalised by its own (population) variance, sum (x - mean)^2 / N.
            mean, var = x.mean(0), x.var(0, correction=0)
            m = self.momentum
            self.running_mean.mul_(1 - m).add_(mean.detach() * m)
            self.running_var.mul_(1 - m).add_(var.detach() * m)
        else:
            mean, var = self.running_mean, self.running_var
        return (x - mean) / (var + self.eps).sqrt() * self.weight + self.bias


def _running_variance(norm: nn.Module) -> float:
    """The mean running variance after 300 batches of 4 samples from a normal of variance 4."""
    manual_seed(0)
    for _ in range(300):
        norm(randn(4, 3) * 2)
    return float(norm.state_dict()["running_var"].mean().item())


def symptom() -> str:
    planted, correct = _running_variance(BatchNorm1d(3)), _running_variance(nn.BatchNorm1d(3))
    return (f"running variance for data of variance 4 in batches of 4: {planted:.2f} with this BatchNorm1d, "
            f"{correct:.2f} with edugrad's")


def check(candidate: type[nn.Module]) -> None:
    x = np.random.default_rng(7).standard_normal((4, 3)).astype(np.float32) * 2
    ours, theirs = candidate(3), torch.nn.BatchNorm1d(3)
    out, expected = ours(Tensor(x)), theirs(torch.tensor(x))
    expect_close("batch norm's output in training", out.numpy(), expected.detach().numpy())
    for name in ("running_mean", "running_var"):
        expect_close(f"batch norm's {name}", getattr(ours, name).numpy(), getattr(theirs, name).numpy())


BUG = Bug(
    key="batchnorm_variance", title="a batch norm with too small a running variance", planted=BatchNorm1d,
    correct=nn.BatchNorm1d, check=check, symptom=symptom, tool="the torch comparison",
    choices={
        "normalize": "the batch must be normalised by the unbiased variance, sum / (N - 1)",
        "running": "the running variance must average the unbiased variance",
        "momentum": "the running averages weigh the old value by momentum instead of 1 - momentum",
        "eps": "eps belongs outside the square root",
    },
    answer="7e9159adca8e051c5873a5936b132fd67267a6c61f496a8f84aab18cfad40865",
)

if __name__ == "__main__":
    print(symptom())
