package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/mattn/go-sqlite3"
)

// ErrorClass says whose fault an error of a database call is, as SQLite's
// result code tells it (never the message): the statement's or the
// database file's. Commands map the classes to exit codes, the dashboard
// to HTTP statuses.
type ErrorClass int

// The classes of Classify.
const (
	// NotSQLiteError is an error SQLite did not report: a Scan into the
	// wrong type, a closed connection pool, a cancelled context.
	NotSQLiteError ErrorClass = iota
	// StatementError is an error of the statement itself: SQL that does
	// not parse or names no such table or column (SQLITE_ERROR), a
	// constraint, a mismatch, a statement refused on a read-only
	// connection (SQLITE_AUTH, SQLITE_READONLY), a value too big.
	StatementError
	// DatabaseError is trouble with the database file or the machine: it
	// cannot be opened, is not a database or is corrupt, is locked or
	// busy, an I/O error, a full disk, no memory, no permission, a schema
	// changed under the statement.
	DatabaseError
)

// Classify returns the class of err by its SQLite result code.
func Classify(err error) ErrorClass {
	var serr sqlite3.Error
	if !errors.As(err, &serr) {
		return NotSQLiteError
	}
	switch serr.Code {
	case sqlite3.ErrError, sqlite3.ErrAuth, sqlite3.ErrReadonly, sqlite3.ErrConstraint,
		sqlite3.ErrMismatch, sqlite3.ErrTooBig, sqlite3.ErrRange, sqlite3.ErrMisuse, sqlite3.ErrAbort:
		return StatementError
	}
	return DatabaseError
}

// IsReadOnlyRefusal reports whether err is a statement refused because the
// connection is read-only (see OpenReadOnly).
func IsReadOnlyRefusal(err error) bool {
	var serr sqlite3.Error
	return errors.As(err, &serr) && (serr.Code == sqlite3.ErrAuth || serr.Code == sqlite3.ErrReadonly)
}

// RowSink receives the rows of a query: Header once with the column names,
// then Row for each row (the values as the driver gives them: nil, int64,
// float64, string, []byte, bool or time.Time; vals is reused between
// calls).
type RowSink interface {
	Header(cols []string) error
	Row(vals []any) error
}

// SinkError wraps an error of a RowSink, so that callers can tell a failed
// write of the output from an error of the query.
type SinkError struct{ Err error }

func (e *SinkError) Error() string { return "write output: " + e.Err.Error() }
func (e *SinkError) Unwrap() error { return e.Err }

// Query runs one statement with args and hands its rows to sink. Errors of
// the statement and of the database are returned as the driver gives them
// (Classify tells them apart); errors of sink come wrapped in a
// *SinkError.
func (db *DB) Query(ctx context.Context, query string, sink RowSink, args ...any) error {
	rows, err := db.db.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	if err := sink.Header(cols); err != nil {
		return &SinkError{err}
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		if err := sink.Row(vals); err != nil {
			return &SinkError{err}
		}
	}
	return rows.Err()
}

// QueryOne runs the one statement that text holds (comments and a
// trailing ";" allowed) through Query; text with no statement or with
// more than one is an error of class StatementError's kind, ErrStatements.
func (db *DB) QueryOne(ctx context.Context, text string, sink RowSink, args ...any) error {
	stmts := SplitStatements(text)
	switch len(stmts) {
	case 0:
		return fmt.Errorf("%w: no SQL statement given", ErrStatements)
	case 1:
		// Without a trailing ";" and comments, which SQLite would take
		// for a second statement.
		return db.Query(ctx, stmts[0], sink, args...)
	}
	return fmt.Errorf("%w: runs one statement at a time, got %d", ErrStatements, len(stmts))
}

// ErrStatements is returned by QueryOne for text that holds no statement or
// more than one.
var ErrStatements = errors.New("want one SQL statement")

// SplitStatements splits SQL text at the semicolons that end statements,
// not those inside quotes, identifiers or comments, and returns the
// statements that hold more than comments and white space, trimmed. A
// trigger body (BEGIN … ; END) counts as several.
func SplitStatements(text string) []string {
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
