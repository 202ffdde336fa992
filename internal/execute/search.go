package execute

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"time"

	"runner/internal/data"
	"runner/internal/store"
	"runner/internal/sweep"
	"runner/internal/train"
)

// trainSearch trains a search whose trials are proposed batch by batch
// (a tpe search) as one sweep: it asks the plan's Proposer for a batch,
// adds its runs to the sweep in one transaction, trains them, reports
// their results, and asks for the next, until every trial is proposed.
// The plan's Configs (from Expand, the first batch) are not used: the
// Proposer gives every batch.
//
// With o.Resume and an unfinished sweep of the same spec, the batches are
// proposed again from the start: the recorded runs of each batch must have
// the keys the Proposer gives (else the sweep cannot be resumed: an
// ErrDatabase), the runs that ended keep their results, which are reported
// as they were, and the others train again. Since a batch is proposed
// from the results of the batches before it only, and those are the same,
// the resumed sweep proposes the same trials an uninterrupted one would.
//
// The hooks see the plan with one config per run the search will have,
// in sweep order; a run's config is filled in when its batch is proposed,
// before its first event. SweepFinished sees the runs proposed.
func trainSearch(ctx context.Context, db *store.DB, p Plan, mnist *data.MNIST, o RunOptions) ([]Result, error) {
	spec := p.Spec
	prop, err := spec.NewProposer()
	if err != nil {
		return nil, withKind(ErrInput, err)
	}
	total := spec.Search.Trials * len(spec.Train.Seeds)
	configs := make([]train.Config, total)
	results := make([]Result, total)
	epochs := make([][]train.EpochMetrics, total)
	var stored []store.Run
	var id int64
	resumed := false
	if o.Resume {
		id, stored, epochs, resumed, err = resumeSearch(ctx, db, p, total)
		if err != nil {
			return nil, withKind(ErrDatabase, err)
		}
	}
	if !resumed {
		rec := sweepRecord(p, o)
		rec.RunsTotal = total // the runs come later, batch by batch
		if id, _, err = db.CreateSweep(ctx, rec, nil); err != nil {
			return nil, withKind(ErrDatabase, err)
		}
	}
	ended := 0
	for _, r := range stored {
		if r.Status.Finished() {
			ended++
		}
	}
	var prune *PruneRule
	if r := spec.Prune; r.Method != "" {
		prune = &PruneRule{Method: r.Method, MinEpochs: r.MinEpochs, Eta: r.Eta}
	}
	workers := o.Jobs
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	first, err := prop.Next() // before SweepStarted, so that the display knows what varies
	if err != nil {
		return nil, withKind(ErrInput, err)
	}
	copy(configs, first)
	hookPlan := Plan{Spec: spec, Configs: configs}
	if o.Hooks.SweepStarted != nil {
		o.Hooks.SweepStarted(SweepStart{ID: id, Plan: hookPlan, Resumed: resumed, Ended: ended,
			Workers: max(min(workers, total-ended), 0)})
	}

	start := time.Now()
	var hist []EndedRun // the ended runs of the batches so far, for the pruner
	next := 0           // the first run of the batch
	var execErr error
	for batch := first; ctx.Err() == nil; {
		if len(batch) == 0 {
			break
		}
		copy(configs[next:], batch)
		var jobs []Job
		var index []int // jobs[k] trains run index[k] of the sweep
		var fresh []train.Config
		for i, cfg := range batch {
			at := next + i
			if at >= len(stored) {
				fresh = append(fresh, cfg)
				continue
			}
			r := stored[at]
			if r.Key != cfg.Key() {
				execErr = withKind(ErrDatabase, fmt.Errorf("resume sweep %d: run %d has key %s, the search proposes %s", id, at, r.Key, cfg.Key()))
				break
			}
			if !r.Status.Finished() {
				epochs[at] = nil // it trains again from the start
				jobs = append(jobs, Job{RunID: r.ID, Config: cfg, Order: at})
				index = append(index, at)
				continue
			}
			results[at] = Result{Status: r.Status, Epochs: len(epochs[at])}
			if r.Error != "" {
				results[at].Err = errors.New(r.Error)
			}
			if n := len(epochs[at]); n > 0 {
				results[at].Final = epochs[at][n-1]
			}
			hist = append(hist, endedRun(at, epochs[at]))
		}
		if execErr != nil {
			break
		}
		if len(fresh) > 0 {
			ids, err := db.AddRuns(ctx, id, fresh)
			if err != nil {
				execErr = withKind(ErrDatabase, err)
				break
			}
			for k, rid := range ids {
				at := next + len(batch) - len(fresh) + k
				jobs = append(jobs, Job{RunID: rid, Config: batch[at-next], Order: at})
				index = append(index, at)
			}
		}
		jobResults, err := Execute(ctx, db, jobs, Options{
			Jobs: workers, MNIST: mnist, Prune: prune, Ended: hist, AfterEpoch: o.AfterEpoch,
			OnEvent: func(ev Event) {
				ev.Job = index[ev.Job]
				if ev.Kind == EpochDone {
					epochs[ev.Job] = append(epochs[ev.Job], ev.Metrics)
				}
				if o.Hooks.Event != nil {
					o.Hooks.Event(ev)
				}
			},
		})
		for k, r := range jobResults {
			results[index[k]] = r
			hist = append(hist, endedRun(index[k], epochs[index[k]]))
		}
		if err != nil {
			execErr = withKind(ErrDatabase, err)
			break
		}
		if ctx.Err() != nil {
			break
		}
		reported := make([]sweep.RunResult, len(batch))
		for i := range batch {
			reported[i] = sweep.RunResult{Status: results[next+i].Status, Epochs: epochs[next+i]}
		}
		if err := prop.Report(reported); err != nil {
			execErr = err
			break
		}
		next += len(batch)
		if batch, err = prop.Next(); err != nil {
			execErr = withKind(ErrInput, err)
			break
		}
	}
	for i := range results {
		if results[i].Status == "" {
			results[i].Status = train.Pending // never started, or never proposed
		}
	}
	status := sweepStatus(results, ctx.Err() != nil || execErr != nil)
	if err := db.FinishSweep(context.WithoutCancel(ctx), id, status); err != nil && execErr == nil {
		execErr = withKind(ErrDatabase, err)
	}
	if o.Hooks.SweepFinished != nil {
		n := next
		for n < total && configs[n].Optimizer.Name != "" {
			n++ // the runs of the batch that was stopped
		}
		o.Hooks.SweepFinished(SweepOutcome{ID: id, Plan: Plan{Spec: spec, Configs: configs[:n]}, Status: status,
			Results: results[:n], Elapsed: time.Since(start), DB: db.Path(), Err: execErr})
	}
	return results, execErr
}

