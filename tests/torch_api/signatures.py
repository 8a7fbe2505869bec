"""Compare the signatures of `edugrad.torch`'s callables with PyTorch 2.13's.

The rule of the facade: where edugrad has a name that torch has, it has torch's parameters, in torch's order,
with torch's kinds (positional or keyword-only) and defaults. This module finds torch's signature of a name
(`inspect.signature` for Python functions, the documented signatures in the docstring for torch's C++
builtins, which `inspect` cannot see) and lists how edugrad's differs. `test_signatures.py` asserts there is
no difference beyond the documented exceptions below; `torch_coverage.py` counts, per namespace, how many of
torch's names edugrad has with torch's signature.

Run as a script to see the differences of one namespace: `python tests/torch_api/signatures.py nn.functional`.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
import sys
import types
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

#: torch parameters edugrad leaves out everywhere, each with its reason. A signature is compared without them.
OMITTED: dict[str, str] = {
    "out": "edugrad never writes a result into a preallocated tensor: every result is a new tensor",
    "layout": "edugrad has dense (strided) tensors only",
    "memory_format": "edugrad tensors have one memory layout; no channels-last or other formats",
    "sparse_grad": "edugrad has no sparse tensors",
    "_stacklevel": "a private argument of torch's deprecation warnings",
    "_random_samples": "a private argument of torch's fractional max pooling",
}

#: Parameters only edugrad has, allowed as keyword-only extras after torch's, each with its reason.
EXTRAS: dict[str, str] = {
    "backend": "which edugrad.data backend holds the values (torch's device= names one too)",
    "axis": "NumPy's name for dim, which torch accepts as an alias too",
    "unbiased": "var/std: torch's older overload var(input, dim, unbiased, keepdim), accepted by keyword",
}

# A documented signature: `topk(input, k, ...) -> ...`, or an overload written `.. function:: sum(input, dim, ...)`.
_SIGNATURE_LINE = re.compile(r"^\s*(?:\.\. function:: )?(?:torch\.|Tensor\.)?(\w+)\((.*?)\)\s*(?:->.*)?$")


@dataclass(frozen=True)
class Param:
    """One parameter as compared: its name, kind and default (a literal, or None when it has no literal
    default; `has_default` tells None from no default)."""

    name: str
    kind: str  # "positional", "varargs", "keyword", "varkw"
    has_default: bool
    default: Any = None
    literal: bool = False  # whether `default` is a comparable literal


def _kind(parameter: inspect.Parameter) -> str:
    return {
        inspect.Parameter.POSITIONAL_ONLY: "positional",
        inspect.Parameter.POSITIONAL_OR_KEYWORD: "positional",
        inspect.Parameter.VAR_POSITIONAL: "varargs",
        inspect.Parameter.KEYWORD_ONLY: "keyword",
        inspect.Parameter.VAR_KEYWORD: "varkw",
    }[parameter.kind]


def _literal(text: str) -> tuple[bool, Any]:
    try:
        return True, ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return False, text


def _name(name: str) -> str:
    """torch documents `uniform_(from=0, to=1)`; `from` is a Python keyword, so Python code names it `from_`
    (torch's own Python functions too): both read as `from`."""
    return "from" if name == "from_" else name


def from_inspect(fn: Callable[..., Any], drop_first: bool = False) -> list[Param] | None:
    """The parameters of a Python callable (None if inspect cannot see them)."""
    try:
        parameters = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return None
    if drop_first and parameters and parameters[0].kind is not inspect.Parameter.VAR_POSITIONAL:
        parameters = parameters[1:]
    params = []
    for p in parameters:
        has_default = p.default is not inspect.Parameter.empty
        literal = has_default and (p.default is None or isinstance(p.default, (bool, int, float, str, tuple)))
        params.append(Param(_name(p.name), _kind(p), has_default, p.default if has_default else None, literal))
    return params


def from_docstring_line(args: str) -> list[Param]:
    """The parameters of one documented signature such as `topk(input, k, dim=None, *, out=None)`."""
    params: list[Param] = []
    keyword = False
    depth, piece, pieces = 0, "", []
    for char in args.replace("\\*", "*"):  # split at top-level commas only (defaults may hold tuples)
        depth += char in "([{"
        depth -= char in ")]}"
        if char == "," and depth == 0:
            pieces.append(piece)
            piece = ""
        else:
            piece += char
    pieces.append(piece)
    for raw in (p.strip() for p in pieces):
        if not raw:
            continue
        if raw == "*":
            keyword = True
            continue
        if raw.startswith("**"):
            params.append(Param(raw[2:], "varkw", False))
            continue
        if raw.startswith("*"):
            params.append(Param(raw[1:].split(":")[0].strip(), "varargs", False))
            keyword = True
            continue
        name, _, default = raw.partition("=")
        name = _name(name.split(":")[0].strip())
        literal, value = _literal(default.strip()) if default else (False, None)
        params.append(Param(name, "keyword" if keyword else "positional", bool(default), value, literal))
    return params


def documented_signatures(fn: Any) -> list[list[Param]]:
    """Every signature torch's docstring of `fn` documents (its overloads), in order."""
    name = getattr(fn, "__name__", None)
    found = []
    for line in (getattr(fn, "__doc__", None) or "").splitlines():
        match = _SIGNATURE_LINE.match(line)
        if match and match.group(1) == name:
            found.append(from_docstring_line(match.group(2)))
    return found


def torch_signatures(fn: Any, method: bool = False) -> list[list[Param]]:
    """torch's signatures of `fn` (several for overloaded builtins), without the omitted parameters; for a
    method, without `self` (Python methods) or `input` (none is documented for Tensor methods). Many Tensor
    methods document only "See torch.X": their signatures are then those of torch.X without its `input`."""
    params = from_inspect(fn, drop_first=method)
    if params is not None and [p.kind for p in params] == ["varargs", "varkw"]:
        # `(*args, **kwargs)`: a class that declares its constructor with typing.overload (nn.RNN), or a
        # function torch dispatches on a flag (F.max_pool2d on return_indices); their documented forms count.
        declared = [from_inspect(o, drop_first=method) for o in typing.get_overloads(fn)]
        params = None
        overloads = [o for o in declared if o is not None] or documented_signatures(fn)
    else:
        overloads = [params] if params is not None else documented_signatures(fn)
    if method and params is None:
        import torch

        function = getattr(torch, getattr(fn, "__name__", ""), None)
        if function is not None and function is not fn:
            overloads += [o[1:] for o in documented_signatures(function) if o and o[0].name == "input"]
    return [[p for p in overload if p.name not in OMITTED] for overload in overloads]


def edugrad_signature(fn: Any, method: bool = False, theirs: frozenset[str] = frozenset()) -> list[Param] | None:
    """edugrad's signature of `fn`, without the documented extras (except those torch has too, in `theirs`:
    torch.compile's `backend` is torch's own)."""
    params = from_inspect(fn, drop_first=method)
    if params is None:
        return None
    return [p for p in params if not (p.name in EXTRAS and p.kind == "keyword" and p.name not in theirs)]


def _describe(params: list[Param]) -> str:
    parts, star = [], False
    for p in params:
        if p.kind == "keyword" and not star:
            parts.append("*")
            star = True
        prefix = {"varargs": "*", "varkw": "**"}.get(p.kind, "")
        star = star or p.kind == "varargs"
        default = f"={p.default!r}" if p.has_default and p.literal else ("=..." if p.has_default else "")
        parts.append(f"{prefix}{p.name}{default}")
    return "(" + ", ".join(parts) + ")"


def differences(ours: list[Param], theirs: list[Param], optional: frozenset[str] = frozenset()) -> list[str]:
    """How `ours` differs from one of torch's signatures: names, order, kinds and literal defaults. A parameter
    in `optional` may have a default in ours where this overload has none: another overload of torch's lets
    the caller leave it out (one Python function with `dim=None` covers `sum(input)` and `sum(input, dim)`)."""
    problems = []
    if [p.name for p in ours] != [p.name for p in theirs]:
        problems.append(f"parameters {_describe(ours)}, torch has {_describe(theirs)}")
        return problems
    for i, (a, b) in enumerate(zip(ours, theirs)):
        # A positional parameter after torch's *size (varargs) is keyword-only in Python: compare as such.
        if a.kind != b.kind and not (b.kind == "positional" and a.kind == "keyword" and b.has_default is False):
            problems.append(f"{a.name} is {a.kind}, torch's is {b.kind}")
        # torch documents overloads such as `randint(low=0, high, size)`, which Python cannot write: after a
        # parameter with a default, ours needs one too.
        after_default = any(p.has_default and p.kind == "positional" for p in theirs[:i])
        if b.has_default and not a.has_default:
            problems.append(f"{a.name} has no default, torch's is {b.default!r}")
        elif (a.has_default and not b.has_default and a.kind == b.kind == "positional" and not after_default
              and a.name not in optional):
            problems.append(f"{a.name} has a default {a.default!r}, torch's has none")
        elif a.literal and b.literal and a.default != b.default:
            problems.append(f"{a.name} defaults to {a.default!r}, torch's to {b.default!r}")
    return problems


def compare(ours_fn: Any, theirs_fn: Any, method: bool = False) -> list[str]:
    """[] if edugrad's `ours_fn` has one of torch's signatures of `theirs_fn`, else what differs (from the
    overload that differs least). Classes are compared by their constructors."""
    if inspect.isclass(ours_fn):
        if isinstance(getattr(theirs_fn, "__init__", None), types.WrapperDescriptorType):
            return []  # a constructor written in C (torch.Tensor, torch.device, ...): no signature to compare with
        ours_fn, theirs_fn, method = ours_fn.__init__, getattr(theirs_fn, "__init__", theirs_fn), True
    theirs = torch_signatures(theirs_fn, method)
    if not theirs:
        return []  # torch documents no signature: nothing to compare with
    ours = edugrad_signature(ours_fn, method, frozenset(p.name for overload in theirs for p in overload))
    if ours is None:
        return ["edugrad's signature cannot be inspected"]
    best: list[str] | None = None
    for overload in theirs:
        optional = frozenset(p.name for other in theirs for p in overload if p.name not in {q.name for q in other})
        found = differences(ours, overload, optional)
        if not found:
            return []
        if best is None or len(found) < len(best):
            best = found
    return best or []


#: The namespaces of the facade, each with torch's twin.
NAMESPACES: dict[str, str] = {
    "edugrad.torch": "torch",
    "edugrad.torch.nn": "torch.nn",
    "edugrad.torch.nn.functional": "torch.nn.functional",
    "edugrad.torch.nn.init": "torch.nn.init",
    "edugrad.torch.optim": "torch.optim",
    "edugrad.torch.optim.lr_scheduler": "torch.optim.lr_scheduler",
    "edugrad.torch.utils.data": "torch.utils.data",
    "edugrad.torch.autograd": "torch.autograd",
    "edugrad.torch.distributed": "torch.distributed",
    "edugrad.torch.nn.parallel": "torch.nn.parallel",
    "edugrad.torch.utils.data.distributed": "torch.utils.data.distributed",
}


def public_names(module: Any) -> list[str]:
    """The public names a module exports (its `__all__`, else its names without a leading underscore)."""
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n in vars(module) if not n.startswith("_")]
    return sorted(names)


