package store_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
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
				"user_version":   fmt.Sprint(store.SchemaVersion),
				"journal_mode":   "wal",
				"foreign_keys":   "1",
				"busy_timeout":   "10000",
				"synchronous":    "2", // FULL: a committed epoch survives a power cut
				"query_only":     "0",
				"application_id": fmt.Sprint(store.ApplicationID),
			} {
				if got := queryString(t, db.SQLDB(), "PRAGMA "+pragma); got != want {
					t.Errorf("PRAGMA %s = %s, want %s", pragma, got, want)
				}
			}
			tables := queryString(t, db.SQLDB(),
				`SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name)`)
			if tables != "epochs,layer_stats,path,runs,steps,sweeps" {
				t.Errorf("tables = %s, want epochs,layer_stats,path,runs,steps,sweeps", tables)
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
		// The header passes the magic check; SQLite itself rejects the rest.
		{"magic then garbage", append([]byte("SQLite format 3\x00"), bytes.Repeat([]byte{0xff}, 4080)...)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "results.db")
			mustWriteFile(t, path, tt.content)
			before := fileState(t, path)

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
			assertFileState(t, path, before)
			assertOnlyFile(t, dir, "results.db")
		})
	}
}

// newerVersion is the schema version of a database of a newer runner.
const newerVersion = store.SchemaVersion + 1

func TestOpen_NewerSchema(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name string
		// setup makes a database of schema version newerVersion at path; it may leave
		// a connection open until the test ends.
		setup func(tb testing.TB, path string)
		// live is set when setup leaves a connection open: SQLite's readers
		// take their turn in the shared -shm file then, so only the main
		// and -wal files must stay as they were.
		live bool
	}{
		{name: "rollback journal", setup: func(tb testing.TB, path string) {
			raw := mustRawOpen(tb, path+"?_journal_mode=DELETE")
			mustExec(tb, raw, fmt.Sprintf(`CREATE TABLE sweeps (id INTEGER PRIMARY KEY, name TEXT, colour TEXT);
				PRAGMA application_id = %d; PRAGMA user_version = %d`, store.ApplicationID, newerVersion))
			raw.Close()
		}},
		{name: "WAL, checkpointed", setup: func(tb testing.TB, path string) {
			db := MustOpenPath(tb, path)
			MustCreateSweep(tb, db, "ch6", baseConfig())
			db.Close()
			raw := mustRawOpen(tb, path)
			mustExec(tb, raw, fmt.Sprintf(`PRAGMA user_version = %d`, newerVersion))
			raw.Close()
		}},
		{name: "WAL, only in the -wal file", live: true, setup: func(tb testing.TB, path string) {
			// A newer runner is still running: its change is in the WAL
			// and the header of the main file still says SchemaVersion.
			tb.Cleanup(mustNewerInWAL(tb, path))
		}},
		{name: "WAL, only in the -wal file of a crashed runner", setup: func(tb testing.TB, path string) {
			// A newer runner crashed with its change in the WAL: the
			// three files as they were then, and no connection open.
			src := filepath.Join(tb.TempDir(), filepath.Base(path))
			closeRaw := mustNewerInWAL(tb, src)
			for _, suffix := range []string{"", "-wal", "-shm"} {
				mustCopyFile(tb, src+suffix, path+suffix)
			}
			closeRaw()
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "results.db")
			tt.setup(t, path)
			before := fileState(t, path)
			files := listDir(t, dir)
			t.Logf("files: %s; user_version in the main file's header: %d", files, headerUserVersion(t, path))

			for _, open := range opens {
				db, err := open.fn(ctx, path)
				if err == nil {
					db.Close()
					t.Fatalf("%s succeeded on schema version %d", open.name, newerVersion)
				}
				if !errors.Is(err, store.ErrNewerSchema) {
					t.Errorf("%s: error %v, want ErrNewerSchema", open.name, err)
				}
				if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), fmt.Sprintf("version is %d", newerVersion)) {
					t.Errorf("%s: error %q should name the file and the version", open.name, err)
				}
			}
			if tt.live {
				assertFileState(t, path, before, "", "-wal")
			} else {
				assertFileState(t, path, before)
			}
			if got := listDir(t, dir); got != files {
				t.Errorf("files in the directory: %s, were %s", got, files)
			}
		})
	}
}

