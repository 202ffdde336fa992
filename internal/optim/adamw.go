package optim

import (
	"math"

	"runner/internal/kernel"
)

var (
	_ Optimizer[float32] = (*AdamW[float32])(nil)
	_ Optimizer[float64] = (*AdamW[float64])(nil)
)

// AdamW is Adam with decoupled weight decay (Loshchilov & Hutter, "Decoupled
// Weight Decay Regularization", ICLR 2019), in the form of PyTorch's
// torch.optim.AdamW, whose documented algorithm it follows step for step:
//
//	t ← t + 1
//	W ← W − η λ W
//	m ← β1 m + (1−β1) g
//	v ← β2 v + (1−β2) g⊙g
//	m̂ = m / (1−β1^t),  v̂ = v / (1−β2^t)
//	W ← W − η m̂ / (√v̂ + ε)
//
// with m and v zero at the start and t the number of Update calls since
// construction or Reset. Unlike the book's Adam (see Adam), ε is added to
// the bias-corrected √v̂. The decay shrinks the weights from before the step
// by η λ, so it follows the learning rate's schedule, and it is not part of
// the gradient (so m and v do not see it).
//
// With AMSGrad (Reddi, Kale & Kumar, "On the Convergence of Adam and
// Beyond", ICLR 2018) the denominator uses the running maximum of v, as
// PyTorch's amsgrad=True does: it keeps v_max ← max(v_max, v) of the
// uncorrected v and divides by √(v_max / (1−β2^t)) + ε; v itself is not
// changed.
//
// Each step is computed as W ← (1−ηλ) W − η_t m / (√v + ε̂) with
// η_t = η √(1−β2^t) / (1−β1^t) and ε̂ = ε √(1−β2^t), the same quantity with
// the scalar work done once per Update.
type AdamW[T kernel.Float] struct {
	// Beta1 is β1, the decay of the gradient average m. NewAdamW sets 0.9.
	Beta1 float64
	// Beta2 is β2, the decay of the squared-gradient average v. NewAdamW
	// sets 0.999.
	Beta2 float64
	// Eps is ε, added to √v̂. NewAdamW sets 1e-8.
	Eps float64
	// WeightDecay is λ, the decoupled decay rate (per unit of learning
	// rate). NewAdamW sets 1e-2.
	WeightDecay float64
	// AMSGrad makes the denominator use the running maximum of v. NewAdamW
	// sets false.
	AMSGrad bool

	t          int
	m, v, vmax [][]T
}

// NewAdamW returns an AdamW optimizer with PyTorch's defaults: β1 = 0.9,
// β2 = 0.999, ε = 1e-8, λ = 1e-2 and no AMSGrad.
func NewAdamW[T kernel.Float]() *AdamW[T] {
	return &AdamW[T]{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 1e-2}
}

// Update applies one AdamW step to every params[i] with grads[i].
func (o *AdamW[T]) Update(lr float64, params, grads [][]T) {
	checkGrads("AdamW", params, grads)
	o.m = stateFor("AdamW", o.m, params)
	o.v = stateFor("AdamW", o.v, params)
	if o.AMSGrad {
		o.vmax = stateFor("AdamW", o.vmax, params)
	}
	o.t++
	t := float64(o.t)
	bc2 := math.Sqrt(1 - math.Pow(o.Beta2, t))
	lrt := lr * bc2 / (1 - math.Pow(o.Beta1, t))
	decay, etaT, c1, c2, eps := T(1-lr*o.WeightDecay), T(lrt), T(1-o.Beta1), T(1-o.Beta2), T(o.Eps*bc2)
	for i, w := range params {
		if o.AMSGrad {
			kernel.AMSGradStep(w, grads[i], o.m[i], o.v[i], o.vmax[i], decay, etaT, c1, c2, eps)
		} else {
			kernel.AdamWStep(w, grads[i], o.m[i], o.v[i], decay, etaT, c1, c2, eps)
		}
	}
}

// Reset forgets the averages and restarts the step count t.
func (o *AdamW[T]) Reset() {
	o.t = 0
	o.m, o.v, o.vmax = nil, nil, nil
}
