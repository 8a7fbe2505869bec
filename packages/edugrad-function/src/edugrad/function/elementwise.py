"""Elementwise Functions: one per unary, binary and ternary op of the data layer, plus cast.

Function layer (`edugrad.function`). Operands already have one shape and one dtype (the Tensor layer
broadcasts and promotes first), so every gradient here has its input's shape without any summing. Each
backward states the derivative it applies; `g` is the gradient flowing in from the output.
"""

from __future__ import annotations

from edugrad.data import BinaryOps, DType, TensorData, UnaryOps
from edugrad.function.function import Function, Grads
from edugrad.function.node import Node, constant_like


class Neg(Function):
    def forward(self, x: TensorData) -> TensorData:
        return x.unary(UnaryOps.NEG)

    def backward(self, g: Node) -> Grads:
        return Neg.apply(g)  # d(-x)/dx = -1


class Exp(Function):
    def forward(self, x: TensorData) -> TensorData:
        out = x.unary(UnaryOps.EXP)
        self.save_for_backward(out)
        return out

    def backward(self, g: Node) -> Grads:
        out, = self.saved_tensors
        return Mul.apply(g, out)  # d/dx e^x = e^x, which forward already computed


class Log(Function):
    def forward(self, x: TensorData) -> TensorData:
        self.save_for_backward(x)
        return x.unary(UnaryOps.LOG)

    def backward(self, g: Node) -> Grads:
        x, = self.saved_tensors
        return Div.apply(g, x)  # d/dx ln x = 1/x


class Sin(Function):
    def forward(self, x: TensorData) -> TensorData:
        self.save_for_backward(x)
        return x.unary(UnaryOps.SIN)

    def backward(self, g: Node) -> Grads:
        x, = self.saved_tensors
        return Mul.apply(g, Cos.apply(x))  # d/dx sin x = cos x


class Cos(Function):
    def forward(self, x: TensorData) -> TensorData:
        self.save_for_backward(x)
        return x.unary(UnaryOps.COS)

    def backward(self, g: Node) -> Grads:
        x, = self.saved_tensors
        return Neg.apply(Mul.apply(g, Sin.apply(x)))  # d/dx cos x = -sin x


class Tanh(Function):
    def forward(self, x: TensorData) -> TensorData:
        out = x.unary(UnaryOps.TANH)
        self.save_for_backward(out)
        return out

    def backward(self, g: Node) -> Grads:
        out, = self.saved_tensors
        one_minus_square = Sub.apply(constant_like(out, 1.0), Mul.apply(out, out))
        return Mul.apply(g, one_minus_square)  # d/dx tanh x = 1 - tanh^2 x


class Sqrt(Function):
    def forward(self, x: TensorData) -> TensorData:
        out = x.unary(UnaryOps.SQRT)
        self.save_for_backward(out)
        return out

    def backward(self, g: Node) -> Grads:
        out, = self.saved_tensors
        return Div.apply(g, Add.apply(out, out))  # d/dx sqrt x = 1 / (2 sqrt x)


class Reciprocal(Function):
    def forward(self, x: TensorData) -> TensorData:
        out = x.unary(UnaryOps.RECIPROCAL)
        self.save_for_backward(out)
        return out

    def backward(self, g: Node) -> Grads:
        out, = self.saved_tensors
        return Neg.apply(Mul.apply(g, Mul.apply(out, out)))  # d/dx 1/x = -1/x^2


class Rounding(Function):
    """floor, ceil, round and trunc: piecewise constant, so the gradient is zero (as in PyTorch)."""

    def forward(self, x: TensorData, op: UnaryOps) -> TensorData:
        if op not in (UnaryOps.FLOOR, UnaryOps.CEIL, UnaryOps.ROUND, UnaryOps.TRUNC):
            raise ValueError(f"Rounding: {op} is not a rounding op")
        return x.unary(op)

    def backward(self, g: Node) -> Grads:
        return constant_like(g, 0.0)


class Add(Function):
    def forward(self, x: TensorData, y: TensorData) -> TensorData:
        return x.binary(BinaryOps.ADD, y)

    def backward(self, g: Node) -> Grads:
        return g, g  # d(x+y)/dx = d(x+y)/dy = 1


