package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	"runner/internal/store"
)

const schemaUsage = `usage: runner schema [flags]

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

Flags:
`

// SchemaCommand prints the schema of a results database, or of a new one.
type SchemaCommand struct{ *Main }

// Run prints the schema.
func (c *SchemaCommand) Run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("schema", flag.ContinueOnError)
	fs.SetOutput(c.Stderr)
	dbPath := fs.String("db", "results.db", "the SQLite database whose schema to print (`path`)")
	migrate := fs.Bool("migrate", false, "migrate the database to this runner's schema first (this writes to it)")
	fs.Usage = func() { fmt.Fprint(c.Stderr, schemaUsage); fs.PrintDefaults() }
	pos, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return withCode(exitUsage, errSilent)
	}
	if len(pos) > 0 {
		return usageErrorf("schema takes no arguments (the database is --db)")
	}

	var schema, source string
	if _, err := os.Stat(*dbPath); errors.Is(err, os.ErrNotExist) {
		schema, err = store.NewSchema(ctx)
		if err != nil {
			return err
		}
		source = fmt.Sprintf("no database at %s: the schema runner creates", *dbPath)
	} else {
		var db *store.DB
		if *migrate {
			var closeDB func()
			if db, closeDB, err = openWriter(ctx, *dbPath, false, nil); err != nil {
				return err
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
	_, err = fmt.Fprintf(c.Stdout, "-- %s (schema version %d)\n%s", source, store.SchemaVersion, schema)
	return err
}