// A newer runner in another process (the sqlite3 shell standing in for it)
// holds the database open with its schema change in the -wal file: Open
// refuses without writing any of the three files, the -shm included.
func TestOpen_NewerSchemaInAnotherProcess(t *testing.T) {
	shell, err := exec.LookPath("sqlite3")
	if err != nil {
		t.Skip("no sqlite3 shell:", err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "results.db")
	db := MustOpenPath(t, path)
	MustCreateSweep(t, db, "ch6", baseConfig())
	db.Close()

	cmd := exec.Command(shell, path)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer stdin.Close() // ends the shell
	if _, err := fmt.Fprintf(stdin, "PRAGMA wal_autocheckpoint = 0; PRAGMA user_version = %d; SELECT 'ready';\n", newerVersion); err != nil {
		t.Fatal(err)
	}
	for out := bufio.NewScanner(stdout); ; { // wait until the shell has run the PRAGMAs
		if !out.Scan() {
			t.Fatalf("sqlite3 ended before it was ready: %v", out.Err())
		}
		if out.Text() == "ready" {
			break
		}
	}
	if v := headerUserVersion(t, path); v != store.SchemaVersion {
		t.Fatalf("setup: header says user_version %d, want the stale %d", v, store.SchemaVersion)
	}
	before := fileState(t, path)
	files := listDir(t, dir)

	for _, open := range opens {
		db, err := open.fn(context.Background(), path)
		if err == nil {
			db.Close()
			t.Fatalf("%s succeeded on schema version %d", open.name, newerVersion)
		}
		if !errors.Is(err, store.ErrNewerSchema) {
			t.Errorf("%s: error %v, want ErrNewerSchema", open.name, err)
		}
	}
	assertFileState(t, path, before)
	if got := listDir(t, dir); got != files {
		t.Errorf("files in the directory: %s, were %s", got, files)
	}
}

// mustNewerInWAL makes a results database at path and sets its schema
// version to newerVersion through a connection that it leaves open, with the change
// in the -wal file only, and returns the function that closes it.
func mustNewerInWAL(tb testing.TB, path string) (closeRaw func()) {
	tb.Helper()
	db := MustOpenPath(tb, path)
	MustCreateSweep(tb, db, "ch6", baseConfig())
	db.Close()
	raw := mustRawOpen(tb, path+"?_journal_mode=WAL")
	raw.SetMaxOpenConns(1)
	mustExec(tb, raw, fmt.Sprintf(`PRAGMA wal_autocheckpoint = 0; PRAGMA user_version = %d`, newerVersion))
	if v := headerUserVersion(tb, path); v != store.SchemaVersion {
		tb.Fatalf("setup: header says user_version %d, want the stale %d", v, store.SchemaVersion)
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if _, err := os.Stat(path + suffix); err != nil {
			tb.Fatalf("setup: %v", err)
		}
	}
	return func() { raw.Close() }
}

// SQLite files of other programs must be refused untouched: no byte of the
// file changed (not even its journal mode), no -wal or -shm file created.
func TestOpen_ForeignDatabase(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name  string
		dsn   string // the options setup writes through
		setup string
		want  string // in the error
	}{
		{"tables of its own", "?_journal_mode=DELETE",
			`CREATE TABLE accounts (id INTEGER PRIMARY KEY, owner TEXT)`,
			"holds 1 schema objects"},
		{"tables of its own, WAL", "?_journal_mode=WAL",
			`CREATE TABLE accounts (id INTEGER PRIMARY KEY, owner TEXT)`,
			"holds 1 schema objects"},
		{"user_version 1 and tables of its own", "?_journal_mode=DELETE",
			`CREATE TABLE accounts (id INTEGER PRIMARY KEY, owner TEXT); PRAGMA user_version = 1`,
			"application_id is 0x00000000"},
		{"user_version 1 and runner's tables", "?_journal_mode=DELETE",
			`CREATE TABLE sweeps (id INTEGER PRIMARY KEY); CREATE TABLE runs (id INTEGER PRIMARY KEY);
			 CREATE TABLE epochs (run_id INTEGER); PRAGMA user_version = 1`,
			"application_id is 0x00000000"},
		{"another program's application_id", "?_journal_mode=DELETE",
			`PRAGMA application_id = 305419896`,
			"application_id is 0x12345678"},
		{"negative user_version", "?_journal_mode=DELETE",
			`PRAGMA user_version = -1`,
			"user_version is -1"},
		{"negative user_version, runner's application_id", "?_journal_mode=WAL",
			fmt.Sprintf(`PRAGMA application_id = %d; PRAGMA user_version = -7`, store.ApplicationID),
			"user_version is -7"},
		{"runner's application_id without its tables", "?_journal_mode=DELETE",
			fmt.Sprintf(`CREATE TABLE accounts (id INTEGER); PRAGMA application_id = %d; PRAGMA user_version = 1`, store.ApplicationID),
			"lacks the sweeps, runs or epochs table"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "other.db")
			raw := mustRawOpen(t, path+tt.dsn)
			mustExec(t, raw, tt.setup)
			raw.Close()
			before := fileState(t, path)
			assertOnlyFile(t, dir, "other.db")

			for _, open := range opens {
				db, err := open.fn(ctx, path)
				if err == nil {
					db.Close()
					t.Fatalf("%s succeeded on another program's database", open.name)
				}
				if !errors.Is(err, store.ErrNotRunnerDB) || !strings.Contains(err.Error(), tt.want) ||
					!strings.Contains(err.Error(), path) {
					t.Errorf("%s: error %v, want ErrNotRunnerDB naming the file and saying %q", open.name, err, tt.want)
				}
			}
			assertFileState(t, path, before)
			assertOnlyFile(t, dir, "other.db")
		})
	}
}

