"""The README of edugrad-nn stays true: every name in the first column of its API tables exists, every public
name of the package is in a table, and its ```python blocks run in order in one namespace (in a temporary
folder, with `datasets.mnist` serving a tiny stand-in, since tests never download)."""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from edugrad import nn
from edugrad.nn import data, datasets, optim, utils
from edugrad.nn.data import transforms
from edugrad.nn.optim import lr_scheduler

README = Path(__file__).resolve().parents[2] / "packages" / "edugrad-nn" / "README.md"
TEXT = README.read_text(encoding="utf-8")
BLOCKS = re.findall(r"```python\n(.*?)```", TEXT, flags=re.DOTALL)
FIRST_CELLS = re.findall(r"^\| (.*?) \| .*\|\n(?!\|---)", TEXT, flags=re.MULTILINE)  # rows, not headers
# The name each code span of a first cell starts with: `Linear(...)` -> Linear, `init.fans(shape)` -> init.fans.
NAMES = {re.match(r"[\w.]*", code).group() for cell in FIRST_CELLS for code in re.findall(r"`([^`]+)`", cell)}
NAMESPACES: list[ModuleType | type] = [nn, nn.Module, optim, lr_scheduler, utils, data, transforms, datasets]


def exists(name: str) -> bool:
    for namespace in NAMESPACES:
        value: object = namespace
        for part in name.split("."):
            value = getattr(value, part, None)
        if value is not None:
            return True
    return False


def test_every_name_in_the_tables_exists() -> None:
    assert len(NAMES) > 60
    missing = sorted(name for name in NAMES if not exists(name))
    assert not missing, f"the README names what edugrad.nn lacks: {missing}"


def test_every_public_name_is_in_the_tables() -> None:
    bases = {"Optimizer", "ImageTransform", "LRScheduler"}
    public = {name for module in (nn, optim, utils, data, transforms) for name in module.__all__
              if not isinstance(getattr(module, name), ModuleType)}
    public |= {name for name in vars(lr_scheduler) if isinstance(getattr(lr_scheduler, name), type)
               and issubclass(getattr(lr_scheduler, name), lr_scheduler.LRScheduler) and not name.startswith("_")}
    absent = sorted(public - bases - NAMES - {name.rsplit(".", 1)[-1] for name in NAMES})
    assert not absent, f"add these to the API tables of {README}: {absent}"


def test_the_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(0)
    tiny = datasets.Splits(rng.integers(0, 256, (8, 28, 28), dtype=np.uint8), rng.integers(0, 10, 8),
                           rng.integers(0, 256, (4, 28, 28), dtype=np.uint8), rng.integers(0, 10, 4))
    monkeypatch.setattr(datasets, "mnist", lambda *args, **kwargs: tiny)
    monkeypatch.chdir(tmp_path)  # the checkpoint example writes files
    assert len(BLOCKS) == 8  # one per group
    namespace: dict[str, object] = {"__name__": "__readme__"}
    for block in BLOCKS:
        exec(compile("\n" * TEXT[:TEXT.index(block)].count("\n") + block, str(README), "exec"), namespace)
