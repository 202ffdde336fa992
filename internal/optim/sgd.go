package optim

import "runner/internal/kernel"

var (
	_ Optimizer[float32] = (*SGD[float32])(nil)
	_ Optimizer[float64] = (*SGD[float64])(nil)
)

// SGD is plain stochastic gradient descent:
//
//	W ← W − η g
//
// It has no hyperparameters and no state: Update checks only that params and
// grads pair up, so any shapes may be passed from one call to the next, and
// Reset does nothing.
type SGD[T kernel.Float] struct{}

// NewSGD returns an SGD optimizer.
func NewSGD[T kernel.Float]() *SGD[T] {
	return &SGD[T]{}
}

// Update applies W ← W − η g to every params[i] with grads[i].
func (*SGD[T]) Update(lr float64, params, grads [][]T) {
	checkGrads("SGD", params, grads)
	eta := T(lr)
	for i, w := range params {
		kernel.SGDStep(w, grads[i], eta)
	}
}

// Reset does nothing: SGD has no state.
func (*SGD[T]) Reset() {}
