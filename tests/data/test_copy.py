"""Copying TensorData (copy.deepcopy, pickle) keeps it usable with the original: same backend, same values."""

import copy
import pickle

import numpy as np

from edugrad.data import BinaryOps, TensorData


def test_deepcopy_and_pickle_share_the_backend() -> None:
    x = TensorData.from_numpy(np.arange(6, dtype=np.float32).reshape(2, 3))
    for clone in (copy.deepcopy(x), pickle.loads(pickle.dumps(x))):
        assert clone.backend is x.backend
        assert clone.dtype is x.dtype
        np.testing.assert_array_equal(clone.binary(BinaryOps.ADD, x).numpy(), 2 * x.numpy())