// A rollback-journal database with a hot journal (its writer crashed) is
// refused rather than rolled back, since only a writer may roll it back.
func TestOpen_HotJournal(t *testing.T) {
	ctx := context.Background()
	src := filepath.Join(t.TempDir(), "other.db")
	raw := mustRawOpen(t, src+"?_journal_mode=DELETE")
	raw.SetMaxOpenConns(1)
	mustExec(t, raw, `CREATE TABLE a (x BLOB); PRAGMA cache_size = 2;
		WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 200)
		INSERT INTO a SELECT zeroblob(1000) FROM c`)
	tx, err := raw.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	// More changed pages than the cache holds: SQLite writes them to the
	// main file, their old content being in the journal.
	if _, err := tx.ExecContext(ctx, `UPDATE a SET x = zeroblob(1001)`); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "other.db")
	for _, suffix := range []string{"", "-journal"} {
		mustCopyFile(t, src+suffix, path+suffix)
	}
	tx.Rollback()
	raw.Close()
	before := fileState(t, path)

	for _, open := range opens {
		db, err := open.fn(ctx, path)
		if err == nil {
			db.Close()
			t.Fatalf("%s succeeded on a database with a hot journal", open.name)
		}
		if !strings.Contains(err.Error(), "hot journal") {
			t.Errorf("%s: error %v", open.name, err)
		}
	}
	assertFileState(t, path, before)
	if got := listDir(t, dir); got != "other.db,other.db-journal" {
		t.Errorf("files in the directory: %s", got)
	}
}

