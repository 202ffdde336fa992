package execute

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"time"

	"runner/internal/data"
	"runner/internal/shard"
	"runner/internal/store"
	"runner/internal/sweep"
	"runner/internal/train"
)

// The kinds of error Run and LoadPlans return, checked with errors.Is; the
// command maps each to its exit code. An error of none of these kinds is a
// bug.
var (
	// ErrInput marks bad input: an experiment file, an override, an option.
	// Nothing was written.
	ErrInput = errors.New("bad input")
	// ErrData marks MNIST that cannot be loaded: missing, corrupt, a wrong
	// digest. Nothing was written.
	ErrData = errors.New("MNIST unavailable")
	// ErrDatabase marks a database that cannot be used: not a results
	// database, a newer schema, a failed write, a sweep that cannot be
	// resumed as recorded.
	ErrDatabase = errors.New("database unusable")
	// ErrLocked (store.ErrLocked) marks a database another runner is
	// writing.
	ErrLocked = store.ErrLocked
)

// kindError is an error of one of the kinds above; its message is err's.
type kindError struct{ kind, err error }

func (e *kindError) Error() string   { return e.err.Error() }
func (e *kindError) Unwrap() []error { return []error{e.err, e.kind} }

// withKind marks err as being of kind; nil stays nil.
func withKind(kind, err error) error {
	if err == nil {
		return nil
	}
	return &kindError{kind: kind, err: err}
}

// Plan is one experiment file, parsed and expanded to its runs: one sweep.
type Plan struct {
	Spec    *sweep.Spec
	Configs []train.Config
}

// LoadPlans parses, validates and expands every file, with the overrides
// (--set path=value) applied, before anything is trained or written, so
// that a mistake in the last file costs nothing. The problems of every file
// are returned together, of kind ErrInput.
func LoadPlans(files, overrides []string, maxRuns int) ([]Plan, error) {
	if maxRuns < 1 {
		return nil, withKind(ErrInput, fmt.Errorf("-max-runs must be at least 1 (got %d)", maxRuns))
	}
	var plans []Plan
	var problems []error
	for _, file := range files {
		spec, err := sweep.Load(file, overrides)
		if err == nil {
			var configs []train.Config
			if configs, err = spec.Expand(maxRuns); err == nil {
				plans = append(plans, Plan{Spec: spec, Configs: configs})
				continue
			}
		}
		problems = append(problems, err)
	}
	if len(problems) > 0 {
		return nil, withKind(ErrInput, errors.Join(problems...))
	}
	return plans, nil
}

// Hooks are told what Run does, on Run's goroutine (the database writer), in
// this order: Log lines as they happen, and per sweep SweepStarted, Event
// for every event of its runs (after it is committed), SweepFinished (also
// when a write failed). Any may be nil.
type Hooks struct {
	Log           func(msg string)
	SweepStarted  func(SweepStart)
	Event         func(Event) // Event.Job indexes the plan's Configs
	SweepFinished func(SweepOutcome)
}

// SweepStart describes a sweep as its training begins.
type SweepStart struct {
	ID      int64
	Plan    Plan // the runs of this shard, in sweep order
	Resumed bool
	Ended   int // runs that ended before (on resume) and are kept
	Workers int // how many runs train at once
}

// SweepOutcome is how a sweep ended.
type SweepOutcome struct {
	ID      int64
	Plan    Plan
	Status  store.SweepStatus
	Results []Result // one per config of Plan, in its order; Pending for a run never started
	Elapsed time.Duration
	DB      string // the database's path
	Err     error  // why the sweep's results could not be recorded; Run returns it too
}

// RunOptions say how Run trains its plans.
type RunOptions struct {
	DB       string       // the results database, created if missing
	Jobs     int          // runs trained in parallel; ≤ 0 is runtime.GOMAXPROCS(0)
	MNISTDir string       // where to look for MNIST first ("" = $MNIST_DIR, then the caches)
	Resume   bool         // continue the latest sweep of each plan when it did not finish
	Wait     bool         // wait for another runner that writes DB, rather than fail with ErrLocked
	Shard    *shard.Shard // train only this shard's runs of every plan; nil for all
	Host     string       // recorded with each new sweep
	Version  string       // runner's version, recorded with each new sweep
	Hooks    Hooks
	// AfterEpoch is Options.AfterEpoch: nil but in tests.
	AfterEpoch func(ctx context.Context, order, epoch int)
}

// Tally counts what Run's sweeps did.
type Tally struct {
	Sweeps int
	Runs   map[train.Status]int
}

func (t *Tally) add(results []Result) {
	if t.Runs == nil {
		t.Runs = map[train.Status]int{}
	}
	t.Sweeps++
	for _, r := range results {
		t.Runs[r.Status]++
	}
}

// Failed reports whether a run failed or diverged.
func (t Tally) Failed() bool { return t.Runs[train.Failed]+t.Runs[train.Diverged] > 0 }

