package optim

import "runner/internal/kernel"

var (
	_ Optimizer[float32] = (*ScheduleFreeSGD[float32])(nil)
	_ Optimizer[float64] = (*ScheduleFreeSGD[float64])(nil)
	_ EvalPoint[float32] = (*ScheduleFreeSGD[float32])(nil)
	_ EvalPoint[float64] = (*ScheduleFreeSGD[float64])(nil)
)

// ScheduleFreeSGD is schedule-free SGD (Defazio et al., "The Road Less
// Scheduled", NeurIPS 2024), as SGDScheduleFree of the authors' reference
// implementation (github.com/facebookresearch/schedule_free) computes it.
// It replaces the decay of the learning rate by an average: the gradient is
// taken at y, an interpolation between the SGD iterate z and the average x
// of the z's, and x is the point to evaluate:
//
//	y = (1−β) z + β x        (the parameters hold y while training)
//	d = ∇f(y) + λ y
//	z ← z − γ_t d
//	c_{t+1} = γ_max,t² / Σ_{i≤t} γ_max,i²,  γ_max,t = max_{i≤t} γ_i
//	x ← (1 − c_{t+1}) x + c_{t+1} z
//
// with z = x = y = the initial parameters. γ_t is the lr passed to Update:
// the warm-up is not inside the optimizer (unlike the reference's
// warmup_steps); the trainer passes the schedule's rate, typically a linear
// warm-up then a constant, and the weights c use that rate (through its
// running maximum, as the reference does, so a later decay does not lower
// them). The reference's other options are fixed at their defaults
// (weight_lr_power 2, r 0).
//
// The parameters hold y; x is not stored but recovered from y and z. Call
// Eval before evaluating the model (it sets the parameters to x) and Train
// before the next Update (back to y); Update panics at the evaluation
// point. The momentum β must be in (0, 1).
type ScheduleFreeSGD[T kernel.Float] struct {
	// Momentum is β, the interpolation between z and x that gives the
	// training point y. NewScheduleFreeSGD sets 0.9.
	Momentum float64
	// WeightDecay is λ, the L2 penalty added to the gradient, taken at y.
	// NewScheduleFreeSGD sets 0.
	WeightDecay float64

	sf scheduleFree[T]
}

// NewScheduleFreeSGD returns a schedule-free SGD optimizer with the
// reference implementation's defaults: β = 0.9 and λ = 0.
func NewScheduleFreeSGD[T kernel.Float]() *ScheduleFreeSGD[T] {
	return &ScheduleFreeSGD[T]{Momentum: 0.9}
}

// Update applies one step with learning rate lr to every params[i] (which
// must hold the training point y) with grads[i], the gradient at y.
func (o *ScheduleFreeSGD[T]) Update(lr float64, params, grads [][]T) {
	c := o.sf.begin("ScheduleFreeSGD", lr, params, grads)
	a := lr * (o.Momentum*(1-c) - 1)
	wd, ck, ta, eta := T(o.WeightDecay), T(c), T(a), T(lr)
	for i, y := range params {
		kernel.ScheduleFreeSGDStep(y, grads[i], o.sf.z[i], wd, ck, ta, eta)
	}
}

// Eval moves params from the training point y to the evaluation point x.
func (o *ScheduleFreeSGD[T]) Eval(params [][]T) { o.sf.toEval("ScheduleFreeSGD", o.Momentum, params) }

// Train moves params from the evaluation point x back to the training
// point y.
func (o *ScheduleFreeSGD[T]) Train(params [][]T) {
	o.sf.toTrain("ScheduleFreeSGD", o.Momentum, params)
}

// Reset forgets z and the averaging weights, and takes the parameters as
// they are to be the training point of a new run.
func (o *ScheduleFreeSGD[T]) Reset() { o.sf.reset() }
