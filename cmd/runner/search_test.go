package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// tpeSweep is a tpe search on real MNIST, small: 10 trials in batches of
// 4 (the Halton start-up), 3 and 3, over a conditional space (Momentum's
// rate and momentum, or Adam's rate and β1), with the median pruner.
const tpeSweep = `
name: tpe-tiny
seed: 3
search: {method: tpe, trials: 10, batch: 3, startup: 4}
prune: {method: median, min_epochs: 2}
dataset: {train_limit: 400, validation: 0.25}
model: {hidden: [30]}
train: {epochs: 4, batch_size: 50}
optimizers:
  - {name: momentum, lr: {log_uniform: [1.0e-3, 0.1]}, momentum: {uniform: [0.5, 0.95]}}
  - {name: adam, lr: {log_uniform: [1.0e-4, 1.0e-2]}, beta1: {uniform: [0.8, 0.95]}}
`

// runKeys lists the keys of the runs in the database at path, in sweep
// order.
func runKeys(t *testing.T, path string) string {
	t.Helper()
	return queryString(t, path, `SELECT group_concat(run_key || ':' || status, ' ') FROM (SELECT run_key, status FROM runs ORDER BY id)`)
}

// TestTPESearchReproducible runs a tpe search with -j 1, with -j 2, and
// with -j 2 killed (SIGKILL) while its last batch trains and then resumed:
// the three must hold the same trials in the same order, with the same
// statuses and bit-identical metrics.
func TestTPESearchReproducible(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "tpe.yaml", tpeSweep)
	var dbs []string
	for _, j := range []string{"1", "2"} {
		db := filepath.Join(dir, "j"+j+".db")
		if code, stdout, stderr := runMain(t, "run", "--quiet", "-j", j, "--db", db, file); code != exitOK {
			t.Fatalf("-j %s: exit %d\n%s\n%s", j, code, stdout, stderr)
		}
		dbs = append(dbs, db)
	}

	// The runs of the last batch (positions 7 to 9) are held after epoch
	// 1: the kill finds two batches ended and the third in flight.
	killed := filepath.Join(dir, "killed.db")
	cmd := startRunnerEnv(t, []string{"RUNNER_TEST_HOLD=7:1"}, "run", "-j", "2", "--db", killed, file)
	waitFor(t, killed, `SELECT count(*) FROM runs`, 10)
	waitFor(t, killed, `SELECT count(*) FROM epochs WHERE epoch = 1 AND run_id > 7`, 1)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if n := count(t, killed, `SELECT count(*) FROM runs WHERE status IN ('done', 'pruned')`); n != 7 {
		t.Fatalf("%d runs ended before the kill, want the 7 of the first two batches", n)
	}
	code, stdout, stderr := runMain(t, "run", "--resume", "-j", "2", "--db", killed, file)
	if code != exitOK {
		t.Fatalf("resume: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, `resuming sweep "tpe-tiny" (id 1)`) || !strings.Contains(stdout, "3 of 10 runs left") {
		t.Errorf("resume did not say it resumed 3 of 10 runs:\n%s", stdout)
	}
	dbs = append(dbs, killed)

	want, wantEpochs := runKeys(t, dbs[0]), readEpochs(t, dbs[0])
	if n := strings.Count(want, ":"); n != 10 {
		t.Fatalf("%d runs, want 10: %s", n, want)
	}
	if n := count(t, dbs[0], `SELECT count(DISTINCT optimizer) FROM runs`); n != 2 {
		t.Errorf("the search tried %d optimizers, want both", n)
	}
	// An entry's hyperparameters exist under it only.
	if n := count(t, dbs[0], `SELECT count(*) FROM runs WHERE (optimizer = 'momentum') != (momentum IS NOT NULL AND beta1 IS NULL)`); n != 0 {
		t.Errorf("%d runs with the hyperparameters of another optimizer", n)
	}
	for i, db := range dbs[1:] {
		name := []string{"-j 2", "killed and resumed"}[i]
		if got := runKeys(t, db); got != want {
			t.Errorf("%s: trials\n%s\nwant (-j 1)\n%s", name, got, want)
		}
		got := readEpochs(t, db)
		if len(got) != len(wantEpochs) {
			t.Errorf("%s: %d epochs, -j 1 has %d", name, len(got), len(wantEpochs))
			continue
		}
		for k := range got {
			a, b := got[k], wantEpochs[k]
			a.secs, b.secs = 0, 0
			if a != b {
				t.Errorf("%s differs from -j 1:\n%+v\n%+v", name, a, b)
			}
		}
	}
	if n := count(t, killed, `SELECT count(*) FROM sweeps WHERE status = 'done' AND runs_total = 10`); n != 1 {
		t.Error("the resumed sweep is not done with 10 runs in all")
	}
}

// A tpe search cannot be sharded: each batch needs the results of all the
// batches before it. Refused before anything is written.
func TestTPESearchRefusesShards(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "tpe.yaml", tpeSweep)
	db := filepath.Join(dir, "results.db")
	code, _, stderr := runMain(t, "run", "--shard", "0/2", "--db", db, file)
	if code != exitUsage || !strings.Contains(stderr, "a tpe search cannot be sharded") {
		t.Fatalf("exit %d, want %d with a message:\n%s", code, exitUsage, stderr)
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Errorf("the database was created (stat: %v)", err)
	}
}
