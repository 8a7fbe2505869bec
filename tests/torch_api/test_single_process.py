"""The names a single-process PyTorch program imports but does not need alone (torch.distributed, DDP) let it
run alone, and TensorBoard logging (tensorboardX underneath) takes edugrad tensors."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

import edugrad.torch as torch
import edugrad.torch.nn as nn
from edugrad.torch.distributed import destroy_process_group, init_process_group
from edugrad.torch.nn.parallel import DistributedDataParallel


def test_a_program_that_only_imports_the_distributed_names_runs_alone() -> None:
    # torch.distributed itself answers (tests/nn/test_distributed.py trains with it in two processes).
    assert torch.distributed.is_initialized() is False and init_process_group and destroy_process_group
    with pytest.raises(ValueError, match="Default process group has not been initialized"):
        torch.distributed.get_rank()
    with pytest.raises(RuntimeError, match="DistributedDataParallel: no process group; call init_process_group"):
        DistributedDataParallel(nn.Linear(2, 2))


def _scalars(log_dir: Path) -> dict[str, list[tuple[int, float]]]:
    """The scalar summaries of the event files in log_dir, read back from TensorBoard's record format (each
    record: an 8-byte length, its CRC, the Event protobuf, the data's CRC)."""
    from tensorboardX.proto import event_pb2

    found: dict[str, list[tuple[int, float]]] = {}
    for path in sorted(log_dir.glob("events.out.tfevents.*")):
        data = path.read_bytes()
        at = 0
        while at < len(data):
            (length,) = struct.unpack("<Q", data[at:at + 8])
            event = event_pb2.Event.FromString(data[at + 12:at + 12 + length])
            at += 12 + length + 4
            for value in event.summary.value:
                found.setdefault(value.tag, []).append((event.step, value.simple_value))
    return found


def test_summary_writer_logs_tensors_and_numbers(tmp_path: Path) -> None:
    pytest.importorskip("tensorboardX")
    from edugrad.torch.utils.tensorboard import SummaryWriter

    writer = SummaryWriter(str(tmp_path))
    writer.add_scalar("Loss/train", torch.Tensor([1.5]), 0)
    writer.add_scalar("Loss/train", 0.25, 1)
    writer.flush()
    writer.close()
    assert _scalars(tmp_path) == {"Loss/train": [(0, 1.5), (1, 0.25)]}


def test_onnx_export_says_it_cannot() -> None:
    with pytest.raises(NotImplementedError, match="onnx.export: edugrad cannot write ONNX files"):
        torch.onnx.export(nn.Linear(2, 2), (torch.zeros(1, 2),), "model.onnx")
