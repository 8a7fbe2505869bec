"""Composite graphs built from the primitive Functions, against the same computation in torch: values and
the gradients of every input."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as tf
from function_helpers import close, const, randn, torch_leaf

from edugrad.function import (
    Add, CumSum, Div, Exp, Expand, Flip, Gather, Log, MatMul, Max, Mul, Neg, Node, Pad, Permute, Reshape, Sub, Sum,
    Tanh, Unfold,
)


def broadcast(x: Node, shape: tuple[int, ...]) -> Node:
    """x with its size-1 axes expanded to `shape` (what the Tensor layer's broadcasting does)."""
    return Expand.apply(x, shape=shape)


def backward_both(ours: Node, theirs: torch.Tensor) -> None:
    close(ours, theirs)
    Sum.apply(ours).backward()
    theirs.sum().backward()


def test_linear_tanh_layer() -> None:
    x, w, b = randn(4, 3), randn(3, 2, seed=1), randn(1, 2, seed=2)
    tx, tw, tb = map(torch_leaf, (x, w, b))
    out = Tanh.apply(Add.apply(MatMul.apply(x, w), broadcast(b, (4, 2))))
    backward_both(Mul.apply(out, out), torch.tanh(tx @ tw + tb) ** 2)
    for ours, theirs in ((x, tx), (w, tw), (b, tb)):
        close(ours.grad, theirs.grad)


def test_conv2d_as_unfold_and_matmul() -> None:
    # im2col: every window becomes a row of C*KH*KW values; the convolution is then one (batched) matmul.
    n, c, o, kernel, stride, dilation = 2, 3, 4, (2, 2), (2, 1), (1, 2)
    x, w = randn(n, c, 6, 7), randn(o, c, *kernel, seed=1)
    cols = Unfold.apply(x, kernel=kernel, stride=stride, dilation=dilation)  # (N, C, OH, OW, KH, KW)
    oh, ow = cols.shape[2:4]
    rows = Reshape.apply(Permute.apply(cols, order=(0, 2, 3, 1, 4, 5)), shape=(n, oh * ow, c * 4))
    weights = Permute.apply(Reshape.apply(w, shape=(1, o, c * 4)), order=(0, 2, 1))  # (1, C*KH*KW, O)
    out = MatMul.apply(rows, broadcast(weights, (n, c * 4, o)))  # (N, OH*OW, O)
    out = Reshape.apply(Permute.apply(out, order=(0, 2, 1)), shape=(n, o, oh, ow))

    tx, tw = torch_leaf(x), torch_leaf(w)
    backward_both(out, tf.conv2d(tx, tw, stride=stride, dilation=dilation))
    close(x.grad, tx.grad)
    close(w.grad, tw.grad)


def test_max_pool_as_unfold_and_max() -> None:
    x = randn(2, 2, 5, 5)
    pooled = Max.apply(Unfold.apply(x, kernel=(2, 2), stride=(2, 2), dilation=(1, 1)), axes=(4, 5))
    tx = torch_leaf(x)
    backward_both(pooled, tf.max_pool2d(tx, kernel_size=2, stride=2))
    close(x.grad, tx.grad)


def test_cross_entropy_from_primitives() -> None:
    # loss = mean over rows of -(x_target - logsumexp(x)), with the row maximum subtracted for stability.
    logits, targets = randn(4, 5), np.array([[1], [0], [4], [1]])
    shape = logits.shape
    shifted = Sub.apply(logits, broadcast(Max.apply(logits, axes=1, keepdim=True), shape))
    log_sum = Log.apply(Sum.apply(Exp.apply(shifted), axes=1, keepdim=True))
    log_probs = Sub.apply(shifted, broadcast(log_sum, shape))
    picked = Gather.apply(log_probs, const(targets), axis=1)
    loss = Div.apply(Neg.apply(Sum.apply(picked)), const(4.0))

    t = torch_leaf(logits)
    expected = tf.cross_entropy(t, torch.from_numpy(targets[:, 0]))
    close(loss, expected)
    loss.backward()
    expected.backward()
    close(logits.grad, t.grad)


def test_reverse_cumsum_of_a_padded_signal() -> None:
    x = randn(3, 4)
    ours = Flip.apply(CumSum.apply(Flip.apply(Pad.apply(x, padding=((0, 0), (2, 1))), axes=1), axis=1), axes=1)
    tx = torch_leaf(x)
    theirs = tf.pad(tx, (2, 1)).flip(1).cumsum(1).flip(1)
    weights = np.random.default_rng(3).standard_normal(ours.shape)
    backward_both(Mul.apply(ours, const(weights)), theirs * torch.from_numpy(weights))
    close(x.grad, tx.grad)
