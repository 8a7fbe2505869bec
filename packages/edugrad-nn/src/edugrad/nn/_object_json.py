"""How `save` writes an object as JSON and named arrays, and how `load` builds it again (private to `edugrad.nn`).

Top layer (`edugrad.nn`), under `serialization`, which puts the two into a safetensors file: the arrays as its
tensors, the JSON in its metadata. JSON already has lists, strings, numbers (Python writes a float as its
shortest repr, which reads back as the same float), true, false and null; everything else becomes a JSON
object with a tag: a tensor `{"__tensor__": "<its name among the arrays>"}`, a tuple `{"__tuple__": [...]}`, a
set `{"__set__": [...]}`, bytes `{"__bytes__": "<base64>"}`, a dtype `{"__dtype__": "float16"}`, and a dict
whose keys are not all strings, or of another type than dict, `{"__items__": [[key, value], ...]}` (with
`"type": "Counter"`, say), except an OrderedDict with string keys (a state dict), which stays an object with
`"__ordered__": true` in it. Types are matched exactly, never by isinstance, so nothing comes back as another
type than it was saved as.

A tensor object that appears twice is stored once and loads as one object. Two tensor objects that share
their values (`b = a.detach()`, a state dict of a model whose layers tie one weight) are stored once too: the
second is `{"__tensor__": name, "shares": 1}`, and loads as a tensor sharing the first one's values. The number
tells the tensor objects that share one stored tensor apart (1, 2, ... in the order they are met), so a sharing
tensor that appears twice loads as one object too. (Files that wrote `"shares": true` still load.)
"""

from __future__ import annotations

import base64
from collections import Counter, OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from numpy.typing import NDArray

from edugrad.nn.parameter import Parameter
from edugrad.tensor import DType, Tensor, dtypes

__all__ = ["Decoder", "Encoder", "MAX_DEPTH", "Placement", "TENSOR_TAG"]

#: The device a tensor was saved on ("cpu", "cuda:0") -> the name of the backend to load it onto.
Placement = Callable[[str], str]

TENSOR_TAG, TUPLE_TAG, ITEMS_TAG, SET_TAG = "__tensor__", "__tuple__", "__items__", "__set__"
BYTES_TAG, DTYPE_TAG = "__bytes__", "__dtype__"
#: An OrderedDict with string keys (a state dict) stays a readable JSON object, marked by this key set to true.
ORDERED_TAG = "__ordered__"
#: A dict holding one of these keys is written as `{"__items__": ...}`, so that it never reads as a tag.
TAGS = frozenset({TENSOR_TAG, TUPLE_TAG, ITEMS_TAG, SET_TAG, BYTES_TAG, DTYPE_TAG, ORDERED_TAG})
#: The dict types saved with their type, as `{"__items__": ..., "type": name}` (a MultiStepLR's milestones are
#: a Counter); a plain dict has no "type".
MAPPINGS: dict[str, type[dict[Any, Any]]] = {"dict": dict, "OrderedDict": OrderedDict, "Counter": Counter}
CONTAINERS = (list, tuple, set, dict, OrderedDict, Counter)
#: The tensor types saved with their type, as `{"__tensor__": ..., "type": "Parameter"}`; a Tensor has no "type".
TENSOR_TYPES: dict[str, type[Tensor]] = {"Tensor": Tensor, "Parameter": Parameter}

#: How deep containers may nest in a saved object. Encoding and decoding recurse, and a state dict nests about
#: four deep; the limit keeps far from Python's recursion limit, so that `load` can read whatever `save` wrote.
MAX_DEPTH = 100

SUPPORTED = ("Tensors and Parameters, Python numbers (bool, int, float), strings, bytes, None, dtypes, and lists, "
             "tuples, sets and dicts (also OrderedDict and Counter) of them")
KEYS = "strings, numbers, None, bytes or tuples of them"


