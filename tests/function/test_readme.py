"""The README of edugrad-function runs: its ```python blocks are executed in order in one namespace, so an
example that stops working fails here instead of misleading a reader."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "packages" / "edugrad-function" / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.DOTALL)


def test_the_readme_has_its_examples() -> None:
    assert len(BLOCKS) >= 3  # the example, the Cube Function and the broken Cube
    assert any("class Cube(Function)" in block and "check_function(Cube" in block for block in BLOCKS)


def test_the_readme_code_runs() -> None:
    namespace: dict[str, object] = {}
    for block in BLOCKS:
        exec(compile(block, str(README), "exec"), namespace)
