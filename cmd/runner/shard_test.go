package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"runner/internal/shard"
	"runner/internal/store/storetest"
)

// shardEnv are the environment variables that choose a shard or a sweep
// uid; the tests clear the ones of the machine they run on.
var shardEnv = []string{shard.EnvJobIndex, shard.EnvShards, shard.EnvSweepUID, shard.EnvSlurmTask, shard.EnvSlurmMin, shard.EnvSlurmMax,
	shard.EnvSlurmCount, shard.EnvSlurmStep, shard.EnvSlurmJob, shard.EnvSlurmCluster}

// noShardEnv clears the shard variables for the test, so that a test run
// inside a Slurm array or an Indexed Job does not shard its sweeps.
func noShardEnv(t *testing.T) {
	for _, v := range shardEnv {
		t.Setenv(v, "")
	}
}

// startShard starts `runner args...` as a subprocess, as startRunner does,
// with env on top of this process's environment cleared of shard variables.
// Its output is in the returned buffer.
func startShard(t *testing.T, env []string, args ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); !slices.Contains(shardEnv, name) {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(append(cmd.Env, "RUNNER_TEST_MAIN=1"), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd, &out
}

// runMerge runs `runner merge args...` through MergeCommand, as runMain
// runs the commands main dispatches.
func runMerge(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	m := &Main{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr}
	ctx := context.Background()
	code := exitCode(ctx, m.Run(ctx, append([]string{"merge"}, args...)), &stderr)
	return code, stdout.String(), stderr.String()
}

// dataChecksum is a digest of every row of every table of the database at
// path, ids included, with the row counts.
func dataChecksum(t *testing.T, path string) string {
	t.Helper()
	db, err := storetest.OpenReadOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	h := sha256.New()
	var counts []string
	for _, table := range []string{"sweeps", "runs", "epochs", "steps"} {
		rows, err := db.Query(`SELECT * FROM ` + table + ` ORDER BY 1, 2`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		n := 0
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(h, "%s %q\n", table, vals)
			n++
		}
		rows.Close()
		counts = append(counts, fmt.Sprintf("%s %d", table, n))
	}
	return strings.Join(counts, ", ") + "; " + hex.EncodeToString(h.Sum(nil))
}

// fileSum is the SHA-256 of a file.
func fileSum(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// shardSweep is a real sweep of 12 runs: three optimizers × two schedules ×
// two seeds, 2 epochs on 300 MNIST images with a validation split and
// dropout.
const shardSweep = `
name: sharded
seed: 5
dataset: {train_limit: 300, validation: 0.2}
model: {hidden: [20], dropout: 0.1}
train: {epochs: 2, batch_size: 32, seeds: [1, 2]}
optimizers:
  - {name: sgd, lr: 0.1}
  - {name: momentum, lr: 0.05}
  - {name: adam, lr: 0.001}
schedules:
  - {name: constant}
  - {name: step, every: 1, gamma: 0.5}
`

// TestShardedSweep trains a sweep as three shards of a Slurm array in three
// processes at once, merges their files, and gets exactly what one process
// training the whole sweep records: the same runs, in the same order, with
// bit-identical metrics. Merging the files again changes nothing.
func TestShardedSweep(t *testing.T) {
	noShardEnv(t)
	dir := t.TempDir()
	file := writeFile(t, dir, "sharded.yaml", shardSweep)
	shardDB := func(i int) string { return filepath.Join(dir, fmt.Sprintf("shard-%d.db", 4+i)) }

	type proc struct {
		cmd *exec.Cmd
		out *bytes.Buffer
	}
	var procs []proc
	for i := range 3 { // sbatch --array=4-6
		env := []string{"SLURM_ARRAY_JOB_ID=4242", "SLURM_CLUSTER_NAME=test", fmt.Sprintf("SLURM_ARRAY_TASK_ID=%d", 4+i),
			"SLURM_ARRAY_TASK_MIN=4", "SLURM_ARRAY_TASK_MAX=6", "SLURM_ARRAY_TASK_COUNT=3", "SLURM_ARRAY_TASK_STEP=1"}
		cmd, out := startShard(t, env, "run", "-j", "1", "--db", shardDB(i), file)
		procs = append(procs, proc{cmd, out})
	}
	for i, p := range procs {
		if err := p.cmd.Wait(); err != nil {
			t.Fatalf("shard %d: %v\n%s", i, err, p.out)
		}
		if want := fmt.Sprintf("shard %d/3 (SLURM_ARRAY_TASK_ID=%d − SLURM_ARRAY_TASK_MIN=4, SLURM_ARRAY_TASK_COUNT=3) of %s: 4 of its 12 runs; sweep uid slurm:test:4242",
			i, 4+i, file); !strings.Contains(p.out.String(), want) {
			t.Errorf("shard %d does not say %q:\n%s", i, want, p.out)
		}
		if n := count(t, shardDB(i), fmt.Sprintf(`SELECT count(*) FROM sweeps WHERE status = 'done' AND runs_total = 4
			AND shard_index = %d AND shard_count = 3 AND sweep_uid = 'slurm:test:4242' AND shards IS NULL`, i)); n != 1 {
			t.Errorf("shard %d: its sweep is not recorded as done, shard %d/3 of 4 runs", i, i)
		}
		if n := count(t, shardDB(i), `SELECT count(*) FROM runs WHERE status = 'done'`); n != 4 {
			t.Errorf("shard %d: %d runs done, want 4", i, n)
		}
	}

	single := filepath.Join(dir, "single.db")
	if code, stdout, stderr := runMain(t, "run", "-j", "2", "--quiet", "--db", single, file); code != exitOK {
		t.Fatalf("one process: exit %d\n%s\n%s", code, stdout, stderr)
	}

	merged := filepath.Join(dir, "results.db")
	code, stdout, stderr := runMerge(t, "--into", merged, shardDB(2), shardDB(0), shardDB(1))
	if code != exitOK {
		t.Fatalf("merge: exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{
		shardDB(2) + ": sweep 1 (shard 2 of 3) → sweep 1: runs 4 added\n",
		merged + `: sweep "sharded" (id 1, new) done, 12 runs; shards 0, 1, 2 of 3` + "\n",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("merge output lacks %q:\n%s", want, stdout)
		}
	}
	a, b := readEpochs(t, merged), readEpochs(t, single)
	if len(a) != 12*3 || len(a) != len(b) {
		t.Fatalf("epochs: merged %d, one process %d; want 36", len(a), len(b))
	}
	for i := range a {
		a[i].secs, b[i].secs = 0, 0
		if a[i] != b[i] {
			t.Errorf("merged and one process differ:\n%+v\n%+v", a[i], b[i])
		}
	}
	const order = `SELECT group_concat(run_key || ':' || status, ' ') FROM (SELECT run_key, status FROM runs ORDER BY id)`
	if x, y := queryString(t, merged, order), queryString(t, single, order); x != y {
		t.Errorf("runs in another order:\nmerged       %s\none process  %s", x, y)
	}
	if n := count(t, merged, `SELECT count(*) FROM sweeps WHERE status = 'done' AND runs_total = 12 AND finished_at IS NOT NULL
		AND sweep_uid = 'slurm:test:4242' AND shard_count = 3 AND shard_index IS NULL
		AND (SELECT group_concat(j.value ->> '$.index') || '/' || group_concat(j.value ->> '$.status') FROM json_each(shards) j) = '0,1,2/done,done,done'`); n != 1 {
		t.Errorf("the merged sweep is not done with its three shards:\n%s", queryString(t, merged, `SELECT shards FROM sweeps`))
	}
	// runner compare reads the views: it sees the same sweep.
	_, x, _ := runMain(t, "compare", "--db", merged)
	_, y, _ := runMain(t, "compare", "--db", single)
	if x != y || !strings.Contains(x, "12 runs") {
		t.Errorf("compare differs:\nmerged:\n%s\none process:\n%s", x, y)
	}

	// Merging the same files again changes nothing, in any order.
	before, beforeFile := dataChecksum(t, merged), fileSum(t, merged)
	code, stdout, stderr = runMerge(t, "--into", merged, shardDB(0), shardDB(1), shardDB(2), shardDB(1))
	if code != exitOK || strings.Count(stdout, "runs 4 unchanged\n") != 4 {
		t.Errorf("second merge: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if after := dataChecksum(t, merged); after != before {
		t.Errorf("merging again changed the data:\n%s\n%s", before, after)
	}
	if fileSum(t, merged) != beforeFile {
		t.Error("merging again changed the file")
	}
}

// TestShardResume kills a shard in the middle, trains the other shard into
// the same file, and resumes the first: --resume finds the shard's own
// sweep, not the latest of the file, and the merged result is that of one
// uninterrupted process.
func TestShardResume(t *testing.T) {
	noShardEnv(t)
	t.Setenv(shard.EnvSweepUID, "nightly-1")
	dir := t.TempDir()
	file := writeFile(t, dir, "nightly.yaml", nightlySweep)
	shards := filepath.Join(dir, "shards.db")

	cmd, out := startShard(t, []string{shard.EnvSweepUID + "=nightly-1"}, "run", "-j", "1", "--shard", "0/2", "--db", shards, file)
	waitFor(t, shards, `SELECT count(*) FROM epochs WHERE epoch >= 1`, 3)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if n := count(t, shards, `SELECT count(*) FROM runs WHERE status = 'done'`); n == 3 {
		t.Fatalf("shard 0 finished before the kill; the test proves nothing\n%s", out)
	}
	if code, stdout, stderr := runMain(t, "run", "--quiet", "--shard", "1/2", "--db", shards, file); code != exitOK {
		t.Fatalf("shard 1: exit %d\n%s\n%s", code, stdout, stderr)
	}
	code, stdout, stderr := runMain(t, "run", "--resume", "--shard", "0/2", "--db", shards, file)
	if code != exitOK || !strings.Contains(stdout, `resuming sweep "nightly" (id 1)`) {
		t.Fatalf("resume of shard 0: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if n := count(t, shards, `SELECT count(*) FROM sweeps WHERE status = 'done' AND sweep_uid = 'nightly-1' AND runs_total = 3`); n != 2 {
		t.Errorf("done shard sweeps: %d, want 2 (the resumed one and shard 1)", n)
	}

	merged := filepath.Join(dir, "results.db")
	if code, stdout, stderr := runMerge(t, "--into", merged, shards); code != exitOK || !strings.Contains(stdout, "done, 6 runs; shards 0, 1 of 2") {
		t.Fatalf("merge: exit %d\n%s\n%s", code, stdout, stderr)
	}
	whole := filepath.Join(dir, "whole.db")
	t.Setenv(shard.EnvSweepUID, "")
	if code, stdout, stderr := runMain(t, "run", "--quiet", "--db", whole, file); code != exitOK {
		t.Fatalf("one process: exit %d\n%s\n%s", code, stdout, stderr)
	}
	a, b := readEpochs(t, merged), readEpochs(t, whole)
	if len(a) != 6*9 || len(a) != len(b) {
		t.Fatalf("epochs: merged %d, one process %d; want 54", len(a), len(b))
	}
	for i := range a {
		a[i].secs, b[i].secs = 0, 0
		if a[i] != b[i] {
			t.Errorf("merged and one process differ:\n%+v\n%+v", a[i], b[i])
		}
	}
}

// TestShardEmpty: a shard without runs says so, records an empty shard and
// exits 0, without loading MNIST.
func TestShardEmpty(t *testing.T) {
	noShardEnv(t)
	dir := t.TempDir()
	file := writeFile(t, dir, "two.yaml", "name: two\ntrain: {epochs: 1, seeds: [1, 2]}\n")
	noMNIST := filepath.Join(dir, "no-mnist")
	if err := os.Mkdir(noMNIST, 0o755); err != nil {
		t.Fatal(err)
	}
	dbPath := filepath.Join(dir, "shard-5.db")
	t.Setenv(shard.EnvJobIndex, "5")
	t.Setenv(shard.EnvShards, "7")
	code, stdout, stderr := runMain(t, "run", "--mnist-dir", noMNIST, "--db", dbPath, file)
	if code != exitOK || !strings.Contains(stdout, "shard 5/7 of "+file+": nothing to do (2 runs for 7 shards)") {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	if n := count(t, dbPath, `SELECT count(*) FROM sweeps WHERE status = 'done' AND runs_total = 0 AND shard_index = 5 AND shard_count = 7`); n != 1 {
		t.Error("the empty shard is not recorded")
	}
}
