package optim

import "runner/internal/kernel"

var (
	_ Optimizer[float32] = (*Momentum[float32])(nil)
	_ Optimizer[float64] = (*Momentum[float64])(nil)
)

// Momentum is SGD with a velocity that accumulates past steps:
//
//	v ← α v − η g
//	W ← W + v
//
// with v zero at the start, one velocity per parameter position.
type Momentum[T kernel.Float] struct {
	// Momentum is α, the fraction of the velocity kept from one step to the
	// next. NewMomentum sets 0.9; with 0 the method is plain SGD.
	Momentum float64

	v [][]T
}

// NewMomentum returns a Momentum optimizer with the book's α = 0.9.
func NewMomentum[T kernel.Float]() *Momentum[T] {
	return &Momentum[T]{Momentum: 0.9}
}

// Update applies one momentum step to every params[i] with grads[i].
func (o *Momentum[T]) Update(lr float64, params, grads [][]T) {
	checkGrads("Momentum", params, grads)
	o.v = stateFor("Momentum", o.v, params)
	alpha, eta := T(o.Momentum), T(lr)
	for i, w := range params {
		kernel.MomentumStep(w, grads[i], o.v[i], alpha, eta)
	}
}

// Reset forgets the velocities.
func (o *Momentum[T]) Reset() { o.v = nil }
