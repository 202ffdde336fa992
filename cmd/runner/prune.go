package main

import (
	"context"
	"flag"
	"fmt"

	"runner/internal/store"
)

var pruneCommand = &command{
	name:    "prune",
	summary: "delete old sweeps, keeping the newest N of each name",
	usage: `usage: runner prune --keep N [flags]

Deletes all but the newest N sweeps of each name (or only of --name), with
their runs and epochs, in one transaction: either every old sweep goes or
none does. --vacuum then rebuilds the file to give the space back to the file
system. Like run, prune is a writer: while a runner writes the database it
exits with code 5, or waits with --wait.

`,
	flags: func(fs *flag.FlagSet) func(context.Context, *Main, []string) error {
		dbPath := dbFlag(fs, "the SQLite database (`path`)")
		keep := fs.Int("keep", -1, "keep the newest `N` sweeps of each name (required)")
		name := fs.String("name", "", "prune only the sweeps of this `name`")
		vacuum := fs.Bool("vacuum", false, "rebuild the file afterwards to return the space")
		dryRun := fs.Bool("dry-run", false, "print what would be deleted; delete nothing")
		wait := fs.Bool("wait", false, "wait while a runner writes the database, instead of exiting with code 5")
		return func(ctx context.Context, m *Main, rest []string) error {
			if len(rest) > 0 {
				return usageErrorf("prune: unexpected argument %q", rest[0])
			}
			if *keep < 0 {
				return usageErrorf("prune: --keep N is required (N >= 0)")
			}
			if err := store.Exists(*dbPath); err != nil {
				return withCode(exitDatabase, err)
			}
			// A dry run only reads: no lock, no migration.
			var db *store.DB
			var err error
			if *dryRun {
				if db, err = openReadOnly(ctx, *dbPath); err != nil {
					return err
				}
				defer db.Close()
			} else {
				var closeDB func()
				if db, closeDB, err = store.OpenWriter(ctx, *dbPath, *wait, nil); err != nil {
					return writerError(err)
				}
				defer closeDB()
			}
			pruned, err := db.PruneSweeps(ctx, *keep, *name, *dryRun)
			deleted := 0
			for _, p := range pruned {
				if len(p.Deleted) > 0 {
					fmt.Fprintf(m.Stdout, "%s: %d sweeps, deleting %d (ids %v)\n", p.Name, p.Sweeps, len(p.Deleted), p.Deleted)
				} else {
					fmt.Fprintf(m.Stdout, "%s: %d sweeps, nothing to delete\n", p.Name, p.Sweeps)
				}
				deleted += len(p.Deleted)
			}
			if err != nil {
				return withCode(exitDatabase, err)
			}
			if *dryRun {
				fmt.Fprintf(m.Stdout, "dry run: %d sweeps would be deleted\n", deleted)
				return nil
			}
			fmt.Fprintf(m.Stdout, "deleted %d sweeps\n", deleted)
			if *vacuum {
				if err := db.Vacuum(ctx); err != nil {
					return withCode(exitDatabase, err)
				}
				fmt.Fprintln(m.Stdout, "vacuumed", db.Path())
			}
			return nil
		}
	},
}
