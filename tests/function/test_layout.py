"""The function package's modules import each other without circles, so each can be read after the ones it
uses: node and function at the bottom, the Functions above them, the engine above those, gradcheck and graph
on top. Imports under `if TYPE_CHECKING:` are for annotations only and do not count."""

from __future__ import annotations

import ast
from pathlib import Path

import edugrad.function

PACKAGE = Path(edugrad.function.__file__).parent
MODULES = sorted(path.stem for path in PACKAGE.glob("*.py") if path.stem != "__init__")


def runtime_imports(module: str) -> set[str]:
    """The package modules `module` imports when it runs ("__init__" for the package itself)."""
    tree = ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
    type_only = {id(node) for block in ast.walk(tree) if isinstance(block, ast.If)
                 and ast.unparse(block.test) == "TYPE_CHECKING" for node in ast.walk(block)}
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in type_only or not isinstance(node, ast.ImportFrom):
            continue
        if node.module == "edugrad.function":
            found |= {alias.name if alias.name in MODULES else "__init__" for alias in node.names}
        elif node.module is not None and node.module.startswith("edugrad.function."):
            found.add(node.module.removeprefix("edugrad.function."))
    return found


def cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle, as the list of modules along it, or None."""
    done: set[str] = set()
    for start in graph:
        path, stack = [start], [iter(sorted(graph[start]))]
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                done.add(path.pop())
                stack.pop()
            elif nxt in path:
                return path[path.index(nxt):] + [nxt]
            elif nxt not in done:
                path.append(nxt)
                stack.append(iter(sorted(graph.get(nxt, set()))))
    return None


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert cycle({"a": {"b"}, "b": set()}) is None


def test_no_module_of_the_function_package_imports_another_in_a_circle() -> None:
    graph = {module: runtime_imports(module) for module in MODULES}
    assert all("__init__" not in imported for imported in graph.values()), graph
    assert "engine" not in graph["node"] and "movement" in graph["broadcast"]
    assert "broadcast" not in graph["movement"] and "reduce" not in graph["movement"]
    assert cycle(graph) is None
