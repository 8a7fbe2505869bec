"""The documentation site works offline, shows the package READMEs, and every docs code line fits the page.

The site is built with the docs environment's MkDocs (the one `hatch run docs:build` uses, which CI creates
before the tests run) into a temporary folder; every page it writes is checked by the build's own hook
(docs/hooks/offline.py): nothing fetched from another host, and each Mermaid diagram drawn by the Mermaid
script the site ships. The hook's checks are tested on small pages first, so a check that passes everything
cannot hide there.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
FENCE = re.compile(r"^```[^\n`]*\n(?P<body>.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
CODE_COLUMN = 84  # characters a code block shows on the site's page without scrolling


def load_hook(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"{name}_hook", DOCS / "hooks" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


HOOK, READMES = load_hook("offline"), load_hook("readmes")
LOCAL_MERMAID = f'<script src="../{HOOK.MERMAID_SCRIPT}"></script>'


def test_the_hook_finds_what_a_page_would_fetch_from_the_network() -> None:
    page = (
        '<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Roboto">'
        '<script src="//cdn.example.org/x.js"></script><img alt="" src="http://example.org/a.png">'
        '<link rel="canonical" href="https://example.org/page/"><a href="https://example.org">a link</a>'
        '<script src="../assets/javascripts/bundle.js"></script>'
    )
    assert HOOK.remote_assets(page) == [
        "https://fonts.googleapis.com/css?family=Roboto",
        "//cdn.example.org/x.js",
        "http://example.org/a.png",
    ]
    assert HOOK.remote_assets('<script src="../assets/javascripts/bundle.js"></script>') == []


def test_the_hook_finds_a_diagram_that_the_site_cannot_draw_itself() -> None:
    diagram = '<pre class="mermaid"><code>flowchart TB\n a --> b</code></pre>'
    assert not HOOK.draws_diagrams_offline(diagram)
    assert HOOK.problems(diagram) == [
        f"has a Mermaid diagram but does not load {HOOK.MERMAID_SCRIPT} (add it to extra_javascript)"
    ]
    assert HOOK.draws_diagrams_offline(diagram + LOCAL_MERMAID)
    assert HOOK.draws_diagrams_offline("<p>no diagram</p>")
    assert HOOK.problems(diagram + LOCAL_MERMAID) == []


def test_a_readme_page_links_into_the_docs_from_its_own_folder() -> None:
    readme, page = ROOT / "packages" / "edugrad-nn" / "README.md", DOCS / "packages" / "nn-readme.md"
    text = ("[guide](../../docs/packages/nn.md), [MNIST](../../docs/mnist.md#the-model), [log](CHANGELOG.md), "
            "[web](https://example.org/a.md)")
    assert READMES.relink(text, readme, page, DOCS) == (
        "[guide](nn.md), [MNIST](../mnist.md#the-model), [log](CHANGELOG.md), [web](https://example.org/a.md)"
    )
    assert READMES.readme_path("<!-- readme: packages/edugrad-nn/README.md -->\n") == "packages/edugrad-nn/README.md"
    assert READMES.readme_path("# A page\n<!-- readme: packages/edugrad-nn/README.md -->\n") is None


def docs_mkdocs() -> Path | None:
    """The mkdocs program of hatch's docs environment, if that environment has been created."""
    hatch = shutil.which("hatch")
    if hatch is None:
        return None
    found = subprocess.run([hatch, "env", "find", "docs"], cwd=ROOT, capture_output=True, text=True)
    mkdocs = Path(found.stdout.strip()) / "bin" / "mkdocs"
    return mkdocs if found.returncode == 0 and mkdocs.is_file() else None


