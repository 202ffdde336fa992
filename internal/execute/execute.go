// Package execute trains the runs of a sweep in parallel and records every
// epoch in results.db.
//
// # Goroutines
//
// Execute owns every channel and starts:
//
//   - a feeder, which sends job indices, in order, on queue and closes it
//     when all are sent or the context is cancelled;
//   - Jobs workers, which each take an index from queue, train that run on
//     their own goroutine with single-threaded numerics (train.Run), and send
//     its events (started, one per epoch, finished) on events. A panic inside
//     a run is recovered and the run ends Failed; the worker goes on;
//   - a closer, which waits for the workers and then closes events.
//
// Execute's own goroutine is the writer, the only one that touches the
// database: it receives events, commits each as it arrives (an epoch is one
// transaction) and then hands it to the caller's OnEvent callback (the
// progress display), so the callback needs no locking. events is buffered,
// so training does not wait on the disk; the writer returns when events is
// closed and drained.
//
// On cancellation (a signal), workers stop within one training step or one
// evaluation chunk, the runs in flight are recorded as interrupted, and runs
// never started stay pending. When a write fails, the writer cancels the
// workers, drains their events, marks the runs it had started as interrupted
// (best effort: the database may be what failed) and returns the error.
package execute

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"

	"runner/internal/data"
	"runner/internal/store"
	"runner/internal/train"
)

// Job is one run to train: its row in results.db, its config and its
// position in the sweep (the order pruning decisions follow).
type Job struct {
	RunID  int64
	Config train.Config
	Order  int
}

// EventKind says what an Event reports.
type EventKind int

// The events of a run, in the order they happen.
const (
	RunStarted  EventKind = iota // the run began training
	EpochDone                    // an epoch (0 = before training) was measured
	RunFinished                  // the run ended; Status and Err say how
)

// Event is one thing that happened to a run, reported to Options.OnEvent
// after it has been committed to the database.
type Event struct {
	Kind    EventKind
	Job     int // index into the jobs given to Execute
	RunID   int64
	Metrics train.EpochMetrics // EpochDone
	Status  train.Status       // RunFinished
	Err     error              // RunFinished: why the run failed, diverged or was interrupted
}

// Options tune Execute. The zero value trains on runtime.GOMAXPROCS(0) workers.
type Options struct {
	Jobs    int         // parallel runs; ≤ 0 means runtime.GOMAXPROCS(0)
	OnEvent func(Event) // called on the writer goroutine, after each commit
	MNIST   *data.MNIST // the data every run shares, loaded once
	// Prune, when set, stops hopeless runs early (see PruneRule); the jobs
	// must then be given in increasing Order, and Ended holds the runs of
	// the sweep that ended before (on resume), for comparison.
	Prune *PruneRule
	Ended []EndedRun
	// AfterEpoch, when set, is called on a run's worker after each epoch
	// it reports (epoch 0 included), with the run's Order: a seam for tests
	// that hold runs in flight. It may block, and should return once ctx
	// is done; the run then ends interrupted.
	AfterEpoch func(ctx context.Context, order, epoch int)
}

// Result is how one run ended.
type Result struct {
	Status train.Status
	Err    error
	Final  train.EpochMetrics // the last epoch reported (zero Epoch and NaN-free zero values if none)
	Epochs int                // epochs reported, epoch 0 included
}

