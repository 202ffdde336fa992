package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"runner/internal/store"
	"runner/internal/store/storetest"
)

// runSub runs the command query, export or schema through its own Run, as
// main does, with stdin as standard input, and returns its exit code,
// standard output and standard error.
func runSub(t *testing.T, stdin, name string, args ...string) (int, string, string) {
	t.Helper()
	if name != "query" && name != "export" && name != "schema" {
		t.Fatalf("runSub: unknown command %q", name)
	}
	var stdout, stderr bytes.Buffer
	m := &Main{Stdin: strings.NewReader(stdin), Stdout: &stdout, Stderr: &stderr}
	ctx := context.Background()
	err := m.Run(ctx, append([]string{name}, args...))
	return exitCode(ctx, err, &stderr), stdout.String(), stderr.String()
}

// querySweep is the sweep the tests of query, export and the README's SQL
// run on: named ch6 like the README's examples, with two optimizers, two
// learning rates each, two schedules and two seeds (16 runs), a validation
// split, on 300 MNIST images for 2 epochs.
const querySweep = `
name: ch6
description: a tiny chapter-6 sweep for the query tests
seed: 5
dataset: {train_limit: 300, validation: 0.2}
model: {hidden: [20]}
train: {epochs: 2, batch_size: 50, seeds: [1, 2]}
optimizers:
  - {name: sgd, lr: [0.1, 0.05]}
  - {name: adam, lr: [0.01, 0.001]}
schedules:
  - {name: constant}
  - {name: step, every: 1, gamma: 0.5}
`

// sweepDB holds the bytes of a results database in which runner run has
// trained querySweep twice (sweeps 1 and 2, runs 1 to 32), made once.
var sweepDB struct {
	once sync.Once
	b    []byte
	err  error
}

