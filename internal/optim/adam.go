package optim

import (
	"math"

	"runner/internal/kernel"
)

var (
	_ Optimizer[float32] = (*Adam[float32])(nil)
	_ Optimizer[float64] = (*Adam[float64])(nil)
)

// Adam keeps decaying averages of the gradient (m) and of its square (v) and
// corrects their bias towards zero through the step size:
//
//	t ← t + 1
//	η_t = η √(1−β2^t) / (1−β1^t)
//	m ← m + (1−β1)(g − m)
//	v ← v + (1−β2)(g⊙g − v)
//	W ← W − η_t m / (√v + ε)
//
// with m and v zero at the start, one pair per parameter position, and t the
// number of Update calls since construction or Reset (shared by all
// positions, as every position is updated once per call).
type Adam[T kernel.Float] struct {
	// Beta1 is β1, the decay of the gradient average m. NewAdam sets 0.9.
	Beta1 float64
	// Beta2 is β2, the decay of the squared-gradient average v. NewAdam
	// sets 0.999.
	Beta2 float64
	// Eps is ε, added to √v to keep the division finite. NewAdam sets 1e-7.
	Eps float64

	t    int
	m, v [][]T
}

// NewAdam returns an Adam optimizer with the book's β1 = 0.9, β2 = 0.999
// and ε = 1e-7.
func NewAdam[T kernel.Float]() *Adam[T] {
	return &Adam[T]{Beta1: 0.9, Beta2: 0.999, Eps: 1e-7}
}

// Update applies one Adam step to every params[i] with grads[i].
func (o *Adam[T]) Update(lr float64, params, grads [][]T) {
	checkGrads("Adam", params, grads)
	o.m = stateFor("Adam", o.m, params)
	o.v = stateFor("Adam", o.v, params)
	o.t++
	t := float64(o.t)
	lrt := lr * math.Sqrt(1-math.Pow(o.Beta2, t)) / (1 - math.Pow(o.Beta1, t))
	etaT, c1, c2, eps := T(lrt), T(1-o.Beta1), T(1-o.Beta2), T(o.Eps)
	for i, w := range params {
		kernel.AdamStep(w, grads[i], o.m[i], o.v[i], etaT, c1, c2, eps)
	}
}

// Reset forgets the averages and restarts the step count t.
func (o *Adam[T]) Reset() {
	o.t = 0
	o.m, o.v = nil, nil
}
