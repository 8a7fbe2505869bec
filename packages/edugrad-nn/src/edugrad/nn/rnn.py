"""Recurrent layers, as in `torch.nn`: `RNN`, `LSTM` and `GRU` over whole sequences, and `RNNCell`,
`LSTMCell` and `GRUCell` for one step.

Top layer (`edugrad.nn`). A recurrent layer reads a sequence one step at a time and carries a hidden state h
from step to step; each step is a few Tensor ops, so backward runs through time by itself. With x_t the input
and h the previous hidden state, one step computes (W_i* are the input weights, W_h* the hidden ones, each
with its bias):

- RNN:  h' = tanh(W_i x + W_h h)  (or relu)
- LSTM: i, f, g, o = sigmoid, sigmoid, tanh, sigmoid of the four quarters of W_i x + W_h h;
        c' = f * c + i * g (the cell state: f forgets, i writes), h' = o * tanh(c'); with proj_size, h' is
        projected down by W_hr
- GRU:  r, z = sigmoid of two thirds of W_i x + W_h h; n = tanh(W_in x + r * (W_hn h)); h' = (1 - z) * n + z * h

The input part W_i x does not depend on h, so a layer computes it for all steps in one matrix product and
only the hidden part runs step by step. Parameters are named and laid out as PyTorch's (`weight_ih_l0`
(gates * hidden, input), `weight_hh_l0`, `bias_ih_l0`, `bias_hh_l0`, `..._reverse` for the second direction,
`weight_hr_l0` for the LSTM projection), all drawn uniformly within 1 / sqrt(hidden_size), so state dicts move
between edugrad and `torch.nn`. Inputs are (L, N, H_in), (N, L, H_in) with `batch_first`, (L, H_in)
unbatched, or a `PackedSequence` (`nn.utils.rnn`) of sequences of different lengths: each runs for its own
length only, as if alone. The layer unpacks it to (L, N, H_in) and masks the steps: at step t a sequence
shorter than t + 1 keeps its state (h' = where(t < length, step(h), h)), so its final state is the one after
its last step, and in the reverse direction its state stays the initial one until its last step comes.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

from edugrad.nn import functional as F
from edugrad.nn import init
from edugrad.nn._checks import check_input, choice, positive_int
from edugrad.nn.module import Module
from edugrad.nn.parameter import Parameter, empty_parameter
from edugrad.nn.utils.rnn import PackedSequence, pad_packed_sequence
from edugrad.tensor import DType, Tensor, cat, stack

__all__ = ["GRU", "GRUCell", "LSTM", "LSTMCell", "RNN", "RNNBase", "RNNCell", "RNNCellBase"]

State = Tensor | tuple[Tensor, Tensor]
_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _rnn_step(nonlinearity: Callable[[Tensor], Tensor]) -> Callable[..., State]:
    def step(gates_x: Tensor, h: Tensor, w_hh: Tensor, b_hh: Tensor | None) -> Tensor:
        return nonlinearity(gates_x + F.linear(h, w_hh, b_hh))
    return step


def _lstm_step(gates_x: Tensor, state: tuple[Tensor, Tensor], w_hh: Tensor, b_hh: Tensor | None,
               w_hr: Tensor | None = None) -> tuple[Tensor, Tensor]:
    h, c = state
    i, f, g, o = (gates_x + F.linear(h, w_hh, b_hh)).chunk(4, dim=-1)
    c = f.sigmoid() * c + i.sigmoid() * g.tanh()
    h = o.sigmoid() * c.tanh()
    return (h if w_hr is None else F.linear(h, w_hr)), c


def _gru_step(gates_x: Tensor, h: Tensor, w_hh: Tensor, b_hh: Tensor | None) -> Tensor:
    x_r, x_z, x_n = gates_x.chunk(3, dim=-1)
    h_r, h_z, h_n = F.linear(h, w_hh, b_hh).chunk(3, dim=-1)
    r, z = (x_r + h_r).sigmoid(), (x_z + h_z).sigmoid()
    n = (x_n + r * h_n).tanh()
    return (1 - z) * n + z * h


def _keep_ended(new: State, old: State, inside: Tensor) -> State:
    """The new state where the step is inside its sequence (inside is (N, 1)), the old one where it ended."""
    if isinstance(new, tuple) and isinstance(old, tuple):
        return new[0].where(inside, old[0]), new[1].where(inside, old[1])
    assert isinstance(new, Tensor) and isinstance(old, Tensor)
    return new.where(inside, old)


_STEPS: dict[str, Callable[..., State]] = {"RNN_TANH": _rnn_step(Tensor.tanh), "RNN_RELU": _rnn_step(Tensor.relu),
                                           "LSTM": _lstm_step, "GRU": _gru_step}


def _reset_uniform(module: Module, hidden_size: int) -> None:
    """Every parameter uniform within 1 / sqrt(hidden_size), as PyTorch draws a recurrent layer's."""
    bound = 1 / math.sqrt(hidden_size) if hidden_size > 0 else 0.0
    for parameter in module.parameters():
        init.uniform_(parameter, -bound, bound)


