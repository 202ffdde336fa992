package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"runner/internal/store"
	"runner/internal/train"
)

// shardFile describes a file that `runner run --shard` could have written:
// one sweep of the given runs, with deterministic metrics per config.
type shardFile struct {
	name, hash string
	shard      *store.Shard // nil: a sweep that is not sharded
	configs    []train.Config
	epochs     int                  // per run, epoch 0 included
	status     map[int]train.Status // run index → how it ended; default done
	sweep      string               // the sweep's final status; default done
	steps      bool                 // log two steps per epoch
}

// write creates the file at path and returns its sweep id and run ids.
func (f shardFile) write(tb testing.TB, path string) (int64, []int64) {
	tb.Helper()
	ctx := context.Background()
	db := MustOpenPath(tb, path)
	id, runIDs, err := db.CreateSweep(ctx, store.SweepRecord{Name: f.name, SpecHash: f.hash, Host: "h" + filepath.Base(path)}, f.configs)
	if err != nil {
		tb.Fatal(err)
	}
	if f.shard != nil {
		if err := db.SetSweepShard(ctx, id, *f.shard); err != nil {
			tb.Fatal(err)
		}
	}
	for i, runID := range runIDs {
		if err := db.StartRun(ctx, runID); err != nil {
			tb.Fatal(err)
		}
		for e := range f.epochs {
			if err := db.AddEpoch(ctx, runID, metrics(f.configs[i], e, f.steps)); err != nil {
				tb.Fatal(err)
			}
		}
		st, ok := f.status[i]
		if !ok {
			st = train.Done
		}
		if st != train.Running {
			if err := db.FinishRun(ctx, runID, st, ""); err != nil {
				tb.Fatal(err)
			}
		}
	}
	status := f.sweep
	if status == "" {
		status = "done"
	}
	if status != "running" {
		if err := db.FinishSweep(ctx, id, store.SweepStatus(status)); err != nil {
			tb.Fatal(err)
		}
	}
	db.Close()
	return id, runIDs
}

// metrics are the made-up metrics of epoch e of a run: a function of its
// config, as real training is.
func metrics(c train.Config, e int, steps bool) train.EpochMetrics {
	x := float64(c.Seed)*0.01 + c.Optimizer.LR
	m := train.EpochMetrics{Epoch: e, LR: c.Optimizer.LR, TrainLoss: 2.3/float64(e+1) + x, TrainAcc: 0.1*float64(e) + x,
		ValAcc: 0.09*float64(e) + x, TestAcc: 0.08*float64(e) + x, Seconds: 1.5, EvalSeconds: 0.25}
	if steps && e > 0 {
		m.Steps = []train.StepMetrics{{Step: 2*e - 1, LR: c.Optimizer.LR, Loss: 1 / float64(e)}, {Step: 2 * e, LR: c.Optimizer.LR, Loss: 0.5 / float64(e)}}
	}
	return m
}

// seeds returns baseConfig with seeds 1..n.
func seeds(n int) []train.Config {
	var out []train.Config
	for s := 1; s <= n; s++ {
		out = append(out, withSeed(baseConfig(), int64(s)))
	}
	return out
}

// positions is a MergeOptions.Order that knows the order of configs.
func positions(configs []train.Config) func(store.SweepRecord) map[string]int {
	return func(store.SweepRecord) map[string]int {
		pos := map[string]int{}
		for i, c := range configs {
			pos[c.Key()] = i
		}
		return pos
	}
}

// writeShards splits configs into n shard files by index modulo n (the
// store does not care how) and returns their paths.
func writeShards(tb testing.TB, dir, uid string, configs []train.Config, n int, f shardFile) []string {
	tb.Helper()
	var paths []string
	for i := range n {
		g := f
		g.configs = nil
		for k, c := range configs {
			if k%n == i {
				g.configs = append(g.configs, c)
			}
		}
		g.shard = &store.Shard{Index: i, Count: n, UID: uid}
		p := filepath.Join(dir, fmt.Sprintf("shard-%d.db", i))
		g.write(tb, p)
		paths = append(paths, p)
	}
	return paths
}

// mustMerge merges the files at paths into db.
func mustMerge(tb testing.TB, db *store.DB, opt store.MergeOptions, paths ...string) store.MergeResult {
	tb.Helper()
	res, err := tryMerge(tb, db, opt, paths...)
	if err != nil {
		tb.Fatal(err)
	}
	return res
}

