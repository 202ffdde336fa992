package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"runner/internal/atomicfile"
	"runner/internal/execute"
	"runner/internal/store"
	"runner/internal/store/storetest"
	"runner/internal/sweep"
)

// runMain runs the command line args through the command's own code path
// and returns its exit code, standard output and standard error.
func runMain(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	return runMainContext(t, context.Background(), args...)
}

// runMainContext is runMain under ctx.
func runMainContext(t *testing.T, ctx context.Context, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	m := &Main{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr}
	code := exitCode(ctx, m.Run(ctx, args), &stderr)
	return code, stdout.String(), stderr.String()
}

// writeFile writes content to name in dir and returns its path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// tinySweep is a real sweep small enough for every test run: 300 MNIST
// images, 2 epochs, two network shapes, two optimizers, two schedules, two
// seeds (16 runs), with
// a validation split and dropout so that every random stream is exercised.
const tinySweep = `
name: tiny
description: a test sweep
seed: 3
dataset: {train_limit: 300, validation: 0.2}
model: {hidden: [[20], [16, 8]], dropout: 0.1}
train: {epochs: 2, batch_size: 32, seeds: [1, 2]}
optimizers:
  - {name: sgd, lr: 0.1}
  - {name: adam, lr: 0.001}
schedules:
  - {name: constant}
  - {name: step, every: 1, gamma: 0.5}
`

// epochRow is one row of the epochs table with its run's key.
type epochRow struct {
	key, status                               string
	epoch                                     int
	lr, loss, trainAcc, valAcc, testAcc, secs float64
}

