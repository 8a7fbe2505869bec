"""Storage and views: which ops share memory, strides and offsets as torch reports them, a write through one
view seen by every other, one version counter per storage, and the writes that are refused."""

from __future__ import annotations

import numpy as np
import pytest

from edugrad.data import BinaryOps, TensorData, dtypes

torch = pytest.importorskip("torch")


def grid(backend: str) -> TensorData:
    return TensorData.from_numpy(np.arange(12.0, dtype=np.float32).reshape(3, 4), backend=backend)


def test_view_ops_share_the_storage_and_report_torchs_strides(backend: str) -> None:
    x, t = grid(backend), torch.arange(12.0).reshape(3, 4)
    views = {
        "permute": (x.permute((1, 0)), t.permute(1, 0)),
        "shrink": (x.shrink([(1, 3), (1, 3)]), t[1:3, 1:3]),
        "shrink with steps": (x.shrink([(1, 3), (0, 4)], (1, 3)), t[1:3, ::3]),
        "shrink with steps of a strided view": (x.shrink([(0, 3), (1, 4)], (2, 2)).shrink([(0, 2), (1, 2)], (1, 1)),
                                                t[::2, 1::2][:, 1:]),
        "reshape": (x.reshape((2, 6)), t.reshape(2, 6)),
        "expand": (x.shrink([(0, 1), (0, 4)]).expand((5, 4)), t[0:1].expand(5, 4)),
        "bitcast": (x.bitcast(dtypes.int32), t.view(torch.int32)),
    }
    for name, (view, expected) in views.items():
        assert view.storage is x.storage, name
        assert view.strides() == expected.stride(), name
        assert view.offset() == expected.storage_offset(), name
        assert view.is_contiguous() == expected.is_contiguous(), name


def test_ops_that_compute_or_copy_make_a_new_storage(backend: str) -> None:
    x = grid(backend)
    for out in (x.flip(0), x.pad(((1, 0), (0, 0))), x.cat([], 0), x.clone(), x.cast(dtypes.float64),
                x.permute((1, 0)).reshape((12,))):  # the last: no strides give the transpose as a vector
        assert out.storage is not x.storage
        assert out.offset() == 0 and out.is_contiguous()


def test_a_write_through_a_view_is_seen_by_every_view_and_counted_once(backend: str) -> None:
    x = grid(backend)
    column, transposed = x.shrink([(0, 3), (1, 2)]), x.permute((1, 0))
    column.assign(TensorData.full((3, 1), 9.0, dtypes.float32, backend))
    expected = np.arange(12.0, dtype=np.float32).reshape(3, 4)
    expected[:, 1] = 9
    np.testing.assert_array_equal(x.numpy(), expected)
    np.testing.assert_array_equal(transposed.numpy(), expected.T)
    assert x.version == column.version == transposed.version == 1
    assert x.clone().version == 0


def test_a_clone_is_memory_of_its_own(backend: str) -> None:
    x = grid(backend)
    copy = x.clone()
    copy.assign(TensorData.full((3, 4), 0.0, dtypes.float32, backend))
    np.testing.assert_array_equal(x.numpy(), np.arange(12.0, dtype=np.float32).reshape(3, 4))
    assert x.version == 0 and copy.version == 1


def test_writing_a_broadcast_view_is_refused_as_in_torch(backend: str) -> None:
    x = grid(backend)
    wide = x.shrink([(0, 1), (0, 4)]).expand((3, 4))
    with pytest.raises(RuntimeError, match="more than one element of the written-to tensor refers to a single"):
        wide.assign(x)
    with pytest.raises(RuntimeError, match="more than one element"):
        torch.zeros(1, 4).expand(3, 4).add_(1)
    assert x.version == 0


