package store_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mattn/go-sqlite3"

	"runner/internal/store"
)

// mustVersion1 makes a results database of schema version 1 at path, as
// the runner before the views wrote it, with one sweep of one run of two
// epochs.
func mustVersion1(tb testing.TB, path string) {
	tb.Helper()
	raw := mustRawOpen(tb, path+"?_journal_mode=WAL")
	defer raw.Close()
	mustExec(tb, raw, store.Migrations[0]+"\nPRAGMA user_version = 1")
	mustExec(tb, raw, `INSERT INTO sweeps (id, name, status) VALUES (1, 'old', 'done')`)
	mustExec(tb, raw, `INSERT INTO runs (id, sweep_id, run_key, config, optimizer, lr, seed, status)
		VALUES (1, 1, 'k1', '{"optimizer":{"name":"sgd","lr":0.1},"seed":1}', 'sgd', 0.1, 1, 'done')`)
	mustExec(tb, raw, `INSERT INTO epochs (run_id, epoch, train_loss, test_acc) VALUES (1, 0, 2.3, 0.1), (1, 1, 0.4, 0.9)`)
}

func TestMigrate_FromVersion1(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "results.db")
	mustVersion1(t, path)
	before := fileState(t, path)

	// A reader cannot migrate: it refuses the file untouched.
	db, err := store.OpenReadOnly(ctx, path)
	if err == nil {
		db.Close()
		t.Fatal("OpenReadOnly succeeded on schema version 1")
	}
	if !errors.Is(err, store.ErrOlderSchema) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "version is 1") {
		t.Errorf("OpenReadOnly: error %v, want ErrOlderSchema naming the file and the version", err)
	}
	assertFileState(t, path, before)

	// The writer migrates it forward, keeping the data.
	w := MustOpenPath(t, path)
	for pragma, want := range map[string]string{
		"user_version":   fmt.Sprint(store.SchemaVersion),
		"application_id": fmt.Sprint(store.ApplicationID),
	} {
		if got := queryString(t, w.SQLDB(), "PRAGMA "+pragma); got != want {
			t.Errorf("PRAGMA %s = %s, want %s", pragma, got, want)
		}
	}
	row := queryRow(t, w.SQLDB(), `SELECT run_id, sweep_name, group_key, final_epoch, final_test_acc, min_train_loss FROM run_summary`)
	for k, v := range map[string]any{
		"run_id": int64(1), "sweep_name": "old", "group_key": `{"optimizer":{"name":"sgd","lr":0.1}}`,
		"final_epoch": int64(1), "final_test_acc": 0.9, "min_train_loss": 0.4,
	} {
		if row[k] != v {
			t.Errorf("run_summary.%s = %v, want %v", k, row[k], v)
		}
	}
	if got := queryString(t, w.SQLDB(), `SELECT n FROM group_summary`); got != "1" {
		t.Errorf("group_summary.n = %s, want 1", got)
	}
	migrated, err := w.Schema(ctx)
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := store.NewSchema(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if migrated != fresh {
		t.Errorf("migrated schema differs from a new one:\n%s\nnew:\n%s", migrated, fresh)
	}
}

func TestNewSchema(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	t.Chdir(dir)
	schema, err := store.NewSchema(ctx)
	if err != nil {
		t.Fatal(err)
	}
	assertOnlyFile(t, dir, "")
	for _, want := range []string{
		fmt.Sprintf("PRAGMA application_id = %d;\nPRAGMA user_version = %d;\n", store.ApplicationID, store.SchemaVersion),
		"\nCREATE TABLE sweeps (", "\nCREATE INDEX sweeps_name_id ", "\nCREATE TABLE runs (", "\nCREATE TABLE epochs (",
		"\nCREATE VIEW run_summary AS", "\nCREATE VIEW run_epochs AS", "\nCREATE VIEW group_summary AS",
	} {
		if !strings.Contains(schema, want) {
			t.Errorf("schema lacks %q:\n%s", want, schema)
		}
	}
	if strings.Contains(schema, "sqlite_autoindex") {
		t.Errorf("schema has SQLite's own indexes:\n%s", schema)
	}

	// It is the schema Open creates, and it recreates a database that Open
	// accepts as is.
	db := MustOpenPath(t, filepath.Join(dir, "new.db"))
	if got, err := db.Schema(ctx); err != nil || got != schema {
		t.Errorf("Schema of a new database = %v\n%s\nwant\n%s", err, got, schema)
	}
	path := filepath.Join(dir, "replayed.db")
	raw := mustRawOpen(t, path+"?_journal_mode=WAL")
	mustExec(t, raw, schema)
	raw.Close()
	replayed := MustOpenReadOnly(t, path)
	if got, err := replayed.Schema(ctx); err != nil || got != schema {
		t.Errorf("Schema of the replayed schema = %v\n%s\nwant\n%s", err, got, schema)
	}
}

