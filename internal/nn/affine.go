package nn

import "runner/internal/kernel"

// Affine is the fully connected layer y = x·W + b, W of shape In×Out.
type Affine[T kernel.Float] struct {
	In, Out int
	W, B    Param[T]
	// NeedDx says whether Backward computes the input gradient; the first
	// layer of a network does not need it, and skipping it saves a product.
	NeedDx bool

	x       []T // the input of the last Forward
	out, dx []T
}

// NewAffine returns an In×Out affine layer with zero weights and biases.
// index numbers the parameter names (W1, b1 …).
func NewAffine[T kernel.Float](in, out int, needDx bool, index string) *Affine[T] {
	return &Affine[T]{
		In: in, Out: out, NeedDx: needDx,
		W: Param[T]{Name: "W" + index, Value: make([]T, in*out), Grad: make([]T, in*out)},
		B: Param[T]{Name: "b" + index, Value: make([]T, out), Grad: make([]T, out)},
	}
}

// Forward computes x·W + b for rows examples.
func (l *Affine[T]) Forward(x []T, rows int, train bool) []T {
	l.x = x
	l.out = grow(l.out, rows*l.Out)
	kernel.BroadcastRows(l.out, rows, l.B.Value)
	kernel.Gemm(false, false, rows, l.Out, l.In, 1, x, l.In, l.W.Value, l.Out, 1, l.out, l.Out)
	return l.out
}

// Backward stores dW = xᵀ·dout and db = Σ_rows dout, and returns dout·Wᵀ
// when NeedDx is set.
func (l *Affine[T]) Backward(dout []T, rows int) []T {
	kernel.Gemm(true, false, l.In, l.Out, rows, 1, l.x, l.In, dout, l.Out, 0, l.W.Grad, l.Out)
	kernel.ColSums(l.B.Grad, dout, rows)
	if !l.NeedDx {
		return nil
	}
	l.dx = grow(l.dx, rows*l.In)
	kernel.Gemm(false, true, rows, l.In, l.Out, 1, dout, l.Out, l.W.Value, l.Out, 0, l.dx, l.In)
	return l.dx
}

// Params returns W and b.
func (l *Affine[T]) Params() []*Param[T] { return []*Param[T]{&l.W, &l.B} }
