package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"runner/internal/atomicfile"
	"runner/internal/execute"
	"runner/internal/report"
	"runner/internal/train"
	"runner/internal/version"
)

var lrFindCommand = &command{
	name:    "lr-find",
	summary: "the learning-rate range test of a run, and a suggested rate",
	usage: `usage: runner lr-find [flags] FILE

The learning-rate range test (Smith, "Cyclical Learning Rates for Training
Neural Networks", 2017; fastai's lr_find): trains the file's run from its
initial weights with a rate that grows exponentially from --start to --end
over --steps minibatches, step i at start·(end/start)^(i/(steps−1)), in the
order its training would draw them (the run's seed), and records the loss
of each. The run's own rate, schedule and epochs are not used.

It stops early at the first step whose loss is not finite or whose
smoothed loss (an exponential moving average, β = 0.9, debiased) exceeds 4
times the lowest smoothed loss so far (fastai's rule). The suggested rate
is a tenth of the rate of the lowest smoothed loss (fastai's "minimum"): a
rate at which the loss still falls, well short of where it turns up. The
rate of the steepest descent of the smoothed loss, the other common pick,
is printed too; it rests on a slope of a noisy curve and moves more.

The test is recorded in --db as a sweep named NAME-lrfind (NAME the file's
name): one run with the file's config, whose steps (step, epoch, lr, loss)
are in the steps table, ended done, or diverged when the rule stopped it.
The figure, loss against the rate on a log axis with the suggestion marked,
is written to NAME-lrfind.png and .svg in -o; runner plot of the sweep
draws the same figure. runner compare NAME-lrfind prints what the test
found again, from the steps recorded; runner check NAME-lrfind sets it
beside the test before it.

A file that expands to several runs needs --run N, the run's number as
runner validate lists them; --set narrows a file as for runner run.
Objective functions (dataset function) are refused: the test needs
minibatches. Exit codes as runner run's, but a test stopped by divergence
exits 0: that is its usual end.
`,
	flags: func(fs *flag.FlagSet) func(context.Context, *Main, []string) error {
		specs := specFlags(fs)
		dbPath := dbFlag(fs, "the SQLite database to record the test in (`path`)")
		start := fs.Float64("start", 1e-7, "the `rate` of the first step")
		end := fs.Float64("end", 10, "the `rate` of the last step")
		steps := fs.Int("steps", 100, "the `number` of steps from --start to --end (at least 2)")
		runN := fs.Int("run", 0, "the run `N` of the file to test, counted from 1 as runner validate lists them (needed when the file has several)")
		outDir := fs.String("o", ".", "the existing `folder` to write the figure in")
		mnistDir := fs.String("mnist-dir", "", "a `folder` holding the four MNIST .gz files (default $MNIST_DIR, then the caches)")
		wait := fs.Bool("wait", false, "wait while another runner writes the database, instead of exiting with code 5")
		return func(ctx context.Context, m *Main, files []string) error {
			if len(files) != 1 {
				return usageErrorf("lr-find: want one experiment file (got %d)", len(files))
			}
			r := train.LRRange{Start: *start, End: *end, Steps: *steps}
			if err := r.Validate(); err != nil {
				return usageErrorf("lr-find: --%v", err)
			}
			if *runN < 0 {
				return usageErrorf("lr-find: --run must be at least 1 (got %d)", *runN)
			}
			if fi, err := os.Stat(*outDir); err != nil {
				return usageErrorf("lr-find: -o %s: %v", *outDir, err)
			} else if !fi.IsDir() {
				return usageErrorf("lr-find: -o %s: not a directory", *outDir)
			}
			plans, err := specs.load(files)
			if err != nil {
				return err
			}
			p := plans[0]
			i := *runN - 1
			switch {
			case *runN == 0 && len(p.Configs) != 1:
				return usageErrorf("lr-find: %s expands to %d runs: choose one with --run N (runner validate %s lists them), or narrow it with --set",
					p.Spec.File, len(p.Configs), p.Spec.File)
			case *runN == 0:
				i = 0
			case *runN > len(p.Configs):
				return usageErrorf("lr-find: --run %d: %s expands to %d runs", *runN, p.Spec.File, len(p.Configs))
			}
			name := p.Spec.Name + report.LRFindSuffix
			host, _ := os.Hostname()
			out, err := execute.FindLR(ctx, p, i, execute.LRFindOptions{
				DB: *dbPath, Name: name, Range: r, MNISTDir: *mnistDir, Wait: *wait,
				Host: host, Version: version.String(),
				Log: func(msg string) { fmt.Fprintln(m.Stderr, msg) },
			})
			if err != nil {
				return fmt.Errorf("lr-find: %w", err)
			}
			return writeLRFind(ctx, m, *dbPath, *outDir, p.Spec.File, i, out)
		}
	},
}

// writeLRFind prints what the range test found and draws its figure from
// the sweep as recorded, as runner plot does.
func writeLRFind(ctx context.Context, m *Main, dbPath, outDir, file string, i int, out execute.LRFindOutcome) error {
	db, err := openReadOnly(ctx, dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	s, err := loadSweep(ctx, db, fmt.Sprint(out.SweepID))
	if err != nil {
		return fmt.Errorf("lr-find: %w", err)
	}
	sum, err := report.SummarizeLR(s)
	if err != nil {
		return withCode(exitInternal, fmt.Errorf("lr-find: %w", err))
	}
	w := m.Stdout
	fmt.Fprintf(w, "run %d of %s: %s\n", i+1, file, sum.Run())
	fmt.Fprintf(w, "recorded as %s in %s\n", s, dbPath)
	if err := sum.WriteText(w); err != nil {
		return withCode(exitOutput, fmt.Errorf("lr-find: %w", err))
	}
	fig := sum.Figure()
	for _, format := range []string{"png", "svg"} {
		path := filepath.Join(outDir, fileSafe(s.Name)+"."+format)
		if err := atomicfile.Write(path, func(w io.Writer) error { return fig.Write(w, format) }); err != nil {
			return fmt.Errorf("lr-find: %w", err)
		}
		fmt.Fprintln(w, path)
	}
	return nil
}
