package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"slices"
	"time"

	"runner/internal/data"
	"runner/internal/execute"
	"runner/internal/store"
	"runner/internal/train"
)

const runUsage = `usage: runner run [flags] FILE...

Expands each experiment file into runs, trains them on -j parallel workers
(each run single-threaded), and records the sweep, its runs and every epoch in
the SQLite database (--db). Each epoch is committed as it ends. Files are
checked before anything is trained: a bad file exits 2 and writes nothing.

Only one runner writes a database at a time: a second one exits with code 5
at once, or waits for the first with --wait. Readers (runner query, sqlite3)
are never blocked.

--resume continues the latest sweep of each file when it did not finish (a
crash, kill -9, a signal) and was made from the same file, overrides and
flags: runs that ended are kept, runs that were in flight or never started
are trained again from the start, and the finished sweep holds exactly the
metrics an uninterrupted one would. When there is nothing to resume, a new
sweep starts, so a nightly job can always pass --resume.

On a terminal a live display shows the runs in flight; otherwise (cron, CI)
one timestamped line is printed per finished run. A summary table ends each
sweep, and one summary line ends the command. Exit codes: 0 all runs done,
1 some run failed or diverged, 2 bad usage or input, 3 database unusable,
4 MNIST unavailable, 5 another runner is writing the database, 130/143
interrupted.

MNIST is looked up in --mnist-dir (or $MNIST_DIR), then the user's cache
folder, then the Go module cache (the GoMNIST module), then downloaded.

--shard I/N trains only slice I (counted from 0) of N of each sweep, for N
processes on a cluster, each with its own --db; runner merge combines their
files. The slices are cut by run key (rendezvous hashing with bounded
loads): they differ in size by one at most, and adding a seed to a sweep
moves few runs between them. Without --shard, the slice is read from the
environment: a Kubernetes Indexed Job's JOB_COMPLETION_INDEX, with N from
--shards N or $RUNNER_SHARDS; a Slurm job array's SLURM_ARRAY_TASK_ID minus
SLURM_ARRAY_TASK_MIN, of SLURM_ARRAY_TASK_COUNT (--shard 0/1 opts out).
Each shard's file holds a sweep of its runs only, recorded with the shard
and a sweep uid shared by the shards of one launch: $RUNNER_SWEEP_UID, else
the Slurm array job's id, else one derived from the spec and N. A shard
without runs says so, records an empty shard and exits 0. --resume resumes
the shard's own sweep (same uid, index and count). With a prune rule, a run
is compared with the earlier runs of its shard only, in sweep order: the
decisions depend on N.

Flags:
`

// RunCommand trains sweeps.
type RunCommand struct{ *Main }

// Run trains the files named in args.
func (c *RunCommand) Run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(c.Stderr)
	var sf specFlags
	sf.register(fs)
	dbPath := fs.String("db", "results.db", "the SQLite database to record results in (`path`)")
	jobs := fs.Int("j", runtime.GOMAXPROCS(0), "train `N` runs in parallel (default: the CPUs this process may use)")
	quiet := fs.Bool("quiet", false, "print only errors and the summary")
	mnistDir := fs.String("mnist-dir", "", "a `folder` holding the four MNIST .gz files (default $MNIST_DIR, then the caches)")
	resume := fs.Bool("resume", false, "continue the latest sweep of each file if it did not finish; otherwise start a new one")
	wait := fs.Bool("wait", false, "wait while another runner writes the database, instead of exiting with code 5")
	logFile := fs.String("log-file", "", "also append every log line and the summaries to `path`")
	shardFlag := fs.String("shard", "", "train only slice `I/N` of each sweep, I counted from 0 (default: from $JOB_COMPLETION_INDEX or $SLURM_ARRAY_TASK_ID)")
	shards := fs.Int("shards", 0, "the number of shards `N` when the environment gives only the index (default $RUNNER_SHARDS)")
	fs.Usage = func() { fmt.Fprint(c.Stderr, runUsage); fs.PrintDefaults() }
	files, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return withCode(exitUsage, errSilent)
	}
	if len(files) == 0 {
		return usageErrorf("run: no experiment file given")
	}
	if *jobs < 1 {
		return usageErrorf("run: -j must be at least 1 (got %d)", *jobs)
	}
	sh, err := selectShard(*shardFlag, *shards, os.Getenv)
	if err != nil {
		return usageErrorf("run: %v", err)
	}
	specs, err := loadSpecs(files, sf)
	if err != nil {
		return err
	}

	out := newOutput(c.Stdout, c.Stderr, *quiet)
	if *logFile != "" {
		f, err := os.OpenFile(*logFile, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			return usageErrorf("run: log file: %v", err)
		}
		defer f.Close()
		out.log = f
	}
	start := time.Now()
	var tally runTally
	err = c.run(ctx, specs, runOptions{db: *dbPath, jobs: *jobs, mnistDir: *mnistDir, resume: *resume, wait: *wait, shard: sh}, out, &tally)
	out.summaryLine(tally, time.Since(start), err)
	if err != nil {
		return err
	}
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	if tally.count[train.Failed]+tally.count[train.Diverged] > 0 {
		return withCode(exitRunsFailed, errSilent)
	}
	return nil
}

