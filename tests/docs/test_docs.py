"""The documentation cannot rot: every page of docs/ runs, and shows what its code prints.

Each page's fenced blocks are taken in order. A ```python block is executed, all of a page's blocks in one
namespace (in a temporary working folder, so files a block writes do not litter the checkout). A ```text or
```mermaid block is output: it must be what the python blocks before it printed. A block marked
``` {.python .skip} is shown highlighted but not run: keep those few (training on MNIST, a Graphviz render).
The site itself is built, with warnings as errors, by `hatch run docs:build` in CI; here the `:::` API
references are checked to name importable objects, and the navigation to list every page. The ```python
blocks of the repository's README run too.
"""

from __future__ import annotations

import importlib
import io
import re
from contextlib import redirect_stdout
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.rglob("*.md"))
FENCE = re.compile(r"^```[ \t]*(?P<info>[^\n`]*)\n(?P<body>.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
RUN, SKIP, OUTPUT = "python", "{.python .skip}", ("text", "mermaid")


def blocks(page: Path) -> list[tuple[str, str, int]]:
    """(info string, body, line number of the body) of every fenced block of a page."""
    text = page.read_text(encoding="utf-8")
    return [(m["info"].strip(), m["body"], text.count("\n", 0, m.start("body"))) for m in FENCE.finditer(text)]


def page_id(page: Path) -> str:
    return str(page.relative_to(ROOT))


def test_every_page_is_in_the_navigation() -> None:
    nav = re.findall(r":\s*(\S+\.md)\s*$", (ROOT / "mkdocs.yml").read_text(encoding="utf-8"), flags=re.MULTILINE)
    assert sorted(nav) == sorted(str(page.relative_to(DOCS)) for page in PAGES)


def test_code_blocks_are_marked_run_skip_or_output() -> None:
    for page in PAGES:
        for info, _, line in blocks(page):
            assert info in (RUN, SKIP, *OUTPUT, "bash", ""), f"{page_id(page)}:{line}: unknown block ```{info}"
    skipped = sum(info == SKIP for page in PAGES for info, _, _ in blocks(page))
    assert skipped <= 4, "keep the blocks the tests do not run to a few"


@pytest.mark.parametrize("page", [*PAGES, ROOT / "README.md"], ids=page_id)
def test_the_page_runs_and_shows_what_it_prints(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "__docs__"}
    printed = io.StringIO()
    for info, body, line in blocks(page):
        if info == RUN:
            with redirect_stdout(printed):
                exec(compile("\n" * line + body, str(page), "exec"), namespace)  # tracebacks show page lines
        elif info in OUTPUT:
            assert body.strip() in printed.getvalue(), (
                f"{page_id(page)}:{line}: this ```{info} block is not what the code above it printed, which was:\n"
                f"{printed.getvalue()}"
            )


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_api_references_name_importable_objects(page: Path) -> None:
    for name in re.findall(r"^::: (\S+)", page.read_text(encoding="utf-8"), flags=re.MULTILINE):
        module, _, attribute = name.rpartition(".")
        try:
            importlib.import_module(name)
        except ModuleNotFoundError:
            assert hasattr(importlib.import_module(module), attribute), f"{page_id(page)}: ::: {name} is not there"