// Run trains the plans one after the other, each as one sweep of the
// database (the workers drain before the next starts): a new sweep or, with
// Resume, the unfinished latest one of the same file. It returns what the
// sweeps did, and an error of one of the kinds above, or the context's
// when it was cancelled while loading MNIST or waiting for the lock; a
// cancellation during training is not an error: the sweep is recorded as
// interrupted and Run returns.
//
// MNIST is loaded before the database is opened, so that missing data
// creates no file; a shard without runs, or with runs on objective
// functions only, needs none.
func Run(ctx context.Context, plans []Plan, o RunOptions) (Tally, error) {
	var tally Tally
	log := func(format string, args ...any) {
		if o.Hooks.Log != nil {
			o.Hooks.Log(fmt.Sprintf(format, args...))
		}
	}
	if o.Shard != nil {
		for _, p := range plans {
			if p.Spec.Search.Batched() {
				return tally, withKind(ErrInput, fmt.Errorf("%s: a %s search cannot be sharded: each batch of trials is proposed from the results of all the batches before it", p.Spec.File, p.Spec.Search.Method))
			}
		}
	}
	plans = shardPlans(plans, o.Shard, log)
	var mnist *data.MNIST
	if slices.ContainsFunc(plans, func(p Plan) bool {
		if p.Spec.Search.Batched() { // its later batches are not in Configs
			return slices.ContainsFunc(p.Spec.Dataset.Name, func(n string) bool { return n != train.FunctionDataset })
		}
		return slices.ContainsFunc(p.Configs, func(c train.Config) bool { return c.Dataset.Name != train.FunctionDataset })
	}) {
		var err error
		mnist, err = data.Shared(ctx, data.Options{Dir: o.MNISTDir})
		if err != nil {
			if ctx.Err() != nil {
				return tally, context.Cause(ctx)
			}
			return tally, withKind(ErrData, fmt.Errorf("load MNIST: %w", err))
		}
		log("MNIST: %s", mnist.Source)
	}

	db, closeDB, err := store.OpenWriter(ctx, o.DB, o.Wait, log)
	switch {
	case err == nil:
	case errors.Is(err, ErrLocked) || ctx.Err() != nil:
		return tally, err
	default:
		return tally, withKind(ErrDatabase, err)
	}
	defer closeDB()

	for _, p := range plans {
		if ctx.Err() != nil {
			break
		}
		results, err := trainSweep(ctx, db, p, mnist, o)
		tally.add(results)
		if err != nil {
			return tally, err
		}
	}
	return tally, nil
}

// shardPlans keeps of every plan the runs of the shard, in the sweep's
// order, and logs what it kept; a nil shard keeps them all.
func shardPlans(plans []Plan, sh *shard.Shard, log func(string, ...any)) []Plan {
	if sh == nil {
		return plans
	}
	sliced := make([]Plan, len(plans))
	for i, p := range plans {
		keys := make([]string, len(p.Configs))
		for k, c := range p.Configs {
			keys[k] = c.Key()
		}
		var mine []train.Config
		for _, k := range sh.Owns(keys) {
			mine = append(mine, p.Configs[k])
		}
		log("shard %d/%d (%s) of %s: %d of its %d runs; sweep uid %s",
			sh.Index, sh.Count, sh.From, p.Spec.File, len(mine), len(p.Configs), sh.Record(p.Spec.Hash()).UID)
		if len(mine) == 0 {
			log("shard %d/%d of %s: nothing to do (%d runs for %d shards); recording it as an empty shard",
				sh.Index, sh.Count, p.Spec.File, len(p.Configs), sh.Count)
		}
		sliced[i] = Plan{Spec: p.Spec, Configs: mine}
	}
	return sliced
}

// sweepRun is a sweep of the database being trained: the runs left to
// train (all of them for a new sweep) and the results of those that ended
// before.
type sweepRun struct {
	id       int64
	resumed  bool
	jobs     []Job
	jobIndex []int      // jobs[k] trains the plan's config jobIndex[k]
	ended    []EndedRun // the kept runs' histories, for the pruner
	results  []Result   // one per config; filled in for the kept runs
}