// resultsDB writes a copy of the database of querySweep, trained twice by
// runner run, to a temporary folder and returns its path.
func resultsDB(t *testing.T) string {
	t.Helper()
	sweepDB.once.Do(func() {
		dir := t.TempDir()
		file := writeFile(t, dir, "ch6.yaml", querySweep)
		path := filepath.Join(dir, "results.db")
		for range 2 {
			if code, stdout, stderr := runMain(t, "run", "--quiet", "--db", path, "-j", "2", file); code != exitOK {
				sweepDB.err = fmt.Errorf("runner run: exit %d\n%s\n%s", code, stdout, stderr)
				return
			}
		}
		sweepDB.b, sweepDB.err = os.ReadFile(path)
	})
	if sweepDB.err != nil {
		t.Fatal(sweepDB.err)
	}
	path := filepath.Join(t.TempDir(), "results.db")
	if err := os.WriteFile(path, sweepDB.b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// emptyDB creates a results database without sweeps and returns its path.
func emptyDB(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "results.db")
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestQuery_Formats(t *testing.T) {
	db := emptyDB(t)
	const values = `SELECT 1 AS id, 0.25 AS lr, 'sgd, "quoted"' AS name, NULL AS val_acc, 9e999 AS loss, -9e999 AS low, 1e-7 AS eps, 'a<b' AS note
		UNION ALL SELECT 12, 0.1, 'adam', 0.5, 2.5, 0, 100000.0, ''`
	for _, tt := range []struct {
		format, query, want string
	}{
		{"table", values, "" +
			"id    lr  name           val_acc  loss   low     eps  note\n" +
			" 1  0.25  sgd, \"quoted\"     NULL   Inf  -Inf   1e-07  a<b\n" +
			"12   0.1  adam               0.5   2.5     0  100000\n"},
		{"csv", values, "" +
			"id,lr,name,val_acc,loss,low,eps,note\n" +
			"1,0.25,\"sgd, \"\"quoted\"\"\",,inf,-inf,1e-07,a<b\n" +
			"12,0.1,adam,0.5,2.5,0,100000,\n"},
		{"json", values, "" +
			"[\n" +
			`{"id":1,"lr":0.25,"name":"sgd, \"quoted\"","val_acc":null,"loss":null,"low":null,"eps":1e-07,"note":"a<b"},` + "\n" +
			`{"id":12,"lr":0.1,"name":"adam","val_acc":0.5,"loss":2.5,"low":0,"eps":100000,"note":""}` + "\n" +
			"]\n"},
		{"table", `SELECT 'a' AS x WHERE 0`, "x\n"},
		{"csv", `SELECT 'a' AS x WHERE 0`, "x\n"},
		{"json", `SELECT 'a' AS x WHERE 0`, "[]\n"},
		{"table", `SELECT 'two' || char(10) || 'lines' AS text`, "text\ntwo\\nlines\n"},
		{"table", `SELECT 0.1 + 0.2 AS sum`, "sum\n0.3\n"},
		{"csv", `SELECT 0.1 + 0.2 AS sum`, "sum\n0.30000000000000004\n"},
	} {
		t.Run(tt.format+" "+tt.query, func(t *testing.T) {
			code, stdout, stderr := runSub(t, "", "query", "--db", db, "--format", tt.format, tt.query)
			if code != exitOK || stdout != tt.want {
				t.Errorf("exit %d, stderr %q; stdout:\n%s\nwant:\n%s", code, stderr, stdout, tt.want)
			}
		})
	}
	// The JSON is valid, with numbers as numbers.
	_, stdout, _ := runSub(t, "", "query", "--db", db, "--format", "json", values)
	var rows []map[string]any
	if err := json.Unmarshal([]byte(stdout), &rows); err != nil || len(rows) != 2 || rows[1]["lr"] != 0.1 || rows[0]["val_acc"] != nil {
		t.Errorf("JSON %s decodes to %v, %v", stdout, rows, err)
	}
}

// The statement comes from standard input with "-", and flags may follow it.
func TestQuery_Stdin(t *testing.T) {
	db := emptyDB(t)
	code, stdout, stderr := runSub(t, "SELECT 6 * 7 AS answer; -- a trailing comment\n", "query", "-", "--db", db, "--format", "csv")
	if code != exitOK || stdout != "answer\n42\n" {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

// runner query answers from the views of a real sweep.
func TestQuery_Views(t *testing.T) {
	db := resultsDB(t)
	for _, tt := range []struct{ query, want string }{
		{`SELECT count(*) AS n FROM run_summary WHERE status = 'done' AND final_epoch = 2 AND best_val_epoch IS NOT NULL`, "n\n32\n"},
		{`SELECT count(*) AS n FROM run_epochs`, "n\n96\n"},
		{`SELECT count(*) AS n FROM group_summary WHERE n = 2 AND n_done = 2 AND test_acc_std IS NOT NULL`, "n\n16\n"},
		{`SELECT count(DISTINCT group_key) AS n FROM group_summary`, "n\n8\n"},
		// Both sweeps trained the same configurations and seeds: the same numbers.
		{`SELECT count(*) AS n FROM group_summary a JOIN group_summary b ON a.group_key = b.group_key
			WHERE a.sweep_id = 1 AND b.sweep_id = 2 AND a.test_acc_mean = b.test_acc_mean AND a.test_acc_std = b.test_acc_std`, "n\n8\n"},
	} {
		code, stdout, stderr := runSub(t, "", "query", "--db", db, "--format", "csv", tt.query)
		if code != exitOK || stdout != tt.want {
			t.Errorf("%s: exit %d, stdout %q, want %q; stderr %s", tt.query, code, stdout, tt.want, stderr)
		}
	}
}

// A statement that would write, attach or change a setting is refused with
// exit 2, and the database, its -wal and the folder stay as they were.
func TestQuery_ReadOnly(t *testing.T) {
	db := resultsDB(t)
	dir := filepath.Dir(db)
	count(t, db, `SELECT count(*) FROM runs`) // a reader of a WAL database makes its -wal file
	for _, q := range []string{
		`DELETE FROM runs`,
		`delete from epochs where 1`,
		`INSERT INTO sweeps (name) VALUES ('x')`,
		`UPDATE runs SET lr = 0`,
		`ATTACH '` + filepath.Join(dir, "other.db") + `' AS other`,
		`ATTACH '` + db + `' AS again`,
		`PRAGMA user_version = 5`,
		`PRAGMA query_only = 0`,
		`CREATE TABLE notes (text TEXT)`,
		`CREATE TEMP TABLE notes (text TEXT)`,
		`CREATE VIEW best AS SELECT 1`,
		`DROP VIEW group_summary`,
		`VACUUM INTO '` + filepath.Join(dir, "copy.db") + `'`,
		`REINDEX`,
	} {
		t.Run(q, func(t *testing.T) {
			files := listFiles(t, dir)
			before := fileSums(t, db)
			runs := count(t, db, `SELECT count(*) FROM runs`)
			code, stdout, stderr := runSub(t, "", "query", "--db", db, q)
			if code != exitUsage || !strings.Contains(stderr, "runner query is read-only: ") || stdout != "" {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d, runner query is read-only", code, stdout, stderr, exitUsage)
			}
			if n := count(t, db, `SELECT count(*) FROM runs`); n != runs {
				t.Errorf("runs: %d, were %d", n, runs)
			}
			if after := fileSums(t, db); after != before {
				t.Errorf("the database changed:\n%s\nwas\n%s", after, before)
			}
			if got := listFiles(t, dir); !slices.Equal(got, files) {
				t.Errorf("files: %v, were %v", got, files)
			}
		})
	}
}

// fileSums returns the SHA-256 of the database and its -wal file.
func fileSums(t *testing.T, path string) string {
	t.Helper()
	var s []string
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(path + suffix)
		if errors.Is(err, os.ErrNotExist) {
			s = append(s, suffix+" missing")
			continue
		} else if err != nil {
			t.Fatal(err)
		}
		s = append(s, fmt.Sprintf("%s %x", suffix, sha256.Sum256(b)))
	}
	return strings.Join(s, "\n")
}

func listFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), "-shm") { // a reader's shared memory comes and goes
			names = append(names, e.Name())
		}
	}
	return names
}

