package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"runner/internal/store"
)

const pruneUsage = `usage: runner prune --keep N [flags]

Deletes all but the newest N sweeps of each name (or only of --name), with
their runs and epochs, in one transaction: either every old sweep goes or
none does. --vacuum then rebuilds the file to give the space back to the file
system. Like run, prune is a writer: while a runner writes the database it
exits with code 5, or waits with --wait.

Flags:
`

// PruneCommand deletes old sweeps.
type PruneCommand struct{ *Main }

// Run prunes the database.
func (c *PruneCommand) Run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("prune", flag.ContinueOnError)
	fs.SetOutput(c.Stderr)
	dbPath := fs.String("db", "results.db", "the SQLite database (`path`)")
	keep := fs.Int("keep", -1, "keep the newest `N` sweeps of each name (required)")
	name := fs.String("name", "", "prune only the sweeps of this `name`")
	vacuum := fs.Bool("vacuum", false, "rebuild the file afterwards to return the space")
	dryRun := fs.Bool("dry-run", false, "print what would be deleted; delete nothing")
	wait := fs.Bool("wait", false, "wait while a runner writes the database, instead of exiting with code 5")
	fs.Usage = func() { fmt.Fprint(c.Stderr, pruneUsage); fs.PrintDefaults() }
	rest, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return withCode(exitUsage, errSilent)
	}
	if len(rest) > 0 {
		return usageErrorf("prune: unexpected argument %q", rest[0])
	}
	if *keep < 0 {
		return usageErrorf("prune: --keep N is required (N >= 0)")
	}
	if err := mustExist(*dbPath); err != nil {
		return err
	}
	// A dry run only reads: no lock, no migration.
	var db *store.DB
	if *dryRun {
		if db, err = store.OpenReadOnly(ctx, *dbPath); err != nil {
			return withCode(exitDatabase, err)
		}
		defer db.Close()
	} else {
		var closeDB func()
		if db, closeDB, err = openWriter(ctx, *dbPath, *wait, nil); err != nil {
			return err
		}
		defer closeDB()
	}

	names := []string{*name}
	if *name == "" {
		if names, err = db.SweepNames(ctx); err != nil {
			return withCode(exitDatabase, err)
		}
	}
	var doomed []int64
	for _, n := range names {
		ids, err := db.SweepIDs(ctx, n)
		if err != nil {
			return withCode(exitDatabase, err)
		}
		if len(ids) > *keep {
			fmt.Fprintf(c.Stdout, "%s: %d sweeps, deleting %d (ids %v)\n", n, len(ids), len(ids)-*keep, ids[*keep:])
			doomed = append(doomed, ids[*keep:]...)
		} else {
			fmt.Fprintf(c.Stdout, "%s: %d sweeps, nothing to delete\n", n, len(ids))
		}
	}
	if *dryRun {
		fmt.Fprintf(c.Stdout, "dry run: %d sweeps would be deleted\n", len(doomed))
		return nil
	}
	if err := db.DeleteSweeps(ctx, doomed); err != nil {
		return withCode(exitDatabase, err)
	}
	fmt.Fprintf(c.Stdout, "deleted %d sweeps\n", len(doomed))
	if *vacuum {
		if err := db.Vacuum(ctx); err != nil {
			return withCode(exitDatabase, err)
		}
		fmt.Fprintln(c.Stdout, "vacuumed", db.Path())
	}
	return nil
}
