package execute_test

import (
	"context"
	"errors"
	"math"
	"path/filepath"
	"testing"

	"runner/internal/execute"
	"runner/internal/objective"
	"runner/internal/store"
	"runner/internal/sweep"
	"runner/internal/train"
)

// functionSweep is a function sweep: the book's function, and SGD at a
// rate that makes Rosenbrock's values overflow.
const functionSweep = `name: paths
dataset: {name: function, function: [book, rosenbrock], start: [-1.5, 2]}
train: {epochs: 30}
optimizers:
  - {name: momentum, lr: 0.001}
  - {name: sgd, lr: 1}
`

// TestExecuteFunctionRuns trains a function sweep through Execute with no
// MNIST at all, and reads every step's position, value and distance back
// from the path table.
func TestExecuteFunctionRuns(t *testing.T) {
	ctx := context.Background()
	spec, err := sweep.Parse("paths.yaml", []byte(functionSweep), nil)
	if err != nil {
		t.Fatal(err)
	}
	configs, err := spec.Expand(0)
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "results.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sweepID, ids, err := db.CreateSweep(ctx, store.SweepRecord{Name: spec.Name, RunsTotal: len(configs)}, configs)
	if err != nil {
		t.Fatal(err)
	}
	jobs := make([]execute.Job, len(configs))
	for i := range jobs {
		jobs[i] = execute.Job{RunID: ids[i], Config: configs[i], Order: i}
	}
	results, err := execute.Execute(ctx, db, jobs, execute.Options{Jobs: 2}) // no MNIST
	if err != nil {
		t.Fatal(err)
	}

	epochs, err := db.SweepEpochs(ctx, sweepID)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.AddDetails(ctx, sweepID, epochs); err != nil {
		t.Fatal(err)
	}
	for i, c := range configs {
		f, err := objective.Lookup(c.Dataset.Function, c.Dataset.Condition)
		if err != nil {
			t.Fatal(err)
		}
		r, ms := results[i], epochs[ids[i]]
		diverges := c.Dataset.Function == "rosenbrock" && c.Optimizer.Name == "sgd"
		switch {
		case diverges && (r.Status != train.Diverged || !errors.Is(r.Err, train.ErrDiverged)):
			t.Errorf("%s on %s: %s, %v; want diverged", c.Optimizer.Name, c.Dataset.Function, r.Status, r.Err)
		case !diverges && (r.Status != train.Done || len(ms) != 31):
			t.Errorf("%s on %s: %s, %v, %d epochs recorded; want done, 31", c.Optimizer.Name, c.Dataset.Function, r.Status, r.Err, len(ms))
		}
		if len(ms) == 0 || r.Epochs != len(ms) {
			t.Fatalf("run %d: %d epochs recorded, %d reported", i, len(ms), r.Epochs)
		}
		// Replay the run and compare it with what the database holds.
		var want []train.EpochMetrics
		train.Run(ctx, c, train.Data{}, func(m train.EpochMetrics) error { want = append(want, m); return nil })
		for e, m := range ms {
			w := want[e]
			if m.Epoch != e || len(m.Position) != 2 {
				t.Fatalf("run %d epoch %d: recorded %+v", i, e, m)
			}
			if !same(m.Position[0], w.Position[0]) || !same(m.Position[1], w.Position[1]) || !same(m.TrainLoss, w.TrainLoss) || !same(m.Distance, w.Distance) {
				t.Errorf("run %d step %d: recorded at %v, value %v, distance %v; the run gave %v, %v, %v",
					i, e, m.Position, m.TrainLoss, m.Distance, w.Position, w.TrainLoss, w.Distance)
			}
			if finite(w.TrainLoss) && finite(w.Position[0]) && finite(w.Position[1]) && m.TrainLoss != f.Value(m.Position) {
				t.Errorf("run %d step %d: value %v at %v; %s gives %v", i, e, m.TrainLoss, m.Position, f.Name(), f.Value(m.Position))
			}
			if !math.IsNaN(m.TestAcc) {
				t.Errorf("run %d step %d: test accuracy %v; want none", i, e, m.TestAcc)
			}
		}
	}
	runs, err := db.Runs(ctx, sweepID)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range runs {
		if r.Key != configs[i].Key() || r.Status != results[i].Status {
			t.Errorf("run %d: key %s, status %s in the database; want %s, %s", i, r.Key, r.Status, configs[i].Key(), results[i].Status)
		}
	}
}

// same compares recorded numbers: NaN is stored as NULL and read back NaN.
func same(a, b float64) bool { return a == b || (math.IsNaN(a) && math.IsNaN(b)) }

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
