"""The README of edugrad-data cannot drift: its op table lists exactly ALL_OPS, and its example runs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from edugrad.data import ALL_OPS

README = (Path(__file__).resolve().parents[2] / "packages" / "edugrad-data" / "README.md").read_text()


def test_the_op_table_lists_every_op_once_in_order() -> None:
    rows = re.findall(r"^\| (\w+Ops) \| `(\w+)` \|", README, re.MULTILINE)  # | family | `OP` | ...
    assert [f"{family}.{name}" for family, name in rows] == [str(op) for op in ALL_OPS]


def test_the_readme_states_the_number_of_ops() -> None:
    count = len(ALL_OPS)
    assert f"**{count} low-level ops**" in README and f"## The {count} ops" in README
    assert not set(re.findall(r"(\d+) (?:low-level )?ops", README)) - {str(count)}


def test_the_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("torch")  # its last line puts an array on the torch backend
    example = re.search(r"## Example\s+```python\n(.*?)```", README, re.DOTALL)
    assert example is not None
    exec(compile(example.group(1), "README.md", "exec"), {})
    assert "(1, 1, 2, 2, 2, 2)" in capsys.readouterr().out
