package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"runner/internal/rowfmt"
	"runner/internal/store"
)

var queryCommand = &command{
	name:    "query",
	summary: "run one read-only SQL query; print a table, CSV or JSON",
	usage: `usage: runner query [flags] SQL

Runs one SQL statement on the results database (--db) through a read-only
connection and prints the rows it selects. SQL "-" reads the statement from
standard input. The views run_summary (one row per run: hyperparameters,
final and best metrics), run_epochs (one row per run per epoch) and
group_summary (the runs of a sweep that differ only in their seed: n, mean
and standard deviation of the final metrics) answer most questions; runner
schema prints every table and view, and README.md has examples.

Formats (--format):

	table   aligned columns under a header, numbers to the right; NULL is
	        printed NULL, infinities Inf and -Inf
	csv     a header line, then one line per row; NULL is an empty field,
	        infinities inf and -inf (pandas reads both)
	json    an array of objects, one per row, keys in column order; numbers
	        as numbers, NULL and infinities as null (JSON has no infinity)

The connection cannot write: INSERT, UPDATE, DELETE, CREATE, DROP, ALTER,
ATTACH, VACUUM and PRAGMAs that set a value are refused before anything
runs, and the database is left as it was.

	runner query "SELECT optimizer, lr, schedule, test_acc_mean, test_acc_std
	              FROM group_summary ORDER BY test_acc_mean DESC LIMIT 5"
	runner query --format csv "SELECT * FROM run_epochs WHERE run_id = 7" > run7.csv

Exit codes: 0 success; 2 bad usage or a bad statement (an SQL error, more
than one statement, a write); 3 the database cannot be used (missing, not a
results database, an older or newer schema, locked or unreadable).

`,
	rewrite: protectComments,
	flags: func(fs *flag.FlagSet) func(context.Context, *Main, []string) error {
		dbPath := dbFlag(fs, "the SQLite database to query (`path`)")
		format := fs.String("format", "table", "output `format`: table, csv or json")
		return func(ctx context.Context, m *Main, pos []string) error {
			if len(pos) != 1 {
				return usageErrorf("query: want one SQL statement as the argument, got %d arguments (quote the statement)", len(pos))
			}
			if *format != "table" && *format != "csv" && *format != "json" {
				return usageErrorf("query: unknown --format %q: want table, csv or json", *format)
			}
			query := pos[0]
			if query == "-" {
				b, err := io.ReadAll(m.Stdin)
				if err != nil {
					return usageErrorf("query: read the statement from standard input: %v", err)
				}
				query = string(b)
			}
			// Checked before the database is opened, as QueryOne would.
			switch n := len(store.SplitStatements(query)); n {
			case 0:
				return usageErrorf("query: no SQL statement given")
			case 1:
			default:
				return usageErrorf("query: runs one statement at a time, got %d", n)
			}
			db, err := openReadOnly(ctx, *dbPath)
			if err != nil {
				return err
			}
			defer db.Close()
			return writeRows(ctx, db, *format, m.Stdout, "query", query)
		}
	},
}

// writeRows runs the one statement of text on db with args and writes its
// rows in format to w. Errors name cmd.
func writeRows(ctx context.Context, db *store.DB, format string, w io.Writer, cmd, text string, args ...any) error {
	out, err := rowfmt.New(format, w)
	if err != nil {
		return withCode(exitInternal, err)
	}
	if err := db.QueryOne(ctx, text, out, args...); err != nil {
		return statementError(cmd, text, err)
	}
	if err := out.Flush(); err != nil {
		return withCode(exitOutput, fmt.Errorf("%s: write output: %w", cmd, err))
	}
	return nil
}

// statementError maps an error of running a statement given on the command
// line: a refused write or an error in the statement is bad input (2),
// trouble with the database file 3, a failed write of the output 6;
// cancellation is returned as is.
func statementError(cmd, query string, err error) error {
	var sink *store.SinkError
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	case errors.As(err, &sink):
		return withCode(exitOutput, fmt.Errorf("%s: %w", cmd, err))
	case store.IsReadOnlyRefusal(err):
		return usageErrorf("runner %s is read-only: %s was refused: %w", cmd, firstWords(query, 3), err)
	case store.Classify(err) == store.DatabaseError:
		return withCode(exitDatabase, fmt.Errorf("%s: %w", cmd, err))
	}
	// A statement error, a text that is not one statement, a Scan of an
	// unsupported type.
	return usageErrorf("%s: %w", cmd, err)
}

// firstWords returns the first n words of a statement, for error messages:
// "DELETE FROM runs …".
func firstWords(query string, n int) string {
	words := strings.Fields(query)
	if len(words) > n {
		return strings.Join(words[:n], " ") + " …"
	}
	return strings.Join(words, " ")
}

// openReadOnly opens the results database at path for reading: a missing
// file, a file that is not a results database, or a schema other than this
// runner's exit 3 with what to do about it.
func openReadOnly(ctx context.Context, path string) (*store.DB, error) {
	db, err := store.OpenReadOnly(ctx, path)
	switch {
	case err == nil:
		return db, nil
	case errors.Is(err, fs.ErrNotExist):
		return nil, withCode(exitDatabase, fmt.Errorf("no results database at %s (runner run creates one; --db names another)", path))
	case errors.Is(err, store.ErrOlderSchema):
		return nil, withCode(exitDatabase, fmt.Errorf("%w (runner schema --migrate --db %s migrates it)", err, path))
	}
	return nil, withCode(exitDatabase, err)
}

// protectComments moves the arguments that begin with an SQL comment
// ("-- …", a space or a newline after the dashes), which the flag package
// would take for flags, after a "--" that ends the flags.
func protectComments(args []string) []string {
	var flags, pos []string
	for i, a := range args {
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if len(a) > 2 && strings.HasPrefix(a, "--") && strings.ContainsRune(" \t\r\n", rune(a[2])) {
			pos = append(pos, a)
		} else {
			flags = append(flags, a)
		}
	}
	if len(pos) == 0 {
		return flags
	}
	return append(append(flags, "--"), pos...)
}
