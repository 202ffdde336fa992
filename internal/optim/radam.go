package optim

import (
	"math"

	"runner/internal/kernel"
)

var (
	_ Optimizer[float32] = (*RAdam[float32])(nil)
	_ Optimizer[float64] = (*RAdam[float64])(nil)
)

// RAdam is Rectified Adam (Liu et al., "On the Variance of the Adaptive
// Learning Rate and Beyond", ICLR 2020), in the form of PyTorch's
// torch.optim.RAdam, whose documented algorithm it follows:
//
//	t ← t + 1
//	m ← β1 m + (1−β1) g
//	v ← β2 v + (1−β2) g⊙g
//	m̂ = m / (1−β1^t)
//	ρ_∞ = 2/(1−β2) − 1,  ρ_t = ρ_∞ − 2 t β2^t / (1−β2^t)
//	if ρ_t > 5:
//	    r_t = √((ρ_t−4)(ρ_t−2) ρ_∞ / ((ρ_∞−4)(ρ_∞−2) ρ_t))
//	    W ← W − η m̂ r_t √(1−β2^t) / (√v + ε)
//	else:
//	    W ← W − η m̂
//
// with m and v zero at the start and t the number of Update calls since
// construction or Reset. While ρ_t ≤ 5 (the first 5 steps with β2 = 0.999)
// the variance of the adaptive rate is not tractable and the step is plain
// momentum SGD with a bias-corrected average; v is updated all the same.
// Note that, as in PyTorch, ε is added to the uncorrected √v.
type RAdam[T kernel.Float] struct {
	// Beta1 is β1, the decay of the gradient average m. NewRAdam sets 0.9.
	Beta1 float64
	// Beta2 is β2, the decay of the squared-gradient average v. NewRAdam
	// sets 0.999.
	Beta2 float64
	// Eps is ε, added to √v. NewRAdam sets 1e-8.
	Eps float64

	t    int
	m, v [][]T
}

// NewRAdam returns a RAdam optimizer with PyTorch's defaults: β1 = 0.9,
// β2 = 0.999 and ε = 1e-8.
func NewRAdam[T kernel.Float]() *RAdam[T] {
	return &RAdam[T]{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
}

// Update applies one RAdam step to every params[i] with grads[i].
func (o *RAdam[T]) Update(lr float64, params, grads [][]T) {
	checkGrads("RAdam", params, grads)
	o.m = stateFor("RAdam", o.m, params)
	o.v = stateFor("RAdam", o.v, params)
	o.t++
	t := float64(o.t)
	bc1 := 1 - math.Pow(o.Beta1, t)
	bc2 := 1 - math.Pow(o.Beta2, t)
	rhoInf := 2/(1-o.Beta2) - 1
	rhoT := rhoInf - 2*t*math.Pow(o.Beta2, t)/bc2
	c1, c2 := T(1-o.Beta1), T(1-o.Beta2)
	if rhoT > 5 {
		rect := math.Sqrt((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT))
		lrt, eps := T(lr*rect*math.Sqrt(bc2)/bc1), T(o.Eps)
		for i, w := range params {
			kernel.AdamStep(w, grads[i], o.m[i], o.v[i], lrt, c1, c2, eps)
		}
		return
	}
	lrt := T(lr / bc1)
	for i, w := range params {
		kernel.AdamMomentStep(w, grads[i], o.m[i], o.v[i], lrt, c1, c2)
	}
}

// Reset forgets the averages and restarts the step count t.
func (o *RAdam[T]) Reset() {
	o.t = 0
	o.m, o.v = nil, nil
}
