package main

import (
	"context"
	"flag"
	"fmt"
	"slices"
	"strings"

	"runner/internal/report"
	"runner/internal/store"
)

var compareCommand = &command{
	name:    "compare",
	summary: "mean ± std over seeds of a sweep's configurations, or two sweeps side by side",
	usage: `usage: runner compare [flags] [SWEEP [SWEEP2]]

Compares the configurations of a sweep: the runs that differ only in their
seed are pooled, and each configuration is one row with the mean ± standard
deviation of the metric over its seeds and n, the number of runs pooled,
best first, the best marked *. Only runs that finished done count; the
others (diverged, failed, interrupted, pending) are left out and counted in
footnotes, as are other warnings, such as n = 1 (no spread).

With two sweeps, A = SWEEP and B = SWEEP2 are shown side by side, each
configuration of A matched with the same configuration of B (seed aside),
and the last column gives B − A when its test finds the difference
significant (p < --alpha), "~" when it does not, with the p-value and n:
"+0.0047 (p=0.031 n=6) ¹", "~ (p=0.589 n=5+6) ²", and a footnote naming
the test. Runs of the same seed share their initial weights and data order,
so where A and B share at least 5 seeds the runs are paired by seed (n is
the pairs): the paired t-test with 5 pairs, the Wilcoxon signed-rank test
from 6 (exact without ties or zero differences, else the normal
approximation). Otherwise, with at least 5 runs on each side, Welch's
t-test on all of them. With fewer, no test: "~ (n=3) ¹" and a footnote
asking for more seeds. Configurations in one sweep only are shown and
marked "only in A"/"only in B". Sweeps with no configuration in common but
the same grid of the hyperparameters that vary within them, as one of SGD
and one of Adam at the same learning rates, are matched on that grid.

A learning-rate range test (a sweep runner lr-find recorded) is no
training result: compare prints what it found, as lr-find did (its steps
and rates, how it ended, the loss at the start, the lowest smoothed loss,
the steepest descent, the suggested rate), two tests side by side.
--metric, --best and --alpha do not apply; a range test beside a sweep of
training runs is refused (exit 2).

SWEEP is a sweep id or a name, which means the latest sweep of that name;
by default the latest sweep of the database. The columns are the
hyperparameters that vary between the configurations.

Examples:

	runner compare                         # the latest sweep
	runner compare ch6 --best              # the best test accuracy over epochs
	runner compare 3 5 --metric train_loss # sweep 5 against sweep 3
	runner compare ch6-lrfind              # what the latest range test found

`,
	flags: func(fs *flag.FlagSet) func(context.Context, *Main, []string) error {
		dbPath := dbFlag(fs, "the SQLite database to read (`path`)")
		metric := fs.String("metric", string(report.TestAcc), "the `metric` to compare: test_acc, val_acc, train_acc or train_loss")
		best := fs.Bool("best", false, "compare each run's best value over its epochs (highest accuracy, lowest loss) instead of its final one")
		alpha := fs.Float64("alpha", report.DefaultAlpha, "the significance `level` of the test: a difference with p ≥ level is printed ~")
		return func(ctx context.Context, m *Main, refs []string) error {
			if len(refs) > 2 {
				return usageErrorf("compare: at most two sweeps, got %d: %s", len(refs), strings.Join(refs, " "))
			}
			metric, err := report.ParseMetric(*metric)
			if err != nil {
				return usageErrorf("compare: --metric: %v", err)
			}
			if !(*alpha > 0 && *alpha < 1) {
				return usageErrorf("compare: --alpha must be in (0, 1) (got %g)", *alpha)
			}
			db, err := openReadOnly(ctx, *dbPath)
			if err != nil {
				return err
			}
			defer db.Close()
			if len(refs) == 0 {
				refs = []string{""}
			}
			sweeps := make([]*report.Sweep, 2)
			for i, ref := range refs {
				if sweeps[i], err = loadSweep(ctx, db, ref); err != nil {
					return fmt.Errorf("compare: %w", err)
				}
			}
			if report.IsLRFind(sweeps[0]) || sweeps[1] != nil && report.IsLRFind(sweeps[1]) {
				return compareLR(m, fs, sweeps[0], sweeps[1])
			}
			table, err := report.Compare(sweeps[0], sweeps[1], report.Options{Metric: metric, Best: *best, Alpha: *alpha})
			if err != nil {
				return usageErrorf("%v", err)
			}
			if err := table.WriteText(m.Stdout); err != nil {
				return withCode(exitOutput, err)
			}
			return nil
		}
	},
}

// compareLR prints what the range tests a and b (b may be nil) found. The
// flags of a comparison of final metrics do not apply.
func compareLR(m *Main, fs *flag.FlagSet, a, b *report.Sweep) error {
	c, err := report.CompareLR(a, b)
	if err != nil {
		return usageErrorf("%v", err)
	}
	if err := notApplicable(fs, "compare", a, "metric", "best", "alpha"); err != nil {
		return err
	}
	if err := c.WriteText(m.Stdout); err != nil {
		return withCode(exitOutput, err)
	}
	return nil
}

// notApplicable returns a usage error when a flag of names was given on
// the command line of a command on the range test s.
func notApplicable(fs *flag.FlagSet, command string, s *report.Sweep, names ...string) error {
	var given []string
	fs.Visit(func(f *flag.Flag) {
		if slices.Contains(names, f.Name) {
			given = append(given, "--"+f.Name)
		}
	})
	switch len(given) {
	case 0:
		return nil
	case 1:
		return usageErrorf("%s: %s records a learning-rate range test: %s does not apply", command, s, given[0])
	}
	return usageErrorf("%s: %s records a learning-rate range test: %s do not apply", command, s, strings.Join(given, ", "))
}

// loadSweep finds the sweep ref names (see report.Find) and loads it. A ref
// that names no sweep is a usage error, a failed read a database error.
func loadSweep(ctx context.Context, db *store.DB, ref string) (*report.Sweep, error) {
	rec, err := findSweep(ctx, db, ref)
	if err != nil {
		return nil, err
	}
	s, err := report.Load(ctx, db, rec.ID)
	if err != nil {
		return nil, withCode(exitDatabase, err)
	}
	return s, nil
}
