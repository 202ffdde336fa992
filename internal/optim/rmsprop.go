package optim

import "runner/internal/kernel"

var (
	_ Optimizer[float32] = (*RMSprop[float32])(nil)
	_ Optimizer[float64] = (*RMSprop[float64])(nil)
)

// RMSprop is AdaGrad with an exponentially decaying average of the squared
// gradients in place of their sum:
//
//	h ← ρ h + (1−ρ) g⊙g
//	W ← W − η g / (√h + ε)
//
// with h zero at the start, one average per parameter position.
type RMSprop[T kernel.Float] struct {
	// DecayRate is ρ, the fraction of h kept from one step to the next.
	// NewRMSprop sets 0.99.
	DecayRate float64
	// Eps is ε, added to √h to keep the division finite. NewRMSprop sets 1e-7.
	Eps float64

	h [][]T
}

// NewRMSprop returns an RMSprop optimizer with the book's ρ = 0.99 and
// ε = 1e-7.
func NewRMSprop[T kernel.Float]() *RMSprop[T] {
	return &RMSprop[T]{DecayRate: 0.99, Eps: 1e-7}
}

// Update applies one RMSprop step to every params[i] with grads[i].
func (o *RMSprop[T]) Update(lr float64, params, grads [][]T) {
	checkGrads("RMSprop", params, grads)
	o.h = stateFor("RMSprop", o.h, params)
	rho, c, eta, eps := T(o.DecayRate), T(1-o.DecayRate), T(lr), T(o.Eps)
	for i, w := range params {
		kernel.RMSpropStep(w, grads[i], o.h[i], rho, c, eta, eps)
	}
}

// Reset forgets the averaged squared gradients.
func (o *RMSprop[T]) Reset() { o.h = nil }