class Sub(Function):
    def forward(self, x: TensorData, y: TensorData) -> TensorData:
        return x.binary(BinaryOps.SUB, y)

    def backward(self, g: Node) -> Grads:
        return g, Neg.apply(g) if self.needs_input_grad[1] else None  # d(x-y)/dy = -1


class Mul(Function):
    def forward(self, x: TensorData, y: TensorData) -> TensorData:
        self.save_for_backward(x, y)
        return x.binary(BinaryOps.MUL, y)

    def backward(self, g: Node) -> Grads:
        x, y = self.saved_tensors  # d(xy)/dx = y, d(xy)/dy = x
        return (Mul.apply(g, y) if self.needs_input_grad[0] else None,
                Mul.apply(g, x) if self.needs_input_grad[1] else None)


class Div(Function):
    def forward(self, x: TensorData, y: TensorData) -> TensorData:
        out = x.binary(BinaryOps.DIV, y)
        self.save_for_backward(y, out)
        return out

    def backward(self, g: Node) -> Grads:
        # d(x/y)/dx = 1/y; d(x/y)/dy = -x/y^2 = -(x/y) * (1/y), reusing g/y for both.
        y, out = self.saved_tensors
        g_over_y = Div.apply(g, y)
        grad_y = Neg.apply(Mul.apply(g_over_y, out)) if self.needs_input_grad[1] else None
        return g_over_y, grad_y


class Maximum(Function):
    def forward(self, x: TensorData, y: TensorData) -> TensorData:
        self.save_for_backward(x, y)
        return x.binary(BinaryOps.MAX, y)

    def backward(self, g: Node) -> Grads:
        # The gradient goes to the larger operand; on a tie it is split in half (as torch.maximum does).
        # The split is a constant mask: max is piecewise linear, so its second derivative is zero.
        x, y = [node._data for node in self.saved_tensors]
        x_wins = y.binary(BinaryOps.CMPLT, x).cast(g.dtype)
        tie = x.binary(BinaryOps.CMPEQ, y).cast(g.dtype)
        half_tie = tie.binary(BinaryOps.MUL, tie.const(0.5))
        share_x = x_wins.binary(BinaryOps.ADD, half_tie)
        share_y = tie.const(1.0).binary(BinaryOps.SUB, share_x)
        wrap = type(g)._wrap
        return (Mul.apply(g, wrap(share_x)) if self.needs_input_grad[0] else None,
                Mul.apply(g, wrap(share_y)) if self.needs_input_grad[1] else None)


class Relu(Function):
    """max(x, 0). Composable from Where, but it is the most used activation and NumPy's `where` is several
    times slower than `maximum` on large arrays, so it gets a Function of its own (as in PyTorch)."""

    def forward(self, x: TensorData) -> TensorData:
        out = x.binary(BinaryOps.MAX, x.const(0))
        self.save_for_backward(out)
        return out

    def backward(self, g: Node) -> Grads:
        # d/dx relu(x) = 1 where x > 0, else 0 (0 at x = 0 too, as torch.relu). A constant mask: relu is
        # piecewise linear, so its second derivative is zero.
        out = self.saved_tensors[0]._data
        positive = out.const(0).binary(BinaryOps.CMPLT, out)
        return Mul.apply(g, type(g)._wrap(positive.cast(g.dtype)))


