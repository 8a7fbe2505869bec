"""`Tensor`: the user-facing n-dimensional array with automatic differentiation.

Top of the three computing layers (`edugrad.tensor`). A Tensor is a `Node` of `edugrad.function` (so the
autograd engine can walk it) with a PyTorch-like API on top. Every method is a composition of the Functions
of the layer below, except the in-place updates (`add_`, `lerp_`, ...), which are never recorded and so run
the data layer's ops directly; none touches NumPy. The methods live in topic modules (creation, sampling,
conversion, movement, indexing, combine, sorting, categorical, reduce, elementwise, binary, inplace, linalg,
nn_ops, loss); this class lists them by topic, so it doubles as the table of contents of the API.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from edugrad.data import DType, TensorData, dtypes
from edugrad.data.tensor_data import BackendArg
from edugrad.function import Cast, Node
from edugrad.function import backward as run_backward
from edugrad.function.grad_mode import is_grad_enabled
from edugrad.tensor import binary, creation, elementwise, movement, reduce
from edugrad.tensor import linalg
from edugrad.tensor import loss, nn_ops
from edugrad.tensor import combine, indexing
from edugrad.tensor import inplace
from edugrad.tensor import tracing
from edugrad.tensor import categorical, sorting
from edugrad.tensor import random
from edugrad.tensor import devices
from edugrad.tensor import conversion, sampling
from edugrad.tensor.devices import DeviceLike
from edugrad.tensor import modes

Scalar = bool | int | float
TensorLike = Any  # a Tensor, a Python scalar, a (nested) list, a NumPy array or TensorData


def to_data(value: TensorLike, dtype: DType | None = None, backend: BackendArg = None) -> TensorData:
    """Convert user input to TensorData, inferring the dtype as torch.tensor does: Python bools become bool, ints
    int64 and floats the default dtype (float32); NumPy arrays and scalars keep their dtype and are copied, so
    later changes to the array do not leak in. A TensorData or a tensor is taken as it is (cast if asked)."""
    if isinstance(value, TensorData):
        return value if dtype is None else value.cast(dtype)
    if isinstance(value, Node):
        return value._data if dtype is None else value._data.cast(dtype)
    if isinstance(value, np.ndarray | np.generic):
        return TensorData.from_numpy(value, dtype, backend)
    array = np.asarray(value)
    if array.dtype == object or array.dtype.kind not in "biuf":
        raise TypeError(f"tensor: cannot build a tensor from {type(value).__name__} {value!r:.60}; expected a "
                        "number, a (nested) list of numbers of equal lengths, a NumPy array or a Tensor")
    if array.dtype.kind == "u":  # NumPy's choice for Python ints from 2**63 up
        raise OverflowError(f"tensor: {value!r:.60} holds an integer too large for int64")
    if dtype is None:
        kind = array.dtype.kind
        dtype = dtypes.bool if kind == "b" else dtypes.default_float if kind == "f" else dtypes.default_int
    return TensorData.from_numpy(array, dtype, backend)


class Tensor(Node):
    """An n-dimensional array that records the operations on it for `backward()`, as `torch.Tensor`."""

    __slots__ = ()

    def __init__(self, *args: Any, device: DeviceLike | None = None, dtype: DType | None = None,
                 requires_grad: builtins.bool = False, backend: str | None = None) -> None:
        """torch's legacy constructor: `Tensor([1, 2])` is the data in the default dtype (float32, even for
        ints), `Tensor(2, 3)` an uninitialised 2x3 tensor, `Tensor()` an empty one. `tensor(data)` is the
        constructor to prefer: it infers int64 and bool. edugrad's `dtype=`, `requires_grad=` and `backend=`
        are keyword-only extras."""
        backend_obj = devices.backend_for(device, backend, "Tensor")
        super().__init__(creation.legacy_data(args, dtype, backend_obj), requires_grad)

    # conversion and inspection

    def numpy(self, *, force: builtins.bool = False) -> np.ndarray[Any, Any]:
        """The values as a NumPy array that shares the tensor's memory, as torch's: a write to the array is a
        write to the tensor and to every view of its storage. The array is read-only for a tensor that
        requires grad (where torch refuses; `detach().numpy()` gives a writable one) and for memory that cannot
        be written (a broadcast view). On a GPU, and with `force=True`, it is a copy."""
        if force:
            return self._data.numpy()
        values = self._data.numpy(copy=False)
        if self.requires_grad:
            values = values.view()  # (a view: the tensor's own array stays writable)
            values.flags.writeable = False
        return values

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray[Any, Any]:
        # NumPy's conversion protocol: np.asarray(t) and np.array([t1, t2]) read the values.
        values = self._data.numpy()
        return values if dtype is None else values.astype(dtype)

    def item(self) -> Scalar:
        """The value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise ValueError(f"item: only a one-element tensor can be converted to a Python number, got shape "
                             f"{self.shape}")
        value: Scalar = self.numpy().reshape(()).item()
        return value

    def tolist(self) -> Any:
        """The values as (nested) Python lists."""
        return self.numpy().tolist()

    def numel(input) -> builtins.int:  # noqa: N805  (torch.numel(input) is this function)
        """The number of elements."""
        return input._data.size

    nelement = numel

    def dim(self) -> builtins.int:
        """The number of axes (`ndim`)."""
        return self._data.ndim

    ndimension = dim

    def size(self, dim: int | None = None) -> tuple[int, ...] | int:
        """The shape, or the size of axis `dim`."""
        return self.shape if dim is None else self.shape[movement.normalize_dim(self, dim, "size")]

    def element_size(self) -> int:
        """Bytes per element."""
        return self.dtype.itemsize

    @property
    def nbytes(self) -> builtins.int:
        """Bytes of all elements."""
        return self.dtype.itemsize * self._data.size

    def is_floating_point(input) -> builtins.bool:  # noqa: N805  (torch.is_floating_point(input) is this function)
        """True for a floating-point dtype (float16, bfloat16, float32, float64)."""
        return input.dtype.is_floating_point

    @property
    def backend(self) -> str:
        """The name of the backend the data lives on ("numpy" or "torch")."""
        return self._data.backend.name

    @property
    def device(self) -> devices.device:
        """Where the values live, as `torch.Tensor.device`: "cpu", or "cuda:0" on the torch backend's GPU."""
        return devices.device_of(self._data.backend)

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        return (self[i] for i in range(len(self)))

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError(f"the truth value of a tensor with {self._data.size} elements is ambiguous; use "
                               ".any() or .all()")
        return bool(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __float__(self) -> float:
        return float(self.item())

    def __index__(self) -> int:
        if self.dtype.is_floating_point or self._data.size != 1:
            raise TypeError(f"only one-element integer tensors can be used as an index, got {self.dtype.name} "
                            f"of shape {self.shape}")
        return int(self.item())

    __hash__ = Node.__hash__  # `==` builds a tensor, so hashing must stay by identity, as in PyTorch

    def __format__(self, format_spec: str) -> str:
        """`f"{t:.4f}"` formats the number of a 0-d tensor, as torch does; other tensors take no format spec."""
        if self.ndim == 0:
            return format(self.item(), format_spec)
        return super().__format__(format_spec)

    def __repr__(self) -> str:
        values = np.array2string(self.numpy(), separator=", ", prefix="tensor(")
        extras = "" if self.dtype in (dtypes.float32, dtypes.int64, dtypes.bool) else f", dtype={self.dtype.name}"
        if self._ctx is not None:
            extras += f", grad_fn=<{self._ctx.name}>"
        elif self.requires_grad:
            extras += ", requires_grad=True"
        return f"tensor({values}{extras})"

    # dtype conversion

    def cast(self, dtype: DType) -> Tensor:
        """The values converted to `dtype` (a float-to-int cast truncates toward zero, as in PyTorch)."""
        if dtype is self.dtype:
            return self
        return Cast.apply(self, dtype=dtype)

    def float(self) -> Tensor:
        """The values as float32 (same as `cast(dtypes.float32)`)."""
        return self.cast(dtypes.float32)

    def double(self) -> Tensor:
        """The values as float64 (same as `cast(dtypes.float64)`)."""
        return self.cast(dtypes.float64)

    def half(self) -> Tensor:
        """The values as float16 (same as `cast(dtypes.float16)`)."""
        return self.cast(dtypes.float16)

    def int(self) -> Tensor:
        """The values as int32 (same as `cast(dtypes.int32)`)."""
        return self.cast(dtypes.int32)

    def long(self) -> Tensor:
        """The values as int64 (same as `cast(dtypes.int64)`)."""
        return self.cast(dtypes.int64)

    def bool(self) -> Tensor:
        """The values as bool (same as `cast(dtypes.bool)`)."""
        return self.cast(dtypes.bool)

    def bfloat16(self) -> Tensor:
        """The values as bfloat16 (same as `cast(dtypes.bfloat16)`; needs the ml_dtypes package)."""
        return self.cast(dtypes.bfloat16)

    def short(self) -> Tensor:
        """The values as int16 (same as `cast(dtypes.int16)`)."""
        return self.cast(dtypes.int16)

    def char(self) -> Tensor:
        """The values as int8 (same as `cast(dtypes.int8)`)."""
        return self.cast(dtypes.int8)

    def byte(self) -> Tensor:
        """The values as uint8 (same as `cast(dtypes.uint8)`)."""
        return self.cast(dtypes.uint8)

    def bitcast(self, dtype: DType) -> Tensor:
        """The same bytes read as `dtype` (same itemsize); not differentiable."""
        if self.requires_grad and is_grad_enabled():
            raise RuntimeError("bitcast: not differentiable; detach() the tensor first")
        return Tensor._wrap(self._data.bitcast(dtype))

    # copies and in-place writes

    def contiguous(self) -> Tensor:
        """The tensor itself if its elements lie in row-major order in its storage (see `is_contiguous`), else
        a copy that is (and stays in the graph): what a transposed or expanded view needs before `view` or an
        in-place write."""
        if self._data.is_contiguous():
            return self
        if not self.requires_grad:
            return Tensor._wrap(self._data.clone())
        # In the graph: no view can flatten memory that is not in row-major order, so this reshape copies it
        # into that order, and the reshape back is a view of the copy.
        return movement.reshape(movement.reshape(self, -1), self.shape)

    def stride(self, dim: builtins.int | None = None) -> tuple[builtins.int, ...] | builtins.int:
        """How many elements of the storage one step along each axis skips, or along axis `dim`, as
        torch.Tensor.stride: (3, 1) for a new 2x3 tensor, (1, 3) for its transpose, 0 on an expanded axis."""
        strides = self._data.strides()
        return strides if dim is None else strides[movement.normalize_dim(self, dim, "stride")]

    def storage_offset(self) -> builtins.int:
        """Where the first element sits in the storage, in elements: 3 for `x[1]` of a 2x3 tensor."""
        return self._data.offset()

    def is_contiguous(self) -> builtins.bool:
        """Whether the elements lie in row-major order with no gaps: the strides a new tensor of this shape has."""
        return self._data.is_contiguous()

    def clone(self) -> Tensor:
        """A copy that stays in the graph (gradients flow back to self)."""
        return self + 0 if self.requires_grad else Tensor._wrap(self._data.clone())

    def assign(self, value: TensorLike) -> Tensor:
        """Replace the values in place (shape and dtype are kept); returns self. Refused while the tensor is part
        of a graph that records gradients, because backward would then read the new values."""
        new = to_data(value, self.dtype, self.backend) if not isinstance(value, Tensor) else value._data
        if new.shape != self.shape:
            if new.size != 1:
                raise ValueError(f"assign: cannot assign a value of shape {new.shape} to a tensor of shape "
                                 f"{self.shape}")
            new = new.reshape((1,) * self.ndim).expand(self.shape)  # one value fills the tensor
        self._check_writable("assign")
        self._data.assign(new.cast(self.dtype))
        return self

    @property
    def data(self) -> Tensor:
        """PyTorch's `.data`: a tensor with the same values, cut off from the graph (no grad, no grad_fn),
        that shares this tensor's storage, so an in-place change of either (`p.data.add_(...)`) is seen by
        both. Unlike PyTorch's `.data`, which has a version counter of its own, edugrad counts such a change
        for backward too: a value changed through `.data` after a Function saved it makes backward raise
        instead of silently using the new value."""
        return Tensor._wrap(self._data)

    @data.setter
    def data(self, value: Tensor) -> None:
        """`t.data = other` makes t share other's values (any shape), keeping t's place in the model and its
        requires_grad, as in PyTorch."""
        if not isinstance(value, Tensor):  # torch: "Variable data has to be a tensor, but got ..."
            raise TypeError(f"data: the new data has to be a Tensor, but got {type(value).__name__}; wrap it in "
                            "tensor(...) first")
        if self.requires_grad and not value.dtype.is_floating_point:
            raise TypeError(f"data: a tensor that requires grad needs floating-point data, got {value.dtype.name}")
        self._data = value._data

    def is_set_to(self, tensor: Tensor) -> builtins.bool:
        """True if both tensors are the same view of one storage (same offset, shape and strides), so that an
        in-place write to either is seen by the other, element for element: after `b = a.detach()`,
        `b = a.data` or `b = a.view(a.shape)`, as torch.Tensor.is_set_to."""
        if not isinstance(tensor, Tensor):
            raise TypeError(f"is_set_to: expected a Tensor, got {type(tensor).__name__}")
        mine, theirs = self._data, tensor._data
        return mine.storage is theirs.storage and (mine.shape, mine.strides(), mine.offset()) == (
            theirs.shape, theirs.strides(), theirs.offset())

    def _check_writable(self, op: str) -> None:
        if self.requires_grad and is_grad_enabled():
            if self.is_leaf:  # torch's words
                raise RuntimeError(f"{op}: a leaf Variable that requires grad is being used in an in-place "
                                   "operation; wrap the change in `with no_grad():` (as optimizers do) or change a "
                                   "detach()ed tensor")
            raise RuntimeError(f"{op}: a tensor that requires grad cannot be changed in place while gradients are "
                               "recorded; wrap the change in `with no_grad():` or change a detach()ed copy")

    # in-place updates of the values (optimizers, running statistics); nothing is recorded for backward
    add_ = inplace.add_
    sub_ = inplace.sub_
    mul_ = inplace.mul_
    div_ = inplace.div_
    lerp_ = inplace.lerp_
    addcmul_ = inplace.addcmul_
    addcdiv_ = inplace.addcdiv_
    uniform_ = inplace.uniform_
    normal_ = inplace.normal_
    clamp_ = inplace.clamp_
    zero_ = inplace.zero_
    fill_ = inplace.fill_
    copy_ = inplace.copy_

    # training mode, per thread (see tensor.modes)
    train = modes.train
    is_training = staticmethod(modes.is_training)

    # devices and dtypes (`to` also casts), and torch's new_* methods
    to = conversion.to
    cpu = conversion.cpu
    cuda = conversion.cuda
    is_cuda = property(conversion.is_cuda)
    get_device = conversion.get_device
    type_as = conversion.type_as
    type = conversion.type
    pin_memory = conversion.pin_memory
    is_pinned = conversion.is_pinned
    new_tensor = conversion.new_tensor
    new_zeros = conversion.new_zeros
    new_ones = conversion.new_ones
    new_full = conversion.new_full
    new_empty = conversion.new_empty

    # creation as staticmethods (the module-level functions are torch's: zeros(2, 3), arange(5), ...), and the
    # reference edugrad's samplers and initializers, which torch has no name for
    empty = staticmethod(creation.empty)
    zeros = staticmethod(creation.zeros)
    ones = staticmethod(creation.ones)
    full = staticmethod(creation.full)
    arange = staticmethod(creation.arange)
    linspace = staticmethod(creation.linspace)
    logspace = staticmethod(creation.logspace)
    eye = staticmethod(creation.eye)
    rand = staticmethod(sampling.rand)
    randn = staticmethod(sampling.randn)
    randint = staticmethod(sampling.randint)
    manual_seed = staticmethod(random.manual_seed)
    normal = staticmethod(sampling.normal_values)
    uniform = staticmethod(sampling.uniform)
    scaled_uniform = staticmethod(sampling.scaled_uniform)
    glorot_uniform = staticmethod(sampling.glorot_uniform)
    kaiming_uniform = staticmethod(sampling.kaiming_uniform)
    kaiming_normal = staticmethod(sampling.kaiming_normal)
    # the reference's x.zeros_like() (torch has only the functions, zeros_like(x)): the same functions
    zeros_like = creation.zeros_like
    ones_like = creation.ones_like
    full_like = creation.full_like
    empty_like = creation.empty_like
    rand_like = sampling.rand_like
    randn_like = sampling.randn_like
    randint_like = sampling.randint_like

    # movement
    reshape = movement.reshape
    view = movement.view
    expand = movement.expand
    permute = movement.permute
    transpose = movement.transpose
    unsqueeze = movement.unsqueeze
    squeeze = movement.squeeze
    flatten = movement.flatten
    unflatten = movement.unflatten
    flip = movement.flip
    pad = movement.pad
    pad2d = movement.pad2d
    shrink = movement.shrink
    repeat = movement.repeat
    t = movement.t
    T = property(movement.reversed_dims)
    mT = property(movement.matrix_transpose)
    swapaxes = movement.swapaxes
    swapdims = movement.swapdims
    movedim = movement.movedim
    narrow = movement.narrow
    roll = movement.roll
    view_as = movement.view_as
    reshape_as = movement.reshape_as
    expand_as = movement.expand_as

    # indexing
    __getitem__ = indexing.getitem
    __setitem__ = indexing.setitem
    gather = indexing.gather
    scatter = indexing.scatter
    scatter_add = indexing.scatter_add
    masked_fill = indexing.masked_fill
    masked_fill_ = inplace.masked_fill_
    index_select = indexing.index_select
    repeat_interleave = indexing.repeat_interleave

    # combine and split; cat and stack are torch.cat and torch.stack (`Tensor.cat([a, b], 1)`, the reference
    # edugrad's spelling, is `edugrad.tensor.cat([a, b], 1)`)
    cat = staticmethod(combine.cat)
    stack = staticmethod(combine.stack)
    split = combine.split_method
    chunk = combine.chunk
    unbind = combine.unbind

    # sorting and sampling
    sort = sorting.sort
    argsort = sorting.argsort
    topk = sorting.topk
    multinomial = categorical.multinomial

    # reduce
    sum = reduce.sum
    prod = reduce.prod
    mean = reduce.mean
    var = reduce.var
    std = reduce.std
    max = reduce.max
    min = reduce.min
    amax = reduce.amax
    amin = reduce.amin
    argmax = reduce.argmax
    argmin = reduce.argmin
    logsumexp = reduce.logsumexp
    cumsum = reduce.cumsum
    cumprod = reduce.cumprod
    softmax = reduce.softmax
    log_softmax = reduce.log_softmax
    any = reduce.any
    all = reduce.all

    # elementwise math
    neg = elementwise.neg
    abs = elementwise.abs
    sign = elementwise.sign
    exp = elementwise.exp
    exp2 = elementwise.exp2
    log = elementwise.log
    log2 = elementwise.log2
    sqrt = elementwise.sqrt
    rsqrt = elementwise.rsqrt
    square = elementwise.square
    reciprocal = elementwise.reciprocal
    sin = elementwise.sin
    cos = elementwise.cos
    tan = elementwise.tan
    tanh = elementwise.tanh
    sigmoid = elementwise.sigmoid
    erf = elementwise.erf
    relu = elementwise.relu
    leaky_relu = elementwise.leaky_relu
    elu = elementwise.elu
    gelu = elementwise.gelu
    silu = elementwise.silu
    swish = elementwise.silu
    softplus = elementwise.softplus
    mish = elementwise.mish
    hardtanh = elementwise.hardtanh
    clamp = elementwise.clamp
    clip = elementwise.clamp
    trunc = elementwise.trunc
    floor = elementwise.floor
    ceil = elementwise.ceil
    round = elementwise.round
    isnan = elementwise.isnan
    isinf = elementwise.isinf
    isfinite = elementwise.isfinite
    __abs__ = elementwise.abs

    # broadcasted binary ops and their operators
    add = binary.add
    sub = binary.sub
    mul = binary.mul
    div = binary.div
    pow = binary.pow
    maximum = binary.maximum
    minimum = binary.minimum
    where = binary.tensor_where
    eq = binary.eq
    ne = binary.ne
    lt = binary.lt
    le = binary.le
    gt = binary.gt
    ge = binary.ge
    isclose = binary.isclose
    allclose = binary.allclose
    equal = binary.equal
    logical_not = binary.logical_not
    logical_and = binary.logical_and
    logical_or = binary.logical_or
    logical_xor = binary.logical_xor
    bitwise_not = binary.bitwise_not
    __add__ = binary.add
    __radd__ = binary.radd
    __sub__ = binary.sub
    __rsub__ = binary.rsub
    __mul__ = binary.mul
    __rmul__ = binary.rmul
    __truediv__ = binary.div
    __rtruediv__ = binary.rdiv
    __floordiv__ = binary.floordiv
    __rfloordiv__ = binary.rfloordiv
    __mod__ = binary.mod
    __rmod__ = binary.rmod
    __pow__ = binary.pow
    __rpow__ = binary.rpow
    __iadd__ = binary.iadd
    __isub__ = binary.isub
    __imul__ = binary.imul
    __itruediv__ = binary.idiv
    __ifloordiv__ = binary.ifloordiv
    __imod__ = binary.imod
    __ipow__ = binary.ipow
    __and__ = binary.logical_and
    __or__ = binary.logical_or
    __xor__ = binary.logical_xor
    __invert__ = binary.bitwise_not
    __neg__ = elementwise.neg
    __lt__ = binary.lt
    __le__ = binary.le
    __gt__ = binary.gt
    __ge__ = binary.ge
    __eq__ = binary.eq  # type: ignore[assignment]
    __ne__ = binary.ne  # type: ignore[assignment]
    __array_ufunc__ = None  # makes NumPy hand `array + tensor` and `array @ tensor` to our reflected methods

    # linear algebra
    matmul = linalg.matmul
    dot = linalg.dot
    mm = linalg.mm
    bmm = linalg.bmm
    outer = linalg.outer
    diagonal = linalg.diagonal
    diag = linalg.diag
    trace = linalg.trace
    tril = linalg.tril
    triu = linalg.triu
    linear = linalg.linear
    einsum = staticmethod(linalg.einsum)
    __matmul__ = linalg.matmul
    __rmatmul__ = linalg.rmatmul

    # nn ops
    conv2d = nn_ops.conv2d
    conv_transpose2d = nn_ops.conv_transpose2d
    max_pool2d = nn_ops.max_pool2d
    max_pool2d_with_indices = nn_ops.max_pool2d_with_indices
    avg_pool2d = nn_ops.avg_pool2d
    im2col = nn_ops.im2col
    col2im = nn_ops.col2im
    dropout = nn_ops.dropout
    embedding = nn_ops.embedding
    scaled_dot_product_attention = nn_ops.scaled_dot_product_attention

    # losses, under torch.nn.functional's names, as methods of the prediction
    cross_entropy = loss.cross_entropy
    nll_loss = loss.nll_loss
    binary_cross_entropy = loss.binary_cross_entropy
    binary_cross_entropy_with_logits = loss.binary_cross_entropy_with_logits
    mse_loss = loss.mse_loss
    l1_loss = loss.l1_loss

    # the reference API's names (tinygrad's), kept for programs written against it; torch has no Tensor
    # methods for these, and edugrad.nn.functional is the torch-shaped way to reach them
    layernorm = nn_ops.layernorm
    batchnorm = nn_ops.batchnorm
    sparse_categorical_crossentropy = loss.sparse_categorical_crossentropy
    binary_crossentropy = loss.binary_cross_entropy
    binary_crossentropy_logits = loss.binary_cross_entropy_with_logits

    # seeing inside (the graph as text, DOT or Mermaid; `edugrad.tensor.tracing.trace` records a block of code)
    graph = tracing.graph

    def backward(self, gradient: Tensor | None = None, retain_graph: builtins.bool | None = None,
                 create_graph: builtins.bool = False, inputs: Tensor | Sequence[Tensor] | None = None) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's `.grad`, as torch.Tensor.backward: the autograd engine
        of edugrad.function (`edugrad.function.backward`) run from this tensor."""
        run_backward(self, gradient, retain_graph=retain_graph, create_graph=create_graph, inputs=inputs)


# torch's top-level functions that are Tensor methods too: the same function objects
numel = Tensor.numel
is_floating_point = Tensor.is_floating_point