class RNNBase(Module):
    """What RNN, LSTM and GRU share: the stacked, possibly bidirectional layers of one kind of step (`mode`
    "RNN_TANH", "RNN_RELU", "LSTM" or "GRU") and their parameters, as `torch.nn.RNNBase`."""

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, proj_size: int = 0,
                 device: Any = None, dtype: DType | None = None) -> None:
        super().__init__()
        owner = type(self).__name__
        self.mode = choice(owner, "mode", mode, tuple(_GATES))
        self.input_size = positive_int(owner, "input_size", input_size)
        self.hidden_size = positive_int(owner, "hidden_size", hidden_size)
        self.num_layers = positive_int(owner, "num_layers", num_layers)
        self.proj_size = positive_int(owner, "proj_size", proj_size, allow_zero=True)
        if proj_size and mode != "LSTM":
            raise ValueError(f"{owner}: proj_size argument is only supported for LSTM, not RNN or GRU")
        if proj_size >= hidden_size:
            raise ValueError(f"{owner}: proj_size ({proj_size}) has to be smaller than hidden_size ({hidden_size})")
        if isinstance(dropout, bool) or not isinstance(dropout, int | float) or not 0 <= dropout <= 1:
            raise ValueError(f"{owner}: dropout should be a number in range [0, 1] representing the probability of "
                             f"an element being zeroed, got {dropout!r}")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so non-zero dropout "
                          f"expects num_layers greater than 1, but got dropout={dropout} and num_layers={num_layers}",
                          UserWarning, stacklevel=2)
        self.bias, self.batch_first, self.dropout, self.bidirectional = bias, batch_first, float(dropout), bidirectional
        self._register_weights(device, dtype)
        self.reset_parameters()

    def _register_weights(self, device: Any, dtype: DType | None) -> None:
        """weight_ih_l{k}, weight_hh_l{k}, (bias_ih_l{k}, bias_hh_l{k}), (weight_hr_l{k}) for each layer and
        direction, in PyTorch's order."""
        gates = _GATES[self.mode] * self.hidden_size
        out = self.proj_size or self.hidden_size
        for layer in range(self.num_layers):
            for suffix in ("", "_reverse")[:self._directions()]:
                inputs = self.input_size if layer == 0 else out * self._directions()
                shapes: list[tuple[str, tuple[int, ...]]] = [(f"weight_ih_l{layer}{suffix}", (gates, inputs)),
                                                             (f"weight_hh_l{layer}{suffix}", (gates, out))]
                if self.bias:
                    shapes += [(f"bias_ih_l{layer}{suffix}", (gates,)), (f"bias_hh_l{layer}{suffix}", (gates,))]
                if self.proj_size:
                    shapes.append((f"weight_hr_l{layer}{suffix}", (self.proj_size, self.hidden_size)))
                for name, shape in shapes:
                    self.register_parameter(name, empty_parameter(shape, device, dtype))

    def _directions(self) -> int:
        return 2 if self.bidirectional else 1

    def reset_parameters(self) -> None:
        """Every weight and bias uniform within 1 / sqrt(hidden_size), as PyTorch draws them."""
        _reset_uniform(self, self.hidden_size)

    def flatten_parameters(self) -> None:
        """PyTorch packs the weights into one block for cuDNN here; edugrad's weights are separate tensors
        that need no packing, so there is nothing to do."""

    def _weights(self, layer: int, suffix: str) -> tuple[Any, ...]:
        """(weight_ih, bias_ih, weight_hh, bias_hh, weight_hr) of one layer and direction (None where absent)."""
        names = ("weight_ih", "bias_ih", "weight_hh", "bias_hh", "weight_hr")
        return tuple(self._parameters.get(f"{name}_l{layer}{suffix}") for name in names)

    def forward(self, input: Tensor | PackedSequence, hx: State | None = None) -> tuple[Any, State]:
        """(output, h_n), or (output, (h_n, c_n)) for an LSTM: output holds the last layer's hidden state at
        every step (both directions side by side), h_n each layer's and direction's at the last step. For a
        PackedSequence input, output is packed as the input and h_n is at each sequence's own last step."""
        if isinstance(input, PackedSequence):
            return self._forward_packed(input, hx)
        check_input(self, input, (2, 3), "(L, H_in), (L, N, H_in) or (N, L, H_in)")
        self._check_features(input)
        batched = input.ndim == 3
        x = input if not batched else input.transpose(0, 1) if self.batch_first else input  # (L, N, H_in)
        x = x if batched else x.unsqueeze(1)
        x, finals = self._layers(x, self._initial_states(hx, x, batched), None)
        output = x if not batched else x.transpose(0, 1) if self.batch_first else x
        return (output if batched else output.squeeze(1)), self._stacked(finals, batched)

    def _forward_packed(self, input: PackedSequence, hx: State | None) -> tuple[PackedSequence, State]:
        """forward of a packed batch: the layers over the padded batch (in the caller's order, as hx and h_n
        are), each sequence's steps masked beyond its length; the output packed as the input."""
        self._check_features(input.data)
        padded, lengths = pad_packed_sequence(input)  # (L, N, H_in)
        steps = Tensor.arange(padded.shape[0], device=padded.device).reshape(-1, 1, 1)
        mask = steps < lengths.to(padded.device).reshape(1, -1, 1)  # (L, N, 1): step t is inside sequence n
        x, finals = self._layers(padded, self._initial_states(hx, padded, True), mask)
        order = input.sorted_indices
        x = x if order is None else x[:, [int(b) for b in order.tolist()]]
        data = cat([x[t, :size] for t, size in enumerate(int(v) for v in input.batch_sizes.tolist())])
        return PackedSequence(data, input.batch_sizes, input.sorted_indices, input.unsorted_indices), \
            self._stacked(finals, True)

    def _check_features(self, input: Tensor) -> None:
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"{type(self).__name__}: input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {input.shape[-1]}")

    def _layers(self, x: Tensor, states: list[State], mask: Tensor | None) -> tuple[Tensor, list[State]]:
        """Every layer and direction over x (L, N, H_in): the last layer's outputs and each one's final state."""
        finals: list[State] = []
        for layer in range(self.num_layers):
            outputs = []
            for direction, suffix in enumerate(("", "_reverse")[:self._directions()]):
                index = layer * self._directions() + direction
                out, final = self._run(x, states[index], self._weights(layer, suffix), direction == 1, mask)
                outputs.append(out)
                finals.append(final)
            x = outputs[0] if len(outputs) == 1 else cat(outputs, -1)
            if layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout, self.training)
        return x, finals

    def _run(self, x: Tensor, state: State, weights: tuple[Any, ...], reverse: bool,
             mask: Tensor | None) -> tuple[Tensor, State]:
        """One layer in one direction over x (L, N, H_in): the input part of every step at once, then the
        steps; returns the hidden states of all steps (L, N, H_out) and the final state. Where mask[t] is
        False (a packed sequence has ended), the state is kept as it was."""
        w_ih, b_ih, w_hh, b_hh, w_hr = weights
        gates_x = F.linear(x, w_ih, b_ih)
        step = _STEPS[self.mode]
        extra = (w_hr,) if self.mode == "LSTM" else ()
        hidden = []
        for t in (reversed(range(x.shape[0])) if reverse else range(x.shape[0])):
            new = step(gates_x[t], state, w_hh, b_hh, *extra)
            state = new if mask is None else _keep_ended(new, state, mask[t])
            hidden.append(state[0] if isinstance(state, tuple) else state)
        if reverse:
            hidden.reverse()
        return stack(hidden), state

    def _initial_states(self, hx: State | None, x: Tensor, batched: bool) -> list[State]:
        """The initial state of each layer and direction (zeros where hx is None), each (N, H)."""
        layers, n = self.num_layers * self._directions(), x.shape[1]
        out = self.proj_size or self.hidden_size
        shapes = [(layers, n, out)] + ([(layers, n, self.hidden_size)] if self.mode == "LSTM" else [])
        if hx is None:
            given = [Tensor.zeros(*shape, dtype=x.dtype, device=x.device) for shape in shapes]
        else:
            given = list(hx) if isinstance(hx, tuple) else [hx]
            if len(given) != len(shapes):
                expected = "(h_0, c_0)" if self.mode == "LSTM" else "h_0"
                raise RuntimeError(f"{type(self).__name__}: expected hx as {expected}, got {len(given)} tensors")
            given = [h if batched else h.unsqueeze(1) for h in given]
            for h, shape in zip(given, shapes):
                if h.shape != shape:
                    raise RuntimeError(f"{type(self).__name__}: Expected hidden size {shape}, got {h.shape}")
        if self.mode == "LSTM":
            return [(given[0][i], given[1][i]) for i in range(layers)]
        return [given[0][i] for i in range(layers)]

    def _stacked(self, finals: list[State], batched: bool) -> State:
        """The final states of all layers and directions, stacked: (layers * directions, N, H)."""
        def gather(part: list[Tensor]) -> Tensor:
            out = stack(part)
            return out if batched else out.squeeze(1)
        if self.mode == "LSTM":
            return gather([f[0] for f in finals if isinstance(f, tuple)]), gather(
                [f[1] for f in finals if isinstance(f, tuple)])
        return gather([f for f in finals if isinstance(f, Tensor)])

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        for name, default in (("proj_size", 0), ("num_layers", 1), ("bias", True), ("batch_first", False),
                              ("dropout", 0.0), ("bidirectional", False)):
            if getattr(self, name) != default:
                text += f", {name}={getattr(self, name)}"
        return text