// Execute trains the jobs on opts.Jobs workers and records them in db. It
// returns one Result per job (in the order of jobs) once every worker has
// stopped, and an error only when the database could not be written.
func Execute(ctx context.Context, db *store.DB, jobs []Job, opts Options) ([]Result, error) {
	workers := opts.Jobs
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, max(len(jobs), 1))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var pr *pruner
	if opts.Prune != nil {
		if err := opts.Prune.Validate(); err != nil {
			return nil, err
		}
		for k := 1; k < len(jobs); k++ {
			if jobs[k].Order <= jobs[k-1].Order {
				return nil, fmt.Errorf("execute: pruning needs jobs in increasing order (job %d has order %d after %d)", k, jobs[k].Order, jobs[k-1].Order)
			}
		}
		pr = newPruner(ctx, *opts.Prune, opts.Ended)
	}

	queue := make(chan int)
	events := make(chan Event, 1024)

	go func() { // feeder
		defer close(queue)
		for i := range jobs {
			select {
			case queue <- i:
			case <-ctx.Done():
				return
			}
		}
	}()

	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() { // worker
			defer wg.Done()
			for i := range queue {
				if ctx.Err() != nil {
					if pr != nil {
						pr.end(jobs[i].Order) // later runs may be waiting for it
					}
					continue
				}
				trainJob(ctx, i, jobs[i], opts, pr, events)
			}
		}()
	}
	go func() {
		wg.Wait()
		close(events)
	}()

	// The writer: this goroutine.
	results := make([]Result, len(jobs))
	started := map[int]bool{} // runs recorded as running, not yet finished
	var writeErr error
	for ev := range events {
		if writeErr != nil {
			continue // drain: the workers are stopping
		}
		if err := record(ctx, db, ev, &results[ev.Job]); err != nil {
			writeErr = err
			cancel()
			continue
		}
		switch ev.Kind {
		case RunStarted:
			started[ev.Job] = true
		case RunFinished:
			delete(started, ev.Job)
		}
		if opts.OnEvent != nil {
			opts.OnEvent(ev)
		}
	}
	if writeErr != nil {
		for i := range started {
			results[i].Status, results[i].Err = train.Interrupted, writeErr
			_ = db.FinishRun(context.WithoutCancel(ctx), jobs[i].RunID, train.Interrupted, "stopped: "+writeErr.Error())
		}
	}
	return results, writeErr
}

// record commits one event and folds it into the run's result.
func record(ctx context.Context, db *store.DB, ev Event, r *Result) error {
	// Writes use a context that survives cancellation: a signal must not
	// stop us from recording that runs were interrupted.
	wctx := context.WithoutCancel(ctx)
	switch ev.Kind {
	case RunStarted:
		return db.StartRun(wctx, ev.RunID)
	case EpochDone:
		if err := db.AddEpoch(wctx, ev.RunID, ev.Metrics); err != nil {
			return err
		}
		r.Final = ev.Metrics
		r.Epochs++
	case RunFinished:
		r.Status, r.Err = ev.Status, ev.Err
		msg := ""
		if ev.Err != nil {
			msg = ev.Err.Error()
		}
		return db.FinishRun(wctx, ev.RunID, ev.Status, msg)
	}
	return nil
}

// trainJob trains one run, sending its events and, with a pruner, asking
// it after every epoch whether to go on. A panic ends the run Failed with
// the panic value and stack in its error.
func trainJob(ctx context.Context, i int, job Job, opts Options, pr *pruner, events chan<- Event) {
	if pr != nil {
		defer pr.end(job.Order)
	}
	events <- Event{Kind: RunStarted, Job: i, RunID: job.RunID}
	status, err := func() (st train.Status, err error) {
		defer func() {
			if v := recover(); v != nil {
				st, err = train.Failed, fmt.Errorf("panic: %v\n%s", v, debug.Stack())
			}
		}()
		d, err := train.PrepareData(opts.MNIST, job.Config.Dataset)
		if err != nil {
			return train.Failed, err
		}
		return train.Run(ctx, job.Config, d, func(em train.EpochMetrics) error {
			events <- Event{Kind: EpochDone, Job: i, RunID: job.RunID, Metrics: em}
			if opts.AfterEpoch != nil {
				opts.AfterEpoch(ctx, job.Order, em.Epoch)
			}
			if pr != nil {
				// The last epoch is never judged: stopping there saves
				// nothing and would drop a finished run from the results.
				return pr.report(ctx, job.Order, em, em.Epoch < job.Config.Epochs)
			}
			return nil
		})
	}()
	events <- Event{Kind: RunFinished, Job: i, RunID: job.RunID, Status: status, Err: err}
}