// Through OpenReadOnly nothing can be written, nor attached, nor set, and
// no file is created; reading works, transactions and PRAGMAs that report
// included.
func TestOpenReadOnly_RefusesWrites(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "results.db")
	w := MustOpenPath(t, path)
	_, runIDs := MustCreateSweep(t, w, "ch6", baseConfig())
	mustAddEpochs(t, w, runIDs[0], 2)
	w.Close()
	db := MustOpenReadOnly(t, path)
	files := listDir(t, dir) // with the reader's -wal and -shm
	before := fileState(t, path)

	for _, q := range []string{
		`DELETE FROM runs`,
		`INSERT INTO sweeps (name) VALUES ('x')`,
		`UPDATE runs SET status = 'done'`,
		`CREATE TABLE notes (x TEXT)`,
		`CREATE TEMP TABLE notes (x TEXT)`,
		`CREATE TEMP VIEW v AS SELECT 1`,
		`CREATE INDEX runs_lr ON runs (lr)`,
		`DROP VIEW run_summary`,
		`ALTER TABLE runs ADD COLUMN x`,
		`ATTACH '` + path + `' AS again`,
		`ATTACH '` + filepath.Join(dir, "new.db") + `' AS created`,
		`ATTACH ':memory:' AS mem`,
		`DETACH main`,
		`PRAGMA user_version = 5`,
		`PRAGMA application_id = 5`,
		`PRAGMA query_only = 0`,
		`PRAGMA journal_mode = DELETE`,
		`PRAGMA optimize`,
		`PRAGMA wal_checkpoint`,
		`VACUUM`,
		`VACUUM INTO '` + filepath.Join(dir, "copy.db") + `'`,
		`ANALYZE`,
		`REINDEX`,
		`WITH d AS (SELECT 1) DELETE FROM epochs`,
	} {
		_, err := db.SQLDB().ExecContext(ctx, q)
		var serr sqlite3.Error
		if !errors.As(err, &serr) || serr.Code != sqlite3.ErrAuth && serr.Code != sqlite3.ErrReadonly {
			t.Errorf("%s: error %v, want not authorized or read-only", q, err)
		}
	}
	for _, q := range []string{
		`SELECT count(*) FROM run_summary`,
		`SELECT * FROM group_summary`,
		`WITH RECURSIVE c (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 3) SELECT i FROM c`,
		`VALUES (1), (2)`,
		`PRAGMA user_version`,
		`PRAGMA table_info(runs)`,
		`SELECT name FROM pragma_table_info('runs')`,
		`PRAGMA integrity_check`,
		`SELECT json_extract(config, '$.seed') FROM runs`,
	} {
		rows, err := db.SQLDB().QueryContext(ctx, q)
		if err != nil {
			t.Errorf("%s: %v", q, err)
			continue
		}
		for rows.Next() {
		}
		if err := rows.Err(); err != nil {
			t.Errorf("%s: %v", q, err)
		}
		rows.Close()
	}
	tx, err := db.SQLDB().BeginTx(ctx, nil)
	if err != nil {
		t.Fatalf("begin a read transaction: %v", err)
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM epochs`).Scan(&n); err != nil || n != 2 {
		t.Errorf("epochs = %d, %v; want 2", n, err)
	}
	if err := tx.Commit(); err != nil {
		t.Errorf("commit a read transaction: %v", err)
	}
	assertFileState(t, path, before, "", "-wal")
	if got := listDir(t, dir); got != files {
		t.Errorf("files in the directory: %s, were %s", got, files)
	}
}

// The views' usual lookups use an index.
func TestSchema_ViewIndexes(t *testing.T) {
	db := MustOpen(t)
	for _, tt := range []struct{ query, want string }{
		{`SELECT * FROM run_summary WHERE sweep_id = 1`, "USING INDEX sqlite_autoindex_runs_1 (sweep_id=?)"},
		{`SELECT * FROM run_summary WHERE run_id = 1`, "USING INTEGER PRIMARY KEY (rowid=?)"},
		{`SELECT * FROM run_epochs WHERE run_id = 1 ORDER BY epoch`, "USING INDEX sqlite_autoindex_epochs_1 (run_id=?)"},
		{`SELECT * FROM run_epochs WHERE sweep_id = 1`, "USING INDEX sqlite_autoindex_runs_1 (sweep_id=?)"},
	} {
		plan := strings.Join(queryColumn(t, db, `EXPLAIN QUERY PLAN `+tt.query, 3), "; ")
		if !strings.Contains(plan, tt.want) {
			t.Errorf("plan of %s: %s; want %s", tt.query, plan, tt.want)
		}
	}
}

// queryColumn returns column i of every row a query selects, as text.
func queryColumn(tb testing.TB, db *store.DB, query string, i int) []string {
	tb.Helper()
	var out []string
	for _, row := range queryRowsOrdered(tb, db, query) {
		out = append(out, fmt.Sprint(row[i]))
	}
	return out
}

// queryRowsOrdered returns the rows a query selects, columns in order.
func queryRowsOrdered(tb testing.TB, db *store.DB, query string) [][]any {
	tb.Helper()
	rows, err := db.SQLDB().QueryContext(context.Background(), query)
	if err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out [][]any
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			tb.Fatal(err)
		}
		out = append(out, vals)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}
