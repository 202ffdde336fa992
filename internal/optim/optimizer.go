package optim

import (
	"fmt"

	"runner/internal/kernel"
)

// Optimizer updates parameters in place from their gradients.
type Optimizer[T kernel.Float] interface {
	// Update applies one step with learning rate lr: params[i] is changed using grads[i].
	// State (velocities, accumulators) is allocated on the first call, one per position,
	// and reused; later calls must pass slices of the same lengths (panic "optim: ..." otherwise).
	Update(lr float64, params, grads [][]T)
	// Reset forgets all state so the value can be reused for a new run.
	Reset()
}

// EvalPoint is implemented by optimizers whose evaluation point differs from
// the point where gradients are taken (the schedule-free methods: the
// parameters hold the training point y, and the model should be evaluated at
// the average x). A trainer calls Eval before it evaluates the model (or
// saves the parameters) and Train before the next Update.
type EvalPoint[T kernel.Float] interface {
	// Eval moves params to the evaluation point x; Train moves them back to
	// the training point y. Each is a no-op when params already are there,
	// and both are no-ops before the first Update. params must be the
	// slices last passed to Update (panic "optim: ..." if their shape
	// differs).
	Eval(params [][]T)
	Train(params [][]T)
}

// checkGrads panics unless params and grads pair up position by position.
func checkGrads[T kernel.Float](name string, params, grads [][]T) {
	if len(params) != len(grads) {
		panicf("%s: %d parameter slices but %d gradient slices", name, len(params), len(grads))
	}
	for i, p := range params {
		if len(grads[i]) != len(p) {
			panicf("%s: params[%d] has %d elements but grads[%d] has %d", name, i, len(p), i, len(grads[i]))
		}
	}
}

// stateFor returns state unchanged if it matches the shape of params, or a
// new zeroed state shaped like params if state is nil (the first Update after
// construction or Reset). It panics if params changed shape since state was
// allocated.
func stateFor[T kernel.Float](name string, state, params [][]T) [][]T {
	if state == nil {
		state = make([][]T, len(params)) // non-nil even for no parameters
		for i, p := range params {
			state[i] = make([]T, len(p))
		}
		return state
	}
	if len(state) != len(params) {
		panicf("%s: %d parameter slices but the state was allocated for %d (Reset before a new run)",
			name, len(params), len(state))
	}
	for i, p := range params {
		if len(p) != len(state[i]) {
			panicf("%s: params[%d] has %d elements but the state was allocated for %d (Reset before a new run)",
				name, i, len(p), len(state[i]))
		}
	}
	return state
}

func panicf(format string, args ...any) {
	panic("optim: " + fmt.Sprintf(format, args...))
}