class Sigmoid(Function):
    """The logistic function 1 / (1 + e^-x), as e^min(x, 0) / (1 + e^-|x|): exp never sees a positive argument
    (no overflow), and tiny results for very negative x keep their relative precision. Composable from Exp and
    Div, but as one Function it is 9 data ops forward instead of 14 Functions, and its backward is 4
    Functions instead of some 20 (the gated activations, silu and gelu's relatives, all call it)."""

    def forward(self, x: TensorData) -> TensorData:
        negated = x.unary(UnaryOps.NEG)
        # min(x, 0) = -max(-x, 0) and -|x| = -max(x, -x): the op set has MAX, and negation is exact.
        numerator = negated.binary(BinaryOps.MAX, x.const(0)).unary(UnaryOps.NEG).unary(UnaryOps.EXP)
        tail = x.binary(BinaryOps.MAX, negated).unary(UnaryOps.NEG).unary(UnaryOps.EXP)  # e^-|x|, in (0, 1]
        out = numerator.binary(BinaryOps.DIV, tail.binary(BinaryOps.ADD, x.const(1)))
        self.save_for_backward(x, out)
        return out

    def backward(self, g: Node) -> Grads:
        # d/dx sigmoid x = sigmoid(x) (1 - sigmoid(x)) = sigmoid(x) sigmoid(-x). The second factor is computed,
        # not taken as 1 - output: where the output rounds to 1 (x > 17 in float32) that would give 0.
        x, out = self.saved_tensors
        return Mul.apply(g, Mul.apply(out, Sigmoid.apply(Neg.apply(x))))


class Pow(Function):
    def forward(self, x: TensorData, y: TensorData) -> TensorData:
        out = x.binary(BinaryOps.POW, y)
        self.save_for_backward(x, y, out)
        return out

    def backward(self, g: Node) -> Grads:
        x, y, out = self.saved_tensors
        grad_x = grad_y = None
        if self.needs_input_grad[0]:  # d/dx x^y = y x^(y-1), and 0 where y = 0 (x^0 = 1 is constant, while the
            # formula at x = 0 would be 0 * inf = NaN; torch gives 0 there too)
            slope = Mul.apply(y, Pow.apply(x, Sub.apply(y, constant_like(y, 1.0))))
            grad_x = Mul.apply(g, Where.apply(_is_zero(y), constant_like(y, 0.0), slope))
        if self.needs_input_grad[1]:  # d/dy x^y = x^y ln x
            grad_y = Mul.apply(g, Mul.apply(out, Log.apply(_nonzero(x))))
        return grad_x, grad_y


def _is_zero(x: Node) -> Node:
    """A constant bool node, true where x is 0."""
    return type(x)._wrap(x._data.binary(BinaryOps.CMPEQ, x._data.const(0.0)))


def _nonzero(x: Node) -> Node:
    """x with its zeros replaced by ones. Where x = 0, x^y ln x is 0 * -inf; its limit for y > 0 is 0, which
    ln 1 gives (as torch does), without NumPy's divide-by-zero warning from ln 0."""
    return Where.apply(_is_zero(x), constant_like(x, 1.0), x)


class Less(Function):
    """x < y as bool: not differentiable, so never recorded."""

    differentiable = False

    def forward(self, x: TensorData, y: TensorData) -> TensorData:
        return x.binary(BinaryOps.CMPLT, y)


class Equal(Function):
    """x == y as bool: not differentiable, so never recorded."""

    differentiable = False

    def forward(self, x: TensorData, y: TensorData) -> TensorData:
        return x.binary(BinaryOps.CMPEQ, y)


class FloorDiv(Function):
    """x // y: piecewise constant and mostly used on integers, so not recorded (as in PyTorch)."""

    differentiable = False

    def forward(self, x: TensorData, y: TensorData) -> TensorData:
        return x.binary(BinaryOps.IDIV, y)


class Where(Function):
    def forward(self, cond: TensorData, x: TensorData, y: TensorData) -> TensorData:
        self.save_for_backward(cond)
        return cond.where(x, y)

    def backward(self, g: Node) -> Grads:
        # The gradient flows to whichever operand was chosen at each position; the condition gets none.
        cond, = self.saved_tensors
        zero = constant_like(g, 0.0)
        return (None,
                Where.apply(cond, g, zero) if self.needs_input_grad[1] else None,
                Where.apply(cond, zero, g) if self.needs_input_grad[2] else None)


class Cast(Function):
    def forward(self, x: TensorData, dtype: DType) -> TensorData:
        self.input_dtype = x.dtype  # a plain attribute: a dtype, not a tensor
        return x.cast(dtype)

    def backward(self, g: Node) -> Grads:
        return Cast.apply(g, dtype=self.input_dtype)  # values pass through; only their precision changes
