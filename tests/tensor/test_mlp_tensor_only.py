"""An MLP trained with the Tensor API alone (no edugrad.nn): parameters are plain tensors, the loss is
composed from log_softmax, and the SGD step is a no_grad assign. It must learn the two-moons task."""

import numpy as np

from edugrad.tensor import Tensor, no_grad


def two_moons(n: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved half circles, labels 0 and 1 (as sklearn.datasets.make_moons)."""
    rng = np.random.default_rng(seed)
    angles = rng.uniform(0, np.pi, n)
    labels = rng.integers(0, 2, n)
    points = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    points[labels == 1] = np.stack([1 - np.cos(angles), 0.5 - np.sin(angles)], axis=1)[labels == 1]
    return (points + rng.normal(0, noise, points.shape)).astype(np.float32), labels


def test_mlp_learns_two_moons_with_tensors_only() -> None:
    x_np, y_np = two_moons(256, noise=0.1, seed=0)
    x, one_hot = Tensor(x_np), Tensor(np.eye(2, dtype=np.float32)[y_np])
    Tensor.manual_seed(0)
    sizes = [2, 32, 32, 2]
    params = []
    for fan_in, fan_out in zip(sizes, sizes[1:]):
        params += [Tensor.randn(fan_in, fan_out, requires_grad=True), Tensor.zeros(fan_out, requires_grad=True)]
    with no_grad():
        for weight in params[::2]:
            weight.assign(weight * (1 / weight.shape[0]) ** 0.5)  # keep the activations' scale from layer to layer

    def forward(inputs: Tensor) -> Tensor:
        h = inputs.linear(params[0], params[1]).tanh()
        h = h.linear(params[2], params[3]).relu()
        return h @ params[4] + params[5]

    losses = []
    for _ in range(300):
        loss = -(forward(x).log_softmax(1) * one_hot).sum(1).mean()  # cross-entropy from log-probabilities
        for p in params:
            p.grad = None
        loss.backward()
        with no_grad():
            for p in params:
                assert p.grad is not None
                p.assign(p - p.grad * 0.5)
        losses.append(loss.item())

    accuracy = (forward(x).argmax(1).numpy() == y_np).mean()
    assert losses[-1] < 0.05 < losses[0]
    assert accuracy > 0.98
