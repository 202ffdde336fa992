package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"
)

// Errors that callers check with errors.Is.
var (
	// ErrNotFound is returned when the sweep or run asked for does not exist.
	ErrNotFound = errors.New("not found")

	// ErrNotSQLite is returned by Open and OpenReadOnly when the file is
	// neither empty nor an SQLite database. The file is left untouched.
	ErrNotSQLite = errors.New("not an SQLite database")

	// ErrNewerSchema is returned by Open and OpenReadOnly when the database
	// was written by a newer runner (its user_version is above
	// SchemaVersion). The file is left untouched.
	ErrNewerSchema = errors.New("database schema is newer than this runner")
)

// busyTimeout is how long a connection waits for a lock before failing with
// "database is locked".
const busyTimeout = 10 * time.Second

// timeLayout is how times are stored: UTC, ISO-8601, milliseconds.
const timeLayout = "2006-01-02T15:04:05.000Z"

// nowFunc is the clock; tests replace it.
var nowFunc = time.Now

// sqliteMagic is the first 16 bytes of every SQLite 3 database file.
var sqliteMagic = []byte("SQLite format 3\x00")

// DB is an open results database.
//
// A DB from Open is the writer. It holds a single connection and is meant to
// be owned by one goroutine (the sweep's writer goroutine): calls from
// several goroutines are safe but serialize on that connection, and an open
// *sql.Rows from SQLDB blocks every other call until it is closed. Other
// processes and goroutines read through OpenReadOnly, which WAL lets run
// alongside the writer.
type DB struct {
	db       *sql.DB
	path     string
	readOnly bool
}

// Open opens the results database at path for writing, creating it if it is
// missing or empty, and migrates its schema forward to SchemaVersion.
//
// A file that is not an SQLite database gives ErrNotSQLite and one written by
// a newer runner gives ErrNewerSchema; in both cases the file is not
// modified. An SQLite database with no runner schema but with tables of its
// own is refused too, so that results are not written into another
// program's database.
func Open(ctx context.Context, path string) (*DB, error) {
	h, err := readHeader(path)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	if h.userVersion > SchemaVersion {
		return nil, fmt.Errorf("store: open %s: %w", path, newerSchemaError(h.userVersion))
	}

	dsn, err := dataSourceName(path, map[string]string{
		"_journal_mode": "WAL",
		"_synchronous":  "NORMAL",
		"_busy_timeout": fmt.Sprint(busyTimeout.Milliseconds()),
		"_foreign_keys": "1",
		"_txlock":       "immediate",
	})
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	sqlDB, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	sqlDB.SetMaxOpenConns(1)
	sqlDB.SetMaxIdleConns(1)
	sqlDB.SetConnMaxLifetime(0)
	sqlDB.SetConnMaxIdleTime(0)

	db := &DB{db: sqlDB, path: path}
	if err := sqlDB.PingContext(ctx); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	if err := db.migrate(ctx); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	return db, nil
}

// OpenReadOnly opens an existing results database for reading only, for
// reports, the dashboard and ad-hoc queries. It never creates nor migrates
// the file: a missing file is an error (wrapping fs.ErrNotExist), and so is
// a database whose schema is not exactly SchemaVersion (ErrNewerSchema when
// it is newer). Every write through the returned DB fails. It is safe for
// concurrent use and may run alongside a writer in another goroutine or
// process.
func OpenReadOnly(ctx context.Context, path string) (*DB, error) {
	h, err := readHeader(path)
	if err != nil {
		return nil, fmt.Errorf("store: open read-only %s: %w", path, err)
	}
	if !h.exists {
		return nil, fmt.Errorf("store: open read-only %s: %w", path, fs.ErrNotExist)
	}
	if h.userVersion > SchemaVersion {
		return nil, fmt.Errorf("store: open read-only %s: %w", path, newerSchemaError(h.userVersion))
	}

	dsn, err := dataSourceName(path, map[string]string{
		"mode":          "ro",
		"_query_only":   "1",
		"_busy_timeout": fmt.Sprint(busyTimeout.Milliseconds()),
		"_foreign_keys": "1",
		"_txlock":       "deferred",
	})
	if err != nil {
		return nil, fmt.Errorf("store: open read-only %s: %w", path, err)
	}
	sqlDB, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open read-only %s: %w", path, err)
	}
	db := &DB{db: sqlDB, path: path, readOnly: true}

	var version int
	if err := sqlDB.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&version); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("store: open read-only %s: read schema version: %w", path, err)
	}
	switch {
	case version > SchemaVersion:
		err = newerSchemaError(version)
	case version == 0:
		err = errors.New("no runner schema (user_version 0): not a results database, or never opened by runner")
	case version < SchemaVersion:
		err = fmt.Errorf("schema version %d is older than %d: open it once with a writer to migrate it", version, SchemaVersion)
	}
	if err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("store: open read-only %s: %w", path, err)
	}
	return db, nil
}