// A -wal file without its -shm cannot be read without writing the -shm:
// Open refuses it untouched rather than guess.
func TestOpen_WALWithoutSHM(t *testing.T) {
	ctx := context.Background()
	src := filepath.Join(t.TempDir(), "results.db")
	w := MustOpenPath(t, src)
	mustExec(t, w.SQLDB(), `PRAGMA wal_autocheckpoint = 0`)
	MustCreateSweep(t, w, "ch6", baseConfig())
	dir := t.TempDir()
	path := filepath.Join(dir, "results.db")
	for _, suffix := range []string{"", "-wal"} {
		mustCopyFile(t, src+suffix, path+suffix)
	}
	w.Close()
	before := fileState(t, path)

	for _, open := range opens {
		db, err := open.fn(ctx, path)
		if err == nil {
			db.Close()
			t.Fatalf("%s succeeded", open.name)
		}
		if !strings.Contains(err.Error(), "no -shm file") {
			t.Errorf("%s: error %v", open.name, err)
		}
	}
	assertFileState(t, path, before)
	if got := listDir(t, dir); got != "results.db,results.db-wal" {
		t.Errorf("files in the directory: %s", got)
	}
}

// A results database whose last transactions are in the -wal file of a
// crashed writer opens, with those transactions.
func TestOpen_CrashedWriter(t *testing.T) {
	ctx := context.Background()
	src := filepath.Join(t.TempDir(), "results.db")
	w := MustOpenPath(t, src)
	mustExec(t, w.SQLDB(), `PRAGMA wal_autocheckpoint = 0`)
	sweepID, runIDs := MustCreateSweep(t, w, "ch6", baseConfig())
	mustAddEpochs(t, w, runIDs[0], 2)
	path := filepath.Join(t.TempDir(), "results.db")
	for _, suffix := range []string{"", "-wal", "-shm"} {
		mustCopyFile(t, src+suffix, path+suffix)
	}
	w.Close()

	for _, open := range []func(testing.TB, string) *store.DB{MustOpenReadOnly, MustOpenPath} {
		db := open(t, path)
		if runs, err := db.Runs(ctx, sweepID); err != nil || len(runs) != 1 {
			t.Errorf("Runs = %d runs, %v", len(runs), err)
		}
		if ms, err := db.Epochs(ctx, runIDs[0]); err != nil || len(ms) != 2 {
			t.Errorf("Epochs = %d epochs, %v", len(ms), err)
		}
		db.Close()
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
		if got := queryString(t, db.SQLDB(), `PRAGMA user_version`); got != fmt.Sprint(store.SchemaVersion) {
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
	before := fileState(t, path)

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
			_, _, err := db.CreateSweep(ctx, store.SweepRecord{Name: "x"}, []train.Config{withSeed(baseConfig(), 9)})
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
	assertFileState(t, path, before, "")
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
		if !errors.Is(err, store.ErrNotRunnerDB) || !strings.Contains(err.Error(), "no runner schema") {
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
	id, runIDs, err := db.CreateSweep(context.Background(), store.SweepRecord{Name: name}, configs)
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

// fileSuffixes are the files of an SQLite database: the main file, the
// write-ahead log, the WAL index and the rollback journal.
var fileSuffixes = []string{"", "-wal", "-shm", "-journal"}

// fileState returns the SHA-256 of the database at path and of each file
// beside it, "missing" for those that do not exist, by suffix.
func fileState(tb testing.TB, path string) map[string]string {
	tb.Helper()
	state := make(map[string]string, len(fileSuffixes))
	for _, suffix := range fileSuffixes {
		b, err := os.ReadFile(path + suffix)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			state[suffix] = "missing"
		case err != nil:
			tb.Fatal(err)
		default:
			sum := sha256.Sum256(b)
			state[suffix] = hex.EncodeToString(sum[:])
		}
	}
	return state
}

// assertFileState checks that the files of the database at path are byte
// for byte as fileState found them before: those of the given suffixes, or
// all of them.
func assertFileState(tb testing.TB, path string, before map[string]string, suffixes ...string) {
	tb.Helper()
	if len(suffixes) == 0 {
		suffixes = fileSuffixes
	}
	after := fileState(tb, path)
	for _, suffix := range suffixes {
		if after[suffix] != before[suffix] {
			tb.Errorf("%s changed: sha256 %s, was %s", filepath.Base(path)+suffix, after[suffix], before[suffix])
		}
	}
}

func mustCopyFile(tb testing.TB, src, dst string) {
	tb.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		tb.Fatal(err)
	}
	mustWriteFile(tb, dst, b)
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
