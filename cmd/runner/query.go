package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mattn/go-sqlite3"

	"runner/internal/store"
)

const queryUsage = `usage: runner query [flags] SQL

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

Flags:
`

// QueryCommand runs one read-only SQL statement and prints its rows.
type QueryCommand struct{ *Main }

// Run runs the statement in args.
func (c *QueryCommand) Run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("query", flag.ContinueOnError)
	fs.SetOutput(c.Stderr)
	dbPath := fs.String("db", "results.db", "the SQLite database to query (`path`)")
	format := fs.String("format", "table", "output `format`: table, csv or json")
	fs.Usage = func() { fmt.Fprint(c.Stderr, queryUsage); fs.PrintDefaults() }
	pos, err := parseInterspersed(fs, protectComments(args))
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return withCode(exitUsage, errSilent)
	}
	if len(pos) != 1 {
		return usageErrorf("query: want one SQL statement as the argument, got %d arguments (quote the statement)", len(pos))
	}
	newFormat, ok := queryFormats[*format]
	if !ok {
		return usageErrorf("query: unknown --format %q: want table, csv or json", *format)
	}
	query := pos[0]
	if query == "-" {
		b, err := io.ReadAll(c.Stdin)
		if err != nil {
			return usageErrorf("query: read the statement from standard input: %v", err)
		}
		query = string(b)
	}
	stmts := splitStatements(query)
	switch len(stmts) {
	case 0:
		return usageErrorf("query: no SQL statement given")
	case 1:
		query = stmts[0] // without a trailing ";" and comments, which SQLite would take for a second statement
	default:
		return usageErrorf("query: runs one statement at a time, got %d", len(stmts))
	}

	db, err := openReadOnly(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	return writeQuery(ctx, db, query, newFormat(c.Stdout), "query")
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

// queryFormats are the output formats of runner query.
var queryFormats = map[string]func(io.Writer) rowWriter{
	"table": newTableWriter,
	"csv":   newCSVWriter,
	"json":  newJSONWriter,
}

// writeQuery runs query on db and writes its rows through out. Errors of
// the statement (SQL errors, writes refused) exit 2, of the database 3;
// cmd names the command in them.
func writeQuery(ctx context.Context, db *store.DB, query string, out rowWriter, cmd string, args ...any) error {
	rows, err := db.SQLDB().QueryContext(ctx, query, args...)
	if err != nil {
		return queryError(ctx, cmd, query, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return queryError(ctx, cmd, query, err)
	}
	if err := out.header(cols); err != nil {
		return fmt.Errorf("%s: write output: %w", cmd, err)
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return queryError(ctx, cmd, query, err)
		}
		if err := out.row(vals); err != nil {
			return fmt.Errorf("%s: write output: %w", cmd, err)
		}
	}
	if err := rows.Err(); err != nil {
		return queryError(ctx, cmd, query, err)
	}
	if err := out.flush(); err != nil {
		return fmt.Errorf("%s: write output: %w", cmd, err)
	}
	return nil
}

// queryError maps an error of running a statement to an exit code: a
// refused write or an error in the statement is bad input (2), trouble
// with the database file is exit 3, cancellation is returned as is.
func queryError(ctx context.Context, cmd, query string, err error) error {
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	var serr sqlite3.Error
	if !errors.As(err, &serr) {
		return withCode(exitUsage, fmt.Errorf("%s: %w", cmd, err)) // e.g. a Scan of an unsupported type
	}
	switch serr.Code {
	case sqlite3.ErrAuth, sqlite3.ErrReadonly:
		return withCode(exitUsage, fmt.Errorf("runner %s is read-only: %s was refused: %w", cmd, firstWords(query, 3), err))
	case sqlite3.ErrBusy, sqlite3.ErrLocked, sqlite3.ErrIoErr, sqlite3.ErrCorrupt, sqlite3.ErrNotADB,
		sqlite3.ErrCantOpen, sqlite3.ErrPerm, sqlite3.ErrNomem, sqlite3.ErrFull, sqlite3.ErrProtocol:
		return withCode(exitDatabase, fmt.Errorf("%s: %w", cmd, err))
	}
	return withCode(exitUsage, fmt.Errorf("%s: %w", cmd, err))
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

// splitStatements splits SQL text at the semicolons that end statements,
// not those inside quotes, identifiers or comments, and returns the
// statements that hold more than comments and white space, trimmed. A
// trigger body (BEGIN … ; END) counts as several.
func splitStatements(text string) []string {
	var stmts []string
	start, content := 0, false
	for i := 0; i < len(text); i++ {
		switch ch := text[i]; {
		case ch == '\'' || ch == '"' || ch == '`' || ch == '[':
			end := byte(']')
			if ch != '[' {
				end = ch
			}
			// A doubled quote is an escaped one: the scan stops at the first
			// and resumes at the second, which is fine.
			if j := strings.IndexByte(text[i+1:], end); j >= 0 {
				i += j + 1
			} else {
				i = len(text)
			}
			content = true
		case ch == '-' && strings.HasPrefix(text[i:], "--"):
			if j := strings.IndexByte(text[i:], '\n'); j >= 0 {
				i += j
			} else {
				i = len(text)
			}
		case ch == '/' && strings.HasPrefix(text[i:], "/*"):
			if j := strings.Index(text[i+2:], "*/"); j >= 0 {
				i += j + 3
			} else {
				i = len(text)
			}
		case ch == ';':
			if content {
				stmts = append(stmts, strings.TrimSpace(text[start:i]))
			}
			start, content = i+1, false
		case ch != ' ' && ch != '\t' && ch != '\n' && ch != '\r' && ch != '\f' && ch != '\v':
			content = true
		}
	}
	if content {
		stmts = append(stmts, strings.TrimSpace(text[start:]))
	}
	return stmts
}

// rowWriter writes the rows of a query in one format: the header once,
// then each row, then flush.
type rowWriter interface {
	header(cols []string) error
	row(vals []any) error
	flush() error
}

// tableWriter buffers the rows and prints them as aligned columns: numbers
// to the right, text to the left, NULL as NULL.
type tableWriter struct {
	w       io.Writer
	cols    []string
	cells   [][]string
	numeric []bool // the column holds only numbers and NULLs
}

func newTableWriter(w io.Writer) rowWriter { return &tableWriter{w: w} }

func (t *tableWriter) header(cols []string) error {
	t.cols = cols
	t.numeric = make([]bool, len(cols))
	for i := range t.numeric {
		t.numeric[i] = true
	}
	return nil
}

func (t *tableWriter) row(vals []any) error {
	cells := make([]string, len(vals))
	for i, v := range vals {
		switch v := v.(type) {
		case nil:
			cells[i] = "NULL"
		case int64:
			cells[i] = strconv.FormatInt(v, 10)
		case float64:
			cells[i] = formatFloat(v, 15, "Inf", "-Inf")
		default:
			cells[i] = strings.NewReplacer("\n", `\n`, "\r", `\r`, "\t", `\t`).Replace(textValue(v))
			t.numeric[i] = false
		}
	}
	t.cells = append(t.cells, cells)
	return nil
}

func (t *tableWriter) flush() error {
	widths := make([]int, len(t.cols))
	for i, c := range t.cols {
		widths[i] = utf8.RuneCountInString(c)
	}
	for _, cells := range t.cells {
		for i, c := range cells {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	bw := bufio.NewWriter(t.w)
	line := func(cells []string) {
		var b strings.Builder
		for i, c := range cells {
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
			if i > 0 {
				b.WriteString("  ")
			}
			if t.numeric[i] {
				b.WriteString(pad + c)
			} else {
				b.WriteString(c + pad)
			}
		}
		bw.WriteString(strings.TrimRight(b.String(), " ") + "\n")
	}
	line(t.cols)
	for _, cells := range t.cells {
		line(cells)
	}
	return bw.Flush()
}

// csvWriter writes CSV with a header line: NULL as an empty field,
// infinities as inf and -inf, floats in the fewest digits that read back
// exactly.
type csvWriter struct {
	w      *csv.Writer
	record []string
}

func newCSVWriter(w io.Writer) rowWriter { return &csvWriter{w: csv.NewWriter(w)} }

func (c *csvWriter) header(cols []string) error {
	c.record = make([]string, len(cols))
	return c.w.Write(cols)
}

func (c *csvWriter) row(vals []any) error {
	for i, v := range vals {
		switch v := v.(type) {
		case nil:
			c.record[i] = ""
		case int64:
			c.record[i] = strconv.FormatInt(v, 10)
		case float64:
			c.record[i] = formatFloat(v, -1, "inf", "-inf")
		default:
			c.record[i] = textValue(v)
		}
	}
	return c.w.Write(c.record)
}

func (c *csvWriter) flush() error {
	c.w.Flush()
	return c.w.Error()
}

// jsonWriter writes JSON objects, one per row with the columns as keys in
// order: as an array (one object a line), or as JSON lines (lines). NULL
// and infinities are null.
type jsonWriter struct {
	w     *bufio.Writer
	lines bool
	keys  []string // the JSON-quoted column names
	n     int      // rows written
	buf   bytes.Buffer
	enc   *json.Encoder
}

func newJSONWriter(w io.Writer) rowWriter { return newJSON(w, false) }

func newJSONLinesWriter(w io.Writer) rowWriter { return newJSON(w, true) }

func newJSON(w io.Writer, lines bool) *jsonWriter {
	j := &jsonWriter{w: bufio.NewWriter(w), lines: lines}
	j.enc = json.NewEncoder(&j.buf)
	j.enc.SetEscapeHTML(false)
	return j
}

func (j *jsonWriter) header(cols []string) error {
	j.keys = make([]string, len(cols))
	for i, c := range cols {
		j.keys[i] = j.quote(c)
	}
	return nil
}

func (j *jsonWriter) row(vals []any) error {
	switch {
	case j.lines:
	case j.n == 0:
		j.w.WriteString("[\n")
	default:
		j.w.WriteString(",\n")
	}
	j.n++
	j.w.WriteByte('{')
	for i, v := range vals {
		if i > 0 {
			j.w.WriteByte(',')
		}
		j.w.WriteString(j.keys[i])
		j.w.WriteByte(':')
		switch v := v.(type) {
		case nil:
			j.w.WriteString("null")
		case int64:
			j.w.WriteString(strconv.FormatInt(v, 10))
		case float64:
			j.w.WriteString(formatFloat(v, -1, "null", "null"))
		case bool:
			j.w.WriteString(strconv.FormatBool(v))
		default:
			j.w.WriteString(j.quote(textValue(v)))
		}
	}
	j.w.WriteByte('}')
	if j.lines {
		j.w.WriteByte('\n')
	}
	return nil
}

func (j *jsonWriter) flush() error {
	switch {
	case j.lines:
	case j.n == 0:
		j.w.WriteString("[]\n")
	default:
		j.w.WriteString("\n]\n")
	}
	return j.w.Flush()
}

// quote returns s as a JSON string, <, > and & left as they are.
func (j *jsonWriter) quote(s string) string {
	j.buf.Reset()
	j.enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(j.buf.String(), "\n")
}

// formatFloat formats f with prec significant digits (-1: the fewest that
// read back exactly), infinities as inf and negInf.
func formatFloat(f float64, prec int, inf, negInf string) string {
	switch {
	case math.IsInf(f, 1):
		return inf
	case math.IsInf(f, -1):
		return negInf
	}
	return strconv.FormatFloat(f, 'g', prec, 64)
}

// textValue formats a value the driver gives that is neither NULL nor a
// number: text, a blob (as text if it is UTF-8, else in SQL's hex
// notation), a time (columns declared DATE, DATETIME or TIMESTAMP) or a
// boolean.
func textValue(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []byte:
		if utf8.Valid(v) {
			return string(v)
		}
		return fmt.Sprintf("X'%X'", v)
	case time.Time:
		return v.Format(time.RFC3339Nano)
	case bool:
		if v {
			return "1"
		}
		return "0"
	}
	return fmt.Sprint(v)
}
