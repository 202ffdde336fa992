package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"time"

	"runner/internal/data"
	"runner/internal/runner"
	"runner/internal/store"
	"runner/internal/train"
)

const runUsage = `usage: runner run [flags] FILE...

Expands each experiment file into runs, trains them on -j parallel workers
(each run single-threaded), and records the sweep, its runs and every epoch in
the SQLite database (--db). Each epoch is committed as it ends. Files are
checked before anything is trained: a bad file exits 2 and writes nothing.

On a terminal a live display shows the runs in flight; otherwise (cron, CI)
one timestamped line is printed per finished run. A summary table ends each
sweep. Exit codes: 0 all runs done, 1 some run failed or diverged, 2 bad usage
or input, 3 database unusable, 4 MNIST unavailable, 130/143 interrupted.

MNIST is looked up in --mnist-dir (or $MNIST_DIR), then the user's cache
folder, then the Go module cache (the GoMNIST module), then downloaded.

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
	specs, err := loadSpecs(files, sf)
	if err != nil {
		return err
	}

	// MNIST before the database, so that missing data creates no file.
	out := newOutput(c.Stdout, c.Stderr, *quiet)
	mnist, err := data.Shared(ctx, data.Options{Dir: *mnistDir})
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return withCode(exitData, fmt.Errorf("load MNIST: %w", err))
	}
	out.logf("MNIST: %s", mnist.Source)

	db, err := store.Open(ctx, *dbPath)
	if err != nil {
		return withCode(exitDatabase, err)
	}
	defer db.Close()

	failed := 0
	for _, e := range specs {
		if ctx.Err() != nil {
			break
		}
		// Each file is its own sweep; the pool drains before the next starts.
		n, err := c.sweep(ctx, db, e, mnist, *jobs, out)
		if err != nil {
			return err
		}
		failed += n
	}
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	if failed > 0 {
		return withCode(exitRunsFailed, errSilent)
	}
	return nil
}

// sweep trains one expanded file as one sweep and returns how many of its
// runs failed or diverged.
func (c *RunCommand) sweep(ctx context.Context, db *store.DB, e expanded, mnist *data.MNIST, jobs int, out *output) (int, error) {
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
	}
	sweepID, runIDs, err := db.CreateSweep(ctx, rec, e.configs)
	if err != nil {
		return 0, withCode(exitDatabase, err)
	}
	jobList := make([]runner.Job, len(e.configs))
	for i, cfg := range e.configs {
		jobList[i] = runner.Job{RunID: runIDs[i], Config: cfg}
	}
	start := time.Now()
	display := out.startSweep(e, sweepID, jobs)
	results, execErr := runner.Execute(ctx, db, jobList, runner.Options{Jobs: jobs, OnEvent: display.event, MNIST: mnist})
	display.finish()

	status, failed := "done", 0
	for _, r := range results {
		switch r.Status {
		case train.Failed:
			failed++
			status = "failed"
		case train.Diverged:
			failed++
		}
	}
	if ctx.Err() != nil {
		status = "interrupted"
	}
	if execErr != nil {
		status = "failed"
	}
	if err := db.FinishSweep(context.WithoutCancel(ctx), sweepID, status); err != nil && execErr == nil {
		execErr = err
	}
	if execErr != nil {
		return failed, withCode(exitDatabase, execErr)
	}
	printSummary(c.Stdout, e, results, summaryInfo{
		sweepID: sweepID, status: status, db: db.Path(), elapsed: time.Since(start),
	})
	return failed, nil
}