func TestQuery_Errors(t *testing.T) {
	dir := t.TempDir()
	db := emptyDB(t)
	notSQLite := writeFile(t, dir, "notes.txt", "optimizer,lr\nsgd,0.1\n")
	old := filepath.Join(dir, "old.db")
	mustSchemaVersion1(t, old)
	missing := filepath.Join(dir, "missing.db")
	for _, tt := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no statement", []string{"--db", db}, exitUsage, "want one SQL statement"},
		{"two arguments", []string{"--db", db, "SELECT", "1"}, exitUsage, "got 2 arguments"},
		{"empty statement", []string{"--db", db, " -- nothing\n"}, exitUsage, "no SQL statement"},
		{"two statements", []string{"--db", db, "SELECT 1; SELECT 2"}, exitUsage, "one statement at a time, got 2"},
		{"syntax error", []string{"--db", db, "SELEC 1"}, exitUsage, `near "SELEC": syntax error`},
		{"no such table", []string{"--db", db, "SELECT * FROM run"}, exitUsage, "no such table: run"},
		{"unknown format", []string{"--db", db, "--format", "xml", "SELECT 1"}, exitUsage, `unknown --format "xml"`},
		{"unknown flag", []string{"--db", db, "--csv", "SELECT 1"}, exitUsage, "flag provided but not defined: -csv"},
		{"missing database", []string{"--db", missing, "SELECT 1"}, exitDatabase, "no results database at " + missing},
		{"not SQLite", []string{"--db", notSQLite, "SELECT 1"}, exitDatabase, "not an SQLite database"},
		{"older schema", []string{"--db", old, "SELECT 1"}, exitDatabase, "runner schema --migrate --db " + old},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runSub(t, "", "query", tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.want) || stdout != "" {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d and %q", code, stdout, stderr, tt.code, tt.want)
			}
		})
	}
	if _, err := os.Stat(missing); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("runner query created %s (%v)", missing, err)
	}
}

// mustSchemaVersion1 makes a results database of schema version 1 at
// path, as runner wrote before the views: a new one without them.
func mustSchemaVersion1(t *testing.T, path string) {
	t.Helper()
	w, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	db := storetest.Open(t, path)
	defer db.Close()
	_, err = db.Exec(`DROP VIEW run_layers; DROP VIEW run_path; DROP TABLE layer_stats; DROP TABLE path; ALTER TABLE runs DROP COLUMN function; ALTER TABLE runs DROP COLUMN dataset; DROP VIEW group_summary; DROP VIEW run_epochs; DROP VIEW run_summary; DROP TABLE steps; ALTER TABLE sweeps DROP COLUMN shards; ALTER TABLE sweeps DROP COLUMN shard_index; ALTER TABLE sweeps DROP COLUMN shard_count; ALTER TABLE sweeps DROP COLUMN sweep_uid; PRAGMA user_version = 1`)
	if err != nil {
		t.Fatal(err)
	}
}

