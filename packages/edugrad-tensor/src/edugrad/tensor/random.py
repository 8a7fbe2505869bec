"""`Generator`: a random stream, as `torch.Generator`, and torch's functions that seed the default ones.

Tensor layer (`edugrad.tensor`). The streams themselves live in the backends of `edugrad.data` (NumPy's
`np.random.Generator`, torch's `torch.Generator`): a Generator holds one of them, with the device it belongs to
and the seed it started from, and the random functions (`rand`, `randn`, `randint`, `randperm`, `normal`, ...)
hand it to the data layer's random load ops. Without `generator=`, they draw from the device's default
Generator; `manual_seed(seed)` seeds the default Generators of every device, so that a seeded program draws the
same numbers in every run. Unseeded, the defaults start from a seed of the operating system's (as torch's CPU
generator does), while a new `Generator()` starts from torch's fixed default seed.
"""

from __future__ import annotations

import secrets
from typing import Any

from edugrad.data import Backend, TensorData, dtypes
from edugrad.tensor import _tensor as _t
from edugrad.tensor.devices import DeviceLike, backend_of, device, device_of

#: The seed of a new `torch.Generator()`.
DEFAULT_SEED = 67280421310721
_SEED_BYTES = 8  # get_state() ends with the initial seed, so that set_state() restores initial_seed() too
_MAX_SEED = 2**64 - 1


class Generator:
    """A random stream on one device, as `torch.Generator`. `Generator().manual_seed(0)` draws the same numbers
    in every run; give it as `generator=` to a random function. Two Generators never share a stream."""

    __slots__ = ("device", "_backend", "_stream", "_initial_seed")

    device: device
    _backend: Backend
    _stream: Any  # the backend's own generator object
    _initial_seed: int

    def __init__(self, device: DeviceLike = "cpu") -> None:
        self._backend = backend_of(device)
        self.device = device_of(self._backend)
        self._stream = self._backend.new_generator(DEFAULT_SEED)
        self._initial_seed = DEFAULT_SEED

    @classmethod
    def _around(cls, backend: Backend, seed: int | None) -> Generator:
        """The default Generator of a backend: it holds the backend's own stream, seeded with `seed` or, if that
        is None, with a seed from the operating system."""
        generator = cls.__new__(cls)
        generator._backend, generator.device, generator._stream = backend, device_of(backend), backend.generator
        if seed is None:
            generator.seed()
        else:
            generator.manual_seed(seed)
        return generator

    def manual_seed(self, seed: int) -> Generator:
        """Restart the stream from `seed` (an int from -2**63 to 2**64 - 1; a negative one counts as 2**64 + seed,
        its 64 bits read as unsigned, as in torch); returns this Generator."""
        seed = _checked_seed(seed)
        self._backend.seed_generator(self._stream, seed)
        self._initial_seed = seed
        return self

    def seed(self) -> int:
        """Restart the stream from a seed of the operating system's, and return that seed."""
        seed = secrets.randbits(64)
        self.manual_seed(seed)
        return seed

    def initial_seed(self) -> int:
        """The seed the stream started from (the last `manual_seed` or `seed`)."""
        return self._initial_seed

    def get_state(self) -> _t.Tensor:
        """The whole state of the stream as a uint8 tensor on the CPU; `set_state` returns to it."""
        stream_state = self._backend.generator_state(self._stream).tobytes()
        state = stream_state + self._initial_seed.to_bytes(_SEED_BYTES, "little")
        return _t.Tensor._wrap(TensorData.from_numpy(bytearray(state), dtypes.uint8, backend_of("cpu")))

    def set_state(self, new_state: _t.Tensor) -> Generator:
        """Return the stream to a state from `get_state` (of a Generator on the same device); returns this
        Generator."""
        if not isinstance(new_state, _t.Tensor) or new_state.dtype is not dtypes.uint8:
            kind = new_state.dtype.name if isinstance(new_state, _t.Tensor) else new_state.__class__.__name__
            raise TypeError(f"set_state: expected a uint8 tensor from get_state(), got {kind}")
        raw = new_state.numpy().reshape(-1)
        self._backend.set_generator_state(self._stream, raw[:-_SEED_BYTES])
        self._initial_seed = int.from_bytes(raw[-_SEED_BYTES:].tobytes(), "little")
        return self

    def __repr__(self) -> str:
        return f"<edugrad.tensor.Generator on {self.device}>"


def _checked_seed(seed: int) -> int:
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise RuntimeError(f"manual_seed expected a long, but got {seed.__class__.__name__}")
    if not -(2**63) <= seed <= _MAX_SEED:
        raise ValueError(f"manual_seed: the seed must lie in [-2**63, 2**64 - 1], got {seed}")
    return seed % 2**64


# The default Generator of each backend, made when a random function first draws on it. `_seed` is the last
# seed given to `manual_seed`: a backend first used after it starts from that seed too (torch seeds CUDA lazily
# the same way).
_defaults: dict[Backend, Generator] = {}
_seed: int | None = None


def default_generator_of(backend: Backend) -> Generator:
    """The Generator the random functions draw from on `backend` when they are given none."""
    found = _defaults.get(backend)
    if found is None:
        found = _defaults[backend] = Generator._around(backend, _seed)
    return found


def stream(generator: Generator | None, backend: Backend, op: str) -> Any:
    """The backend's stream that `op` draws from: `generator`'s, or the default one; `generator` must be on the
    device the result goes to."""
    if generator is None:
        return default_generator_of(backend)._stream
    if not isinstance(generator, Generator):
        raise TypeError(f"{op}: generator must be an edugrad Generator, got {generator.__class__.__name__}")
    if generator._backend is not backend:
        raise RuntimeError(f"{op}: the generator is on {generator.device} but the result is on "
                           f"{device_of(backend)}; make the Generator on the result's device")
    return generator._stream


#: The default Generator of the CPU, as `torch.default_generator`.
default_generator = default_generator_of(backend_of("cpu"))


def manual_seed(seed: int) -> Generator:
    """Seed the default Generator of every device (of those used later too); returns the CPU's,
    `default_generator`. As torch.manual_seed, it reads the seed with int() (1.5 seeds with 1, "3" with 3);
    `Generator.manual_seed` takes ints only."""
    global _seed
    try:
        seed = int(seed)
    except (TypeError, ValueError) as error:  # torch's exception types, with the op and the argument named
        raise type(error)(f"manual_seed: the seed must be an int or convertible by int(), got {seed!r}") from None
    _seed = _checked_seed(seed)
    for generator in _defaults.values():
        generator.manual_seed(_seed)
    return default_generator


def seed() -> int:
    """Seed every default Generator with one seed of the operating system's, and return that seed."""
    chosen = secrets.randbits(64)
    manual_seed(chosen)
    return chosen


def initial_seed() -> int:
    """The seed the CPU's default Generator started from."""
    return default_generator.initial_seed()


def get_rng_state() -> _t.Tensor:
    """The state of the CPU's default Generator, as a uint8 tensor (see `Generator.get_state`)."""
    return default_generator.get_state()


def set_rng_state(new_state: _t.Tensor) -> None:
    """Return the CPU's default Generator to a state from `get_rng_state`."""
    default_generator.set_state(new_state)
