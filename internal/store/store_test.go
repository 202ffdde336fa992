package store_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"runner/internal/store"
	"runner/internal/train"
)

func TestOpen_NewDatabase(t *testing.T) {
	for _, tt := range []struct {
		name  string
		file  string
		setup func(tb testing.TB, path string)
	}{
		{"missing file", "results.db", func(testing.TB, string) {}},
		{"empty file", "results.db", func(tb testing.TB, path string) { mustWriteFile(tb, path, nil) }},
		{"name with URI characters", "res?ults #1 %20.db", func(testing.TB, string) {}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), tt.file)
			tt.setup(t, path)
			db := MustOpenPath(t, path)
			if got := db.Path(); got != path {
				t.Errorf("Path() = %q, want %q", got, path)
			}
			if _, err := os.Stat(path); err != nil {
				t.Fatalf("database file not at the path given: %v", err)
			}
			for pragma, want := range map[string]string{
				"user_version": "1",
				"journal_mode": "wal",
				"foreign_keys": "1",
				"busy_timeout": "10000",
				"synchronous":  "1", // NORMAL
				"query_only":   "0",
			} {
				if got := queryString(t, db.SQLDB(), "PRAGMA "+pragma); got != want {
					t.Errorf("PRAGMA %s = %s, want %s", pragma, got, want)
				}
			}
			tables := queryString(t, db.SQLDB(),
				`SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name)`)
			if tables != "epochs,runs,sweeps" {
				t.Errorf("tables = %s, want epochs,runs,sweeps", tables)
			}
		})
	}
}

func TestOpen_MissingDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no", "such", "dir", "results.db")
	db, err := store.Open(context.Background(), path)
	if err == nil {
		db.Close()
		t.Fatal("Open succeeded in a missing directory")
	}
	if !strings.Contains(err.Error(), path) {
		t.Errorf("error %q does not name the file", err)
	}
}

func TestOpen_NotSQLite(t *testing.T) {
	for _, tt := range []struct {
		name    string
		content []byte
	}{
		{"text", []byte(strings.Repeat("epoch,loss\n0,2.30\n", 100))},
		{"one byte", []byte{0}},
		{"shorter than the magic", []byte("SQLite format")},
		{"magic without NUL", []byte("SQLite format 3 and then some more bytes to pass 100 ........................................................")},
		{"zeros", make([]byte, 4096)},
		{"png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "results.db")
			mustWriteFile(t, path, tt.content)
			before := mustChecksum(t, path)

			for _, open := range opens {
				db, err := open.fn(context.Background(), path)
				if err == nil {
					db.Close()
					t.Fatalf("%s succeeded on a file that is not SQLite", open.name)
				}
				if !errors.Is(err, store.ErrNotSQLite) {
					t.Errorf("%s: error %v, want ErrNotSQLite", open.name, err)
				}
				if !strings.Contains(err.Error(), path) {
					t.Errorf("%s: error %q does not name the file", open.name, err)
				}
			}
			if after := mustChecksum(t, path); after != before {
				t.Errorf("file changed: sha256 %s, was %s", after, before)
			}
			assertOnlyFile(t, dir, "results.db")
		})
	}
}