func readEpochs(t *testing.T, path string) []epochRow {
	t.Helper()
	db, err := storetest.OpenReadOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT r.run_key, r.status, e.epoch, e.lr, e.train_loss, e.train_acc, e.val_acc, e.test_acc, e.seconds
		FROM epochs e JOIN runs r ON r.id = e.run_id ORDER BY r.run_key, e.epoch`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []epochRow
	for rows.Next() {
		var r epochRow
		if err := rows.Scan(&r.key, &r.status, &r.epoch, &r.lr, &r.loss, &r.trainAcc, &r.valAcc, &r.testAcc, &r.secs); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// count returns the single integer query gives on the database at path.
func count(t *testing.T, path, query string) int {
	t.Helper()
	n, err := tryCount(path, query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// tryCount is count for a database that may not exist yet; it never creates one.
func tryCount(path, query string) (int, error) {
	if _, err := os.Stat(path); err != nil {
		return 0, err
	}
	db, err := storetest.OpenReadOnly(path)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var n int
	err = db.QueryRow(query).Scan(&n)
	return n, err
}

// TestRunTinySweep trains a tiny real sweep through `runner run` and checks
// what it wrote: one sweep, every run done, one epochs row per run per epoch
// (epoch 0 included), sane metrics, and the summary printed.
func TestRunTinySweep(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "tiny.yaml", tinySweep)
	dbPath := filepath.Join(dir, "results.db")
	code, stdout, stderr := runMain(t, "run", "--db", dbPath, "-j", "2", file)
	if code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if n := count(t, dbPath, `SELECT count(*) FROM sweeps WHERE name = 'tiny' AND status = 'done' AND runs_total = 16`); n != 1 {
		t.Errorf("finished sweeps named tiny with 16 runs: %d, want 1", n)
	}
	if n := count(t, dbPath, `SELECT count(*) FROM runs WHERE status = 'done'`); n != 16 {
		t.Errorf("done runs: %d, want 16", n)
	}
	rows := readEpochs(t, dbPath)
	if len(rows) != 16*3 {
		t.Fatalf("epochs rows: %d, want 16 runs × 3 epochs", len(rows))
	}
	for _, r := range rows {
		if r.status != "done" || r.trainAcc < 0 || r.trainAcc > 1 || r.testAcc < 0 || r.testAcc > 1 || r.valAcc < 0 || r.valAcc > 1 {
			t.Errorf("bad row %+v", r)
		}
		if (r.epoch == 0) != (r.secs == 0) {
			t.Errorf("epoch %d has %v seconds of training", r.epoch, r.secs)
		}
	}
	// The step schedule halves the rate each epoch after the first.
	if n := count(t, dbPath, `SELECT count(*) FROM epochs e JOIN runs r ON r.id = e.run_id
		WHERE r.schedule = 'step' AND e.epoch = 2 AND abs(e.lr - r.lr / 2) < 1e-15`); n != 8 {
		t.Errorf("step-schedule runs at half rate in epoch 2: %d, want 8", n)
	}
	for _, want := range []string{`sweep "tiny" (id 1) done: 16 runs (16 done)`, "* best final validation accuracy", "val_acc", dbPath} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Count(stdout, "] done ") != 16 {
		t.Errorf("want one line per finished run:\n%s", stdout)
	}
}

// TestRunJobsDoNotChangeMetrics runs the same sweep with -j 1 and -j 2: the
// metrics must be bit-identical.
func TestRunJobsDoNotChangeMetrics(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "tiny.yaml", tinySweep)
	var got [2][]epochRow
	for i, j := range []string{"1", "2"} {
		dbPath := filepath.Join(dir, "j"+j+".db")
		if code, stdout, stderr := runMain(t, "run", "--quiet", "--db", dbPath, "-j", j, file); code != exitOK {
			t.Fatalf("-j %s: exit %d\n%s\n%s", j, code, stdout, stderr)
		}
		got[i] = readEpochs(t, dbPath)
	}
	if len(got[0]) != 48 || len(got[0]) != len(got[1]) {
		t.Fatalf("rows: %d and %d, want 48", len(got[0]), len(got[1]))
	}
	for i := range got[0] {
		a, b := got[0][i], got[1][i]
		a.secs, b.secs = 0, 0
		if a != b {
			t.Errorf("-j 1 and -j 2 differ:\n%+v\n%+v", a, b)
		}
	}
}

// TestRunBadInput checks that bad experiment files and flags exit 2 with
// file, line and field named, and write nothing: not even a new database.
func TestRunBadInput(t *testing.T) {
	dir := t.TempDir()
	good := writeFile(t, dir, "good.yaml", tinySweep)
	tests := []struct {
		name string
		yaml string
		args []string
		want []string
	}{
		{name: "unknown key", yaml: "name: x\ntrain:\n  epoch: 3\n", want: []string{"bad.yaml:3", "train.epoch"}},
		{name: "wrong type", yaml: "name: x\ntrain:\n  epochs: many\n", want: []string{"bad.yaml:3", "train.epochs"}},
		{name: "unknown optimizer", yaml: "name: x\noptimizers:\n  - {name: lbfgs, lr: 0.1}\n", want: []string{"bad.yaml:3", "optimizers[0].name"}},
		{name: "unknown schedule", yaml: "name: x\nschedules:\n  - {name: cyclic}\n", want: []string{"bad.yaml:3", "schedules[0].name"}},
		{name: "negative lr", yaml: "name: x\noptimizers:\n  - {name: sgd, lr: -0.1}\n", want: []string{"bad.yaml:3", "optimizers[0].lr", "> 0"}},
		{name: "zero batch", yaml: "name: x\ntrain: {batch_size: 0}\n", want: []string{"bad.yaml:2", "train.batch_size"}},
		{name: "empty grid", yaml: "name: x\noptimizers:\n  - {name: sgd, lr: []}\n", want: []string{"bad.yaml:3", "optimizers[0].lr"}},
		{name: "empty validation split", yaml: "name: x\ndataset: {train_limit: 10, validation: 0.01}\n", want: []string{"bad.yaml:2", "dataset.validation", "would be empty"}},
		{name: "too many runs", yaml: "name: x\ntrain: {seeds: [1, 2, 3]}\n", args: []string{"--max-runs", "2"}, want: []string{"bad.yaml", "3 runs"}},
		{name: "tpe over lists alone", yaml: "name: x\nsearch: {method: tpe, trials: 2}\ndataset: {validation: 0.2}\nmodel: {dropout: [0, 0.5]}\n",
			want: []string{"bad.yaml:2", "search.method", "tpe models distributions"}},
		{name: "tpe batch 0", yaml: "name: x\nsearch:\n  method: tpe\n  trials: 5\n  batch: 0\ndataset: {validation: 0.2}\noptimizers: [{name: sgd, lr: {log_uniform: [0.001, 0.1]}}]\n",
			want: []string{"bad.yaml:5", "search.batch", "must be >= 1"}},
		{name: "unknown search method", yaml: "name: x\nsearch: {method: sobol, trials: 5}\n", want: []string{"bad.yaml:2", "search.method", `unknown search method "sobol"`}},
		{name: "bad override", yaml: tinySweep, args: []string{"--set", "train.epochz=1"}, want: []string{"--set", "train.epochz"}},
		{name: "bad -j", yaml: tinySweep, args: []string{"-j", "0"}, want: []string{"-j must be at least 1"}},
		{name: "unknown flag", yaml: tinySweep, args: []string{"--fast"}, want: []string{"flag provided but not defined: -fast"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := writeFile(t, dir, "bad.yaml", tt.yaml)
			dbPath := filepath.Join(dir, "results.db")
			// The good file comes first: nothing of it may be written either.
			args := append(append([]string{"run", "--db", dbPath}, tt.args...), good, file)
			code, _, stderr := runMain(t, args...)
			if code != exitUsage {
				t.Fatalf("exit %d, want %d\nstderr:\n%s", code, exitUsage, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
			if _, err := os.Stat(dbPath); !os.IsNotExist(err) {
				t.Errorf("the database was created (stat: %v)", err)
			}
		})
	}
}

// TestRunRefusesForeignDatabase checks that a file that is not SQLite exits
// 3, untouched.
func TestRunRefusesForeignDatabase(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "tiny.yaml", tinySweep)
	dbPath := writeFile(t, dir, "results.db", "name,lr\nsgd,0.1\n")
	before := sha256.Sum256([]byte("name,lr\nsgd,0.1\n"))
	code, _, stderr := runMain(t, "run", "--db", dbPath, file)
	if code != exitDatabase || !strings.Contains(stderr, dbPath) {
		t.Fatalf("exit %d, want %d naming the file\nstderr:\n%s", code, exitDatabase, stderr)
	}
	b, err := os.ReadFile(dbPath)
	if err != nil || sha256.Sum256(b) != before {
		t.Errorf("the file changed (err %v)", err)
	}
}

// TestValidateExperiments checks every file in experiments/: it must
// validate, and validate prints its runs and their count.
func TestValidateExperiments(t *testing.T) {
	files, err := filepath.Glob("../../experiments/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no experiment files found (%v)", err)
	}
	for _, f := range files {
		code, stdout, stderr := runMain(t, "validate", f)
		if code != exitOK {
			t.Errorf("%s: exit %d\n%s", f, code, stderr)
			continue
		}
		if !strings.Contains(stdout, " runs\n") || !strings.Contains(stdout, "run  key") {
			t.Errorf("%s: no run table:\n%s", f, stdout)
		}
	}
}

func TestUsage(t *testing.T) {
	tests := []struct {
		args           []string
		code           int
		stdout, stderr string
	}{
		{[]string{}, exitUsage, "", "Usage:"},
		{[]string{"frobnicate"}, exitUsage, "", `unknown command "frobnicate"`},
		{[]string{"help"}, exitOK, "Commands:", ""},
		{[]string{"help", "run"}, exitOK, "usage: runner run", ""},
		{[]string{"help", "validate"}, exitOK, "usage: runner validate", ""},
		{[]string{"help", "frobnicate"}, exitUsage, "", `unknown command "frobnicate"`},
		{[]string{"version"}, exitOK, "runner ", ""},
		{[]string{"version", "x"}, exitUsage, "", "version takes no arguments"},
		{[]string{"run"}, exitUsage, "", "run: no experiment file given"},
		{[]string{"validate"}, exitUsage, "", "validate: no experiment file given"},
		{[]string{"validate", "no-such-file.yaml"}, exitUsage, "", "no-such-file.yaml"},
	}
	for _, tt := range tests {
		code, stdout, stderr := runMain(t, tt.args...)
		if code != tt.code || !strings.Contains(stdout, tt.stdout) || !strings.Contains(stderr, tt.stderr) {
			t.Errorf("runner %v: exit %d, stdout %q, stderr %q; want exit %d, stdout with %q, stderr with %q",
				tt.args, code, stdout, stderr, tt.code, tt.stdout, tt.stderr)
		}
	}
}

// TestDoubleDashEndsFlags checks that after "--" a flag-like argument is a file.
func TestDoubleDashEndsFlags(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "tiny.yaml", tinySweep)
	code, _, stderr := runMain(t, "validate", "--quiet", "--", file, "--quiet")
	if code != exitUsage || !strings.Contains(stderr, "--quiet") {
		t.Errorf("exit %d, stderr %q; want exit 2 naming the file --quiet", code, stderr)
	}
}

// TestRunDivergedExits1 trains a sweep in which one learning rate diverges:
// the run is recorded diverged, the other finishes, and the exit code is 1.
func TestRunDivergedExits1(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "div.yaml", `
name: div
dataset: {train_limit: 300}
model: {hidden: [20]}
train: {epochs: 2, batch_size: 50}
optimizers:
  - {name: sgd, lr: [1.0e+30, 0.1]}
`)
	dbPath := filepath.Join(dir, "results.db")
	code, stdout, stderr := runMain(t, "run", "--db", dbPath, file)
	if code != exitRunsFailed {
		t.Fatalf("exit %d, want %d\n%s\n%s", code, exitRunsFailed, stdout, stderr)
	}
	if n := count(t, dbPath, `SELECT count(*) FROM runs WHERE lr = 1e30 AND status = 'diverged' AND error LIKE '%not finite%'`); n != 1 {
		t.Errorf("diverged runs recorded: %d, want 1", n)
	}
	if n := count(t, dbPath, `SELECT count(*) FROM runs WHERE lr = 0.1 AND status = 'done'`); n != 1 {
		t.Errorf("done runs recorded: %d, want 1", n)
	}
	if !strings.Contains(stdout, "1 diverged") {
		t.Errorf("summary does not mention the diverged run:\n%s", stdout)
	}
}

// TestRunMissingMNIST points runner at a folder without MNIST: exit 4, an
// error naming the folder, and no database created.
func TestRunMissingMNIST(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "tiny.yaml", tinySweep)
	dbPath := filepath.Join(dir, "results.db")
	empty := filepath.Join(dir, "no-mnist")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runMain(t, "run", "--db", dbPath, "--mnist-dir", empty, file)
	if code != exitData || !strings.Contains(stderr, empty) {
		t.Fatalf("exit %d, want %d naming %s\n%s", code, exitData, empty, stderr)
	}
	if _, err := os.Stat(dbPath); !os.IsNotExist(err) {
		t.Errorf("the database was created (stat: %v)", err)
	}
}

// TestHelpEveryCommand checks, for every command of the table, that
// `runner help CMD`, `runner CMD -h` and `runner CMD --help` print the same
// text to standard output and exit 0, and that the text is the command's
// usage followed by its flags, every flag named.
func TestHelpEveryCommand(t *testing.T) {
	for _, c := range commands {
		t.Run(c.name, func(t *testing.T) {
			code, help, stderr := runMain(t, "help", c.name)
			if code != exitOK {
				t.Fatalf("help %s: exit %d\n%s", c.name, code, stderr)
			}
			if !strings.HasPrefix(help, "usage: runner "+c.name) {
				t.Errorf("help %s does not start with its usage line:\n%s", c.name, help)
			}
			fs, _ := c.flagSet(io.Discard)
			fs.VisitAll(func(f *flag.Flag) {
				if !strings.Contains(help, "\n  -"+f.Name) {
					t.Errorf("help %s lacks the flag -%s:\n%s", c.name, f.Name, help)
				}
			})
			if strings.Contains(help, "\nFlags:\n") != hasFlags(fs) {
				t.Errorf("help %s: a Flags: heading without flags, or flags without it:\n%s", c.name, help)
			}
			for _, h := range []string{"-h", "--help"} {
				code, stdout, stderr := runMain(t, c.name, h)
				if code != exitOK {
					t.Errorf("%s %s: exit %d\n%s", c.name, h, code, stderr)
				}
				if stdout != help {
					t.Errorf("%s %s prints other text than help %s:\n%s\n---\n%s", c.name, h, c.name, stdout, help)
				}
			}
		})
	}
	if code, stdout, _ := runMain(t, "--version"); code != exitOK || !strings.HasPrefix(stdout, "runner ") {
		t.Errorf("--version: exit %d, %q", code, stdout)
	}
}

func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}

// TestExitCodeTable maps an error of each kind the internal packages mark
// to its documented exit code; an error of no known kind is a bug (70).
func TestExitCodeTable(t *testing.T) {
	wrap := func(err error) error { return fmt.Errorf("some context: %w", err) }
	for _, tt := range []struct {
		name string
		err  error
		code int
	}{
		{"a code given by a command", usageErrorf("bad flag"), exitUsage},
		{"locked", wrap(store.ErrLocked), exitLocked},
		{"MNIST", wrap(execute.ErrData), exitData},
		{"bad input", wrap(execute.ErrInput), exitUsage},
		{"experiment file", wrap(sweep.ErrorList{{File: "x.yaml", Line: 1, Field: "name", Msg: "required"}}), exitUsage},
		{"database", wrap(execute.ErrDatabase), exitDatabase},
		{"not SQLite", wrap(store.ErrNotSQLite), exitDatabase},
		{"newer schema", wrap(store.ErrNewerSchema), exitDatabase},
		{"missing file", wrap(fs.ErrNotExist), exitDatabase},
		{"no such sweep", wrap(store.ErrNotFound), exitUsage},
		{"output", wrap(&store.SinkError{Err: errors.New("broken pipe")}), exitOutput},
		{"output file", wrap(&atomicfile.Error{Path: "x.csv", Err: errors.New("disk full")}), exitOutput},
		{"anything else", errors.New("an invariant failed"), exitInternal},
	} {
		var stderr bytes.Buffer
		if got := exitCode(context.Background(), tt.err, &stderr); got != tt.code {
			t.Errorf("%s: exit %d, want %d", tt.name, got, tt.code)
		}
		if !strings.Contains(stderr.String(), tt.err.Error()) {
			t.Errorf("%s: the message %q was not printed: %q", tt.name, tt.err, stderr.String())
		}
	}
}
