package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"runner/internal/report"
	"runner/internal/store"
)

const exportUsage = `usage: runner export [flags] [SWEEP]

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
database cannot be used; 1 the output cannot be written.

Flags:
`

// exportQueries are the statements of runner export --what, by value; the
// one parameter is the sweep id.
var exportQueries = map[string]string{
	"runs":   `SELECT * FROM run_summary WHERE sweep_id = ? ORDER BY run_id`,
	"epochs": `SELECT * FROM run_epochs WHERE sweep_id = ? ORDER BY run_id, epoch`,
	"groups": `SELECT * FROM group_summary WHERE sweep_id = ? ORDER BY first_run_id`,
}

// exportFormats are the output formats of runner export.
var exportFormats = map[string]func(io.Writer) rowWriter{
	"csv":   newCSVWriter,
	"jsonl": newJSONLinesWriter,
}

// ExportCommand writes a sweep's runs, epochs or groups as CSV or JSON lines.
type ExportCommand struct{ *Main }

// Run exports the sweep named in args.
func (c *ExportCommand) Run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(c.Stderr)
	dbPath := fs.String("db", "results.db", "the SQLite database to read (`path`)")
	format := fs.String("format", "csv", "output `format`: csv or jsonl")
	what := fs.String("what", "runs", "the `rows` to export: runs, epochs or groups")
	outPath := fs.String("o", "", "write to `file` (atomically) instead of standard output")
	fs.Usage = func() { fmt.Fprint(c.Stderr, exportUsage); fs.PrintDefaults() }
	pos, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return withCode(exitUsage, errSilent)
	}
	if len(pos) > 1 {
		return usageErrorf("export: at most one sweep, got %d arguments", len(pos))
	}
	query, ok := exportQueries[*what]
	if !ok {
		return usageErrorf("export: unknown --what %q: want runs, epochs or groups", *what)
	}
	newFormat, ok := exportFormats[*format]
	if !ok {
		return usageErrorf("export: unknown --format %q: want csv or jsonl", *format)
	}
	ref := ""
	if len(pos) == 1 {
		ref = pos[0]
	}

	db, err := openReadOnly(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	sweep, err := report.Find(ctx, db, ref)
	if errors.Is(err, store.ErrNotFound) {
		return withCode(exitUsage, fmt.Errorf("export: %w", err))
	} else if err != nil {
		return withCode(exitDatabase, fmt.Errorf("export: %w", err))
	}

	write := func(w io.Writer) error {
		return writeQuery(ctx, db, query, newFormat(w), "export", sweep.ID)
	}
	if *outPath == "" || *outPath == "-" {
		return write(c.Stdout)
	}
	if err := writeFileAtomic(*outPath, write); err != nil {
		return err
	}
	fmt.Fprintf(c.Stderr, "exported the %s of sweep %q (id %d) to %s\n", *what, sweep.Name, sweep.ID, *outPath)
	return nil
}

// writeFileAtomic writes a file through write into a temporary file in the
// same folder, which it renames to path only once everything is written
// and synced: path is then either the whole new file or what it was
// before. Errors of write are returned as they are.
func writeFileAtomic(path string, write func(io.Writer) error) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	bw := bufio.NewWriter(f)
	if err := write(bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Chmod(0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