// readCSV parses CSV output into its header and records.
func readCSV(t *testing.T, out string) ([]string, []map[string]string) {
	t.Helper()
	records, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(records) == 0 {
		t.Fatalf("CSV %q: %v", out, err)
	}
	var rows []map[string]string
	for _, rec := range records[1:] {
		row := map[string]string{}
		for i, c := range records[0] {
			row[c] = rec[i]
		}
		rows = append(rows, row)
	}
	return records[0], rows
}

func TestExport(t *testing.T) {
	db := resultsDB(t)
	hyper := []string{"optimizer", "lr", "beta1", "schedule", "gamma", "hidden", "dropout", "epochs", "batch_size", "seed", "validation"}
	for _, tt := range []struct {
		name      string
		args      []string
		rows      int
		sweep     string // the sweep_id of every row
		columns   []string
		unique    []string // columns that together identify a row
		notColumn string
	}{
		{"runs of the latest sweep", nil, 16, "2",
			append([]string{"run_id", "sweep_name", "status", "final_test_acc", "best_val_epoch", "train_seconds"}, hyper...), []string{"run_id"}, "epoch"},
		{"epochs", []string{"--what", "epochs"}, 48, "2",
			append([]string{"run_id", "epoch", "epoch_lr", "train_loss", "train_acc", "val_acc", "test_acc", "seconds"}, hyper...), []string{"run_id", "epoch"}, ""},
		{"groups", []string{"--what", "groups"}, 8, "2",
			[]string{"group_key", "optimizer", "lr", "schedule", "n", "n_done", "test_acc_mean", "test_acc_std"}, []string{"group_key"}, "seed"},
		{"sweep by id", []string{"1"}, 16, "1", []string{"run_id"}, []string{"run_id"}, ""},
		{"sweep by name: the latest", []string{"ch6", "--format", "csv"}, 16, "2", []string{"run_id"}, []string{"run_id"}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runSub(t, "", "export", append([]string{"--db", db}, tt.args...)...)
			if code != exitOK || stderr != "" {
				t.Fatalf("exit %d, stderr %s", code, stderr)
			}
			header, rows := readCSV(t, stdout)
			if len(rows) != tt.rows {
				t.Errorf("%d rows, want %d", len(rows), tt.rows)
			}
			for _, c := range tt.columns {
				if !slices.Contains(header, c) {
					t.Errorf("no column %s in %v", c, header)
				}
			}
			if tt.notColumn != "" && slices.Contains(header, tt.notColumn) {
				t.Errorf("column %s in %v", tt.notColumn, header)
			}
			seen := map[string]bool{}
			for _, r := range rows {
				var key []string
				for _, c := range tt.unique {
					key = append(key, r[c])
				}
				if k := strings.Join(key, ","); seen[k] {
					t.Errorf("two rows for %v = %s", tt.unique, k)
				} else {
					seen[k] = true
				}
				if r["sweep_id"] != tt.sweep {
					t.Errorf("row of sweep %s, want %s", r["sweep_id"], tt.sweep)
				}
			}
		})
	}
}

// pandas reads the epochs export as one row per run per epoch, with the
// hyperparameters as columns of numbers and text (when Python has pandas).
func TestExport_Pandas(t *testing.T) {
	if err := exec.Command("python3", "-c", "import pandas").Run(); err != nil {
		t.Skip("no python3 with pandas:", err)
	}
	db := resultsDB(t)
	out := filepath.Join(t.TempDir(), "epochs.csv")
	if code, _, stderr := runSub(t, "", "export", "--db", db, "--what", "epochs", "-o", out); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	script := `import sys, pandas as pd
df = pd.read_csv(sys.argv[1])
assert len(df) == 48 and not df.duplicated(["run_id", "epoch"]).any(), df
assert df.lr.dtype == float and df.epoch.dtype == int and df.optimizer.dtype == object
print(df.groupby(["optimizer", "lr", "schedule", "epoch"]).test_acc.mean().size)`
	b, err := exec.Command("python3", "-c", script, out).CombinedOutput()
	if err != nil || strings.TrimSpace(string(b)) != "24" {
		t.Errorf("pandas: %v\n%s", err, b)
	}
}