// Close closes the database. With the writer, the last connection to close
// checkpoints the WAL into the main file.
func (db *DB) Close() error {
	if err := db.db.Close(); err != nil {
		return fmt.Errorf("store: close %s: %w", db.path, err)
	}
	return nil
}

// Path returns the path the database was opened with, as given.
func (db *DB) Path() string { return db.path }

// SQLDB returns the underlying *sql.DB for ad-hoc SQL (runner query, reports,
// tests). Through a DB from OpenReadOnly every write fails. Through the
// writer it shares the single connection: close rows promptly, and write
// only through the methods of DB.
func (db *DB) SQLDB() *sql.DB { return db.db }

// header is what readHeader learns from a file without opening it with SQLite.
type header struct {
	exists      bool // the file exists (possibly empty)
	empty       bool // the file has no bytes: SQLite treats it as a new database
	userVersion int  // PRAGMA user_version as of the last checkpoint
}

// readHeader checks that path is missing, empty or an SQLite database before
// the driver touches it, and reads the user_version stored in the header.
// In WAL mode a newer user_version may still be in the -wal file only; the
// header's is never newer than the truth, so it can refuse but not accept.
func readHeader(path string) (header, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return header{}, nil
	} else if err != nil {
		return header{}, fmt.Errorf("read header: %w", err)
	}
	defer f.Close()

	fi, err := f.Stat()
	if err != nil {
		return header{}, fmt.Errorf("read header: %w", err)
	}
	if fi.IsDir() {
		return header{}, errors.New("is a directory")
	}

	buf := make([]byte, 100) // the database header
	n, err := io.ReadFull(f, buf)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return header{}, fmt.Errorf("read header: %w", err)
	}
	h := header{exists: true, empty: n == 0}
	if h.empty {
		return h, nil
	}
	if n < len(sqliteMagic) || !bytes.Equal(buf[:len(sqliteMagic)], sqliteMagic) {
		return header{}, fmt.Errorf("%w (the file starts with %q)", ErrNotSQLite, buf[:min(n, 16)])
	}
	if n >= 64 {
		h.userVersion = int(int32(binary.BigEndian.Uint32(buf[60:64])))
	}
	return h, nil
}

// dataSourceName builds a go-sqlite3 URI DSN for path. The path is made
// absolute and its URI-special characters escaped, so that any file name
// works; the options are applied by the driver to every pooled connection.
func dataSourceName(path string, options map[string]string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("absolute path: %w", err)
	}
	abs = filepath.ToSlash(abs)
	if !strings.HasPrefix(abs, "/") { // a Windows drive letter: file:/C:/dir/results.db
		abs = "/" + abs
	}
	escaped := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(abs)

	var b strings.Builder
	b.WriteString("file:")
	b.WriteString(escaped)
	sep := "?"
	// A fixed order keeps DSNs comparable in logs.
	for _, k := range []string{"mode", "_journal_mode", "_synchronous", "_busy_timeout", "_foreign_keys", "_query_only", "_txlock"} {
		if v, ok := options[k]; ok {
			b.WriteString(sep + k + "=" + v)
			sep = "&"
		}
	}
	return b.String(), nil
}

func newerSchemaError(version int) error {
	return fmt.Errorf("%w: its schema version is %d, this runner knows up to %d; use a newer runner",
		ErrNewerSchema, version, SchemaVersion)
}

// isConstraint reports whether err is an SQLite constraint failure with the
// given extended code.
func isConstraint(err error, code sqlite3.ErrNoExtended) bool {
	var serr sqlite3.Error
	return errors.As(err, &serr) && serr.ExtendedCode == code
}

// formatTime returns t as stored, or NULL for the zero time.
func formatTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(timeLayout)
}

// parseTime reads a stored time; NULL is the zero time. Besides the layout
// the store writes, it accepts RFC 3339 and SQLite's datetime('now') format,
// for rows written by hand.
func parseTime(s sql.NullString) (time.Time, error) {
	if !s.Valid || s.String == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{timeLayout, time.RFC3339Nano, time.DateTime} {
		if t, err := time.Parse(layout, s.String); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("parse time %q: want %s", s.String, timeLayout)
}

// now is the current time as stored.
func now() string { return nowFunc().UTC().Format(timeLayout) }

// nullText stores an empty string as NULL.
func nullText(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// nullNaN stores NaN as NULL explicitly, rather than relying on SQLite doing so.
func nullNaN(f float64) any {
	if math.IsNaN(f) {
		return nil
	}
	return f
}

// nullZero stores 0 as NULL: the optimizer and schedule fields that do not apply.
func nullZero[T int | float64](v T) any {
	if v == 0 {
		return nil
	}
	return v
}

// nanIfNull reads a REAL column back, NULL as NaN.
func nanIfNull(f sql.NullFloat64) float64 {
	if !f.Valid {
		return math.NaN()
	}
	return f.Float64
}
