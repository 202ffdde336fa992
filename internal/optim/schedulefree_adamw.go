package optim

import (
	"math"

	"runner/internal/kernel"
)

var (
	_ Optimizer[float32] = (*ScheduleFreeAdamW[float32])(nil)
	_ Optimizer[float64] = (*ScheduleFreeAdamW[float64])(nil)
	_ EvalPoint[float32] = (*ScheduleFreeAdamW[float32])(nil)
	_ EvalPoint[float64] = (*ScheduleFreeAdamW[float64])(nil)
)

// ScheduleFreeAdamW is schedule-free AdamW (Defazio et al., "The Road Less
// Scheduled", NeurIPS 2024), as AdamWScheduleFree of the authors' reference
// implementation (github.com/facebookresearch/schedule_free) computes it:
// schedule-free SGD (see ScheduleFreeSGD) whose step is the gradient
// divided by Adam's √v, with the bias correction folded into the step size:
//
//	y = (1−β1) z + β1 x        (the parameters hold y while training)
//	t ← t + 1
//	v ← β2 v + (1−β2) g⊙g,  g = ∇f(y)
//	d = g / (√v + ε) + λ y
//	γ_t = η_t √(1−β2^t)
//	z ← z − γ_t d
//	c_{t+1} = γ_max,t² / Σ_{i≤t} γ_max,i²,  γ_max,t = max_{i≤t} γ_i
//	x ← (1 − c_{t+1}) x + c_{t+1} z
//
// with v zero and z = x = y = the initial parameters at the start. η_t is
// the lr passed to Update: the warm-up is not inside the optimizer (unlike
// the reference's warmup_steps); the trainer passes the schedule's rate,
// typically a linear warm-up then a constant, and the weights c use that
// rate (times the bias correction, through its running maximum, as the
// reference does). weight_lr_power is 2 and r is 0, the reference's
// defaults. There is no first-moment average: β1 only sets the
// interpolation y.
//
// The parameters hold y; call Eval before evaluating the model (it sets
// them to x) and Train before the next Update (back to y); Update panics at
// the evaluation point. β1 must be in (0, 1).
type ScheduleFreeAdamW[T kernel.Float] struct {
	// Beta1 is β1, the interpolation between z and x that gives the
	// training point y. NewScheduleFreeAdamW sets 0.9.
	Beta1 float64
	// Beta2 is β2, the decay of the squared-gradient average v.
	// NewScheduleFreeAdamW sets 0.999.
	Beta2 float64
	// Eps is ε, added to √v. NewScheduleFreeAdamW sets 1e-8.
	Eps float64
	// WeightDecay is λ, the decay added to the normalised step, taken at
	// y (decoupled from v). NewScheduleFreeAdamW sets 0.
	WeightDecay float64

	t  int
	v  [][]T
	sf scheduleFree[T]
}

// NewScheduleFreeAdamW returns a schedule-free AdamW optimizer with the
// reference implementation's defaults: β1 = 0.9, β2 = 0.999, ε = 1e-8 and
// λ = 0.
func NewScheduleFreeAdamW[T kernel.Float]() *ScheduleFreeAdamW[T] {
	return &ScheduleFreeAdamW[T]{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
}

// Update applies one step with learning rate lr to every params[i] (which
// must hold the training point y) with grads[i], the gradient at y.
func (o *ScheduleFreeAdamW[T]) Update(lr float64, params, grads [][]T) {
	checkGrads("ScheduleFreeAdamW", params, grads)
	if o.v != nil {
		o.v = stateFor("ScheduleFreeAdamW", o.v, params)
	}
	gamma := lr * math.Sqrt(1-math.Pow(o.Beta2, float64(o.t+1)))
	c := o.sf.begin("ScheduleFreeAdamW", gamma, params, grads)
	o.v = stateFor("ScheduleFreeAdamW", o.v, params)
	o.t++
	a := gamma * (o.Beta1*(1-c) - 1)
	c2, eps, wd := T(1-o.Beta2), T(o.Eps), T(o.WeightDecay)
	ck, ta, g := T(c), T(a), T(gamma)
	for i, y := range params {
		kernel.ScheduleFreeAdamWStep(y, grads[i], o.sf.z[i], o.v[i], c2, eps, wd, ck, ta, g)
	}
}

// Eval moves params from the training point y to the evaluation point x.
func (o *ScheduleFreeAdamW[T]) Eval(params [][]T) {
	o.sf.toEval("ScheduleFreeAdamW", o.Beta1, params)
}

// Train moves params from the evaluation point x back to the training
// point y.
func (o *ScheduleFreeAdamW[T]) Train(params [][]T) {
	o.sf.toTrain("ScheduleFreeAdamW", o.Beta1, params)
}

// Reset forgets z, v, the step count and the averaging weights, and takes
// the parameters as they are to be the training point of a new run.
func (o *ScheduleFreeAdamW[T]) Reset() {
	o.t, o.v = 0, nil
	o.sf.reset()
}