func TestOpen_NewerSchema(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name string
		// setup makes a database of schema version 2 at path; it may leave
		// a connection open until the test ends.
		setup func(tb testing.TB, path string)
	}{
		{"rollback journal", func(tb testing.TB, path string) {
			raw := mustRawOpen(tb, path+"?_journal_mode=DELETE")
			mustExec(tb, raw, `CREATE TABLE sweeps (id INTEGER PRIMARY KEY, name TEXT, colour TEXT); PRAGMA user_version = 2`)
			raw.Close()
		}},
		{"WAL, checkpointed", func(tb testing.TB, path string) {
			db := MustOpenPath(tb, path)
			MustCreateSweep(tb, db, "ch6", baseConfig())
			db.Close()
			raw := mustRawOpen(tb, path)
			mustExec(tb, raw, `PRAGMA user_version = 2`)
			raw.Close()
		}},
		{"WAL, only in the -wal file", func(tb testing.TB, path string) {
			db := MustOpenPath(tb, path)
			MustCreateSweep(tb, db, "ch6", baseConfig())
			db.Close()
			// A newer runner is still running: its change is in the WAL
			// and the header of the main file still says version 1.
			raw := mustRawOpen(tb, path+"?_journal_mode=WAL")
			raw.SetMaxOpenConns(1)
			mustExec(tb, raw, `PRAGMA wal_autocheckpoint = 0; PRAGMA user_version = 2`)
			tb.Cleanup(func() { raw.Close() })
			if v := headerUserVersion(tb, path); v != 1 {
				tb.Fatalf("setup: header says user_version %d, want the stale 1", v)
			}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "results.db")
			tt.setup(t, path)
			before := mustChecksum(t, path)
			files := listDir(t, dir)
			t.Logf("user_version in the main file's header: %d", headerUserVersion(t, path))

			for _, open := range opens {
				db, err := open.fn(ctx, path)
				if err == nil {
					db.Close()
					t.Fatalf("%s succeeded on schema version 2", open.name)
				}
				if !errors.Is(err, store.ErrNewerSchema) {
					t.Errorf("%s: error %v, want ErrNewerSchema", open.name, err)
				}
				if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "version is 2") {
					t.Errorf("%s: error %q should name the file and the version", open.name, err)
				}
			}
			if after := mustChecksum(t, path); after != before {
				t.Errorf("file changed: sha256 %s, was %s", after, before)
			}
			if got := listDir(t, dir); got != files {
				t.Errorf("files in the directory: %s, were %s", got, files)
			}
		})
	}
}

// A valid SQLite file of another program (user_version 0, tables of its
// own) must not get our tables added to it.
func TestOpen_ForeignDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "other.db")
	raw := mustRawOpen(t, path)
	mustExec(t, raw, `CREATE TABLE accounts (id INTEGER PRIMARY KEY, owner TEXT)`)
	raw.Close()

	db, err := store.Open(context.Background(), path)
	if err == nil {
		db.Close()
		t.Fatal("Open succeeded on another program's database")
	}
	if !strings.Contains(err.Error(), "not a results database") {
		t.Errorf("error = %v", err)
	}
	raw = mustRawOpen(t, path)
	defer raw.Close()
	if got := queryString(t, raw, `SELECT group_concat(name) FROM sqlite_schema`); got != "accounts" {
		t.Errorf("schema objects = %q, want accounts only", got)
	}
}

func TestOpen_ReopenIsIdempotent(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "results.db")
	db := MustOpenPath(t, path)
	sweepID, runIDs := MustCreateSweep(t, db, "ch6", baseConfig(), withSeed(baseConfig(), 2))
	mustAddEpochs(t, db, runIDs[0], 3)
	schema := dumpSchema(t, db.SQLDB())
	db.Close()

	for i := range 3 {
		db := MustOpenPath(t, path)
		if got := dumpSchema(t, db.SQLDB()); got != schema {
			t.Fatalf("reopen %d: schema changed:\n%s\nwas\n%s", i, got, schema)
		}
		if got := queryString(t, db.SQLDB(), `PRAGMA user_version`); got != "1" {
			t.Errorf("reopen %d: user_version = %s", i, got)
		}
		runs, err := db.Runs(ctx, sweepID)
		if err != nil || len(runs) != 2 {
			t.Fatalf("reopen %d: Runs = %d runs, %v", i, len(runs), err)
		}
		epochs, err := db.Epochs(ctx, runIDs[0])
		if err != nil || len(epochs) != 3 {
			t.Fatalf("reopen %d: Epochs = %d epochs, %v", i, len(epochs), err)
		}
		db.Close()
	}
}

