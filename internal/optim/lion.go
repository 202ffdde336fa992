package optim

import "runner/internal/kernel"

var (
	_ Optimizer[float32] = (*Lion[float32])(nil)
	_ Optimizer[float64] = (*Lion[float64])(nil)
)

// Lion is EvoLved Sign Momentum (Chen et al., "Symbolic Discovery of
// Optimization Algorithms", NeurIPS 2023, Algorithm 2): every weight moves by
// exactly η per step, in the direction of the sign of an interpolation
// between the momentum and the gradient, with decoupled weight decay λ:
//
//	c = β1 m + (1−β1) g
//	W ← W − η (sign(c) + λ W)
//	m ← β2 m + (1−β2) g
//
// with m zero at the start. The decay uses W from before the step, so the
// update is W ← (1 − ηλ) W − η sign(c). sign(0) = 0 (a weight whose c is
// zero only decays), and a NaN in c passes to W. PyTorch has no Lion; the
// reference values of this package's tests follow the paper's pseudo-code.
// The paper's advice: a learning rate 3–10× smaller than AdamW's and a λ
// 3–10× larger, as the sign makes every step as large as the largest.
type Lion[T kernel.Float] struct {
	// Beta1 is β1, the weight of the momentum in the interpolation c that
	// gives the direction. NewLion sets 0.9.
	Beta1 float64
	// Beta2 is β2, the decay of the momentum m. NewLion sets 0.99.
	Beta2 float64
	// WeightDecay is λ, the decoupled decay rate (per unit of learning
	// rate). NewLion sets 0.
	WeightDecay float64

	m [][]T
}

// NewLion returns a Lion optimizer with the paper's defaults: β1 = 0.9,
// β2 = 0.99 and λ = 0.
func NewLion[T kernel.Float]() *Lion[T] {
	return &Lion[T]{Beta1: 0.9, Beta2: 0.99}
}

// Update applies one Lion step to every params[i] with grads[i].
func (o *Lion[T]) Update(lr float64, params, grads [][]T) {
	checkGrads("Lion", params, grads)
	o.m = stateFor("Lion", o.m, params)
	decay, eta := T(1-lr*o.WeightDecay), T(lr)
	b1, c1, b2, c2 := T(o.Beta1), T(1-o.Beta1), T(o.Beta2), T(1-o.Beta2)
	for i, w := range params {
		kernel.LionStep(w, grads[i], o.m[i], decay, eta, b1, c1, b2, c2)
	}
}

// Reset forgets the momentum.
func (o *Lion[T]) Reset() { o.m = nil }
