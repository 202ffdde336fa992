package store

import (
	"bytes"
	"context"
	"database/sql"
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

	// ErrNotRunnerDB is returned by Open and OpenReadOnly when the file is
	// an SQLite database of another program: its application_id is not
	// runner's, its user_version is negative, it has schema version 0 but
	// tables of its own, or it lacks runner's tables. OpenReadOnly also
	// returns it for an SQLite database that runner has not yet written
	// to. The file is left untouched.
	ErrNotRunnerDB = errors.New("not a runner results database")

	// ErrNewerSchema is returned by Open and OpenReadOnly when the database
	// was written by a newer runner (its user_version is above
	// SchemaVersion). The file is left untouched.
	ErrNewerSchema = errors.New("database schema is newer than this runner")

	// ErrOlderSchema is returned by OpenReadOnly when the database was
	// written by an older runner and has not been migrated yet: Open
	// migrates it. The file is left untouched.
	ErrOlderSchema = errors.New("database schema is older than this runner")
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

// walHeaderSize is the size of the header of a -wal file: a log no longer
// than that holds no transaction.
const walHeaderSize = 32

// DB is an open results database.
//
// A DB from Open is the writer. It holds a single connection and is meant to
// be owned by one goroutine (the sweep's writer goroutine): calls from
// several goroutines are safe but serialize on that connection, and an open
// *sql.Rows from SQLDB blocks every other call until it is closed. Other
// processes and goroutines read through OpenReadOnly, which WAL lets run
// alongside the writer.
type DB struct {
	db   *sql.DB
	path string
}

// Open opens the results database at path for writing, creating it if it is
// missing or empty, and migrates its schema forward to SchemaVersion.
//
// A file that is not an SQLite database gives ErrNotSQLite, another
// program's SQLite database ErrNotRunnerDB (see its doc), and a database
// written by a newer runner ErrNewerSchema, also when the newer schema is
// only in the -wal file of a runner that is still running or crashed. Open
// finds these out through a read-only connection that writes nothing,
// before it opens the file for writing: a refused file, its -wal and its
// -shm are left byte for byte as they were, and no -wal, -shm or -journal
// file is created beside it. (The -shm file holds the live state of the
// connections that have the database open: if one in this process has, the
// check moves its read marks in it, as any SQLite reader does.) If another
// process changes the file between that check and the opening for writing,
// the check is repeated inside the write transaction, before anything is
// written, but the file may by then have been switched to WAL.
func Open(ctx context.Context, path string) (*DB, error) {
	db, err := open(ctx, path, true)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	return db, nil
}

// OpenReadOnly opens an existing results database for reading only, for
// reports, the dashboard and ad-hoc queries. It never creates, migrates nor
// writes the database file: a missing file is an error (wrapping
// fs.ErrNotExist), and so is a database whose schema is not exactly
// SchemaVersion: ErrNewerSchema when it is newer, ErrOlderSchema when it is
// older (Open migrates it), ErrNotRunnerDB when runner has not written to
// it yet. Those files are checked as by Open and left untouched. Like any
// SQLite reader of a WAL database, the returned DB may create the -wal and
// -shm files beside an accepted database.
//
// Nothing can be written through it: its connections are read-only, and
// SQLite refuses at prepare time, with "not authorized" (sqlite3.ErrAuth),
// every statement but reading ones (SELECT, WITH, VALUES), transactions,
// savepoints and the PRAGMAs that only report: no INSERT, UPDATE or DELETE,
// not even of temporary tables, no CREATE, DROP or ALTER, no ATTACH,
// DETACH, VACUUM (INTO), ANALYZE or REINDEX, no PRAGMA that sets a value.
// It is safe for concurrent use and may run alongside a writer in another
// goroutine or process.
func OpenReadOnly(ctx context.Context, path string) (*DB, error) {
	db, err := open(ctx, path, false)
	if err != nil {
		return nil, fmt.Errorf("store: open read-only %s: %w", path, err)
	}
	return db, nil
}

// open is Open (write) and OpenReadOnly (!write), without the error prefix.
// It checks the file with checkFile, which writes nothing, and only then
// opens the connection pool that the DB uses.
func open(ctx context.Context, path string, write bool) (*DB, error) {
	version, err := checkFile(ctx, path)
	if errors.Is(err, fs.ErrNotExist) && write {
		version, err = 0, nil // Open creates it
	}
	if err != nil {
		return nil, err
	}
	if !write && version != SchemaVersion {
		if version == 0 {
			return nil, fmt.Errorf("%w: no runner schema (user_version 0): an empty database runner never wrote to", ErrNotRunnerDB)
		}
		return nil, fmt.Errorf("%w: its schema version is %d, this runner's is %d; opening it for writing migrates it",
			ErrOlderSchema, version, SchemaVersion)
	}

	timeout := busyTimeout.Milliseconds()
	options := fmt.Sprintf("mode=ro&_busy_timeout=%d&_foreign_keys=1&_query_only=1&_txlock=deferred", timeout)
	if write {
		options = fmt.Sprintf("_journal_mode=WAL&_synchronous=FULL&_busy_timeout=%d&_foreign_keys=1&_txlock=immediate", timeout)
	}
	dsn, err := dataSourceName(path, options)
	if err != nil {
		return nil, err
	}
	driver := readOnlyDriver
	if write {
		driver = "sqlite3"
	}
	sqlDB, err := sql.Open(driver, dsn)
	if err != nil {
		return nil, err
	}
	if write {
		sqlDB.SetMaxOpenConns(1)
		sqlDB.SetMaxIdleConns(1)
		sqlDB.SetConnMaxLifetime(0)
		sqlDB.SetConnMaxIdleTime(0)
	}
	db := &DB{db: sqlDB, path: path}
	if err := sqlDB.PingContext(ctx); err != nil {
		sqlDB.Close()
		return nil, err
	}
	if write {
		if err := db.migrate(ctx); err != nil {
			sqlDB.Close()
			return nil, err
		}
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

// checkFile returns the schema version of the database at path, 0 for an
// empty file, after checking it with checkSchema; a missing file is an
// error wrapping fs.ErrNotExist. It writes nothing, and creates no file:
// it reads the header itself, then reads the database through a read-only
// connection whose options depend on the files beside it, because a plain
// read-only connection (mode=ro) is not enough. With SQLite 3.54, as
// go-sqlite3 v1.14.53 bundles it (the tests check byte for byte that the
// choice below writes nothing):
//
//   - mode=ro on a WAL database creates the -wal and -shm files if they are
//     missing and leaves them; and when no other connection has the
//     database open, as after a crash, it truncates the -shm file and
//     rebuilds it from the -wal.
//   - readonly_shm=1 opens the -shm read-only: alone, the connection
//     rebuilds the WAL index from the -wal in its own memory; beside a
//     connection of another process, it reads that one's index without
//     writing it (one of this process shares its -shm, as any reader
//     does). Either way it cannot checkpoint, so closing it deletes
//     nothing. It fails without a -shm file, and creates a missing -wal
//     file.
//   - immutable=1 reads the main file only, without locks, ignoring any
//     -wal and hot -journal.
//
// So: a rollback-journal database without a -wal file is read with mode=ro,
// which takes a shared lock and fails, rather than rolling it back, on a
// hot journal; a -wal file that holds transactions with readonly_shm=1, and
// is refused if there is no -shm file to go with it; anything else, a WAL
// database whose -wal file is missing or holds no transaction, with
// immutable=1, since its main file holds every committed transaction.
func checkFile(ctx context.Context, path string) (int, error) {
	walMode, empty, err := readHeader(path)
	if err != nil || empty {
		return 0, err
	}
	walSize, err := fileSize(path + "-wal")
	if err != nil {
		return 0, err
	}
	shmSize, err := fileSize(path + "-shm")
	if err != nil {
		return 0, err
	}
	var options string
	switch {
	case walSize > walHeaderSize && shmSize >= 0:
		options = "mode=ro&readonly_shm=1"
	case walSize > walHeaderSize:
		return 0, errors.New("its -wal file holds transactions but it has no -shm file, so it cannot be read" +
			" without writing; left untouched (opening it once with sqlite3 recovers it)")
	case walSize < 0 && !walMode:
		options = "mode=ro"
	default:
		options = "mode=ro&immutable=1"
	}
	dsn, err := dataSourceName(path, fmt.Sprintf("%s&_busy_timeout=%d", options, busyTimeout.Milliseconds()))
	if err != nil {
		return 0, err
	}
	sqlDB, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return 0, err
	}
	defer sqlDB.Close()
	sqlDB.SetMaxOpenConns(1)
	version, err := checkSchema(ctx, sqlDB)
	var serr sqlite3.Error
	switch {
	case !errors.As(err, &serr):
	case serr.Code == sqlite3.ErrNotADB:
		err = fmt.Errorf("%w (%w)", ErrNotSQLite, err)
	case serr.ExtendedCode == sqlite3.ErrReadonlyRollback:
		err = fmt.Errorf("it has a hot journal (-journal file) of an interrupted transaction, which only a writer"+
			" may roll back; left untouched (%w)", err)
	}
	return version, err
}

// readHeader checks that path is an empty file or an SQLite database before
// SQLite touches it, and reports whether the database's header says it is
// in WAL mode; a missing file is an error wrapping fs.ErrNotExist.
func readHeader(path string) (walMode, empty bool, err error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, false, fs.ErrNotExist
	} else if err != nil {
		return false, false, fmt.Errorf("read header: %w", err)
	}
	defer f.Close()

	fi, err := f.Stat()
	if err != nil {
		return false, false, fmt.Errorf("read header: %w", err)
	}
	if fi.IsDir() {
		return false, false, fmt.Errorf("%w: it is a directory", ErrNotSQLite)
	}

	buf := make([]byte, 100) // the database header
	n, err := io.ReadFull(f, buf)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return false, false, fmt.Errorf("read header: %w", err)
	}
	if n == 0 {
		return false, true, nil // SQLite treats it as a new database
	}
	if n < len(sqliteMagic) || !bytes.Equal(buf[:len(sqliteMagic)], sqliteMagic) {
		return false, false, fmt.Errorf("%w (the file starts with %q)", ErrNotSQLite, buf[:min(n, 16)])
	}
	// Bytes 18 and 19 are the write and read versions: 2 in WAL mode.
	return n >= 20 && buf[18] == 2 && buf[19] == 2, false, nil
}

// fileSize returns the size of the file at path, or -1 if there is none.
func fileSize(path string) (int64, error) {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return -1, nil
	} else if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

// dataSourceName builds a go-sqlite3 URI DSN for path with the given query
// string. The path
// is made absolute and its URI-special characters escaped, so that any file
// name works; the options are applied to every pooled connection, the
// unprefixed ones by SQLite and the _-prefixed ones by the driver.
func dataSourceName(path, options string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("absolute path: %w", err)
	}
	abs = filepath.ToSlash(abs)
	if !strings.HasPrefix(abs, "/") { // a Windows drive letter: file:/C:/dir/results.db
		abs = "/" + abs
	}
	escaped := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(abs)
	return "file:" + escaped + "?" + options, nil
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
