package optim

import "runner/internal/kernel"

// scheduleFree is the state the two schedule-free methods share: the base
// sequence z, the running sums of the averaging weights, and whether the
// parameters hold the training point y or the evaluation point x.
//
// The parameters hold y = (1−β) z + β x during training, x being the
// weighted average of the z's. Update moves y and z together without
// storing x: with c = c_{t+1} and the step d,
//
//	z' = z − γ d
//	x' = (1−c) x + c z'
//	y' = (1−β) z' + β x' = y + c (z − y) + γ (β (1−c) − 1) d
//
// Eval sets the parameters to x = y + (1 − 1/β)(z − y) and Train back to
// y = x + (1−β)(z − x), as the reference implementation does; each round
// trip rounds, so a float32 y moves by a few ulps per Eval/Train pair.
type scheduleFree[T kernel.Float] struct {
	z         [][]T
	lrMax     float64 // the largest γ so far
	weightSum float64 // Σ γ_max,i²
	eval      bool    // the parameters hold x
}

// begin checks a call to Update, allocates z as a copy of the parameters on
// the first one, and returns the averaging weight c_{t+1} for the step size
// gamma (the reference's weight = lr_max^p, c = weight / Σ weight, 0 while
// the sum is 0).
func (s *scheduleFree[T]) begin(name string, gamma float64, params, grads [][]T) float64 {
	checkGrads(name, params, grads)
	if s.eval {
		panicf("%s: Update with the parameters at the evaluation point (call Train first)", name)
	}
	if s.z == nil {
		s.z = stateFor(name, nil, params)
		for i, p := range params {
			copy(s.z[i], p)
		}
	} else {
		s.z = stateFor(name, s.z, params)
	}
	s.lrMax = max(s.lrMax, gamma)
	weight := s.lrMax * s.lrMax // γ_max^p with the reference's weight_lr_power p = 2
	s.weightSum += weight
	if s.weightSum == 0 {
		return 0
	}
	return weight / s.weightSum
}

// toEval moves params from y to x; beta is the interpolation β.
func (s *scheduleFree[T]) toEval(name string, beta float64, params [][]T) {
	if s.z == nil || s.eval {
		return
	}
	s.z = stateFor(name, s.z, params)
	c := T(1 - 1/beta)
	for i, p := range params {
		kernel.Lerp(p, s.z[i], c)
	}
	s.eval = true
}

// toTrain moves params from x back to y.
func (s *scheduleFree[T]) toTrain(name string, beta float64, params [][]T) {
	if s.z == nil || !s.eval {
		return
	}
	s.z = stateFor(name, s.z, params)
	c := T(1 - beta)
	for i, p := range params {
		kernel.Lerp(p, s.z[i], c)
	}
	s.eval = false
}

func (s *scheduleFree[T]) reset() { *s = scheduleFree[T]{} }
