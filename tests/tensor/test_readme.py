"""The README of edugrad-tensor stays true: every method its API tables name exists on Tensor, every public
Tensor method is in the tables, and the ```python example runs (and trains)."""

import re
from pathlib import Path

from edugrad.tensor import Tensor

README = Path(__file__).resolve().parents[2] / "packages" / "edugrad-tensor" / "README.md"
TEXT = README.read_text(encoding="utf-8")
API = TEXT[TEXT.index("\n## API\n"):TEXT.index("\n## Where it differs from PyTorch\n")]
# The first cell of every table row, e.g. "`x.sum(axis=None, keepdim=False)`" or "`x + y`, `x.add(y)`".
FIRST_CELLS = re.findall(r"^\| (.*?) \| .* \|$", API, flags=re.MULTILINE)
CODE = [code for cell in FIRST_CELLS for code in re.findall(r"`([^`]+)`", cell)]
# `x.name`, `Tensor.name`, `logits.name`: the receiver is a tensor in every table.
NAMES = {m for code in CODE for m in re.findall(r"\b[a-z_]+\.([A-Za-z_]\w*)", code) + re.findall(r"Tensor\.(\w+)", code)}
OPERATORS = {"+": "__add__", "-": "__sub__", "*": "__mul__", "/": "__truediv__", "//": "__floordiv__",
             "%": "__mod__", "**": "__pow__", "@": "__matmul__", "<": "__lt__", "<=": "__le__", ">": "__gt__",
             ">=": "__ge__", "==": "__eq__", "!=": "__ne__", "&": "__and__", "\\|": "__or__", "^": "__xor__"}


def test_the_tables_name_many_methods() -> None:
    assert len(NAMES) > 150


def test_every_method_in_the_tables_exists() -> None:
    missing = sorted(name for name in NAMES if not hasattr(Tensor, name))
    assert not missing, f"the README names methods that Tensor lacks: {missing}"


def test_every_public_method_is_in_the_tables() -> None:
    public = {name for name in vars(Tensor) if not name.startswith("_")} | {"backward", "detach", "requires_grad_",
                                                                              "register_hook", "retain_grad"}
    absent = sorted(public - NAMES - {"training"})
    assert not absent, f"add these Tensor methods to the API tables of {README}: {absent}"


def test_every_operator_in_the_tables_is_implemented() -> None:
    checked = 0
    for code in CODE:
        match = re.fullmatch(r"x (\S+) y", code)
        if match is None:
            continue
        op = match.group(1)
        in_place = op not in OPERATORS and op.endswith("=")
        dunder = OPERATORS[op[:-1] if in_place else op]
        dunder = dunder.replace("__", "__i", 1) if in_place else dunder
        assert getattr(Tensor, dunder, None) not in (None, getattr(object, dunder, None)), f"{code}: no {dunder}"
        checked += 1
    assert checked > 20


def test_the_example_runs() -> None:
    blocks = re.findall(r"```python\n(.*?)```", TEXT, flags=re.DOTALL)
    assert len(blocks) == 1
    exec(compile(blocks[0], str(README), "exec"), {})