class Encoder:
    """Turns an object into JSON-ready values, collecting the values of its tensors in `arrays`, each under the
    dotted path of its first place in the object."""

    def __init__(self, op: str, root: str) -> None:
        self.op, self.root = op, root
        self.arrays: dict[str, NDArray[Any]] = {}
        self.references: dict[int, dict[str, Any]] = {}  # id(tensor) -> its reference: a shared tensor is stored once
        self.stored: dict[tuple[Any, ...], list[tuple[Tensor, str]]] = {}  # (shape, dtype) -> tensors stored, names
        self.sharers = 0  # how many tensor objects share the values of one stored before them
        self.open: set[int] = set()  # the ids of the containers being encoded, to refuse one that holds itself

    def encode(self, value: Any, path: tuple[Hashable, ...]) -> Any:
        # Exact types, not isinstance: a subclass (an IntEnum, np.float64, a namedtuple, a defaultdict) would
        # come back as its base class, a silent change.
        kind = type(value)
        if value is None or kind in (bool, int, float, str):
            return value
        if isinstance(value, Tensor):
            return self.tensor(value, path)
        if kind in CONTAINERS:
            return self.container(value, path)
        if kind is bytes:
            return {BYTES_TAG: base64.b64encode(value).decode("ascii")}
        if kind is DType:
            return {DTYPE_TAG: value.name}
        hint = "; save its state_dict() instead" if callable(getattr(value, "state_dict", None)) else ""
        raise TypeError(f"{self.op}: {self.where(path)} is a {kind.__name__}, which edugrad cannot save{hint}; it "
                        f"saves {SUPPORTED}")

    def tensor(self, tensor: Tensor, path: tuple[Hashable, ...]) -> dict[str, Any]:
        kind = type(tensor).__name__
        if TENSOR_TYPES.get(kind) is not type(tensor):
            raise TypeError(f"{self.op}: {self.where(path)} is a {kind}, a subclass of Tensor that edugrad cannot "
                            "save; it saves Tensors and Parameters")
        reference = self.references.get(id(tensor))
        if reference is None:
            stored = self.stored.setdefault((tensor.shape, tensor.dtype), [])
            shared = next((name for other, name in stored if tensor.is_set_to(other)), None)
            if shared is None:
                shared = self.free_name(path)
                self.arrays[shared] = tensor.numpy()
                stored.append((tensor, shared))
                reference = {TENSOR_TAG: shared}
            else:
                self.sharers += 1
                reference = {TENSOR_TAG: shared, "shares": self.sharers}
            reference |= {"requires_grad": True} if tensor.requires_grad else {}
            if kind != "Tensor":
                reference["type"] = kind
            if tensor.device.type != "cpu":
                reference["device"] = str(tensor.device)
            self.references[id(tensor)] = reference
        return reference

    def container(self, value: list[Any] | tuple[Any, ...] | set[Any] | dict[Any, Any],
                  path: tuple[Hashable, ...]) -> Any:
        if id(value) in self.open:
            raise TypeError(f"{self.op}: {self.where(path)} contains itself, which edugrad cannot save")
        if len(self.open) == MAX_DEPTH:  # `open` holds the containers around this one
            raise ValueError(f"{self.op}: {self.where(path[:3])}... nests containers more than {MAX_DEPTH} deep; "
                             f"edugrad saves objects nested at most {MAX_DEPTH} deep")
        self.open.add(id(value))
        try:
            if isinstance(value, dict):
                return self.mapping(value, path)
            if isinstance(value, set):
                return {SET_TAG: [self.key(item, path) for item in value]}
            items = [self.encode(item, (*path, index)) for index, item in enumerate(value)]
            return items if isinstance(value, list) else {TUPLE_TAG: items}
        finally:
            self.open.discard(id(value))

    def mapping(self, mapping: dict[Any, Any], path: tuple[Hashable, ...]) -> Any:
        keys = [self.key(key, path) for key in mapping]
        values = [self.encode(value, (*path, key)) for key, value in mapping.items()]
        if type(mapping) in (dict, OrderedDict) and all(type(key) is str and key not in TAGS for key in mapping):
            plain = dict(zip(keys, values))
            return plain if type(mapping) is dict else {ORDERED_TAG: True} | plain
        encoded: dict[str, Any] = {ITEMS_TAG: [list(item) for item in zip(keys, values)]}
        return encoded if type(mapping) is dict else encoded | {"type": type(mapping).__name__}

    def key(self, key: Any, path: tuple[Hashable, ...]) -> Any:
        """A dict key or set item, encoded; it must be hashable again once loaded, so no lists or tensors."""
        if not is_plain_key(key):
            raise TypeError(f"{self.op}: {self.where(path)} holds {key!r:.60}, a {type(key).__name__}, as a key or "
                            f"set item; edugrad saves keys and set items that are {KEYS}")
        return self.encode(key, path)

    def free_name(self, path: tuple[Hashable, ...]) -> str:
        """The dotted path as the tensor's name in the file, with `#2`, `#3`, ... added if it is taken (the dict
        `{"a.b": x, "a": {"b": y}}` has two tensors at `a.b`); `__metadata__` is the header's own key."""
        base = ".".join(map(str, path)) or "tensor"
        name, count = base, 1
        while name in self.arrays or name == "__metadata__":
            count += 1
            name = f"{base}#{count}"
        return name

    def where(self, path: tuple[Hashable, ...]) -> str:
        """The place in the object, as Python indexing: `obj['model']['fc'][2]`."""
        return self.root + "".join(f"[{key!r}]" for key in path)