// runOptions are the flags of run that the sweeps need.
type runOptions struct {
	db, mnistDir string
	jobs         int
	resume, wait bool
	shard        *shard // nil: every run
}

// runTally counts what the command's sweeps did, for its summary line.
type runTally struct {
	sweeps int
	count  map[train.Status]int
}

func (t *runTally) add(results []execute.Result) {
	if t.count == nil {
		t.count = map[train.Status]int{}
	}
	t.sweeps++
	for _, r := range results {
		st := r.Status
		if st == "" {
			st = train.Pending
		}
		t.count[st]++
	}
}

// run trains the expanded files one after the other (each file is its own
// sweep; the pool drains before the next starts).
func (c *RunCommand) run(ctx context.Context, specs []expanded, o runOptions, out *output, tally *runTally) error {
	specs = o.shard.slice(specs, out)
	// MNIST before the database, so that missing data creates no file; a
	// shard without runs needs none.
	var mnist *data.MNIST
	if slices.ContainsFunc(specs, func(e expanded) bool { return len(e.configs) > 0 }) {
		var err error
		mnist, err = data.Shared(ctx, data.Options{Dir: o.mnistDir})
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return withCode(exitData, fmt.Errorf("load MNIST: %w", err))
		}
		out.logf("MNIST: %s", mnist.Source)
	}

	db, closeDB, err := openWriter(ctx, o.db, o.wait, out.logf)
	if err != nil {
		return err
	}
	defer closeDB()

	for _, e := range specs {
		if ctx.Err() != nil {
			break
		}
		results, err := c.sweep(ctx, db, e, mnist, o, out)
		tally.add(results)
		if err != nil {
			return err
		}
	}
	return nil
}

// sweep trains one expanded file as one sweep, a new one or, with resume,
// the unfinished latest one of the same file, and returns the results of
// all its runs.
func (c *RunCommand) sweep(ctx context.Context, db *store.DB, e expanded, mnist *data.MNIST, o runOptions, out *output) ([]execute.Result, error) {
	results := make([]execute.Result, len(e.configs))
	var jobList []execute.Job
	var jobIndex []int // jobList[k] is the run e.configs[jobIndex[k]]
	var ended []execute.EndedRun
	sh := o.shard.of(e)
	sweepID, resumed, err := c.resumable(ctx, db, e, o.resume, sh)
	if err != nil {
		return nil, withCode(exitDatabase, err)
	}
	if resumed {
		jobList, jobIndex, ended, err = resumeJobs(ctx, db, sweepID, e, results)
		if err != nil {
			return nil, withCode(exitDatabase, err)
		}
		if err := db.ReopenSweep(ctx, sweepID); err != nil {
			return nil, withCode(exitDatabase, err)
		}
	} else {
		host, _ := os.Hostname()
		rec := store.Sweep{
			Name:          e.spec.Name,
			Description:   e.spec.Description,
			File:          e.spec.File,
			Spec:          string(e.spec.Source),
			Overrides:     e.spec.Overrides,
			SpecHash:      e.spec.Hash(),
			Seed:          e.spec.Seed,
			Host:          host,
			RunnerVersion: Version(),
			RunsTotal:     len(e.configs),
			Shard:         sh,
		}
		var runIDs []int64
		sweepID, runIDs, err = db.CreateSweep(ctx, rec, e.configs)
		if err != nil {
			return nil, withCode(exitDatabase, err)
		}
		for i, cfg := range e.configs {
			jobList = append(jobList, execute.Job{RunID: runIDs[i], Config: cfg, Order: i})
			jobIndex = append(jobIndex, i)
		}
	}
	var prune *execute.PruneRule
	if p := e.spec.Prune; p.Method != "" {
		prune = &execute.PruneRule{Method: p.Method, MinEpochs: p.MinEpochs, Eta: p.Eta}
	}

	start := time.Now()
	display := out.startSweep(e, sweepID, o.jobs, len(e.configs)-len(jobList), resumed)
	jobResults, execErr := execute.Execute(ctx, db, jobList, execute.Options{
		Jobs: o.jobs, MNIST: mnist, Prune: prune, Ended: ended,
		OnEvent: func(ev execute.Event) { ev.Job = jobIndex[ev.Job]; display.event(ev) },
	})
	display.finish()
	for k, r := range jobResults {
		results[jobIndex[k]] = r
	}

	status := "done"
	for _, r := range results {
		if r.Status == train.Failed {
			status = "failed"
		}
	}
	// A sweep stopped by a signal or by a failed write did not finish:
	// interrupted, so that --resume continues it. "failed" is final (a run
	// failed), like "done".
	if ctx.Err() != nil || execErr != nil {
		status = "interrupted"
	}
	if err := db.FinishSweep(context.WithoutCancel(ctx), sweepID, status); err != nil && execErr == nil {
		execErr = err
	}
	if execErr != nil {
		return results, withCode(exitDatabase, execErr)
	}
	printSummary(out.summaryWriter(), e, results, summaryInfo{
		sweepID: sweepID, status: status, db: db.Path(), elapsed: time.Since(start),
	})
	return results, nil
}