def namespace_pairs(ours_name: str) -> Iterator[tuple[str, Any, Any]]:
    """(name, edugrad's object, torch's object) for every callable name the facade module exports that torch's
    twin has too (modules excluded)."""
    ours, theirs = importlib.import_module(ours_name), importlib.import_module(NAMESPACES[ours_name])
    for name in public_names(ours):
        a, b = getattr(ours, name), getattr(theirs, name, None)
        if b is None or inspect.ismodule(a) or not callable(a) or not callable(b):
            continue
        yield name, a, b


def tensor_method_pairs() -> Iterator[tuple[str, Any, Any]]:
    """(name, edugrad's Tensor method, torch.Tensor's) for every public method both have."""
    import torch

    from edugrad.tensor import Tensor

    for name in sorted(dir(Tensor)):
        if name.startswith("_") and name not in ("__getitem__", "__setitem__", "__format__"):
            continue
        ours, theirs = inspect.getattr_static(Tensor, name), getattr(torch.Tensor, name, None)
        if theirs is None or isinstance(ours, property) or not callable(getattr(Tensor, name)):
            continue
        yield name, getattr(Tensor, name), theirs


def report(ours_name: str) -> dict[str, list[str]]:
    """name -> differences, for every shared callable of one namespace ("Tensor" for the methods)."""
    if ours_name == "Tensor":
        return {name: compare(a, b, method=True) for name, a, b in tensor_method_pairs()}
    return {name: compare(a, b) for name, a, b in namespace_pairs(ours_name)}


if __name__ == "__main__":
    wanted = sys.argv[1:] or ["Tensor", *NAMESPACES]
    for namespace in wanted:
        full = namespace if namespace == "Tensor" or namespace.startswith("edugrad") else f"edugrad.torch.{namespace}"
        full = "edugrad.torch" if namespace == "torch" else full
        for name, problems in report(full).items():
            for problem in problems:
                print(f"{full}.{name}: {problem}")