// trainSweep trains one plan as one sweep and returns the results of all
// its runs.
func trainSweep(ctx context.Context, db *store.DB, p Plan, mnist *data.MNIST, o RunOptions) ([]Result, error) {
	if p.Spec.Search.Batched() {
		return trainSearch(ctx, db, p, mnist, o)
	}
	sr, err := beginSweep(ctx, db, p, o)
	if err != nil {
		return nil, withKind(ErrDatabase, err)
	}
	var prune *PruneRule
	if r := p.Spec.Prune; r.Method != "" {
		prune = &PruneRule{Method: r.Method, MinEpochs: r.MinEpochs, Eta: r.Eta}
	}
	workers := o.Jobs
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if o.Hooks.SweepStarted != nil {
		o.Hooks.SweepStarted(SweepStart{ID: sr.id, Plan: p, Resumed: sr.resumed,
			Ended: len(p.Configs) - len(sr.jobs), Workers: max(min(workers, len(sr.jobs)), 0)})
	}

	start := time.Now()
	jobResults, execErr := Execute(ctx, db, sr.jobs, Options{
		Jobs: workers, MNIST: mnist, Prune: prune, Ended: sr.ended, AfterEpoch: o.AfterEpoch,
		OnEvent: func(ev Event) {
			if o.Hooks.Event != nil {
				ev.Job = sr.jobIndex[ev.Job]
				o.Hooks.Event(ev)
			}
		},
	})
	for k, r := range jobResults {
		sr.results[sr.jobIndex[k]] = r
	}
	for i := range sr.results {
		if sr.results[i].Status == "" {
			sr.results[i].Status = train.Pending // never started
		}
	}
	status := sweepStatus(sr.results, ctx.Err() != nil || execErr != nil)
	if err := db.FinishSweep(context.WithoutCancel(ctx), sr.id, status); err != nil && execErr == nil {
		execErr = err
	}
	execErr = withKind(ErrDatabase, execErr)
	if o.Hooks.SweepFinished != nil {
		o.Hooks.SweepFinished(SweepOutcome{ID: sr.id, Plan: p, Status: status, Results: sr.results,
			Elapsed: time.Since(start), DB: db.Path(), Err: execErr})
	}
	return sr.results, execErr
}

// sweepStatus is the status a sweep is recorded with when its training
// returns: interrupted when it was stopped (a signal, a failed write), so
// that --resume continues it; otherwise failed when a run failed, and done.
// Failed is final, like done: a run that failed would fail again.
func sweepStatus(results []Result, stopped bool) store.SweepStatus {
	if stopped {
		return store.SweepInterrupted
	}
	for _, r := range results {
		if r.Status == train.Failed {
			return store.SweepFailed
		}
	}
	return store.SweepDone
}

// beginSweep creates the plan's sweep with all its runs pending or, with
// o.Resume, reopens the latest sweep of the plan's name and shard when it
// was made from the same spec (file, overrides and flags, by hash) and did
// not finish: the runs that ended (done, diverged, failed, pruned) are kept,
// the others trained again from the start.
func beginSweep(ctx context.Context, db *store.DB, p Plan, o RunOptions) (*sweepRun, error) {
	rec := o.Shard.Record(p.Spec.Hash())
	if o.Resume {
		s, err := db.LatestShardSweep(ctx, p.Spec.Name, rec)
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return nil, err
		case s.SpecHash == p.Spec.Hash() && s.Status.Resumable():
			return resumeSweep(ctx, db, s.ID, p)
		}
	}
	id, runIDs, err := db.CreateSweep(ctx, sweepRecord(p, o), p.Configs)
	if err != nil {
		return nil, err
	}
	sr := &sweepRun{id: id, results: make([]Result, len(p.Configs))}
	for i, cfg := range p.Configs {
		sr.jobs = append(sr.jobs, Job{RunID: runIDs[i], Config: cfg, Order: i})
		sr.jobIndex = append(sr.jobIndex, i)
	}
	return sr, nil
}

// resumeSweep reads the runs of the sweep being resumed, keeps those that
// ended with their results and histories, makes jobs of the others, and
// marks the sweep running again.
func resumeSweep(ctx context.Context, db *store.DB, id int64, p Plan) (*sweepRun, error) {
	runs, err := db.Runs(ctx, id)
	if err != nil {
		return nil, err
	}
	if len(runs) != len(p.Configs) {
		return nil, fmt.Errorf("resume sweep %d: it has %d runs, the file expands to %d", id, len(runs), len(p.Configs))
	}
	epochs, err := db.SweepEpochs(ctx, id)
	if err != nil {
		return nil, err
	}
	byKey := make(map[string]store.Run, len(runs))
	for _, r := range runs {
		byKey[r.Key] = r
	}
	sr := &sweepRun{id: id, resumed: true, results: make([]Result, len(p.Configs))}
	for i, cfg := range p.Configs {
		r, ok := byKey[cfg.Key()]
		if !ok {
			return nil, fmt.Errorf("resume sweep %d: no run with key %s", id, cfg.Key())
		}
		if !r.Status.Finished() {
			sr.jobs = append(sr.jobs, Job{RunID: r.ID, Config: cfg, Order: i})
			sr.jobIndex = append(sr.jobIndex, i)
			continue
		}
		ms := epochs[r.ID]
		hist := EndedRun{Order: i, ValAcc: make([]float64, len(ms))}
		for k, m := range ms {
			hist.ValAcc[k] = m.ValAcc
		}
		sr.ended = append(sr.ended, hist)
		sr.results[i] = Result{Status: r.Status, Epochs: len(ms)}
		if r.Error != "" {
			sr.results[i].Err = errors.New(r.Error)
		}
		if len(ms) > 0 {
			sr.results[i].Final = ms[len(ms)-1]
		}
	}
	if err := db.ReopenSweep(ctx, id); err != nil {
		return nil, err
	}
	return sr, nil
}