// resumable returns the sweep to resume: with resume, the latest sweep of
// the file's name and of the same shard (none, or the same index, count
// and sweep uid) when it was made from the same spec (file, overrides and
// flags, by hash) and did not finish. Otherwise resumed is false.
func (c *RunCommand) resumable(ctx context.Context, db *store.DB, e expanded, resume bool, sh *store.Shard) (id int64, resumed bool, err error) {
	if !resume {
		return 0, false, nil
	}
	s, err := db.LatestShardSweep(ctx, e.spec.Name, sh)
	if errors.Is(err, store.ErrNotFound) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	if s.SpecHash != e.spec.Hash() || (s.Status != "running" && s.Status != "interrupted") {
		return 0, false, nil
	}
	return s.ID, true, nil
}

// resumeJobs reads the runs of the sweep being resumed: the runs that ended
// (done, diverged, failed, pruned) are kept, their results filled in from
// the database and their histories returned for the pruner; the others
// become jobs, trained again from the start.
func resumeJobs(ctx context.Context, db *store.DB, sweepID int64, e expanded, results []execute.Result) (jobs []execute.Job, index []int, ended []execute.EndedRun, err error) {
	runs, err := db.Runs(ctx, sweepID)
	if err != nil {
		return nil, nil, nil, err
	}
	byKey := make(map[string]store.Run, len(runs))
	for _, r := range runs {
		byKey[r.Key] = r
	}
	if len(runs) != len(e.configs) {
		return nil, nil, nil, fmt.Errorf("resume sweep %d: it has %d runs, the file expands to %d", sweepID, len(runs), len(e.configs))
	}
	for i, cfg := range e.configs {
		r, ok := byKey[cfg.Key()]
		if !ok {
			return nil, nil, nil, fmt.Errorf("resume sweep %d: no run with key %s", sweepID, cfg.Key())
		}
		if !r.Status.Finished() {
			jobs = append(jobs, execute.Job{RunID: r.ID, Config: cfg, Order: i})
			index = append(index, i)
			continue
		}
		ms, err := db.Epochs(ctx, r.ID)
		if err != nil {
			return nil, nil, nil, err
		}
		hist := execute.EndedRun{Order: i, ValAcc: make([]float64, len(ms))}
		for k, m := range ms {
			hist.ValAcc[k] = m.ValAcc
		}
		ended = append(ended, hist)
		results[i] = execute.Result{Status: r.Status, Epochs: len(ms)}
		if r.Error != "" {
			results[i].Err = errors.New(r.Error)
		}
		if len(ms) > 0 {
			results[i].Final = ms[len(ms)-1]
		}
	}
	return jobs, index, ended, nil
}