@pytest.mark.slow
def test_the_built_site_fetches_nothing_and_draws_its_diagrams(tmp_path: Path) -> None:
    mkdocs = docs_mkdocs()
    if mkdocs is None:
        pytest.skip("no docs environment to build the site with: `hatch run docs:build` (from the repository "
                    "root) creates it, then this test builds the site too")
    built = subprocess.run([str(mkdocs), "build", "--strict", "--site-dir", str(tmp_path)], cwd=ROOT,
                           capture_output=True, text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert built.returncode == 0, built.stderr[-3000:]
    pages = sorted(tmp_path.rglob("*.html"))
    assert len(pages) > len(list(DOCS.rglob("*.md"))) / 2
    for page in pages:
        assert HOOK.problems(page.read_text(encoding="utf-8")) == [], page.relative_to(tmp_path)
    for placeholder in sorted((DOCS / "packages").glob("*-readme.md")):
        readme = ROOT / READMES.readme_path(placeholder.read_text(encoding="utf-8"))
        title = readme.read_text(encoding="utf-8").splitlines()[0].removeprefix("# ")
        shown = (tmp_path / "packages" / placeholder.stem / "index.html").read_text(encoding="utf-8")
        assert f">{title}<" in shown, f"{placeholder.name} does not show {readme}"
    backward = (tmp_path / "backward" / "index.html").read_text(encoding="utf-8")
    assert 'class="mermaid"' in backward  # the page the check matters for still has its diagram
    script = (tmp_path / HOOK.MERMAID_SCRIPT).read_text(encoding="utf-8")
    assert ".mermaid=" in script[:300]  # the bundle defines the global `mermaid` the theme looks for


def drawn(svg: str) -> list[str]:
    """What a Graphviz picture shows: its nodes' and edges' titles (n0, n0->n2) and every text it writes."""
    return sorted(re.findall(r"<(?:title|text)\b[^>]*>([^<]*)</(?:title|text)>", svg))


def test_the_pictures_of_how_backward_works_are_what_its_code_draws(tmp_path: Path) -> None:
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not installed (apt install graphviz), so the pictures that "
                    "docs/backward.md shows (docs/assets/images/neuron*.svg) are not re-drawn to compare")
    from edugrad.tensor import Tensor, tensor

    x = Tensor([1.0, -2.0, 3.0])  # the neuron of docs/backward.md
    w = Tensor([0.5, 0.25, -1.0], requires_grad=True)
    b = tensor(0.5, requires_grad=True)
    g = ((x * w).sum() + b).tanh().graph(names={"x": x, "w": w, "b": b})
    for name, view in (("neuron.svg", "forward"), ("neuron-backward.svg", "backward")):
        new = g.render(tmp_path / name, view=view).read_text(encoding="utf-8")
        kept = (DOCS / "assets" / "images" / name).read_text(encoding="utf-8")
        assert drawn(new) == drawn(kept), f"{name} is out of date: copy {tmp_path / name} over it"
    assert "w: AccumulateGrad" in drawn(new) and "n6&#45;&gt;n5" in drawn(new)  # the comparison sees the graph


def wide_lines(text: str) -> list[tuple[int, int]]:
    """(line number, width) of each code-block line wider than the code column."""
    found = []
    for match in FENCE.finditer(text):
        first = text.count("\n", 0, match.start("body")) + 1
        for offset, line in enumerate(match["body"].splitlines()):
            if len(line) > CODE_COLUMN:
                found.append((first + offset, len(line)))
    return found


def test_wide_lines_are_found() -> None:
    text = "prose longer than the column " * 5 + "\n```python\nok = 1\n" + "x" * 85 + "\n```\n"
    assert wide_lines(text) == [(4, 85)]


@pytest.mark.parametrize("page", [*sorted(DOCS.rglob("*.md")), ROOT / "README.md"],
                         ids=lambda page: str(page.relative_to(ROOT)))
def test_code_lines_fit_the_code_column(page: Path) -> None:
    found = wide_lines(page.read_text(encoding="utf-8"))
    assert found == [], f"{page.relative_to(ROOT)}: code lines wider than {CODE_COLUMN} characters " + ", ".join(
        f"line {line} ({width})" for line, width in found
    )