func TestOpenReadOnly(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "results.db")
	w := MustOpenPath(t, path)
	sweepID, runIDs := MustCreateSweep(t, w, "ch6", baseConfig())
	mustAddEpochs(t, w, runIDs[0], 2)
	w.Close()
	before := mustChecksum(t, path)

	db := MustOpenReadOnly(t, path)
	if got := queryString(t, db.SQLDB(), `PRAGMA query_only`); got != "1" {
		t.Errorf("PRAGMA query_only = %s, want 1", got)
	}
	for _, tt := range []struct {
		name  string
		write func() error
	}{
		{"INSERT", func() error {
			_, err := db.SQLDB().ExecContext(ctx, `INSERT INTO sweeps (name, status) VALUES ('x', 'running')`)
			return err
		}},
		{"UPDATE", func() error {
			_, err := db.SQLDB().ExecContext(ctx, `UPDATE runs SET status = 'done'`)
			return err
		}},
		{"DELETE", func() error {
			_, err := db.SQLDB().ExecContext(ctx, `DELETE FROM epochs`)
			return err
		}},
		{"CREATE TABLE", func() error {
			_, err := db.SQLDB().ExecContext(ctx, `CREATE TABLE notes (x TEXT)`)
			return err
		}},
		{"CreateSweep", func() error {
			_, _, err := db.CreateSweep(ctx, store.Sweep{Name: "x"}, []train.Config{withSeed(baseConfig(), 9)})
			return err
		}},
		{"StartRun", func() error { return db.StartRun(ctx, runIDs[0]) }},
		{"AddEpoch", func() error { return db.AddEpoch(ctx, runIDs[0], train.EpochMetrics{Epoch: 7}) }},
		{"FinishRun", func() error { return db.FinishRun(ctx, runIDs[0], train.Done, "") }},
		{"FinishSweep", func() error { return db.FinishSweep(ctx, sweepID, "done") }},
	} {
		if err := tt.write(); err == nil {
			t.Errorf("%s through a read-only connection succeeded", tt.name)
		}
	}

	// Reads work and see the data unchanged.
	if s, err := db.Sweep(ctx, sweepID); err != nil || s.Status != "running" {
		t.Errorf("Sweep = %+v, %v", s, err)
	}
	if runs, err := db.Runs(ctx, sweepID); err != nil || len(runs) != 1 || runs[0].Status != train.Pending {
		t.Errorf("Runs = %+v, %v", runs, err)
	}
	if ms, err := db.Epochs(ctx, runIDs[0]); err != nil || len(ms) != 2 {
		t.Errorf("Epochs = %d epochs, %v", len(ms), err)
	}
	if got := queryString(t, db.SQLDB(), `SELECT count(*) FROM sweeps`); got != "1" {
		t.Errorf("sweeps = %s, want 1", got)
	}
	db.Close()
	if after := mustChecksum(t, path); after != before {
		t.Errorf("file changed: sha256 %s, was %s", after, before)
	}
}

func TestOpenReadOnly_NoDatabase(t *testing.T) {
	t.Run("missing file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "results.db")
		db, err := store.OpenReadOnly(context.Background(), path)
		if err == nil {
			db.Close()
			t.Fatal("OpenReadOnly succeeded on a missing file")
		}
		if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), path) {
			t.Errorf("error %v, want one wrapping fs.ErrNotExist and naming the file", err)
		}
		if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("OpenReadOnly created the file: %v", err)
		}
	})
	t.Run("empty file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "results.db")
		mustWriteFile(t, path, nil)
		db, err := store.OpenReadOnly(context.Background(), path)
		if err == nil {
			db.Close()
			t.Fatal("OpenReadOnly succeeded on an empty file")
		}
		if !strings.Contains(err.Error(), "no runner schema") {
			t.Errorf("error = %v", err)
		}
		if fi, err := os.Stat(path); err != nil || fi.Size() != 0 {
			t.Errorf("empty file changed: %v, %v", fi, err)
		}
	})
}

// opens are the two ways of opening, for tests that both must pass.
var opens = []struct {
	name string
	fn   func(context.Context, string) (*store.DB, error)
}{
	{"Open", store.Open},
	{"OpenReadOnly", store.OpenReadOnly},
}

// baseConfig is a small valid run config.
func baseConfig() train.Config {
	return train.Config{
		Dataset:   train.DatasetConfig{Name: "mnist", TrainLimit: 1000, Validation: 0.1, SplitSeed: 7},
		Model:     train.ModelConfig{Hidden: []int{100, 100, 100, 100}, Activation: "relu", Init: "he", Precision: "float32"},
		Optimizer: train.OptimizerConfig{Name: "sgd", LR: 0.01},
		Schedule:  train.ScheduleConfig{Name: "constant"},
		Epochs:    5,
		BatchSize: 100,
		Seed:      1,
	}
}