func TestExport_JSONLines(t *testing.T) {
	db := resultsDB(t)
	code, stdout, stderr := runSub(t, "", "export", "--db", db, "--format", "jsonl", "--what", "epochs", "1")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	if len(lines) != 48 {
		t.Fatalf("%d lines, want 48", len(lines))
	}
	for _, line := range lines {
		var row map[string]any
		if err := json.Unmarshal([]byte(line), &row); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		if _, ok := row["lr"].(float64); !ok || row["sweep_id"] != 1.0 || row["momentum"] != nil {
			t.Errorf("row %v: want lr a number, sweep_id 1, momentum null", row)
		}
		if _, ok := row["optimizer"].(string); !ok {
			t.Errorf("row %v: optimizer is not a string", row)
		}
	}
}

// -o writes the file whole, through a temporary file that does not remain;
// a failed export leaves an existing file as it was.
func TestExport_OutputFile(t *testing.T) {
	db := resultsDB(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "runs.csv")
	code, stdout, stderr := runSub(t, "", "export", "--db", db, "-o", out)
	if code != exitOK || stdout != "" || !strings.Contains(stderr, `exported the runs of sweep "ch6" (id 2) to `+out) {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	_, want, _ := runSub(t, "", "export", "--db", db)
	if b, err := os.ReadFile(out); err != nil || string(b) != want {
		t.Errorf("the file holds %d bytes (%v), standard output %d", len(b), err, len(want))
	}
	if got := listFiles(t, dir); !slices.Equal(got, []string{"runs.csv"}) {
		t.Errorf("files: %v, want runs.csv only", got)
	}

	// A failed write leaving the old file and no temporary one is
	// atomicfile's TestWrite.
	if code, _, stderr := runSub(t, "", "export", "--db", db, "-o", filepath.Join(dir, "no", "such", "dir.csv")); code != exitOutput || !strings.Contains(stderr, "dir.csv") {
		t.Errorf("export into a missing folder: exit %d, stderr %q", code, stderr)
	}
}

func TestExport_Errors(t *testing.T) {
	db := resultsDB(t)
	empty := emptyDB(t)
	missing := filepath.Join(t.TempDir(), "missing.db")
	for _, tt := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"unknown sweep", []string{"--db", db, "ch7"}, exitUsage, `no sweep has id or name "ch7"`},
		{"unknown id", []string{"--db", db, "99"}, exitUsage, `no sweep has id or name "99"`},
		{"no sweep at all", []string{"--db", empty}, exitUsage, "holds no sweep"},
		{"two sweeps", []string{"--db", db, "1", "2"}, exitUsage, "at most one sweep"},
		{"unknown what", []string{"--db", db, "--what", "weights"}, exitUsage, `unknown --what "weights"`},
		{"unknown format", []string{"--db", db, "--format", "parquet"}, exitUsage, `unknown --format "parquet"`},
		{"missing database", []string{"--db", missing}, exitDatabase, "no results database at " + missing},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runSub(t, "", "export", tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.want) || stdout != "" {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d and %q", code, stdout, stderr, tt.code, tt.want)
			}
		})
	}
}