func tryMerge(tb testing.TB, db *store.DB, opt store.MergeOptions, paths ...string) (store.MergeResult, error) {
	tb.Helper()
	var sources []*store.DB
	for _, p := range paths {
		sources = append(sources, MustOpenReadOnly(tb, p))
	}
	return db.Merge(context.Background(), sources, opt)
}

// checksum is a digest of every row of every table of db, ids included.
func checksum(tb testing.TB, db *store.DB) string {
	tb.Helper()
	h := sha256.New()
	for _, q := range []string{
		`SELECT * FROM sweeps ORDER BY id`, `SELECT * FROM runs ORDER BY id`,
		`SELECT * FROM epochs ORDER BY run_id, epoch`, `SELECT * FROM steps ORDER BY run_id, step`,
	} {
		for _, r := range queryRowsOrdered(tb, db, q) {
			fmt.Fprintf(h, "%q\n", r)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

func TestDB_Merge_Shards(t *testing.T) {
	dir := t.TempDir()
	configs := seeds(7)
	paths := writeShards(t, dir, "launch-1", configs, 3, shardFile{name: "ch6", hash: "h1", epochs: 3, steps: true})
	db := MustOpenPath(t, filepath.Join(dir, "results.db"))
	opt := store.MergeOptions{Order: positions(configs)}
	// The shell's order of shard-*.db need not be the shards' order.
	res := mustMerge(t, db, opt, paths[2], paths[0], paths[1])

	if len(res.Sweeps) != 1 {
		t.Fatalf("merged into %d sweeps, want 1: %+v", len(res.Sweeps), res)
	}
	ms := res.Sweeps[0]
	if !ms.Created || ms.Status != "done" || ms.Runs != 7 || ms.ShardCount != 3 || len(ms.Shards) != 3 {
		t.Errorf("merged sweep = %+v, want a new one, done, 7 runs, shards 0-2 of 3", ms)
	}
	for i, f := range ms.From {
		if want := []int{2, 0, 1}[i]; !slices.Equal(f.Shards, []int{want}) || f.Added != 7/3+b2i(want == 0) || f.Updated+f.Unchanged+f.Kept != 0 {
			t.Errorf("source %d: %+v", i, f)
		}
	}
	row := queryRow(t, db.SQLDB(), `SELECT status, runs_total, sweep_uid, shard_count, shard_index, spec_hash, host, finished_at IS NOT NULL AS finished,
		json_array_length(shards) AS n, (SELECT group_concat(j.value ->> '$.status') FROM json_each(shards) j) AS statuses FROM sweeps`)
	for k, v := range map[string]any{"status": "done", "runs_total": int64(7), "sweep_uid": "launch-1", "shard_count": int64(3),
		"shard_index": nil, "spec_hash": "h1", "host": "hshard-0.db, hshard-1.db, hshard-2.db", "finished": int64(1),
		"n": int64(3), "statuses": "done,done,done"} {
		if row[k] != v {
			t.Errorf("sweeps.%s = %v, want %v", k, row[k], v)
		}
	}
	// The runs are in the sweep's order, with every epoch and step.
	var keys []string
	for _, c := range configs {
		keys = append(keys, c.Key())
	}
	if got := queryColumn(t, db, `SELECT run_key FROM runs ORDER BY id`, 0); !slices.Equal(got, keys) {
		t.Errorf("runs in the order %v, want the sweep's %v", got, keys)
	}
	for q, want := range map[string]string{
		`SELECT count(*) FROM epochs`:                     "21",
		`SELECT count(*) FROM steps`:                      "28",
		`SELECT count(*) FROM runs WHERE status = 'done'`: "7",
		`SELECT count(*) FROM run_summary`:                "7",
		`SELECT n FROM group_summary`:                     "7",
		`SELECT count(*) FROM pragma_foreign_key_check`:   "0",
		`SELECT count(*) FROM run_epochs WHERE epoch = 2`: "7",
		`SELECT min(final_test_acc) FROM run_summary`:     fmt.Sprint(metrics(configs[0], 2, false).TestAcc),
	} {
		if got := queryString(t, db.SQLDB(), q); got != want {
			t.Errorf("%s = %s, want %s", q, got, want)
		}
	}

	// The package documentation's query lists the shards.
	found := false
	for _, q := range docQueries(t, "doc.go") {
		if strings.Contains(q, "json_each(s.shards)") {
			found = true
			if got := strings.Join(queryColumn(t, db, q, 3), ","); got != "0,1,2" {
				t.Errorf("%s: shards %s, want 0,1,2", q, got)
			}
		}
	}
	if !found {
		t.Error("doc.go has no query of the shards")
	}

	// Merging the same files again changes nothing.
	before := checksum(t, db)
	res = mustMerge(t, db, opt, paths...)
	for _, f := range res.Sweeps[0].From {
		if f.Unchanged == 0 || f.Added+f.Updated+f.Kept != 0 {
			t.Errorf("second merge of %s: %+v, want every run unchanged", f.File, f)
		}
	}
	if got := checksum(t, db); got != before {
		t.Error("merging the same files again changed the target")
	}
}

func TestDB_Merge_Incremental(t *testing.T) {
	dir := t.TempDir()
	paths := writeShards(t, dir, "launch-1", seeds(6), 3, shardFile{name: "ch6", hash: "h1", epochs: 2})
	db := MustOpenPath(t, filepath.Join(dir, "results.db"))
	for i, want := range []struct {
		status, shards string
		runs           int
	}{{"running", "[0]", 2}, {"running", "[0,2]", 4}, {"done", "[0,1,2]", 6}} {
		res := mustMerge(t, db, store.MergeOptions{}, paths[[]int{0, 2, 1}[i]])
		ms := res.Sweeps[0]
		if ms.Created != (i == 0) || string(ms.Status) != want.status || ms.Runs != want.runs {
			t.Errorf("merge %d: %+v, want %+v", i, ms, want)
		}
		got := queryString(t, db.SQLDB(), `SELECT json_group_array(j.value ->> '$.index') FROM sweeps, json_each(shards) j`)
		if got != want.shards {
			t.Errorf("merge %d: shards %s, want %s", i, got, want.shards)
		}
		if fin := queryString(t, db.SQLDB(), `SELECT finished_at IS NOT NULL FROM sweeps`); fin != fmt.Sprint(b2i(want.status == "done")) {
			t.Errorf("merge %d: finished_at set = %s with status %s", i, fin, want.status)
		}
	}
}

// A shard merged while it had not finished catches up when merged again
// after its resume; an older copy merged after that changes nothing.
func TestDB_Merge_CatchesUp(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	configs := seeds(3)
	f := shardFile{name: "ch6", hash: "h1", epochs: 3, configs: configs, shard: &store.Shard{Index: 0, Count: 1, UID: "u"},
		status: map[int]train.Status{1: train.Interrupted, 2: train.Running}, sweep: "interrupted"}
	path := filepath.Join(dir, "shard-0.db")
	sweepID, runIDs := f.write(t, path)
	old := filepath.Join(dir, "old.db")
	mustCopyFile(t, path, old)

	db := MustOpenPath(t, filepath.Join(dir, "results.db"))
	if ms := mustMerge(t, db, store.MergeOptions{}, path).Sweeps[0]; ms.Status != "interrupted" {
		t.Errorf("merged an interrupted shard: status %s", ms.Status)
	}

	// The resume: runs 1 and 2 are trained again, to the end.
	w := MustOpenPath(t, path)
	if err := w.ReopenSweep(ctx, sweepID); err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{1, 2} {
		if err := w.StartRun(ctx, runIDs[i]); err != nil {
			t.Fatal(err)
		}
		for e := range 4 {
			if err := w.AddEpoch(ctx, runIDs[i], metrics(configs[i], e, false)); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.FinishRun(ctx, runIDs[i], train.Done, ""); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.FinishSweep(ctx, sweepID, "done"); err != nil {
		t.Fatal(err)
	}
	w.Close()

	from := mustMerge(t, db, store.MergeOptions{}, path).Sweeps[0]
	if from.Status != "done" || from.From[0].Updated != 2 || from.From[0].Unchanged != 1 {
		t.Errorf("merge after the resume: %+v, want done with 2 runs updated", from)
	}
	if n := queryString(t, db.SQLDB(), `SELECT count(*) FROM epochs`); n != "11" {
		t.Errorf("epochs = %s, want 3 + 4 + 4", n)
	}
	before := checksum(t, db)
	res := mustMerge(t, db, store.MergeOptions{}, old).Sweeps[0]
	if res.Status != "done" || res.From[0].Kept != 2 || res.From[0].Unchanged != 1 {
		t.Errorf("merge of the older copy: %+v, want 2 runs kept and the sweep still done", res)
	}
	if checksum(t, db) != before {
		t.Error("merging an older copy changed the target")
	}
}

func TestDB_Merge_Refuses(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, f shardFile) string {
		p := filepath.Join(dir, name)
		f.write(t, p)
		return p
	}
	configs := seeds(4)
	good := shardFile{name: "ch6", hash: "h1", epochs: 2, configs: configs[:2], shard: &store.Shard{Index: 0, Count: 2, UID: "u"}}
	shard0 := write("shard-0.db", good)
	other := good
	other.configs, other.shard = configs[2:], &store.Shard{Index: 1, Count: 2, UID: "u"}
	shard1 := write("shard-1.db", other)

	otherSpec := other
	otherSpec.hash = "h2"
	otherCount := other
	otherCount.shard = &store.Shard{Index: 1, Count: 3, UID: "u"}
	conflict := good
	conflict.epochs = 3 // the same runs, finished with other results
	for _, tt := range []struct {
		name string
		file string
		want []string
	}{
		{"another spec", write("spec.db", otherSpec), []string{"spec.db", `sweep "ch6"`, `shard 1/2 of sweep uid "u"`, "its spec differs", "spec_hash h2, the target's h1"}},
		{"another shard count", write("count.db", otherCount), []string{"count.db", "split into 3 shards", "into 2"}},
		{"other results", write("conflict.db", conflict), []string{"conflict.db", "finished done in both, with other results", "RUNNER_SWEEP_UID"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db := MustOpenPath(t, filepath.Join(t.TempDir(), "results.db"))
			mustMerge(t, db, store.MergeOptions{}, shard0)
			before := checksum(t, db)
			// shard1 is merged first, in the same transaction: it goes too.
			_, err := tryMerge(t, db, store.MergeOptions{}, shard1, tt.file)
			if err == nil {
				t.Fatal("the merge succeeded")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if checksum(t, db) != before {
				t.Error("a failed merge changed the target")
			}
		})
	}
}

// A sweep that is not sharded is matched by name, spec, start and host;
// another start is another sweep.
func TestDB_Merge_Unsharded(t *testing.T) {
	dir := t.TempDir()
	useClock(t, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), time.Second)
	f := shardFile{name: "ch6", hash: "h1", epochs: 2, configs: seeds(2), steps: true,
		status: map[int]train.Status{1: train.Diverged}}
	a, b := filepath.Join(dir, "a.db"), filepath.Join(dir, "b.db")
	f.write(t, a)
	f.write(t, b) // the same sweep run again, later

	db := MustOpenPath(t, filepath.Join(dir, "results.db"))
	res := mustMerge(t, db, store.MergeOptions{}, a, a, b)
	if len(res.Sweeps) != 2 || !res.Sweeps[0].Created || res.Sweeps[0].From[1].Unchanged != 2 || res.Sweeps[0].ShardCount != 0 {
		t.Errorf("merge = %+v, want two sweeps, the first file's twice", res)
	}
	for q, want := range map[string]string{
		`SELECT count(*) FROM sweeps WHERE status = 'done' AND shard_count IS NULL AND sweep_uid IS NULL AND runs_total = 2`: "2",
		`SELECT count(*) FROM runs WHERE status = 'diverged'`:                                                                "2",
		`SELECT count(*) FROM steps`: "8",
	} {
		if got := queryString(t, db.SQLDB(), q); got != want {
			t.Errorf("%s = %s, want %s", q, got, want)
		}
	}
	before := checksum(t, db)
	mustMerge(t, db, store.MergeOptions{}, b, a)
	if checksum(t, db) != before {
		t.Error("merging again changed the target")
	}
}

// Merging into a shard's own file turns its sweep into a merged one; a dry
// run writes nothing; an empty shard counts as a shard.
func TestDB_Merge_IntoShardFile(t *testing.T) {
	dir := t.TempDir()
	paths := writeShards(t, dir, "u", seeds(1), 2, shardFile{name: "ch6", hash: "h1", epochs: 2})
	db := MustOpenPath(t, paths[0])
	before := checksum(t, db)
	res, err := tryMerge(t, db, store.MergeOptions{DryRun: true}, paths[1])
	if err != nil || res.Sweeps[0].Status != "done" || res.Sweeps[0].Created {
		t.Errorf("dry run: %+v, %v", res, err)
	}
	if checksum(t, db) != before {
		t.Error("a dry run changed the target")
	}
	ms := mustMerge(t, db, store.MergeOptions{}, paths[1]).Sweeps[0]
	if ms.Status != "done" || ms.Runs != 1 || len(ms.Shards) != 2 || ms.Shards[1].RunsTotal != 0 {
		t.Errorf("merged = %+v, want done with shard 0 (1 run) and the empty shard 1", ms)
	}
	if got := queryString(t, db.SQLDB(), `SELECT coalesce(shard_index, 'merged') FROM sweeps`); got != "merged" {
		t.Errorf("shard_index = %s after the merge", got)
	}
}

func TestDB_Merge_UnknownTable(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "notes.db")
	shardFile{name: "ch6", epochs: 1, configs: seeds(1)}.write(t, path)
	raw := mustRawOpen(t, path)
	mustExec(t, raw, `CREATE TABLE notes (x TEXT)`)
	raw.Close()
	db := MustOpen(t)
	_, err := tryMerge(t, db, store.MergeOptions{}, path)
	if err == nil || !strings.Contains(err.Error(), `notes.db: it holds a table "notes" that merge does not copy`) {
		t.Errorf("error %v", err)
	}
}

func TestDB_LatestShardSweep(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	plain, _ := MustCreateSweep(t, db, "ch6", baseConfig())
	sh := store.Shard{Index: 1, Count: 3, UID: "u"}
	for _, s := range []store.Shard{sh, {Index: 2, Count: 3, UID: "u"}, {Index: 1, Count: 3, UID: "v"}} {
		id, _ := MustCreateSweep(t, db, "ch6", baseConfig())
		if err := db.SetSweepShard(ctx, id, s); err != nil {
			t.Fatal(err)
		}
	}
	if s, err := db.LatestShardSweep(ctx, "ch6", nil); err != nil || s.ID != plain {
		t.Errorf("latest unsharded = %d, %v; want %d", s.ID, err, plain)
	}
	if s, err := db.LatestShardSweep(ctx, "ch6", &sh); err != nil || s.ID != plain+1 {
		t.Errorf("latest shard 1/3 of u = %d, %v; want %d", s.ID, err, plain+1)
	}
	if _, err := db.LatestShardSweep(ctx, "ch6", &store.Shard{Index: 0, Count: 3, UID: "u"}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("latest shard 0/3: %v, want ErrNotFound", err)
	}
	for _, bad := range []store.Shard{{Index: 3, Count: 3, UID: "u"}, {Index: -1, Count: 3, UID: "u"}, {Index: 0, Count: 1}} {
		if err := db.SetSweepShard(ctx, plain, bad); err == nil {
			t.Errorf("SetSweepShard(%+v) succeeded", bad)
		}
	}
	if err := db.SetSweepShard(ctx, 99, sh); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SetSweepShard of a missing sweep: %v", err)
	}
}

// A shard trained twice in one launch (a task run again from scratch) gives
// the same results at other times: the second copy changes nothing.
func TestDB_Merge_SameResultsOtherTimes(t *testing.T) {
	dir := t.TempDir()
	f := shardFile{name: "ch6", hash: "h1", epochs: 2, configs: seeds(2), shard: &store.Shard{Index: 0, Count: 1, UID: "u"}}
	a, b := filepath.Join(dir, "a.db"), filepath.Join(dir, "b.db")
	useClock(t, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), time.Second)
	f.write(t, a)
	f.write(t, b)
	db := MustOpenPath(t, filepath.Join(dir, "results.db"))
	res := mustMerge(t, db, store.MergeOptions{}, a, b).Sweeps
	if len(res) != 1 || res[0].From[0].Added != 2 || res[0].From[1].Unchanged != 2 || res[0].Status != "done" {
		t.Errorf("merge = %+v, want one sweep, the second copy unchanged", res)
	}
	if got := queryString(t, db.SQLDB(), `SELECT min(started_at) FROM runs`); got != "2026-01-02T03:04:06.000Z" {
		t.Errorf("runs started at %s: not the first copy's", got)
	}
}
