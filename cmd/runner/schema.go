package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	"runner/internal/execute"
	"runner/internal/store"
)

var schemaCommand = &command{
	name:    "schema",
	summary: "print the database schema and its views",
	usage: `usage: runner schema [flags]

Prints the schema of the results database (--db) as SQL: the PRAGMAs that
mark it, then the CREATE statements of its tables, indexes and views
(run_summary, run_epochs, group_summary, each with a comment on what it
holds), in the order they were created. If there is no file at --db, it
prints the schema this runner would create, and creates no file. The output
recreates an empty results database:

	runner schema | sqlite3 empty.db

A database written by an older runner is refused until it is migrated:
--migrate opens it for writing and migrates it forward first, as runner run
does.

Exit codes: 0 success; 2 bad usage; 3 the database cannot be used (not a
results database, a newer schema, an older one without --migrate).

`,
	flags: func(fs *flag.FlagSet) func(context.Context, *Main, []string) error {
		dbPath := dbFlag(fs, "the SQLite database whose schema to print (`path`)")
		migrate := fs.Bool("migrate", false, "migrate the database to this runner's schema first (this writes to it)")
		return func(ctx context.Context, m *Main, pos []string) error {
			if len(pos) > 0 {
				return usageErrorf("schema takes no arguments (the database is --db)")
			}
			var schema, source string
			var err error
			if _, statErr := os.Stat(*dbPath); errors.Is(statErr, os.ErrNotExist) {
				if schema, err = store.NewSchema(ctx); err != nil {
					return withCode(exitInternal, err)
				}
				source = fmt.Sprintf("no database at %s: the schema runner creates", *dbPath)
			} else {
				var db *store.DB
				if *migrate {
					var closeDB func()
					if db, closeDB, err = store.OpenWriter(ctx, *dbPath, false, nil); err != nil {
						return writerError(err)
					}
					defer closeDB()
				} else {
					if db, err = openReadOnly(ctx, *dbPath); err != nil {
						return err
					}
					defer db.Close()
				}
				if schema, err = db.Schema(ctx); err != nil {
					return withCode(exitDatabase, err)
				}
				source = "the schema of " + *dbPath
			}
			if _, err := fmt.Fprintf(m.Stdout, "-- %s (schema version %d)\n%s", source, store.SchemaVersion, schema); err != nil {
				return withCode(exitOutput, err)
			}
			return nil
		}
	},
}

// writerError maps an error of store.OpenWriter: another writer is exit 5,
// anything else about the database 3.
func writerError(err error) error {
	if errors.Is(err, execute.ErrLocked) || errors.Is(err, context.Canceled) {
		return err
	}
	return withCode(exitDatabase, err)
}