def test_numpy_without_copy_and_from_numpy_without_copy_share_memory() -> None:
    array = np.zeros((2, 3), np.float32)
    x = TensorData.from_numpy(array, copy=False)
    array[0, 1] = 5
    assert x.numpy()[0, 1] == 5
    x.shrink([(1, 2), (0, 3)]).assign(TensorData.full((1, 3), 7.0, dtypes.float32))
    np.testing.assert_array_equal(array[1], [7, 7, 7])
    x.numpy(copy=False)[0, 0] = -1
    assert array[0, 0] == -1
    assert x.numpy() is not x.numpy()  # the default stays a private copy


def test_from_numpy_without_copy_refuses_what_torch_refuses() -> None:
    reversed_array = np.arange(4.0)[::-1]
    with pytest.raises(ValueError, match="negative"):
        torch.from_numpy(reversed_array)
    with pytest.raises(ValueError, match="from_numpy: at least one stride in the given NumPy array is negative"):
        TensorData.from_numpy(reversed_array, copy=False)
    with pytest.raises(TypeError, match="from_numpy: cannot share the memory of a float64 array as float32"):
        TensorData.from_numpy(np.zeros(2), dtypes.float32, copy=False)


def test_a_read_only_array_can_be_shared_but_not_written() -> None:
    array = np.zeros(3, np.float32)
    array.flags.writeable = False
    x = TensorData.from_numpy(array, copy=False)
    with pytest.raises(RuntimeError, match="assign: the memory of this tensor .* is read-only"):
        x.assign(x.clone())


def test_a_reshape_view_and_a_reshape_copy_agree_with_torch(backend: str) -> None:
    x, t = grid(backend), torch.arange(12.0).reshape(3, 4)
    assert (x.reshape((4, 3)).storage is x.storage) == (t.reshape(4, 3)._base is t._base)
    transposed = x.permute((1, 0))
    assert (transposed.reshape((12,)).storage is x.storage) == (t.T.reshape(12)._base is not None)


def test_an_in_place_binary_op_writes_into_the_view_and_counts_once(backend: str) -> None:
    x = grid(backend)
    column = x.shrink([(0, 3), (2, 3)])
    column.binary_(BinaryOps.MUL, TensorData.full((3, 1), 10.0, dtypes.float32, backend))
    expected = np.arange(12.0, dtype=np.float32).reshape(3, 4)
    expected[:, 2] *= 10
    np.testing.assert_array_equal(x.numpy(), expected)
    assert x.version == 1
    ints = TensorData.from_numpy(np.arange(4), backend=backend)  # not floating-point: binary, then assign
    ints.shrink([(1, 3)]).binary_(BinaryOps.ADD, TensorData.full((2,), 5, dtypes.int64, backend))
    np.testing.assert_array_equal(ints.numpy(), [0, 6, 7, 3])
    with pytest.raises(ValueError, match="assign: cannot write values of shape .* dtype bool"):
        x.binary_(BinaryOps.CMPLT, x)  # a comparison's result is bool: not x's dtype
    with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
        x.shrink([(0, 1), (0, 4)]).expand((3, 4)).binary_(BinaryOps.ADD, x)


def test_an_in_place_binary_op_of_a_view_of_itself_is_numpys_out_of_place_result() -> None:
    square = TensorData.from_numpy(np.arange(9.0).reshape(3, 3))
    expected = square.numpy() + square.numpy().T
    square.binary_(BinaryOps.ADD, square.permute((1, 0)))  # the operand overlaps the target, transposed
    np.testing.assert_array_equal(square.numpy(), expected)


def test_a_strided_shrink_writes_through_and_refuses_bad_steps(backend: str) -> None:
    x, t = grid(backend), torch.arange(12.0).reshape(3, 4)
    x.shrink([(0, 3), (1, 4)], (2, 2)).assign(TensorData.full((2, 2), -1.0, dtypes.float32, backend))
    t[::2, 1::2] = -1.0
    assert x.numpy().tolist() == t.tolist() and x.version == 1
    for steps in [(0, 1), (1,), (1, -2), (1, 1.5)]:
        with pytest.raises(ValueError, match="shrink: expected one int step >= 1 per axis"):
            x.shrink([(0, 3), (0, 4)], steps)  # type: ignore[arg-type]
