package main

import (
	"context"
	"flag"
	"os"
	"runtime"
	"time"

	"runner/internal/console"
	"runner/internal/execute"
	"runner/internal/shard"
	"runner/internal/sweep"
	"runner/internal/train"
	"runner/internal/version"
)

var runCommand = &command{
	name:    "run",
	summary: "train the runs of experiment files and record them in results.db",
	usage: `usage: runner run [flags] FILE...

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
`,
	flags: func(fs *flag.FlagSet) func(context.Context, *Main, []string) error {
		specs := specFlags(fs)
		dbPath := dbFlag(fs, "the SQLite database to record results in (`path`)")
		jobs := fs.Int("j", runtime.GOMAXPROCS(0), "train `N` runs in parallel (default: the CPUs this process may use)")
		quiet := fs.Bool("quiet", false, "print only errors and the summary")
		mnistDir := fs.String("mnist-dir", "", "a `folder` holding the four MNIST .gz files (default $MNIST_DIR, then the caches)")
		resume := fs.Bool("resume", false, "continue the latest sweep of each file if it did not finish; otherwise start a new one")
		wait := fs.Bool("wait", false, "wait while another runner writes the database, instead of exiting with code 5")
		logFile := fs.String("log-file", "", "also append every log line and the summaries to `path`")
		shardFlag := fs.String("shard", "", "train only slice `I/N` of each sweep, I counted from 0 (default: from $JOB_COMPLETION_INDEX or $SLURM_ARRAY_TASK_ID)")
		allowDiverged := fs.Bool("allow-diverged", false, "exit 0 when runs diverged (they are still recorded diverged): for experiments whose point is that some settings diverge")
		shards := fs.Int("shards", 0, "the number of shards `N` when the environment gives only the index (default $RUNNER_SHARDS)")
		return func(ctx context.Context, m *Main, files []string) error {
			if len(files) == 0 {
				return usageErrorf("run: no experiment file given")
			}
			if *jobs < 1 {
				return usageErrorf("run: -j must be at least 1 (got %d)", *jobs)
			}
			sh, err := shard.Select(*shardFlag, *shards, os.Getenv)
			if err != nil {
				return usageErrorf("run: %v", err)
			}
			plans, err := specs.load(files)
			if err != nil {
				return err
			}
			out := console.New(m.Stdout, m.Stderr, *quiet)
			if *logFile != "" {
				f, err := os.OpenFile(*logFile, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
				if err != nil {
					return usageErrorf("run: log file: %v", err)
				}
				defer f.Close()
				out.SetLog(f)
			}
			host, _ := os.Hostname()
			start := time.Now()
			tally, err := execute.Run(ctx, plans, execute.RunOptions{
				DB: *dbPath, Jobs: *jobs, MNISTDir: *mnistDir, Resume: *resume, Wait: *wait, Shard: sh,
				Host: host, Version: version.String(), Hooks: out.Hooks(), AfterEpoch: afterEpoch,
			})
			out.SummaryLine(tally, time.Since(start), err)
			switch {
			case err != nil:
				return err
			case ctx.Err() != nil:
				return context.Cause(ctx)
			case tally.Runs[train.Failed] > 0 || (tally.Runs[train.Diverged] > 0 && !*allowDiverged):
				return withCode(exitRunsFailed, errSilent)
			}
			return nil
		}
	},
}

// afterEpoch is nil but in the tests that run this binary as a
// subprocess and hold its runs in flight (see TestMain).
var afterEpoch func(ctx context.Context, order, epoch int)

// specArgs are the flags run and validate share: the overrides and the
// limit on a file's runs.
type specArgs struct {
	sets    stringList
	maxRuns *int
}

func specFlags(fs *flag.FlagSet) *specArgs {
	a := &specArgs{}
	fs.Var(&a.sets, "set", "override a key of the experiment files: `path=value`, the value parsed as YAML (repeatable)")
	a.maxRuns = fs.Int("max-runs", sweep.DefaultMaxRuns, "refuse a file that expands to more than `N` runs")
	return a
}

// load parses, validates and expands the files (execute.LoadPlans).
func (a *specArgs) load(files []string) ([]execute.Plan, error) {
	return execute.LoadPlans(files, a.sets, *a.maxRuns)
}
