package execute_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"runner/internal/data"
	"runner/internal/execute"
	"runner/internal/store"
	"runner/internal/train"
)

func mnist(t *testing.T) *data.MNIST {
	t.Helper()
	m, err := data.Shared(context.Background(), data.Options{NoDownload: true})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// smallConfig is a real run on 200 images, small enough for many of them.
func smallConfig(seed int64, epochs int) train.Config {
	return train.Config{
		Dataset:   train.DatasetConfig{Name: "mnist", TrainLimit: 200},
		Model:     train.ModelConfig{Hidden: []int{16}, Activation: "relu", Init: "he", Precision: "float32"},
		Optimizer: train.OptimizerConfig{Name: "sgd", LR: 0.1},
		Schedule:  train.ScheduleConfig{Name: "constant"},
		Epochs:    epochs,
		BatchSize: 20,
		Seed:      seed,
	}
}

// setup creates a sweep of n runs in a new database.
func setup(t *testing.T, n, epochs int) (*store.DB, []execute.Job) {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "results.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	configs := make([]train.Config, n)
	for i := range configs {
		configs[i] = smallConfig(int64(i+1), epochs)
	}
	_, ids, err := db.CreateSweep(context.Background(), store.SweepRecord{Name: "t", RunsTotal: n}, configs)
	if err != nil {
		t.Fatal(err)
	}
	jobs := make([]execute.Job, n)
	for i := range jobs {
		jobs[i] = execute.Job{RunID: ids[i], Config: configs[i]}
	}
	return db, jobs
}

func TestExecuteRecordsEveryEpoch(t *testing.T) {
	db, jobs := setup(t, 5, 2)
	var events atomic.Int64
	results, err := execute.Execute(context.Background(), db, jobs, execute.Options{
		Jobs: 3, MNIST: mnist(t), OnEvent: func(execute.Event) { events.Add(1) },
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range results {
		if r.Status != train.Done || r.Epochs != 3 || r.Final.Epoch != 2 {
			t.Errorf("job %d: %+v", i, r)
		}
		ms, err := db.Epochs(context.Background(), jobs[i].RunID)
		if err != nil || len(ms) != 3 {
			t.Errorf("job %d: %d epochs in the database (%v), want 3", i, len(ms), err)
		}
	}
	// Per run: started, 3 epochs, finished.
	if got := events.Load(); got != 5*5 {
		t.Errorf("OnEvent called %d times, want 25", got)
	}
}

// TestExecuteCancelled cancels the sweep after the first epoch reported: the
// runs in flight end interrupted, the runs never started stay pending, and
// Execute returns without error (the database was written).
func TestExecuteCancelled(t *testing.T) {
	db, jobs := setup(t, 6, 50)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	results, err := execute.Execute(ctx, db, jobs, execute.Options{
		Jobs: 2, MNIST: mnist(t), OnEvent: func(ev execute.Event) {
			if ev.Kind == execute.EpochDone && ev.Metrics.Epoch == 1 {
				cancel()
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	runs, err := db.Runs(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	count := map[train.Status]int{}
	for i, r := range runs {
		count[r.Status]++
		if r.Status != results[i].Status && !(r.Status == train.Pending && results[i].Status == "") {
			t.Errorf("run %d: database says %s, result says %q", i, r.Status, results[i].Status)
		}
	}
	if count[train.Interrupted] < 1 || count[train.Interrupted] > 2 || count[train.Pending] < 4 || count[train.Done] != 0 {
		t.Errorf("statuses after cancel: %v; want 1-2 interrupted, the rest pending", count)
	}
}

// TestExecuteStopsOnWriteError closes the database under the runner: the
// first write fails, Execute cancels the workers and returns the error
// instead of hanging or training on.
func TestExecuteStopsOnWriteError(t *testing.T) {
	db, jobs := setup(t, 8, 3)
	db.Close()
	results, err := execute.Execute(context.Background(), db, jobs, execute.Options{Jobs: 2, MNIST: mnist(t)})
	if err == nil {
		t.Fatal("Execute succeeded on a closed database")
	}
	done := 0
	for _, r := range results {
		if r.Status == train.Done {
			done++
		}
	}
	if done > 0 {
		t.Errorf("%d runs recorded done on a closed database", done)
	}
	if errors.Is(err, context.Canceled) {
		t.Errorf("error is the cancellation, not the write failure: %v", err)
	}
}

// TestExecuteRecoversPanics gives the runs no data, which makes each of them
// panic: every run must end failed with the panic in its error, recorded in
// the database, and Execute must go on through all of them.
func TestExecuteRecoversPanics(t *testing.T) {
	db, jobs := setup(t, 3, 1)
	results, err := execute.Execute(context.Background(), db, jobs, execute.Options{Jobs: 2, MNIST: nil})
	if err != nil {
		t.Fatal(err)
	}
	runs, err := db.Runs(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range results {
		if r.Status != train.Failed || r.Err == nil || !strings.Contains(r.Err.Error(), "panic:") {
			t.Errorf("job %d: %s, %v; want failed with the panic", i, r.Status, r.Err)
		}
		if runs[i].Status != train.Failed || !strings.Contains(runs[i].Error, "panic:") {
			t.Errorf("run %d in the database: %s %q", i, runs[i].Status, runs[i].Error)
		}
	}
}

// TestExecutePrunesDeterministically trains real runs of which some learn
// far slower than others, with the median rule: the slow ones are pruned
// (keeping the epochs they reported), and -j 1 and -j 3 make exactly the
// same decisions.
func TestExecutePrunesDeterministically(t *testing.T) {
	lrs := []float64{0.1, 0.05, 0.1, 0.0005, 0.08, 0.0002, 0.1}
	var got [2][]string
	for k, workers := range []int{1, 3} {
		db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "results.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		configs := make([]train.Config, len(lrs))
		for i, lr := range lrs {
			c := smallConfig(int64(i+1), 6)
			c.Dataset.TrainLimit, c.Dataset.Validation, c.Dataset.SplitSeed = 400, 0.25, 1
			c.Optimizer.LR = lr
			configs[i] = c
		}
		_, ids, err := db.CreateSweep(context.Background(), store.SweepRecord{Name: "p"}, configs)
		if err != nil {
			t.Fatal(err)
		}
		jobs := make([]execute.Job, len(ids))
		for i := range jobs {
			jobs[i] = execute.Job{RunID: ids[i], Config: configs[i], Order: i}
		}
		results, err := execute.Execute(context.Background(), db, jobs, execute.Options{
			Jobs: workers, MNIST: mnist(t), Prune: &execute.PruneRule{Method: "median", MinEpochs: 2},
		})
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range results {
			got[k] = append(got[k], fmt.Sprintf("%s after %d epochs", r.Status, r.Epochs))
			if r.Status == train.Pruned && !errors.Is(r.Err, train.ErrPruned) {
				t.Errorf("run %d pruned with error %v", i, r.Err)
			}
		}
	}
	for i := range got[0] {
		if got[0][i] != got[1][i] {
			t.Errorf("run %d (lr %g): -j 1 %s, -j 3 %s", i, lrs[i], got[0][i], got[1][i])
		}
	}
	for _, i := range []int{3, 5} { // the slow learning rates
		if !strings.HasPrefix(got[0][i], "pruned") {
			t.Errorf("run %d (lr %g): %s, want pruned", i, lrs[i], got[0][i])
		}
	}
	for _, i := range []int{0, 1, 2} { // no three earlier runs to compare with
		if got[0][i] != "done after 7 epochs" {
			t.Errorf("run %d: %s, want done", i, got[0][i])
		}
	}
	t.Logf("decisions: %v", got[0])
}
