package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"
	"testing"

	"runner/internal/sweep"
	"runner/internal/train"
)

// shardEnv are the environment variables that choose a shard or a sweep
// uid; the tests clear the ones of the machine they run on.
var shardEnv = []string{envJobIndex, envShards, envSweepUID, envSlurmTask, envSlurmMin, envSlurmMax,
	envSlurmCount, envSlurmStep, envSlurmJob, envSlurmCluster}

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
	code := exitCode(ctx, (&MergeCommand{Main: m}).Run(ctx, args), &stderr)
	return code, stdout.String(), stderr.String()
}

// dataChecksum is a digest of every row of every table of the database at
// path, ids included, with the row counts.
func dataChecksum(t *testing.T, path string) string {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
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
	t.Setenv(envSweepUID, "nightly-1")
	dir := t.TempDir()
	file := writeFile(t, dir, "nightly.yaml", nightlySweep)
	shards := filepath.Join(dir, "shards.db")

	cmd, out := startShard(t, []string{envSweepUID + "=nightly-1"}, "run", "-j", "1", "--shard", "0/2", "--db", shards, file)
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
	t.Setenv(envSweepUID, "")
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
	t.Setenv(envJobIndex, "5")
	t.Setenv(envShards, "7")
	code, stdout, stderr := runMain(t, "run", "--mnist-dir", noMNIST, "--db", dbPath, file)
	if code != exitOK || !strings.Contains(stdout, "shard 5/7 of "+file+": nothing to do (2 runs for 7 shards)") {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	if n := count(t, dbPath, `SELECT count(*) FROM sweeps WHERE status = 'done' AND runs_total = 0 AND shard_index = 5 AND shard_count = 7`); n != 1 {
		t.Error("the empty shard is not recorded")
	}
}

func TestSelectShard(t *testing.T) {
	slurm := map[string]string{envSlurmJob: "77", envSlurmCluster: "c", envSlurmTask: "5", envSlurmMin: "4",
		envSlurmMax: "6", envSlurmCount: "3", envSlurmStep: "1"}
	with := func(base map[string]string, kv ...string) map[string]string {
		env := map[string]string{}
		for k, v := range base {
			env[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			env[kv[i]] = kv[i+1]
		}
		return env
	}
	for _, tt := range []struct {
		name   string
		shard  string
		shards int
		env    map[string]string
		want   string // "I/N uid", "none", or an error's text
	}{
		{name: "nothing", want: "none"},
		{name: "flag", shard: "1/3", want: "1/3 "},
		{name: "flag with --shards", shard: "1/3", shards: 3, want: "1/3 "},
		{name: "flag, uid", shard: "1/3", env: map[string]string{envSweepUID: "abc"}, want: "1/3 abc"},
		{name: "one shard is the whole sweep", shard: "0/1", want: "none"},
		{name: "index too large", shard: "3/3", want: "shard 3/3 (--shard 3/3): the index must be in 0 … 2"},
		{name: "negative index", shard: "-1/3", want: "the index must be in 0 … 2"},
		{name: "no shards", shard: "0/0", want: "shard 0/0 (--shard 0/0): the number of shards must be at least 1"},
		{name: "not I/N", shard: "1of3", want: `--shard "1of3": want I/N`},
		{name: "flags disagree", shard: "1/3", shards: 4, want: "--shard 1/3 and --shards 4 disagree"},
		{name: "--shards alone", shards: 3, want: "--shards 3 needs the shard's index"},
		{name: "negative --shards", shards: -1, want: "--shards must be at least 1"},

		{name: "kubernetes", env: map[string]string{envJobIndex: "2", envShards: "4"}, want: "2/4 "},
		{name: "kubernetes, --shards", shards: 5, env: map[string]string{envJobIndex: "2", envShards: "4"}, want: "2/5 "},
		{name: "kubernetes, uid", env: map[string]string{envJobIndex: "0", envShards: "2", envSweepUID: "0c4e-job-uid"}, want: "0/2 0c4e-job-uid"},
		{name: "kubernetes without N", env: map[string]string{envJobIndex: "2"}, want: "JOB_COMPLETION_INDEX is set (a Kubernetes Indexed Job) but not the number of shards: pass --shards N or set RUNNER_SHARDS"},
		{name: "kubernetes index out of range", env: map[string]string{envJobIndex: "4", envShards: "4"}, want: "shard 4/4 (JOB_COMPLETION_INDEX=4, RUNNER_SHARDS=4): the index must be in 0 … 3"},
		{name: "kubernetes bad index", env: map[string]string{envJobIndex: "two", envShards: "4"}, want: `JOB_COMPLETION_INDEX="two": not an integer`},
		{name: "kubernetes before slurm", env: with(slurm, envJobIndex, "1", envShards, "2"), want: "1/2 slurm:c:77"},

		{name: "slurm", env: slurm, want: "1/3 slurm:c:77"},
		{name: "slurm first task", env: with(slurm, envSlurmTask, "4"), want: "0/3 slurm:c:77"},
		{name: "slurm without max and step", env: with(slurm, envSlurmMax, "", envSlurmStep, ""), want: "1/3 slurm:c:77"},
		{name: "slurm uid", env: with(slurm, envSweepUID, "mine"), want: "1/3 mine"},
		{name: "slurm flag wins", shard: "2/5", env: slurm, want: "2/5 slurm:c:77"},
		{name: "slurm --shards agrees", shards: 3, env: slurm, want: "1/3 slurm:c:77"},
		{name: "slurm --shards disagrees", shards: 4, env: slurm, want: "--shards 4 and SLURM_ARRAY_TASK_COUNT=3 disagree"},
		{name: "slurm one task", env: with(slurm, envSlurmTask, "4", envSlurmMax, "4", envSlurmCount, "1"), want: "none"},
		{name: "slurm step", env: with(slurm, envSlurmStep, "2"), want: "SLURM_ARRAY_TASK_STEP=2: shards need a range with step 1, such as --array=0-2"},
		{name: "slurm list", env: with(slurm, envSlurmMin, "1", envSlurmMax, "9"), want: "tasks are not a range"},
		{name: "slurm without count", env: with(slurm, envSlurmCount, ""), want: "SLURM_ARRAY_TASK_ID is set (a Slurm job array) but not SLURM_ARRAY_TASK_COUNT"},
		{name: "slurm without min", env: with(slurm, envSlurmMin, ""), want: "but not SLURM_ARRAY_TASK_MIN"},
		{name: "slurm bad id", env: with(slurm, envSlurmTask, "5a"), want: `SLURM_ARRAY_TASK_ID="5a": not an integer`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, err := selectShard(tt.shard, tt.shards, func(k string) string { return tt.env[k] })
			var got string
			switch {
			case err != nil:
				got = err.Error()
			case s == nil:
				got = "none"
			default:
				got = fmt.Sprintf("%d/%d %s", s.index, s.count, s.uid)
			}
			if got != tt.want && (err == nil || !strings.Contains(got, tt.want)) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// testKeys returns n run keys such as a sweep has.
func testKeys(n, salt int) []string {
	keys := make([]string, n)
	for i := range keys {
		sum := sha256.Sum256(fmt.Appendf(nil, "%d/%d", salt, i))
		keys[i] = hex.EncodeToString(sum[:8])
	}
	return keys
}

// Every run is in exactly one shard, the shards differ in size by one at
// most, and the cut depends on the set of keys only.
func TestPartition(t *testing.T) {
	for n := 1; n <= 13; n++ {
		for m := 0; m <= 40; m += 1 + m/8 {
			keys := testKeys(m, n)
			owner := partition(keys, n)
			size := make([]int, n)
			for i, o := range owner {
				if o < 0 || o >= n {
					t.Fatalf("n=%d m=%d: key %d in shard %d", n, m, i, o)
				}
				size[o]++
			}
			if lo, hi := slices.Min(size), slices.Max(size); hi-lo > 1 {
				t.Errorf("n=%d m=%d: shard sizes %v", n, m, size)
			}
			shuffled := slices.Clone(keys)
			rand.New(rand.NewPCG(uint64(n), uint64(m))).Shuffle(len(shuffled), func(i, j int) {
				shuffled[i], shuffled[j] = shuffled[j], shuffled[i]
			})
			again := partition(shuffled, n)
			for i, k := range shuffled {
				if want := owner[slices.Index(keys, k)]; again[i] != want {
					t.Fatalf("n=%d m=%d: key %s in shard %d, shuffled in %d", n, m, k, want, again[i])
				}
			}
		}
	}
}

// partition is what its comment says: the pairs of all keys and shards
// taken from the heaviest down, each key to the first with room.
func TestPartition_Definition(t *testing.T) {
	for _, tt := range []struct{ m, n int }{{10, 3}, {31, 4}, {64, 8}, {5, 7}, {100, 6}} {
		keys := testKeys(tt.m, tt.n)
		type pair struct {
			key, shard int
			w          uint64
		}
		var pairs []pair
		for i, k := range keys {
			sum := sha256.Sum256([]byte(k))
			h := uint64(0)
			for _, b := range sum[:8] {
				h = h<<8 | uint64(b)
			}
			for j := range tt.n {
				pairs = append(pairs, pair{i, j, weight(h, j)})
			}
		}
		sort.Slice(pairs, func(a, b int) bool {
			if pairs[a].w != pairs[b].w {
				return pairs[a].w > pairs[b].w
			}
			if pairs[a].key != pairs[b].key {
				return keys[pairs[a].key] < keys[pairs[b].key]
			}
			return pairs[a].shard < pairs[b].shard
		})
		room := make([]int, tt.n)
		for j := range room {
			room[j] = tt.m/tt.n + b2i(j < tt.m%tt.n)
		}
		want := make([]int, tt.m)
		for i := range want {
			want[i] = -1
		}
		for _, p := range pairs {
			if want[p.key] < 0 && room[p.shard] > 0 {
				want[p.key] = p.shard
				room[p.shard]--
			}
		}
		if got := partition(keys, tt.n); !slices.Equal(got, want) {
			t.Errorf("m=%d n=%d: partition %v, by definition %v", tt.m, tt.n, got, want)
		}
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Adding a seed to a sweep moves few of its runs between shards, far fewer
// than dealing them out by position would; and every shard's runs keep the
// sweep's order.
func TestPartition_AddingASeed(t *testing.T) {
	const grid = `
name: g
optimizers:
  - {name: sgd, lr: [0.1, 0.01]}
  - {name: momentum, lr: [0.01, 0.001]}
  - {name: nesterov, lr: [0.01, 0.001]}
  - {name: adagrad, lr: [0.1, 0.01]}
  - {name: rmsprop, lr: [0.001, 0.0001]}
  - {name: adam, lr: [0.001, 0.0001]}
schedules: [{name: constant}, {name: step, every: 4}, {name: cosine}]
`
	expand := func(seeds string) expanded {
		spec, err := sweep.Parse("g.yaml", []byte(grid), []string{"train.seeds=" + seeds})
		if err != nil {
			t.Fatal(err)
		}
		configs, err := spec.Expand(0)
		if err != nil {
			t.Fatal(err)
		}
		return expanded{spec, configs}
	}
	before, after := expand("[1, 2, 3]"), expand("[1, 2, 3, 4]")
	var out bytes.Buffer
	quiet := newOutput(&out, &out, true)
	for n := 2; n <= 8; n++ {
		shardOf := func(e expanded) map[string]int {
			m := map[string]int{}
			for i := range n {
				s := &shard{index: i, count: n}
				sl := s.slice([]expanded{e}, quiet)[0].configs
				pos := -1
				for _, c := range sl {
					if _, dup := m[c.Key()]; dup {
						t.Fatalf("n=%d: run %s in two shards", n, c.Key())
					}
					m[c.Key()] = i
					p := slices.IndexFunc(e.configs, func(d train.Config) bool { return d.Key() == c.Key() })
					if p <= pos {
						t.Fatalf("n=%d: shard %d is not in the sweep's order", n, i)
					}
					pos = p
				}
			}
			if len(m) != len(e.configs) {
				t.Fatalf("n=%d: the shards hold %d of %d runs", n, len(m), len(e.configs))
			}
			return m
		}
		a, b := shardOf(before), shardOf(after)
		moved, dealt := 0, 0
		for i, c := range before.configs {
			if a[c.Key()] != b[c.Key()] {
				moved++
			}
			// By position: run i goes to shard i mod n, before and after.
			j := slices.IndexFunc(after.configs, func(d train.Config) bool { return d.Key() == c.Key() })
			if i%n != j%n {
				dealt++
			}
		}
		frac := float64(moved) / float64(len(before.configs))
		t.Logf("N=%d: %d of %d runs move (%.0f%%); by position %d", n, moved, len(before.configs), 100*frac, dealt)
		if frac > 0.15 || moved*3 > dealt {
			t.Errorf("N=%d: adding a seed moves %d of %d runs (by position: %d)", n, moved, len(before.configs), dealt)
		}
	}
}
