"""Fixtures of the gallery's tests: run an example as its command runs it, import it to test its parts, and a
small English text.

An example run is a subprocess with one BLAS thread (OPENBLAS_NUM_THREADS=1 and friends): the few-step runs
use small matrices, for which threads only add overhead, and which a busy machine slows down badly.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from types import ModuleType

from typing import Callable

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ONE_THREAD = {name: "1" for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}


def _run_example(script: str, *args: str | Path) -> str:
    """The standard output of `python examples/<script> args...`; its standard error if it fails."""
    done = subprocess.run([sys.executable, str(EXAMPLES / script), *map(str, args)], capture_output=True,
                          text=True, timeout=300, env={**os.environ, **ONE_THREAD})
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _example(name: str) -> ModuleType:
    """The example `examples/<name>.py` as a module (the examples import each other and _gallery by name)."""
    if str(EXAMPLES) not in sys.path:
        sys.path.insert(0, str(EXAMPLES))
    return importlib.import_module(name)


@pytest.fixture
def run_example() -> Callable[..., str]:
    """`run_example("gpt.py", "--steps", 3)`: the standard output of the example's run."""
    return _run_example


@pytest.fixture
def example() -> Callable[[str], ModuleType]:
    """`example("gpt")`: the module examples/gpt.py."""
    return _example


def is_png(path: Path) -> bool:
    """Whether the file starts with PNG's signature."""
    return path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def png() -> Callable[[Path], bool]:
    """`png(path)`: whether the file is a PNG."""
    return is_png


@pytest.fixture
def english(tmp_path: Path) -> Path:
    """A small English text of varied sentences, one per line, written for the test."""
    subjects = ["the king", "a fool", "my lord", "the queen", "her brother", "our friend"]
    verbs = ["loves", "fears", "serves", "betrays", "follows", "forgets"]
    objects = ["the crown", "his sword", "the night", "a letter", "the sea", "her name"]
    lines = [f"{s} {v} {o}{'.' if (i + j) % 3 else '!'}".capitalize()
             for i, s in enumerate(subjects) for j, v in enumerate(verbs) for o in objects]
    path = tmp_path / "text.txt"
    path.write_text("\n".join(lines * 3) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def no_local_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No data set anywhere and no network: every lookup folder is empty and every download fails at once."""
    from edugrad.nn import datasets

    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("EDUGRAD_DATA", str(tmp_path / "data"))
    monkeypatch.setattr(datasets, "SYSTEM_DATA_DIR", tmp_path / "system")
    unreachable = {name: replace(source, mirrors=("file:///nonexistent/",)) for name, source in datasets.SOURCES.items()}
    monkeypatch.setattr(datasets, "SOURCES", unreachable)
