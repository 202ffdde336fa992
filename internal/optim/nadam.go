package optim

import (
	"math"

	"runner/internal/kernel"
)

var (
	_ Optimizer[float32] = (*NAdam[float32])(nil)
	_ Optimizer[float64] = (*NAdam[float64])(nil)
)

// NAdam is Adam with Nesterov momentum (Dozat, "Incorporating Nesterov
// Momentum into Adam", ICLR 2016 workshop), in the form of PyTorch's
// torch.optim.NAdam, whose documented algorithm it follows, with the
// momentum schedule μ_t and momentum_decay ψ:
//
//	t ← t + 1
//	μ_t = β1 (1 − ½ · 0.96^(t ψ)),  μ_{t+1} = β1 (1 − ½ · 0.96^((t+1) ψ))
//	m ← β1 m + (1−β1) g
//	v ← β2 v + (1−β2) g⊙g
//	v̂ = v / (1−β2^t)
//	W ← W − η (1−μ_t)/(1 − Π_{i≤t} μ_i) · g / (√v̂ + ε)
//	      − η μ_{t+1}/(1 − Π_{i≤t+1} μ_i) · m / (√v̂ + ε)
//
// with m and v zero at the start and t the number of Update calls since
// construction or Reset. The scalars are computed once per Update (in
// float64, the product of the μ_i kept across calls), and the step as
// W ← W − (a g + b m) / (√v + ε √(1−β2^t)) with a and b the two
// coefficients above times √(1−β2^t).
type NAdam[T kernel.Float] struct {
	// Beta1 is β1, the decay of the gradient average m and the scale of
	// the momentum schedule μ_t. NewNAdam sets 0.9.
	Beta1 float64
	// Beta2 is β2, the decay of the squared-gradient average v. NewNAdam
	// sets 0.999.
	Beta2 float64
	// Eps is ε, added to √v̂. NewNAdam sets 1e-8.
	Eps float64
	// MomentumDecay is ψ, the rate at which μ_t rises from β1/2 towards
	// β1. NewNAdam sets 0.004.
	MomentumDecay float64

	t         int
	muProduct float64 // Π_{i≤t} μ_i
	m, v      [][]T
}

// NewNAdam returns an NAdam optimizer with PyTorch's defaults: β1 = 0.9,
// β2 = 0.999, ε = 1e-8 and ψ = 0.004.
func NewNAdam[T kernel.Float]() *NAdam[T] {
	return &NAdam[T]{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, MomentumDecay: 0.004}
}

// Update applies one NAdam step to every params[i] with grads[i].
func (o *NAdam[T]) Update(lr float64, params, grads [][]T) {
	checkGrads("NAdam", params, grads)
	o.m = stateFor("NAdam", o.m, params)
	o.v = stateFor("NAdam", o.v, params)
	if o.t == 0 {
		o.muProduct = 1
	}
	o.t++
	t := float64(o.t)
	mu := o.Beta1 * (1 - 0.5*math.Pow(0.96, t*o.MomentumDecay))
	muNext := o.Beta1 * (1 - 0.5*math.Pow(0.96, (t+1)*o.MomentumDecay))
	o.muProduct *= mu
	bc2 := math.Sqrt(1 - math.Pow(o.Beta2, t))
	a := lr * (1 - mu) / (1 - o.muProduct) * bc2
	b := lr * muNext / (1 - o.muProduct*muNext) * bc2
	c1, c2, ta, tb, eps := T(1-o.Beta1), T(1-o.Beta2), T(a), T(b), T(o.Eps*bc2)
	for i, w := range params {
		kernel.NAdamStep(w, grads[i], o.m[i], o.v[i], c1, c2, ta, tb, eps)
	}
}

// Reset forgets the averages and restarts the step count t and the
// momentum schedule.
func (o *NAdam[T]) Reset() {
	o.t, o.muProduct = 0, 1
	o.m, o.v = nil, nil
}
