package main

import (
	"context"
	"errors"
	"flag"
	"slices"
	"strings"

	"runner/internal/report"
	"runner/internal/store"
)

var checkCommand = &command{
	name:    "check",
	summary: "compare the latest sweep of a name with the previous one, run by run",
	usage: `usage: runner check [flags] NAME

Compares the latest sweep named NAME with the one before it, or with
--baseline (a sweep id), run by run: runs are matched by their key, so only
runs of the same configuration and seed are compared. For each run whose
final metrics changed it prints those of both and their deltas (--verbose:
every run's, the unchanged too), and marks a run "worse" when a
final metric got worse by more than --tolerance (accuracies falling, the
training loss rising, in absolute terms), or when a run that finished done
in the baseline did not finish done now or is missing. Runs trained from the same config
and seed give bit-identical metrics with the same binary on the same CPU, so
any delta means something changed: the code, the data or the machine.

A configuration with at least 5 seeds in both sweeps is checked as a whole:
one line per metric with its means over the seeds, and its runs are worse
only when the mean got worse by more than --tolerance and the paired test of
the runs of the same seed gives p < --alpha (the paired t-test with 5 seeds,
the Wilcoxon signed-rank test from 6; the test column names it). One seed
landing beyond the tolerance is then noise; a shift on every seed is not.
Fewer seeds are checked run by run, as above.

Learning-rate range tests (runner lr-find's sweeps, NAME-lrfind) are not
checked for regressions: a test usually ends by diverging, and its
suggestion is a reading of a noisy curve. check prints what both found,
side by side, whether their steps have the same rates and losses bit for
bit, and both suggested rates, and exits 0. --tolerance, --alpha and
--metrics do not apply; a range test against a sweep of training runs is
refused (exit 2).

Exit codes: 0 nothing got worse (or there is no earlier sweep to compare
with, which it says), 1 some run got worse, 2 bad usage, 3 database unusable.
Cron mails the output.

`,
	flags: func(fs *flag.FlagSet) func(context.Context, *Main, []string) error {
		dbPath := dbFlag(fs, "the SQLite database (`path`)")
		baseline := fs.Int64("baseline", 0, "compare with the sweep of this `id` instead of the one before the latest")
		tolerance := fs.Float64("tolerance", report.DefaultTolerance, "the largest worsening of a final metric that is not a regression (absolute)")
		alpha := fs.Float64("alpha", report.DefaultAlpha, "the significance `level` of the paired test of a configuration of ≥ 5 seeds")
		names := make([]string, len(report.CheckMetrics))
		for i, m := range report.CheckMetrics {
			names[i] = string(m)
		}
		verbose := fs.Bool("verbose", false, "list every run's final metrics, the unchanged ones too")
		metrics := fs.String("metrics", strings.Join(names, ","), "the final metrics to compare, comma-separated")
		return func(ctx context.Context, m *Main, rest []string) error {
			if len(rest) != 1 {
				return usageErrorf("check: want one sweep name (got %d arguments)", len(rest))
			}
			if !(*tolerance >= 0) {
				return usageErrorf("check: --tolerance must be >= 0 (got %v)", *tolerance)
			}
			if !(*alpha > 0 && *alpha < 1) {
				return usageErrorf("check: --alpha must be in (0, 1) (got %g)", *alpha)
			}
			var chosen []report.Metric
			for _, name := range strings.Split(*metrics, ",") {
				metric, err := report.ParseMetric(strings.TrimSpace(name))
				if err != nil || !slices.Contains(report.CheckMetrics, metric) {
					return usageErrorf("check: unknown metric %q (want some of %s)", strings.TrimSpace(name), strings.Join(names, ", "))
				}
				chosen = append(chosen, metric)
			}
			if err := store.Exists(*dbPath); err != nil {
				return withCode(exitDatabase, err)
			}
			db, err := openReadOnly(ctx, *dbPath)
			if err != nil {
				return err
			}
			defer db.Close()
			table, err := report.Check(ctx, db, rest[0], report.CheckOptions{Baseline: *baseline, Metrics: chosen, Tolerance: *tolerance, Alpha: *alpha})
			switch {
			case errors.Is(err, store.ErrNotFound) || errors.Is(err, report.ErrLRFindMix):
				return withCode(exitUsage, err)
			case err != nil:
				return withCode(exitDatabase, err)
			}
			if table.LR != nil {
				if err := notApplicable(fs, "check", table.LR.Latest.Sweep, "tolerance", "alpha", "metrics"); err != nil {
					return err
				}
			}
			if err := table.WriteText(m.Stdout, *verbose); err != nil {
				return withCode(exitOutput, err)
			}
			if table.Worse > 0 {
				return withCode(exitRunsFailed, errSilent)
			}
			return nil
		}
	},
}