func withSeed(c train.Config, seed int64) train.Config {
	c.Seed = seed
	return c
}

// MustCreateSweep creates a sweep of the given configs.
func MustCreateSweep(tb testing.TB, db *store.DB, name string, configs ...train.Config) (int64, []int64) {
	tb.Helper()
	id, runIDs, err := db.CreateSweep(context.Background(), store.Sweep{Name: name}, configs)
	if err != nil {
		tb.Fatal(err)
	}
	return id, runIDs
}

// mustAddEpochs records epochs 0..n-1 of a run.
func mustAddEpochs(tb testing.TB, db *store.DB, runID int64, n int) {
	tb.Helper()
	for e := range n {
		m := train.EpochMetrics{Epoch: e, LR: 0.01, TrainLoss: 2.3 / float64(e+1), TrainAcc: 0.1 * float64(e), TestAcc: 0.1 * float64(e), ValAcc: 0.1 * float64(e), Seconds: 1.5, EvalSeconds: 0.25}
		if err := db.AddEpoch(context.Background(), runID, m); err != nil {
			tb.Fatal(err)
		}
	}
}

// useClock makes the store's clock return start, start+step, start+2·step, …
func useClock(tb testing.TB, start time.Time, step time.Duration) {
	tb.Helper()
	n := 0
	tb.Cleanup(store.SetNowFunc(func() time.Time {
		t := start.Add(time.Duration(n) * step)
		n++
		return t
	}))
}

func mustRawOpen(tb testing.TB, dsn string) *sql.DB {
	tb.Helper()
	db, err := sql.Open("sqlite3", dsn)
	if err != nil {
		tb.Fatal(err)
	}
	return db
}

func mustExec(tb testing.TB, db *sql.DB, query string, args ...any) {
	tb.Helper()
	if _, err := db.ExecContext(context.Background(), query, args...); err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
}

// queryString returns the single value a query selects, as text ("NULL" for NULL).
func queryString(tb testing.TB, db *sql.DB, query string, args ...any) string {
	tb.Helper()
	var s sql.NullString
	if err := db.QueryRowContext(context.Background(), query, args...).Scan(&s); err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
	if !s.Valid {
		return "NULL"
	}
	return s.String
}

func dumpSchema(tb testing.TB, db *sql.DB) string {
	tb.Helper()
	return queryString(tb, db, `SELECT group_concat(sql, ';') FROM (SELECT sql FROM sqlite_schema ORDER BY name)`)
}

func mustWriteFile(tb testing.TB, path string, b []byte) {
	tb.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		tb.Fatal(err)
	}
}

func mustChecksum(tb testing.TB, path string) string {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// headerUserVersion reads PRAGMA user_version from the file's header as of
// the last checkpoint.
func headerUserVersion(tb testing.TB, path string) int {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil || len(b) < 100 {
		tb.Fatalf("read header of %s: %d bytes, %v", path, len(b), err)
	}
	return int(binary.BigEndian.Uint32(b[60:64]))
}

// listDir returns the names in dir, comma-separated.
func listDir(tb testing.TB, dir string) string {
	tb.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.Name()
	}
	return strings.Join(names, ",")
}

func assertOnlyFile(tb testing.TB, dir, name string) {
	tb.Helper()
	if got := listDir(tb, dir); got != name {
		tb.Errorf("files in the directory: %s, want only %s", got, name)
	}
}

// MustOpen opens a new results database in a temporary directory and closes
// it when the test ends.
func MustOpen(tb testing.TB) *store.DB {
	tb.Helper()
	return MustOpenPath(tb, filepath.Join(tb.TempDir(), "results.db"))
}

// MustOpenPath opens the results database at path for writing and closes it
// when the test ends.
func MustOpenPath(tb testing.TB, path string) *store.DB {
	tb.Helper()
	db, err := store.Open(context.Background(), path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// MustOpenReadOnly opens the results database at path for reading and
// closes it when the test ends.
func MustOpenReadOnly(tb testing.TB, path string) *store.DB {
	tb.Helper()
	db, err := store.OpenReadOnly(context.Background(), path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}
