package optim

import "runner/internal/kernel"

var (
	_ Optimizer[float32] = (*AdaGrad[float32])(nil)
	_ Optimizer[float64] = (*AdaGrad[float64])(nil)
)

// AdaGrad scales each element's step by the root of the sum of its squared
// gradients so far:
//
//	h ← h + g⊙g
//	W ← W − η g / (√h + ε)
//
// with h zero at the start, one accumulator per parameter position.
type AdaGrad[T kernel.Float] struct {
	// Eps is ε, added to √h to keep the division finite. NewAdaGrad sets 1e-7.
	Eps float64

	h [][]T
}

// NewAdaGrad returns an AdaGrad optimizer with the book's ε = 1e-7.
func NewAdaGrad[T kernel.Float]() *AdaGrad[T] {
	return &AdaGrad[T]{Eps: 1e-7}
}

// Update applies one AdaGrad step to every params[i] with grads[i].
func (o *AdaGrad[T]) Update(lr float64, params, grads [][]T) {
	checkGrads("AdaGrad", params, grads)
	o.h = stateFor("AdaGrad", o.h, params)
	eta, eps := T(lr), T(o.Eps)
	for i, w := range params {
		kernel.AdaGradStep(w, grads[i], o.h[i], eta, eps)
	}
}

// Reset forgets the accumulated squared gradients.
func (o *AdaGrad[T]) Reset() { o.h = nil }
