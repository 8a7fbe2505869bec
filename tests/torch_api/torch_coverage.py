"""How much of PyTorch's API `edugrad.torch` has: a table generated from torch's objects and edugrad's own.

For each namespace, torch's public names (its `__all__`, else the names without a leading underscore) that
are callables (functions and classes, not modules or constants), how many of them the facade has, and how
many of those have torch's signature (`signatures.compare` finds no difference). Torch's `Tensor` methods are
counted the same way against edugrad's `Tensor`.

`python tests/torch_api/torch_coverage.py` prints the table; `--write` puts it into docs/porting.md between the
coverage markers. `test_coverage.py` checks that the page shows the current figures.
"""

from __future__ import annotations

import importlib
import inspect
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
import signatures  # noqa: E402  (this folder's module, also used as a script)

PAGE = Path(__file__).parents[2] / "docs" / "porting.md"
START, END = "<!-- coverage:start -->", "<!-- coverage:end -->"

#: (torch's namespace, edugrad's facade module) in the order the table lists them.
ROWS = [
    ("torch", "edugrad.torch"),
    ("torch.Tensor", "Tensor"),
    ("torch.nn", "edugrad.torch.nn"),
    ("torch.nn.functional", "edugrad.torch.nn.functional"),
    ("torch.nn.init", "edugrad.torch.nn.init"),
    ("torch.optim", "edugrad.torch.optim"),
    ("torch.optim.lr_scheduler", "edugrad.torch.optim.lr_scheduler"),
    ("torch.utils.data", "edugrad.torch.utils.data"),
    ("torch.autograd", "edugrad.torch.autograd"),
]


def _callables(owner: Any, names: list[str]) -> list[str]:
    return [n for n in names if callable(getattr(owner, n, None)) and not inspect.ismodule(getattr(owner, n))]


def _documented(theirs: Any, method: bool) -> bool:
    """Whether torch gives a signature to compare with (a C++ constructor or an undocumented builtin has none)."""
    if inspect.isclass(theirs):
        if isinstance(getattr(theirs, "__init__", None), signatures.types.WrapperDescriptorType):
            return False
        theirs, method = theirs.__init__, True
    return bool(signatures.torch_signatures(theirs, method))


def count(torch_name: str, ours_name: str) -> tuple[int, int, int, int]:
    """(torch's callables, how many edugrad has, of those how many torch gives a signature for, and how many of
    these edugrad has with torch's signature)."""
    import torch

    from edugrad.tensor import Tensor

    if ours_name == "Tensor":
        theirs, ours = torch.Tensor, Tensor
        names = [n for n in dir(torch.Tensor) if not n.startswith("_")]
    else:
        theirs, ours = importlib.import_module(torch_name), importlib.import_module(ours_name)
        names = signatures.public_names(theirs)
    wanted = _callables(theirs, names)
    present = [n for n in wanted if callable(getattr(ours, n, None))]
    method = ours_name == "Tensor"
    documented = [n for n in present if _documented(getattr(theirs, n), method)]
    matching = [n for n in documented if not signatures.compare(getattr(ours, n), getattr(theirs, n), method=method)]
    return len(wanted), len(present), len(documented), len(matching)


def table() -> str:
    lines = ["| torch namespace | torch's public callables | in edugrad | with torch's signature |",
             "| --- | ---: | ---: | ---: |"]
    for torch_name, ours_name in ROWS:
        total, present, documented, matching = count(torch_name, ours_name)
        lines.append(f"| `{torch_name}` | {total} | {present} ({present / total:.0%}) | {matching} of the "
                     f"{documented} torch documents a signature for |")
    return "\n".join(lines)


def write(page: Path = PAGE) -> None:
    text = page.read_text()
    before, _, rest = text.partition(START)
    _, _, after = rest.partition(END)
    page.write_text(f"{before}{START}\n{table()}\n{END}{after}")


if __name__ == "__main__":
    if "--write" in sys.argv:
        write()
    print(table())
