"""MkDocs hook: each package README is also a page of the site, so the docs link to it instead of naming a path.

Not part of the four layers: mkdocs.yml names this file under `hooks:`. A page whose whole source is the line
`<!-- readme: packages/edugrad-function/README.md -->` is shown as that README (one copy of the text, kept
beside its code). The README's relative links are written for its own folder; each one that points into
docs/ is rewritten for the page's folder, and any other stays as it is, so the strict build reports it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

_PLACEHOLDER = re.compile(r"\s*<!-- readme: (?P<path>\S+) -->\s*")
_LINK = re.compile(r"\]\((?P<target>[^)\s#]+)(?P<anchor>#[^)\s]*)?\)")


def readme_path(source: str) -> str | None:
    """The README a page's source stands for (relative to the repository root), or None for a normal page."""
    match = _PLACEHOLDER.fullmatch(source)
    return match["path"] if match else None


def relink(text: str, readme: Path, page: Path, docs: Path) -> str:
    """`text` (the README at `readme`) with its relative links into `docs` made relative to `page` instead."""

    def fix(match: re.Match[str]) -> str:
        target = match["target"]
        if "://" in target or target.startswith("mailto:"):
            return match[0]
        resolved = Path(os.path.normpath(readme.parent / target))
        if not resolved.is_relative_to(docs):
            return match[0]
        moved = os.path.relpath(resolved, page.parent).replace(os.sep, "/")
        return f"]({moved}{match['anchor'] or ''})"

    return _LINK.sub(fix, text)


def on_page_read_source(page: Any, config: Any) -> str | None:
    """The MkDocs event that reads a page's source: a README placeholder reads as the README itself."""
    docs = Path(config["docs_dir"])
    source_file = docs / page.file.src_uri
    readme = readme_path(source_file.read_text(encoding="utf-8"))
    if readme is None:
        return None  # MkDocs reads the page as usual
    path = Path(config["config_file_path"]).parent / readme
    return relink(path.read_text(encoding="utf-8"), path, source_file, docs)
