"""Sequences of different lengths in one batch, as `torch.nn.utils.rnn`: padding them to one length
(`pad_sequence`) and packing them (`PackedSequence`, `pack_padded_sequence`, `pack_sequence`) so that a
recurrent layer runs each one for its own length only, and back (`pad_packed_sequence`, `unpack_sequence`).

Top layer (`edugrad.nn`), built from Tensor ops, so gradients flow through packing and unpacking. A packed
batch sorts the sequences longest first and lays them out step by step: `data` holds step 0 of every
sequence, then step 1 of those at least 2 long, and so on, and `batch_sizes[t]` says how many sequences have a
step t. Three sequences of lengths 3, 1 and 2 give batch_sizes [3, 2, 1]: data is (a0, c0, b0, a1, c1, a2).
`sorted_indices` is the order of the sequences in data (None when the batch came sorted), `unsorted_indices`
its inverse, which puts results back in the caller's order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from edugrad.tensor import Tensor, cat, dtypes, stack, tensor

__all__ = [
    "PackedSequence", "invert_permutation", "pack_padded_sequence", "pack_sequence", "pad_packed_sequence",
    "pad_sequence", "unpack_sequence", "unpad_sequence",
]


class _PackedSequenceFields(NamedTuple):
    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None
    unsorted_indices: Tensor | None


class PackedSequence(_PackedSequenceFields):
    """A packed batch of sequences (see the module docstring), as `torch.nn.utils.rnn.PackedSequence`: a named
    tuple of data (sum of the lengths, *), batch_sizes (longest length,), sorted_indices and unsorted_indices.
    Make one with `pack_padded_sequence` or `pack_sequence`; the recurrent layers take it as input."""

    def __new__(cls, data: Tensor, batch_sizes: Tensor | None = None, sorted_indices: Tensor | None = None,
                unsorted_indices: Tensor | None = None) -> PackedSequence:
        if batch_sizes is None:
            raise TypeError("PackedSequence: batch_sizes is required (make one with pack_padded_sequence)")
        if unsorted_indices is None and sorted_indices is not None:
            unsorted_indices = invert_permutation(sorted_indices)
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args: Any, **kwargs: Any) -> PackedSequence:
        """The same packing with data moved or cast by `Tensor.to` (batch_sizes and the indices stay)."""
        return type(self)(self.data.to(*args, **kwargs), self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    def float(self) -> PackedSequence:
        return self.to(dtype=dtypes.float32)

    def double(self) -> PackedSequence:
        return self.to(dtype=dtypes.float64)


def invert_permutation(permutation: Tensor | None) -> Tensor | None:
    """The permutation that undoes `permutation` (output[permutation[i]] = i), or None for None."""
    if permutation is None:
        return None
    inverse = Tensor.zeros(*permutation.shape, dtype=permutation.dtype)
    return inverse.scatter(0, permutation, Tensor.arange(permutation.numel(), dtype=permutation.dtype))


def _checked_sequences(op: str, sequences: Sequence[Tensor]) -> list[Tensor]:
    """The sequences as a list, each (L_i, *) with one trailing shape; ValueError otherwise."""
    items = list(sequences)
    if not items or any(not isinstance(s, Tensor) or s.ndim < 1 for s in items):
        raise ValueError(f"{op}: expected a non-empty list of tensors of shape (L, *), got "
                         f"{[getattr(s, 'shape', type(s).__name__) for s in items]}")
    trailing = {s.shape[1:] for s in items}
    if len(trailing) > 1:
        raise ValueError(f"{op}: every sequence must have the same trailing shape (after its length), got "
                         f"{[s.shape for s in items]}")
    return items


def pad_sequence(sequences: Tensor | list[Tensor], batch_first: bool = False, padding_value: float = 0.0,
                 padding_side: str = "right") -> Tensor:
    """The sequences (each (L_i, *)) padded with padding_value to the longest length and stacked: (L, B, *),
    or (B, L, *) with batch_first; padding_side "left" puts the padding before each sequence."""
    if padding_side not in ("right", "left"):
        raise ValueError(f"pad_sequence: padding_side must be 'left' or 'right', got {padding_side!r}")
    items = _checked_sequences("pad_sequence", list(sequences))
    longest = max(s.shape[0] for s in items)
    padded = []
    for s in items:
        extra = longest - s.shape[0]
        before_after = (0, extra) if padding_side == "right" else (extra, 0)
        padded.append(s.pad((before_after, *(None,) * (s.ndim - 1)), padding_value))
    return stack(padded, dim=0 if batch_first else 1)


def _lengths(op: str, lengths: Tensor | list[int], batch: int) -> list[int]:
    """The lengths as Python ints, one per sequence of the batch, each at least 1."""
    values = [int(v) for v in (lengths.tolist() if isinstance(lengths, Tensor) else lengths)]
    if len(values) != batch:
        raise ValueError(f"{op}: expected {batch} lengths, one per sequence of the batch, got {len(values)}")
    if any(v < 1 for v in values):
        raise ValueError(f"{op}: every length must be at least 1, got {values}")
    return values


def _batch_sizes(lengths: Sequence[int]) -> list[int]:
    """How many of the sequences have a step t, for each t below the longest length."""
    return [sum(1 for n in lengths if n > t) for t in range(max(lengths))]


def _pack_steps(padded: Tensor, batch_sizes: Sequence[int]) -> Tensor:
    """data from a time-major padded batch (L, B, *) whose sequences are sorted longest first: step t of the
    first batch_sizes[t] of them, for each t."""
    return cat([padded[t, :size] for t, size in enumerate(batch_sizes)])


def pack_padded_sequence(input: Tensor, lengths: Tensor | list[int], batch_first: bool = False,
                         enforce_sorted: bool = True) -> PackedSequence:
    """Pack a padded batch, (L, B, *) or (B, L, *) with batch_first, whose sequence b is lengths[b] long. With
    enforce_sorted the lengths must not increase (the sequences come longest first); otherwise they are
    sorted here, and sorted_indices records the order."""
    op = "pack_padded_sequence"
    if not isinstance(input, Tensor) or input.ndim < 2:
        raise ValueError(f"{op}: expected a padded batch of shape (L, B, *) or (B, L, *) with batch_first, got "
                         f"{getattr(input, 'shape', type(input).__name__)}")
    x = input.transpose(0, 1) if batch_first else input
    values = _lengths(op, lengths, x.shape[1])
    if max(values) > x.shape[0]:
        raise ValueError(f"{op}: a length of {max(values)} is longer than the padded batch's {x.shape[0]} steps "
                         f"(input {input.shape}, batch_first={batch_first})")
    sorted_indices = None
    if enforce_sorted:
        if any(a < b for a, b in zip(values, values[1:])):
            raise ValueError(f"{op}: the lengths {values} must be sorted in decreasing order when enforce_sorted is "
                             "True; pass enforce_sorted=False to sort them here")
    else:
        # A stable sort, longest first: sequences of equal length keep their order.
        order = sorted(range(len(values)), key=lambda b: -values[b])
        sorted_indices = tensor(order)
        x, values = x[:, order], [values[b] for b in order]
    sizes = _batch_sizes(values)
    return PackedSequence(_pack_steps(x, sizes), tensor(sizes), sorted_indices, None)


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False, padding_value: float = 0.0,
                        total_length: int | None = None) -> tuple[Tensor, Tensor]:
    """The inverse of pack_padded_sequence: (padded batch, lengths), the batch (L, B, *) (or (B, L, *) with
    batch_first) in the caller's order, padded with padding_value up to the longest length (or total_length),
    and the length of each sequence (int64)."""
    op = "pad_packed_sequence"
    if not isinstance(sequence, PackedSequence):
        raise TypeError(f"{op}: expected a PackedSequence, got {type(sequence).__name__}")
    sizes = [int(v) for v in sequence.batch_sizes.tolist()]
    steps = len(sizes)
    if total_length is not None and total_length < steps:
        raise ValueError(f"{op}: total_length ({total_length}) must be at least the longest length ({steps})")
    data, batch = sequence.data, sizes[0]
    rows, start = [], 0
    for size in sizes:
        step = data[start:start + size]
        rows.append(step.pad(((0, batch - size), *(None,) * (data.ndim - 1)), padding_value))
        start += size
    padded = stack(rows)  # (L, B, *), the sequences in sorted order
    extra = (total_length or steps) - steps
    if extra:
        padded = padded.pad(((0, extra), *(None,) * (padded.ndim - 1)), padding_value)
    lengths = tensor([sum(1 for size in sizes if size > b) for b in range(batch)])
    if sequence.unsorted_indices is not None:
        order = [int(b) for b in sequence.unsorted_indices.tolist()]
        padded, lengths = padded[:, order], lengths[order]
    return (padded.transpose(0, 1) if batch_first else padded), lengths


def pack_sequence(sequences: list[Tensor], enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of sequences (each (L_i, *)): pad_sequence, then pack_padded_sequence with their lengths."""
    items = _checked_sequences("pack_sequence", sequences)
    return pack_padded_sequence(pad_sequence(items), [s.shape[0] for s in items], enforce_sorted=enforce_sorted)


def unpad_sequence(padded_sequences: Tensor, lengths: Tensor, batch_first: bool = False) -> list[Tensor]:
    """The sequences of a padded batch, each cut to its length: the inverse of pad_sequence."""
    x = padded_sequences if batch_first else padded_sequences.transpose(0, 1)
    values = _lengths("unpad_sequence", lengths, x.shape[0])
    return [x[b, :n] for b, n in enumerate(values)]


def unpack_sequence(packed_sequences: PackedSequence) -> list[Tensor]:
    """The sequences of a packed batch, in the caller's order: the inverse of pack_sequence."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