def is_plain_key(key: Any) -> bool:
    if type(key) is tuple:
        return all(is_plain_key(item) for item in key)
    return key is None or type(key) in (bool, int, float, str, bytes)


class Decoder:
    """The inverse of `Encoder`: builds the object from its JSON and the tensors' values, giving each stored
    tensor one Tensor however many places name it."""

    def __init__(self, arrays: dict[str, NDArray[Any]], place: Placement) -> None:
        self.arrays, self.place = arrays, place
        self.tensors: dict[str, Tensor] = {}  # name -> the tensor stored under it
        self.sharing: dict[object, Tensor] = {}  # the "shares" number -> the tensor sharing a stored one's values

    def decode(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.decode(item) for item in value]
        if not isinstance(value, dict):
            return value
        if TENSOR_TAG in value:
            return self.tensor(value)
        if TUPLE_TAG in value:
            return tuple(self.decode(item) for item in value[TUPLE_TAG])
        if value.get(ORDERED_TAG) is True:
            return OrderedDict((key, self.decode(item)) for key, item in value.items() if key != ORDERED_TAG)
        if ITEMS_TAG in value:
            mapping = {self.decode(key): self.decode(item) for key, item in value[ITEMS_TAG]}
            kind = MAPPINGS[value.get("type", "dict")]
            return mapping if kind is dict else kind(mapping)
        if SET_TAG in value:
            return {self.decode(item) for item in value[SET_TAG]}
        if BYTES_TAG in value:
            return base64.b64decode(value[BYTES_TAG], validate=True)
        if DTYPE_TAG in value:
            return dtypes.from_name(value[DTYPE_TAG])
        return {key: self.decode(item) for key, item in value.items()}

    def tensor(self, reference: dict[str, Any]) -> Tensor:
        name = reference[TENSOR_TAG]
        if not reference.get("shares", False):
            if name not in self.tensors:
                if name not in self.arrays:
                    raise ValueError(f"it refers to a tensor {name!r} that the file does not contain")
                array, backend = self.arrays[name], self.place(reference.get("device", "cpu"))
                values = Tensor(array, dtype=dtypes.from_numpy(array.dtype), backend=backend)
                self.tensors[name] = _typed(values, reference)
            return self.tensors[name]
        # Another tensor object with the values of the one stored under `name` (JSON keeps the order of an
        # object's keys, so the stored one came first); one number is one tensor object. `true`, of older
        # files, numbers nothing: each place it appears is a tensor of its own.
        if name not in self.tensors:
            raise ValueError(f"it refers to the values of a tensor {name!r} that the file does not store before it")
        number = reference["shares"]
        key = number if type(number) is int else id(reference)
        if key not in self.sharing:
            self.sharing[key] = _typed(self.tensors[name].detach(), reference)
        return self.sharing[key]


def _typed(values: Tensor, reference: dict[str, Any]) -> Tensor:
    """`values` as the tensor type and with the requires_grad the reference records (a Parameter shares the
    values of the Tensor it is made from: nothing is copied)."""
    requires_grad = reference.get("requires_grad", False)
    if TENSOR_TYPES[reference.get("type", "Tensor")] is Parameter:
        return Parameter(values, requires_grad)
    return values.requires_grad_(requires_grad)
