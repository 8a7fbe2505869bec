"""MkDocs hook: the documentation site works with no network, diagrams included.

Not part of the four layers: mkdocs.yml names this file under `hooks:`, and `hatch run docs:build` (strict,
as CI runs it) calls `on_post_page` on every page it writes. A page that would load a script, a stylesheet, a
font or an image from another host fails the build. The Mermaid diagrams are the case that matters: the
theme fetches the Mermaid script from a CDN unless a page already defines it, so the site ships its own copy
(docs/assets/javascripts/mermaid.min.js, listed in `extra_javascript`) and a page with a diagram that does not
load that copy fails too. tests/docs/test_site.py builds the site and runs the same checks on what it wrote.
"""

from __future__ import annotations

import re
from typing import Any

MERMAID_SCRIPT = "assets/javascripts/mermaid.min.js"

# The tags whose address the browser fetches as the page loads (an <a href> is only followed when clicked).
_FETCHED = re.compile(
    r"<(?:script|img|iframe|source|link)\b[^>]*?\b(?:src|href)\s*=\s*[\"']?((?:https?:)?//[^\"'\s>]+)",
    re.IGNORECASE,
)
_NOT_FETCHED_LINK = re.compile(r"<link\b[^>]*\brel\s*=\s*[\"']?(?:canonical|alternate)\b", re.IGNORECASE)
_TAG = re.compile(r"<(?:script|img|iframe|source|link)\b[^>]*>", re.IGNORECASE)


def remote_assets(html: str) -> list[str]:
    """The addresses on other hosts that a page makes the browser fetch as it loads."""
    found = []
    for tag in _TAG.findall(html):
        match = _FETCHED.match(tag)
        if match and not _NOT_FETCHED_LINK.match(tag):
            found.append(match.group(1))
    return found


def draws_diagrams_offline(html: str) -> bool:
    """True when the page has no Mermaid diagram, or loads the site's own Mermaid script to draw them."""
    has_diagram = re.search(r"<(?:pre|div)\b[^>]*\bclass=\"mermaid\"", html) is not None
    loads_local = re.search(r"<script\b[^>]*\bsrc=\"[^\"]*" + re.escape(MERMAID_SCRIPT) + '"', html) is not None
    return not has_diagram or loads_local


def problems(html: str) -> list[str]:
    """What keeps a page from working offline, in words; empty when nothing does."""
    found = [f"loads {address} from the network" for address in remote_assets(html)]
    if not draws_diagrams_offline(html):
        found.append(f"has a Mermaid diagram but does not load {MERMAID_SCRIPT} (add it to extra_javascript)")
    return found


def on_post_page(output: str, page: Any, config: Any) -> str:
    """The MkDocs event for a page's finished HTML: stop the build if the page needs the network."""
    found = problems(output)
    if found:
        from mkdocs.exceptions import PluginError  # only the docs environment has mkdocs

        raise PluginError(f"{page.file.src_uri}: the site must work offline, but the page " + "; ".join(found))
    return output