class RNN(RNNBase):
    """An Elman RNN, h' = tanh(W_ih x + b_ih + W_hh h + b_hh) (or relu), as `torch.nn.RNN`."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, nonlinearity: str = "tanh",
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 device: Any = None, dtype: DType | None = None) -> None:
        self.nonlinearity = choice("RNN", "nonlinearity", nonlinearity, ("tanh", "relu"))
        super().__init__(f"RNN_{nonlinearity.upper()}", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, 0, device, dtype)


class LSTM(RNNBase):
    """A long short-term memory layer, as `torch.nn.LSTM`; hx and the final state are (h, c) pairs."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, proj_size: int = 0,
                 device: Any = None, dtype: DType | None = None) -> None:
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         proj_size, device, dtype)


class GRU(RNNBase):
    """A gated recurrent unit layer, as `torch.nn.GRU`."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, device: Any = None,
                 dtype: DType | None = None) -> None:
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, 0,
                         device, dtype)


class RNNCellBase(Module):
    """One step of a recurrent layer, as `torch.nn.RNNCellBase`: weight_ih (num_chunks * hidden, input),
    weight_hh (num_chunks * hidden, hidden), bias_ih, bias_hh, num_chunks the gates (1 for RNNCell, 4 for
    LSTMCell, 3 for GRUCell). The subclasses set `mode` and step with it."""

    mode: str
    weight_ih: Parameter
    weight_hh: Parameter
    bias_ih: Parameter | None
    bias_hh: Parameter | None

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int, device: Any = None,
                 dtype: DType | None = None) -> None:
        super().__init__()
        owner = type(self).__name__
        self.input_size = positive_int(owner, "input_size", input_size)
        self.hidden_size = positive_int(owner, "hidden_size", hidden_size)
        self.bias = bias
        gates = positive_int(owner, "num_chunks", num_chunks) * hidden_size
        self.weight_ih = empty_parameter((gates, input_size), device, dtype)
        self.weight_hh = empty_parameter((gates, hidden_size), device, dtype)
        for name in ("bias_ih", "bias_hh"):
            self.register_parameter(name, empty_parameter((gates,), device, dtype) if bias else None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every weight and bias uniform within 1 / sqrt(hidden_size), as PyTorch draws them."""
        _reset_uniform(self, self.hidden_size)

    def _step(self, input: Tensor, hx: State | None) -> State:
        """The next state for input (N, H_in) or (H_in,) unbatched; hx None is zeros."""
        check_input(self, input, (1, 2), "(N, H_in) or (H_in)")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"{type(self).__name__}: input has inconsistent input_size: got {input.shape[-1]} "
                               f"expected {self.input_size}")
        batched = input.ndim == 2
        x = input if batched else input.unsqueeze(0)
        if hx is not None:
            self._check_hx(hx, input.shape[:-1] + (self.hidden_size,))
        if hx is None:
            zeros = Tensor.zeros(x.shape[0], self.hidden_size, dtype=x.dtype, device=x.device)
            hx = (zeros, zeros) if self.mode == "LSTM" else zeros
        elif not batched:
            hx = (hx[0].unsqueeze(0), hx[1].unsqueeze(0)) if isinstance(hx, tuple) else hx.unsqueeze(0)
        new = _STEPS[self.mode](F.linear(x, self.weight_ih, self.bias_ih), hx, self.weight_hh, self.bias_hh)
        if batched:
            return new
        return (new[0].squeeze(0), new[1].squeeze(0)) if isinstance(new, tuple) else new.squeeze(0)

    def _check_hx(self, hx: State, shape: tuple[int, ...]) -> None:
        """RuntimeError unless hx is h (or (h, c) for an LSTM cell), each of `shape`: (N, H) or (H,)."""
        parts = list(hx) if isinstance(hx, tuple) else [hx]
        count = 2 if self.mode == "LSTM" else 1
        if len(parts) != count or any(not isinstance(h, Tensor) or h.shape != shape for h in parts):
            expected = f"(h, c), each of shape {shape}" if count == 2 else f"h of shape {shape}"
            got = [getattr(h, "shape", type(h).__name__) for h in parts]
            raise RuntimeError(f"{type(self).__name__}: expected hx as {expected} for an input of "
                               f"{(shape[0], self.input_size) if len(shape) == 2 else (self.input_size,)}, got "
                               f"{got[0] if count == 1 and len(got) == 1 else got}")

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        return text if self.bias else f"{text}, bias=False"


