package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"runner/internal/store/storetest"
)

// nightlySweep is long enough to be killed in the middle: 6 runs of 8
// epochs on 1,500 images, a few seconds in all.
const nightlySweep = `
name: nightly
dataset: {train_limit: 1500, validation: 0.2}
model: {hidden: [40], dropout: 0.1}
train: {epochs: 8, batch_size: 50, seeds: [1, 2, 3]}
optimizers:
  - {name: sgd, lr: 0.1}
  - {name: adam, lr: 0.001}
`

// startRunner starts `runner args...` as a subprocess (this test binary,
// see TestMain).
func startRunner(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	return startRunnerEnv(t, nil, args...)
}

// startRunnerEnv is startRunner with env added to the environment, such as
// RUNNER_TEST_HOLD (see holdRuns).
func startRunnerEnv(t *testing.T, env []string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(append(os.Environ(), "RUNNER_TEST_MAIN=1"), env...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd
}

// waitFor polls query on the database at path until it returns at least n.
func waitFor(t *testing.T, path, query string, n int) int {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		if got, err := tryCount(path, query); err == nil && got >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not reach %d within 60 s", query, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitForText polls the file at path until it holds text.
func waitForText(t *testing.T, path, text string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		if b, err := os.ReadFile(path); err == nil && strings.Contains(string(b), text) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not say %q within 60 s", path, text)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestResumeAfterKill kills a sweep with SIGKILL in the middle, checks that
// the database is consistent and holds every epoch committed before the
// kill, resumes it, and compares the result with an uninterrupted sweep of
// the same file: the metrics must be bit-identical.
func TestResumeAfterKill(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "nightly.yaml", nightlySweep)
	killed := filepath.Join(dir, "killed.db")

	// The first two runs finish; the next two are held after epoch 2, so
	// the kill finds runs ended, runs in flight and runs never started.
	cmd := startRunnerEnv(t, []string{"RUNNER_TEST_HOLD=2:2"}, "run", "-j", "2", "--db", killed, file)
	waitFor(t, killed, `SELECT count(*) FROM runs WHERE status = 'done'`, 2)
	waitFor(t, killed, `SELECT count(*) FROM runs r WHERE (SELECT max(epoch) FROM epochs WHERE run_id = r.id) = 2`, 2)
	committed := waitFor(t, killed, `SELECT count(*) FROM epochs WHERE epoch >= 1`, 12)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()

	if n := count(t, killed, `SELECT count(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'`); n != 1 {
		t.Fatal("integrity check failed after kill -9")
	}
	if n := count(t, killed, `SELECT count(*) FROM epochs WHERE epoch >= 1`); n < committed {
		t.Fatalf("%d epochs after the kill, %d were committed before it", n, committed)
	}
	if n := count(t, killed, `SELECT count(*) FROM runs WHERE status = 'done'`); n == 6 {
		t.Fatal("the sweep finished before the kill; the test proves nothing")
	}
	if n := count(t, killed, `SELECT count(*) FROM sweeps WHERE status = 'running'`); n != 1 {
		t.Fatalf("sweeps still marked running after the kill: %d, want 1", n)
	}

	code, stdout, stderr := runMain(t, "run", "--resume", "--db", killed, file)
	if code != exitOK {
		t.Fatalf("resume: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "resuming sweep \"nightly\" (id 1)") {
		t.Errorf("resume did not say it resumed:\n%s", stdout)
	}
	if n := count(t, killed, `SELECT count(*) FROM sweeps`); n != 1 {
		t.Errorf("sweeps after resume: %d, want 1 (the resumed one)", n)
	}
	if n := count(t, killed, `SELECT count(*) FROM sweeps WHERE status = 'done' AND finished_at IS NOT NULL`); n != 1 {
		t.Error("the resumed sweep is not done")
	}

	whole := filepath.Join(dir, "whole.db")
	if code, stdout, stderr := runMain(t, "run", "--quiet", "--db", whole, file); code != exitOK {
		t.Fatalf("uninterrupted: exit %d\n%s\n%s", code, stdout, stderr)
	}
	a, b := readEpochs(t, killed), readEpochs(t, whole)
	if len(a) != 6*9 || len(a) != len(b) {
		t.Fatalf("epochs: resumed %d, uninterrupted %d; want 54", len(a), len(b))
	}
	for i := range a {
		a[i].secs, b[i].secs = 0, 0
		if a[i] != b[i] {
			t.Errorf("resumed and uninterrupted differ:\n%+v\n%+v", a[i], b[i])
		}
	}

	// Resuming a finished sweep starts a new one; so does resuming one that
	// ended failed (a run failed: final, nothing to continue).
	code, stdout, _ = runMain(t, "run", "--resume", "--quiet", "--db", killed, file)
	if code != exitOK || count(t, killed, `SELECT count(*) FROM sweeps`) != 2 {
		t.Errorf("--resume of a finished sweep: exit %d, want a second sweep\n%s", code, stdout)
	}
	db := storetest.Open(t, killed)
	if _, err := db.Exec(`UPDATE sweeps SET status = 'failed' WHERE id = 2`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	code, stdout, _ = runMain(t, "run", "--resume", "--quiet", "--db", killed, file)
	if code != exitOK || count(t, killed, `SELECT count(*) FROM sweeps`) != 3 {
		t.Errorf("--resume of a failed sweep: exit %d, want a third sweep\n%s", code, stdout)
	}
}

// TestTwoWriters runs a second `runner run` while a first writes the same
// database: without --wait it exits 5 at once, naming the holder, and writes
// nothing; with --wait it waits and then succeeds; readers work throughout.
func TestTwoWriters(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "nightly.yaml", nightlySweep)
	dbPath := filepath.Join(dir, "results.db")

	// The first writer's runs are held after epoch 1 until release exists:
	// it holds the lock for as long as the test needs.
	release := filepath.Join(dir, "release")
	first := startRunnerEnv(t, []string{"RUNNER_TEST_HOLD=0:1:" + release}, "run", "-j", "2", "--quiet", "--db", dbPath, file)
	waitFor(t, dbPath, `SELECT count(*) FROM epochs WHERE epoch >= 1`, 1)

	// Without --wait the second writer is refused at once; were it to wait,
	// the deadline would end it with another exit code.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	code, _, stderr := runMainContext(t, ctx, "run", "--quiet", "--db", dbPath, file)
	if code != exitLocked {
		t.Fatalf("second writer: exit %d, want %d\n%s", code, exitLocked, stderr)
	}
	if !strings.Contains(stderr, "being written by another runner") || !strings.Contains(stderr, "pid ") {
		t.Errorf("second writer: the error does not name the holder:\n%s", stderr)
	}
	// A reader works while the first writes.
	if n := count(t, dbPath, `SELECT count(*) FROM sweeps`); n != 1 {
		t.Errorf("sweeps while the first runs: %d, want 1 (the refused writer wrote one?)", n)
	}

	// With --wait it says it waits (in its log file), and goes on once
	// the first is released and done.
	logPath := filepath.Join(dir, "second.log")
	second := startRunner(t, "run", "--wait", "--quiet", "--log-file", logPath, "--db", dbPath, file)
	waitForText(t, logPath, "waiting:")
	if err := os.WriteFile(release, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := first.Wait(); err != nil {
		t.Errorf("first writer: %v", err)
	}
	if err := second.Wait(); err != nil {
		t.Errorf("--wait: %v", err)
	}
	if n := count(t, dbPath, `SELECT count(*) FROM sweeps WHERE status = 'done'`); n != 2 {
		t.Errorf("done sweeps: %d, want 2", n)
	}
	if n := count(t, dbPath, `SELECT count(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'`); n != 1 {
		t.Error("integrity check failed")
	}
}

// TestCheck runs a real sweep twice: check finds nothing worse (exit 0).
// Then a third sweep of the same file is stopped by SIGTERM: its runs did
// not finish done, which check reports as worse (exit 1).
func TestCheck(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "nightly.yaml", nightlySweep)
	dbPath := filepath.Join(dir, "results.db")
	code, _, stderr := runMain(t, "check", "--db", dbPath, "nightly")
	if code != exitDatabase {
		t.Errorf("check on a missing database: exit %d, want %d\n%s", code, exitDatabase, stderr)
	}
	var stdout string
	for i := 0; i < 2; i++ {
		if code, stdout, stderr := runMain(t, "run", "--quiet", "--db", dbPath, file); code != exitOK {
			t.Fatalf("run %d: exit %d\n%s\n%s", i, code, stdout, stderr)
		}
		if i == 0 {
			code, stdout, _ = runMain(t, "check", "--db", dbPath, "nightly")
			if code != exitOK || !strings.Contains(stdout, "nothing to compare with") {
				t.Errorf("check with one sweep: exit %d\n%s", code, stdout)
			}
		}
	}
	code, stdout, stderr = runMain(t, "check", "--db", dbPath, "nightly")
	if code != exitOK {
		t.Fatalf("check of two equal sweeps: exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"6 runs in both", "no run got worse"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("check of two equal sweeps does not say %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "worse\n") {
		t.Errorf("check of two equal sweeps marks a run worse:\n%s", stdout)
	}
	if n := strings.Count(stdout, "\n"); n > 5 {
		t.Errorf("check of two equal sweeps prints %d lines, want at most 5:\n%s", n, stdout)
	}
	if _, verbose, _ := runMain(t, "check", "--verbose", "--db", dbPath, "nightly"); strings.Count(verbose, "test_acc") < 6 {
		t.Errorf("check --verbose does not list every run's test_acc:\n%s", verbose)
	}

	// Every run of the third sweep is held after its first epoch: none
	// can finish before the signal.
	cmd := startRunnerEnv(t, []string{"RUNNER_TEST_HOLD=0:1"}, "run", "-j", "2", "--quiet", "--db", dbPath, file)
	waitFor(t, dbPath, `SELECT count(*) FROM epochs e JOIN runs r ON r.id = e.run_id WHERE r.sweep_id = 3 AND e.epoch >= 1`, 1)
	cmd.Process.Signal(syscall.SIGTERM)
	var ee *exec.ExitError
	if err := cmd.Wait(); !errors.As(err, &ee) || ee.ExitCode() != exitTerminated {
		t.Fatalf("terminated run: %v", err)
	}
	code, stdout, _ = runMain(t, "check", "--db", dbPath, "nightly")
	if code != exitRunsFailed {
		t.Errorf("check of an interrupted sweep: exit %d, want %d\n%s", code, exitRunsFailed, stdout)
	}
	if !strings.Contains(stdout, "sweep 3 against sweep 2") {
		t.Errorf("check of an interrupted sweep: not sweep 3 against sweep 2:\n%s", stdout)
	}
	if !strings.Contains(stdout, "6 of 6 runs got worse by more than 0.005 or are missing") {
		t.Errorf("check of an interrupted sweep: not 6 of 6 worse:\n%s", stdout)
	}
	// The same against the first sweep by id, and an unknown baseline.
	if code, stdout, _ = runMain(t, "check", "--db", dbPath, "--baseline", "1", "nightly"); code != exitRunsFailed {
		t.Errorf("check --baseline 1: exit %d\n%s", code, stdout)
	}
	if code, _, stderr = runMain(t, "check", "--db", dbPath, "--baseline", "99", "nightly"); code != exitUsage || !strings.Contains(stderr, "no sweep with id 99") {
		t.Errorf("check --baseline 99: exit %d\n%s", code, stderr)
	}
}

// TestPrune keeps the newest sweep of a name and deletes the rest with
// their runs and epochs.
func TestPrune(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "tiny.yaml", tinySweep)
	dbPath := filepath.Join(dir, "results.db")
	for i := 0; i < 3; i++ {
		if code, stdout, stderr := runMain(t, "run", "--quiet", "--db", dbPath, "--set", "train.seeds=[1]", file); code != exitOK {
			t.Fatalf("run: exit %d\n%s\n%s", code, stdout, stderr)
		}
	}
	if code, stdout, _ := runMain(t, "prune", "--db", dbPath, "--keep", "1", "--dry-run"); code != exitOK || !strings.Contains(stdout, "dry run: 2 sweeps would be deleted") {
		t.Fatalf("prune --dry-run: exit %d\n%s", code, stdout)
	}
	if n := count(t, dbPath, `SELECT count(*) FROM sweeps`); n != 3 {
		t.Fatalf("a dry run deleted sweeps: %d left", n)
	}
	code, stdout, stderr := runMain(t, "prune", "--db", dbPath, "--keep", "1", "--vacuum")
	if code != exitOK || !strings.Contains(stdout, "deleted 2 sweeps") {
		t.Fatalf("prune: exit %d\n%s\n%s", code, stdout, stderr)
	}
	for query, want := range map[string]int{
		`SELECT count(*) FROM sweeps WHERE id = 3`: 1,
		`SELECT count(*) FROM sweeps`:              1,
		`SELECT count(*) FROM runs`:                8,
		`SELECT count(*) FROM epochs`:              8 * 3,
	} {
		if n := count(t, dbPath, query); n != want {
			t.Errorf("%s = %d, want %d", query, n, want)
		}
	}
	if code, _, stderr := runMain(t, "prune", "--db", dbPath); code != exitUsage || !strings.Contains(stderr, "--keep") {
		t.Errorf("prune without --keep: exit %d\n%s", code, stderr)
	}
}

// TestResumeKeepsPruningDecisions kills a random search with a pruner in the
// middle and resumes it: which runs were pruned, and after how many epochs,
// must be exactly what an uninterrupted sweep decides.
func TestResumeKeepsPruningDecisions(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "search.yaml", `
name: search
seed: 4
search: {method: random, trials: 10}
prune: {method: median, min_epochs: 2}
dataset: {train_limit: 400, validation: 0.25}
model: {hidden: [30]}
train: {epochs: 8, batch_size: 50}
optimizers:
  - {name: sgd, lr: {log_uniform: [1.0e-4, 0.3]}}
`)
	killed := filepath.Join(dir, "killed.db")
	// Runs from the sixth on are held after epoch 1: the kill finds the
	// search unfinished.
	cmd := startRunnerEnv(t, []string{"RUNNER_TEST_HOLD=5:1"}, "run", "-j", "2", "--db", killed, file)
	waitFor(t, killed, `SELECT count(*) FROM runs WHERE status IN ('done', 'pruned')`, 3)
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if n := count(t, killed, `SELECT count(*) FROM runs WHERE status IN ('done', 'pruned')`); n == 10 {
		t.Fatal("the sweep finished before the kill; the test proves nothing")
	}
	if code, stdout, stderr := runMain(t, "run", "--resume", "-j", "2", "--quiet", "--db", killed, file); code != exitOK {
		t.Fatalf("resume: exit %d\n%s\n%s", code, stdout, stderr)
	}
	whole := filepath.Join(dir, "whole.db")
	if code, stdout, stderr := runMain(t, "run", "-j", "1", "--quiet", "--db", whole, file); code != exitOK {
		t.Fatalf("uninterrupted: exit %d\n%s\n%s", code, stdout, stderr)
	}
	const decisions = `SELECT group_concat(status || ':' || n, ' ') FROM (
		SELECT r.status, count(e.epoch) AS n FROM runs r JOIN epochs e ON e.run_id = r.id GROUP BY r.id ORDER BY r.id)`
	a, b := queryString(t, killed, decisions), queryString(t, whole, decisions)
	if a != b || !strings.Contains(a, "pruned") {
		t.Errorf("decisions differ or nothing was pruned:\nresumed        %s\nuninterrupted  %s", a, b)
	}
}

// queryString returns the single text value query gives on the database at path.
func queryString(t *testing.T, path, query string) string {
	t.Helper()
	db, err := storetest.OpenReadOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var s string
	if err := db.QueryRow(query).Scan(&s); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return s
}
