package optim

import "runner/internal/kernel"

var (
	_ Optimizer[float32] = (*Nesterov[float32])(nil)
	_ Optimizer[float64] = (*Nesterov[float64])(nil)
)

// Nesterov is Nesterov's accelerated gradient in the form the book uses,
// where W holds the look-ahead point θ + α v rather than θ itself, so that
// the gradient is taken at the parameters as stored:
//
//	W ← W + α² v − (1+α) η g
//	v ← α v − η g
//
// with v zero at the start. W is updated with the velocity from before this
// step, and only then is v updated. The book's code (and the article this
// project started from) updates v first and uses the new v in the W update;
// that is a typo, and this type follows the derivation (see DESIGN.md,
// "Numerics"): with Θ = θ + α v and the classical v' = α v − η g, θ' = θ + v',
// Θ' = θ' + α v' = Θ − α v + (1+α) v' = Θ + α² v − (1+α) η g.
type Nesterov[T kernel.Float] struct {
	// Momentum is α, the fraction of the velocity kept from one step to the
	// next. NewNesterov sets 0.9.
	Momentum float64

	v [][]T
}

// NewNesterov returns a Nesterov optimizer with the book's α = 0.9.
func NewNesterov[T kernel.Float]() *Nesterov[T] {
	return &Nesterov[T]{Momentum: 0.9}
}

// Update applies one Nesterov step to every params[i] with grads[i].
func (o *Nesterov[T]) Update(lr float64, params, grads [][]T) {
	checkGrads("Nesterov", params, grads)
	o.v = stateFor("Nesterov", o.v, params)
	a := o.Momentum
	alpha, alpha2, c, eta := T(a), T(a*a), T((1+a)*lr), T(lr)
	for i, w := range params {
		kernel.NesterovStep(w, grads[i], o.v[i], alpha, alpha2, c, eta)
	}
}

// Reset forgets the velocities.
func (o *Nesterov[T]) Reset() { o.v = nil }
