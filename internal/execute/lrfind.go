package execute

import (
	"context"
	"errors"
	"fmt"

	"runner/internal/data"
	"runner/internal/store"
	"runner/internal/train"
)

// LRFindOptions say how FindLR runs and records a range test.
type LRFindOptions struct {
	DB       string        // the results database, created if missing
	Name     string        // the name of the sweep that records the test
	Range    train.LRRange // the rates and the steps
	MNISTDir string        // where to look for MNIST first ("" = $MNIST_DIR, then the caches)
	Wait     bool          // wait for another runner that writes DB, rather than fail with ErrLocked
	Host     string        // recorded with the sweep
	Version  string        // runner's version, recorded with the sweep
	Log      func(msg string)
}

// LRFindOutcome is a range test as recorded.
type LRFindOutcome struct {
	SweepID int64
	Result  train.LRResult
}

// FindLR runs the learning-rate range test (train.FindLR) of the plan's
// run i (counted from 0) and records it in o.DB as a sweep of its own, named
// o.Name, with the plan's file, spec and overrides: one run with the run's
// config, its steps in the steps table (step, epoch, lr, loss), one epochs
// row per pass over the data (the mean rate and loss of its steps, no
// accuracies, no epoch 0). The run ends done when the test reached the end
// rate, diverged when the divergence rule stopped it (the reason in its
// error column). The errors are of the kinds of Run; when ctx is cancelled
// the run and the sweep are recorded as interrupted and FindLR returns the
// context's cause.
func FindLR(ctx context.Context, p Plan, i int, o LRFindOptions) (LRFindOutcome, error) {
	if i < 0 || i >= len(p.Configs) {
		return LRFindOutcome{}, withKind(ErrInput, fmt.Errorf("%s has no run %d (it has %d)", p.Spec.File, i+1, len(p.Configs)))
	}
	cfg := p.Configs[i]
	if cfg.Dataset.Name == train.FunctionDataset {
		return LRFindOutcome{}, withKind(ErrInput, fmt.Errorf("%s: run %d minimizes an objective function (dataset %s): the range test needs minibatches of MNIST",
			p.Spec.File, i+1, train.FunctionDataset))
	}
	if err := o.Range.Validate(); err != nil {
		return LRFindOutcome{}, withKind(ErrInput, err)
	}
	if o.Name == "" {
		return LRFindOutcome{}, withKind(ErrInput, errors.New("the sweep's name is empty"))
	}
	log := func(format string, args ...any) {
		if o.Log != nil {
			o.Log(fmt.Sprintf(format, args...))
		}
	}
	mnist, err := data.Shared(ctx, data.Options{Dir: o.MNISTDir})
	if err != nil {
		if ctx.Err() != nil {
			return LRFindOutcome{}, context.Cause(ctx)
		}
		return LRFindOutcome{}, withKind(ErrData, fmt.Errorf("load MNIST: %w", err))
	}
	log("MNIST: %s", mnist.Source)
	d, err := train.PrepareData(mnist, cfg.Dataset)
	if err != nil {
		return LRFindOutcome{}, withKind(ErrInput, fmt.Errorf("%s: run %d: %w", p.Spec.File, i+1, err))
	}

	db, closeDB, err := store.OpenWriter(ctx, o.DB, o.Wait, log)
	switch {
	case err == nil:
	case errors.Is(err, ErrLocked) || ctx.Err() != nil:
		return LRFindOutcome{}, err
	default:
		return LRFindOutcome{}, withKind(ErrDatabase, err)
	}
	defer closeDB()
	r := o.Range
	rec := sweepRecord(p, RunOptions{Host: o.Host, Version: o.Version})
	rec.Name = o.Name
	rec.Description = fmt.Sprintf("learning-rate range test of run %d of %s: %g to %g over %d steps",
		i+1, p.Spec.File, r.Start, r.End, r.Steps)
	id, runIDs, err := db.CreateSweep(ctx, rec, []train.Config{cfg})
	if err != nil {
		return LRFindOutcome{}, withKind(ErrDatabase, err)
	}
	out := LRFindOutcome{SweepID: id}
	runID := runIDs[0]
	wctx := context.WithoutCancel(ctx) // record the interruption too
	if err := db.StartRun(wctx, runID); err != nil {
		return out, withKind(ErrDatabase, err)
	}
	var writeErr error
	out.Result, err = train.FindLR(ctx, cfg, d, r, func(m train.EpochMetrics) error {
		writeErr = db.AddEpoch(wctx, runID, m)
		return writeErr
	})
	status, text, sweepStatus := out.Result.Status(), out.Result.Curve.Reason, store.SweepDone
	switch {
	case writeErr != nil:
		status, text, sweepStatus = train.Interrupted, "stopped: "+writeErr.Error(), store.SweepInterrupted
	case ctx.Err() != nil:
		status, text, sweepStatus = train.Interrupted, "", store.SweepInterrupted
		err = context.Cause(ctx)
	case err != nil:
		status, text, sweepStatus = train.Failed, err.Error(), store.SweepFailed
		err = withKind(ErrInput, err) // train.Validate's: a config that cannot be trained
	}
	if ferr := db.FinishRun(wctx, runID, status, text); ferr != nil && writeErr == nil {
		writeErr = ferr
	}
	if ferr := db.FinishSweep(wctx, id, sweepStatus); ferr != nil && writeErr == nil {
		writeErr = ferr
	}
	if writeErr != nil {
		return out, withKind(ErrDatabase, writeErr)
	}
	return out, err
}
