package main

import (
	"context"
	"flag"
	"fmt"

	"runner/internal/report"
	"runner/internal/sweep"
)

var analyzeCommand = &command{
	name:    "analyze",
	summary: "which hyperparameters of a search mattered, and whether to widen its ranges",
	usage: `usage: runner analyze [flags] [SWEEP]

Tells which of the hyperparameters a sweep varies decided whether a
configuration was among the best, and where the best ones lie. The runs
that differ only in their seed are pooled (their mean), each run counted
with the best value of --metric over its epochs (so a pruned run counts as
what it reached). For each hyperparameter it prints an importance (the
shares sum to 1), the range the best 10% of the configurations span, and
the space searched; then a warning for each distribution whose best
configurations crowd one of its bounds (within 5% of it on the
distribution's scale, log for log_uniform), with the advice to widen the
range there.

The importance is PED-ANOVA's (Watanabe et al., 2023): the Pearson
divergence between the distribution of the best configurations and that of
all of them, per hyperparameter, from kernel density estimates on its
scale. Unlike fANOVA it needs no random forest: it is closed-form and
deterministic, and works with the few dozen trials a sweep has.

SWEEP is a sweep id or a name, which means the latest sweep of that name;
by default the latest sweep of the database. The hyperparameters are read
from the experiment file recorded with the sweep.

Exit codes: 0 success; 2 bad usage, a SWEEP that names no sweep, or too few
configurations with the metric; 3 the database cannot be used.
`,
	flags: func(fs *flag.FlagSet) func(context.Context, *Main, []string) error {
		dbPath := dbFlag(fs, "the SQLite database to read (`path`)")
		metric := fs.String("metric", string(report.ValAcc), "the `metric` that ranks the configurations: val_acc, test_acc, train_acc or train_loss")
		return func(ctx context.Context, m *Main, refs []string) error {
			if len(refs) > 1 {
				return usageErrorf("analyze: one sweep at a time, got %d", len(refs))
			}
			metric, err := report.ParseMetric(*metric)
			if err != nil {
				return usageErrorf("analyze: --metric: %v", err)
			}
			db, err := openReadOnly(ctx, *dbPath)
			if err != nil {
				return err
			}
			defer db.Close()
			rec, err := findSweep(ctx, db, optional(refs))
			if err != nil {
				return fmt.Errorf("analyze: %w", err)
			}
			spec, err := sweep.Parse(rec.File, []byte(rec.Spec), rec.Overrides)
			if err != nil {
				return withCode(exitDatabase, fmt.Errorf("analyze: the experiment file recorded with sweep %d: %w", rec.ID, err))
			}
			s, err := loadSweep(ctx, db, fmt.Sprint(rec.ID))
			if err != nil {
				return fmt.Errorf("analyze: %w", err)
			}
			a, err := report.Analyze(s, spec, metric)
			if err != nil {
				return usageErrorf("%v", err)
			}
			if err := a.WriteText(m.Stdout); err != nil {
				return withCode(exitOutput, err)
			}
			return nil
		}
	},
}
