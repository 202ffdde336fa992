package train

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"runner/internal/objective"
	"runner/internal/optim"
)

// FunctionDataset is the DatasetConfig.Name of a run that minimizes an
// objective function (package objective) instead of training on MNIST.
const FunctionDataset = "function"

// runFunction minimizes the objective function of cfg.Dataset from its
// Start: each epoch is one step of the run's optimizer, at the rate the
// schedule gives for that step (a schedule's epochs are steps), always in
// float64. It reports epoch 0 at the start and every epoch after its step
// with the position, the value there (TrainLoss) and the distance to the
// nearest minimum; the accuracies are NaN. A schedule-free optimizer's
// position is its evaluation point x (it steps from y), and a plateau
// schedule follows the value. A value or a position that is not finite is
// reported and ends the run Diverged.
func runFunction(ctx context.Context, cfg Config, report func(EpochMetrics) error) (Status, error) {
	dc := cfg.Dataset
	f, err := objective.Lookup(dc.Function, dc.Condition)
	if err != nil {
		return Failed, fmt.Errorf("dataset.function: %w", err)
	}
	x := slices.Clone(dc.Start)
	g := make([]float64, len(x))
	params, grads := [][]float64{x}, [][]float64{g}
	opt := newOptimizer[float64](cfg.Optimizer)
	sched := newSchedule(cfg.Schedule, cfg.Optimizer.LR, 1, cfg.Epochs)
	plateau, _ := sched.(*optim.Plateau)
	evalPoint, _ := opt.(optim.EvalPoint[float64])

	at := func(epoch int, lr float64, seconds float64) EpochMetrics {
		nan := math.NaN()
		return EpochMetrics{
			Epoch:     epoch,
			LR:        lr,
			TrainLoss: f.Value(x),
			TrainAcc:  nan,
			ValAcc:    nan,
			TestAcc:   nan,
			Seconds:   seconds,
			Position:  slices.Clone(x),
			Distance:  objective.Distance(f, x),
		}
	}
	m := at(0, sched.Rate(0), 0)
	for epoch := 0; ; epoch++ {
		if pathDiverged(m) {
			report(m) // the run ends diverged whatever report says
			return Diverged, fmt.Errorf("step %d: %w (%s = %v at %v)", epoch, ErrDiverged, f.Name(), m.TrainLoss, m.Position)
		}
		if err := report(m); err != nil {
			return stopped(err)
		}
		if epoch == cfg.Epochs {
			return Done, nil
		}
		if err := ctx.Err(); err != nil {
			return Interrupted, err
		}
		start := time.Now()
		lr := sched.Rate(epoch)
		f.Grad(g, x)
		opt.Update(lr, params, grads)
		seconds := time.Since(start).Seconds()
		if evalPoint != nil {
			evalPoint.Eval(params)
		}
		m = at(epoch+1, lr, seconds)
		if evalPoint != nil {
			evalPoint.Train(params)
		}
		if plateau != nil {
			plateau.Observe(m.TrainLoss)
		}
	}
}

// pathDiverged reports whether the value or a coordinate of the position
// of m is NaN or infinite.
func pathDiverged(m EpochMetrics) bool {
	bad := func(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) }
	return bad(m.TrainLoss) || slices.ContainsFunc(m.Position, bad)
}
