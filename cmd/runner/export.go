package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"runner/internal/atomicfile"
	"runner/internal/report"
	"runner/internal/store"
)

// exportQueries are the statements of runner export --what, by value; the
// one parameter is the sweep id.
var exportQueries = map[string]string{
	"runs":   `SELECT * FROM run_summary WHERE sweep_id = ? ORDER BY run_id`,
	"epochs": `SELECT * FROM run_epochs WHERE sweep_id = ? ORDER BY run_id, epoch`,
	"groups": `SELECT * FROM group_summary WHERE sweep_id = ? ORDER BY first_run_id`,
}

var exportCommand = &command{
	name:    "export",
	summary: "a sweep's runs, epochs or groups as CSV or JSON Lines",
	usage: `usage: runner export [flags] [SWEEP]

Writes one sweep's results as CSV or JSON lines, for pandas, R or a
spreadsheet. SWEEP is a sweep id or a sweep name (the latest sweep of that
name); by default the latest sweep in the database.

What (--what):

	runs     one row per run: the view run_summary (the run's
	         hyperparameters, status, final and best metrics, seconds)
	epochs   one row per run per epoch: the view run_epochs (the run's
	         hyperparameters beside the epoch's epoch_lr, train_loss,
	         train_acc, val_acc, test_acc and seconds)
	groups   one row per group of runs that differ only in their seed: the
	         view group_summary (n, n_done, mean and standard deviation)

CSV has a header line; NULL is an empty field and an infinite loss inf, both
of which pandas reads as floats (NaN, inf). JSON lines (--format jsonl) hold
one object per row, NULL and infinities as null. With -o the file is written
whole or not at all: into a temporary file beside it, renamed into place.

	runner export --what epochs -o ch6-epochs.csv ch6

	import pandas as pd
	df = pd.read_csv("ch6-epochs.csv")
	df.groupby(["optimizer", "lr", "schedule", "epoch"]).test_acc.agg(["mean", "std"])

Exit codes: 0 success; 2 bad usage or a SWEEP that names no sweep; 3 the
database cannot be used; 6 the output cannot be written.

`,
	flags: func(fs *flag.FlagSet) func(context.Context, *Main, []string) error {
		dbPath := dbFlag(fs, "the SQLite database to read (`path`)")
		format := fs.String("format", "csv", "output `format`: csv or jsonl")
		what := fs.String("what", "runs", "the `rows` to export: runs, epochs or groups")
		outPath := fs.String("o", "", "write to `file` (atomically) instead of standard output")
		return func(ctx context.Context, m *Main, pos []string) error {
			if len(pos) > 1 {
				return usageErrorf("export: at most one sweep, got %d arguments", len(pos))
			}
			query, ok := exportQueries[*what]
			if !ok {
				return usageErrorf("export: unknown --what %q: want runs, epochs or groups", *what)
			}
			if *format != "csv" && *format != "jsonl" {
				return usageErrorf("export: unknown --format %q: want csv or jsonl", *format)
			}
			db, err := openReadOnly(ctx, *dbPath)
			if err != nil {
				return err
			}
			defer db.Close()
			sweep, err := findSweep(ctx, db, optional(pos))
			if err != nil {
				return fmt.Errorf("export: %w", err)
			}
			write := func(w io.Writer) error {
				return writeRows(ctx, db, *format, w, "export", query, sweep.ID)
			}
			if *outPath == "" || *outPath == "-" {
				return write(m.Stdout)
			}
			if err := atomicfile.Write(*outPath, write); err != nil {
				return err
			}
			fmt.Fprintf(m.Stderr, "exported the %s of sweep %q (id %d) to %s\n", *what, sweep.Name, sweep.ID, *outPath)
			return nil
		}
	},
}

// optional returns the one positional argument, or "" when there is none.
func optional(pos []string) string {
	if len(pos) == 0 {
		return ""
	}
	return pos[0]
}

// findSweep finds the sweep ref names (see report.Find): a ref that names
// no sweep is a usage error, a failed read a database error.
func findSweep(ctx context.Context, db *store.DB, ref string) (store.SweepRecord, error) {
	s, err := report.Find(ctx, db, ref)
	if errors.Is(err, store.ErrNotFound) {
		return s, withCode(exitUsage, err)
	} else if err != nil {
		return s, withCode(exitDatabase, err)
	}
	return s, nil
}