func TestSchema(t *testing.T) {
	ctx := context.Background()
	newSchema, err := store.NewSchema(ctx)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	t.Chdir(dir)

	// No database: the schema runner would create, and no file created.
	code, stdout, stderr := runSub(t, "", "schema")
	if code != exitOK || stdout != fmt.Sprintf("-- no database at results.db: the schema runner creates (schema version %d)\n%s", store.SchemaVersion, newSchema) {
		t.Errorf("exit %d, stderr %q, stdout:\n%s", code, stderr, stdout)
	}
	if got := listFiles(t, dir); len(got) != 0 {
		t.Errorf("runner schema created %v", got)
	}
	for _, view := range []string{"run_summary", "run_epochs", "group_summary"} {
		if !strings.Contains(stdout, "\nCREATE VIEW "+view+" AS\n") {
			t.Errorf("no view %s in:\n%s", view, stdout)
		}
	}

	// The output makes a database that runner accepts as it is.
	replayed := filepath.Join(dir, "replayed.db")
	raw := storetest.Open(t, replayed)
	if _, err := raw.Exec(stdout); err != nil {
		t.Fatalf("replay the schema: %v", err)
	}
	raw.Close()
	code, stdout, stderr = runSub(t, "", "schema", "--db", replayed)
	if code != exitOK || stdout != fmt.Sprintf("-- the schema of %s (schema version %d)\n%s", replayed, store.SchemaVersion, newSchema) {
		t.Errorf("schema of the replayed database: exit %d, stderr %q, stdout:\n%s", code, stderr, stdout)
	}

	// An older database is refused until --migrate migrates it.
	old := filepath.Join(dir, "old.db")
	mustSchemaVersion1(t, old)
	code, _, stderr = runSub(t, "", "schema", "--db", old)
	if code != exitDatabase || !strings.Contains(stderr, "schema version is 1") || !strings.Contains(stderr, "--migrate") {
		t.Errorf("older schema: exit %d, stderr %q", code, stderr)
	}
	if code, _, stderr = runSub(t, "", "schema", "--db", old, "--migrate"); code != exitOK {
		t.Errorf("--migrate: exit %d, stderr %q", code, stderr)
	}
	if n := count(t, old, `SELECT user_version FROM pragma_user_version`); n != store.SchemaVersion {
		t.Errorf("after --migrate: user_version %d", n)
	}

	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"extra"}, exitUsage, "schema takes no arguments"},
		{[]string{"--db", writeFile(t, dir, "notes.txt", "not a database")}, exitDatabase, "not an SQLite database"},
	} {
		if code, _, stderr := runSub(t, "", "schema", tt.args...); code != tt.code || !strings.Contains(stderr, tt.want) {
			t.Errorf("schema %v: exit %d, stderr %q; want %d and %q", tt.args, code, stderr, tt.code, tt.want)
		}
	}
}

// sqlBlock matches a fenced SQL block of a Markdown file.
var sqlBlock = regexp.MustCompile("(?ms)^```sql\n(.*?)^```")

// Every SQL statement of README.md runs through runner query against a
// real database, in which runner run trained a ch6 sweep twice, the
// optimizer paths of figure 6-8 and a layer-statistics sweep, and runner
// lr-find a range test, and selects at least one row.
func TestReadmeSQL(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var stmts []string
	for _, m := range sqlBlock.FindAllStringSubmatch(string(readme), -1) {
		stmts = append(stmts, store.SplitStatements(m[1])...)
	}
	if len(stmts) < 8 {
		t.Fatalf("found %d SQL statements in README.md, want at least 8", len(stmts))
	}
	db := resultsDB(t)
	// The figure 6-8 paths and a small layer-statistics sweep, which the
	// README's queries of path and layer_stats read.
	layers := writeFile(t, t.TempDir(), "layers.yaml", `
name: weight-init-activations
log_layers: true
dataset: {train_limit: 200}
model: {hidden: [20, 20], activation: [sigmoid, relu], init: [xavier, he]}
train: {epochs: 0}
`)
	for _, file := range []string{"../../experiments/optimizer-paths.yaml", layers} {
		if code, stdout, stderr := runMain(t, "run", "--quiet", "--db", db, file); code != exitOK {
			t.Fatalf("run %s: exit %d\n%s\n%s", file, code, stdout, stderr)
		}
	}
	// A range test, which the README's queries of NAME-lrfind read.
	finder := writeFile(t, t.TempDir(), "finder.yaml", finderSweep)
	if code, stdout, stderr := runMain(t, "lr-find", "--db", db, "-o", t.TempDir(), "--steps", "20", "--run", "1", finder); code != exitOK {
		t.Fatalf("lr-find: exit %d\n%s\n%s", code, stdout, stderr)
	}
	count(t, db, `SELECT count(*) FROM runs`) // a reader of a WAL database makes its -wal file
	before := fileSums(t, db)
	for _, stmt := range stmts {
		code, stdout, stderr := runSub(t, "", "query", "--db", db, "--format", "json", stmt)
		var rows []map[string]any
		if err := json.Unmarshal([]byte(stdout), &rows); code != exitOK || err != nil || len(rows) == 0 {
			t.Errorf("%s\nexit %d, %d rows (%v), stderr %s", stmt, code, len(rows), err, stderr)
		}
	}
	if after := fileSums(t, db); after != before {
		t.Error("the README's queries changed the database")
	}
}