// endedRun is the history the pruner compares later runs with.
func endedRun(order int, ms []train.EpochMetrics) EndedRun {
	h := EndedRun{Order: order, ValAcc: make([]float64, len(ms))}
	for k, m := range ms {
		h.ValAcc[k] = m.ValAcc
	}
	return h
}

// resumeSearch finds the sweep of a search to resume, as beginSweep does,
// and reads its runs, in sweep order, and their epochs, by position. It
// reports false when there is none.
func resumeSearch(ctx context.Context, db *store.DB, p Plan, total int) (int64, []store.Run, [][]train.EpochMetrics, bool, error) {
	epochs := make([][]train.EpochMetrics, total)
	s, err := db.LatestShardSweep(ctx, p.Spec.Name, nil)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return 0, nil, epochs, false, nil
	case err != nil:
		return 0, nil, nil, false, err
	case s.SpecHash != p.Spec.Hash() || !s.Status.Resumable():
		return 0, nil, epochs, false, nil
	}
	runs, err := db.Runs(ctx, s.ID)
	if err != nil {
		return 0, nil, nil, false, err
	}
	if len(runs) > total {
		return 0, nil, nil, false, fmt.Errorf("resume sweep %d: it has %d runs, the search has %d", s.ID, len(runs), total)
	}
	byRun, err := db.SweepEpochs(ctx, s.ID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return 0, nil, nil, false, err
	}
	for i, r := range runs {
		epochs[i] = byRun[r.ID]
	}
	if err := db.ReopenSweep(ctx, s.ID); err != nil {
		return 0, nil, nil, false, err
	}
	return s.ID, runs, epochs, true, nil
}

// sweepRecord is the row of p's new sweep.
func sweepRecord(p Plan, o RunOptions) store.SweepRecord {
	return store.SweepRecord{
		Name:          p.Spec.Name,
		Description:   p.Spec.Description,
		File:          p.Spec.File,
		Spec:          string(p.Spec.Source),
		Overrides:     p.Spec.Overrides,
		SpecHash:      p.Spec.Hash(),
		Seed:          p.Spec.Seed,
		Host:          o.Host,
		RunnerVersion: o.Version,
		Shard:         o.Shard.Record(p.Spec.Hash()),
	}
}