class RNNCell(RNNCellBase):
    """One RNN step, h' = tanh(W_ih x + b_ih + W_hh h + b_hh) (or relu), as `torch.nn.RNNCell`."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh",
                 device: Any = None, dtype: DType | None = None) -> None:
        self.nonlinearity = choice("RNNCell", "nonlinearity", nonlinearity, ("tanh", "relu"))
        self.mode = f"RNN_{nonlinearity.upper()}"
        super().__init__(input_size, hidden_size, bias, _GATES[self.mode], device, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        """The next hidden state."""
        new = self._step(input, hx)
        assert isinstance(new, Tensor)
        return new

    def extra_repr(self) -> str:
        text = super().extra_repr()
        return text if self.nonlinearity == "tanh" else f"{text}, nonlinearity={self.nonlinearity}"


class LSTMCell(RNNCellBase):
    """One LSTM step, as `torch.nn.LSTMCell`: (h', c') from input and (h, c)."""

    mode = "LSTM"

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device: Any = None,
                 dtype: DType | None = None) -> None:
        super().__init__(input_size, hidden_size, bias, _GATES[self.mode], device, dtype)

    def forward(self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None) -> tuple[Tensor, Tensor]:
        """The next (hidden state, cell state)."""
        new = self._step(input, hx)
        assert isinstance(new, tuple)
        return new


class GRUCell(RNNCellBase):
    """One GRU step, as `torch.nn.GRUCell`."""

    mode = "GRU"

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device: Any = None,
                 dtype: DType | None = None) -> None:
        super().__init__(input_size, hidden_size, bias, _GATES[self.mode], device, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        """The next hidden state."""
        new = self._step(input, hx)
        assert isinstance(new, Tensor)
        return new
