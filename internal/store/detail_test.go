package store_test

import (
	"context"
	"math"
	"path/filepath"
	"reflect"
	"testing"

	"runner/internal/store"
	"runner/internal/train"
)

// TestDB_Details records a function run's positions and a run's layer
// statistics, reads them back with AddDetails, and merges them into
// another file, which must then hold the same rows.
func TestDB_Details(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	src := filepath.Join(dir, "src.db")
	db := MustOpenPath(t, src)
	fn := baseConfig()
	fn.Dataset = train.DatasetConfig{Name: "function", Function: "book", Start: []float64{-7, 2}}
	sweepID, runIDs := MustCreateSweep(t, db, "paths", fn, withSeed(baseConfig(), 2))
	layers := []train.LayerStats{
		{Layer: 1, Mean: 0.5, Std: 0.2, Zeros: 0, Saturated: 0.1, HistLo: 0, HistHi: 1, Hist: make([]int, train.HistBins),
			Below: 0, Above: 3, GradRMS: math.NaN(), WeightRMS: 0.04, UpdateRatio: math.NaN()},
		{Layer: 2, Mean: 0.4, Std: 0.3, Zeros: 0.5, Saturated: math.NaN(), HistLo: 0, HistHi: 1, Hist: make([]int, train.HistBins),
			Below: 1, Above: 0, GradRMS: 0.001, WeightRMS: 0.05, UpdateRatio: 0.002},
	}
	layers[0].Hist[29] = 7
	for e := 0; e < 3; e++ {
		nan := math.NaN()
		m := train.EpochMetrics{Epoch: e, LR: 0.9, TrainLoss: float64(10 - e), TrainAcc: nan, ValAcc: nan, TestAcc: nan,
			Position: []float64{-7 + float64(e), 2 - float64(e)}, Distance: 7.2 - float64(e)}
		if err := db.AddEpoch(ctx, runIDs[0], m); err != nil {
			t.Fatal(err)
		}
		if err := db.AddEpoch(ctx, runIDs[1], train.EpochMetrics{Epoch: e, ValAcc: nan, Layers: layers}); err != nil {
			t.Fatal(err)
		}
	}
	check := func(db *store.DB, sweepID int64, what string) {
		t.Helper()
		runs, err := db.Runs(ctx, sweepID)
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
		fnEpochs, mlpEpochs := epochs[runs[0].ID], epochs[runs[1].ID]
		if len(fnEpochs) != 3 || len(mlpEpochs) != 3 {
			t.Fatalf("%s: %d and %d epochs, want 3 each", what, len(fnEpochs), len(mlpEpochs))
		}
		for e, m := range fnEpochs {
			if want := []float64{-7 + float64(e), 2 - float64(e)}; !reflect.DeepEqual(m.Position, want) {
				t.Errorf("%s: epoch %d at %v, want %v", what, e, m.Position, want)
			}
			if m.Distance != 7.2-float64(e) || m.TrainLoss != float64(10-e) {
				t.Errorf("%s: epoch %d: distance %v, value %v", what, e, m.Distance, m.TrainLoss)
			}
			if m.Layers != nil {
				t.Errorf("%s: the function run has layer statistics", what)
			}
		}
		for e, m := range mlpEpochs {
			if m.Position != nil {
				t.Errorf("%s: epoch %d of the MLP run has a position", what, e)
			}
			if len(m.Layers) != 2 {
				t.Fatalf("%s: epoch %d: %d layers, want 2", what, e, len(m.Layers))
			}
			for i, l := range m.Layers {
				if !sameLayer(l, layers[i]) {
					t.Errorf("%s: epoch %d layer %d = %+v, want %+v", what, e, i+1, l, layers[i])
				}
			}
		}
		var dist float64
		if err := db.SQLDB().QueryRowContext(ctx, `SELECT min(distance) FROM run_path WHERE sweep_id = ? AND optimizer = 'sgd'`, sweepID).Scan(&dist); err != nil {
			t.Fatalf("%s: the run_path view: %v", what, err)
		}
		if dist != 5.2 {
			t.Errorf("%s: closest distance %v in run_path, want 5.2", what, dist)
		}
	}
	check(db, sweepID, "recorded")

	target := MustOpenPath(t, filepath.Join(dir, "merged.db"))
	res := mustMerge(t, target, store.MergeOptions{}, src)
	check(target, res.Sweeps[0].ID, "merged")
}

// sameLayer compares layer statistics, NaN equal to NaN.
func sameLayer(a, b train.LayerStats) bool {
	eq := func(x, y float64) bool { return x == y || (math.IsNaN(x) && math.IsNaN(y)) }
	return a.Layer == b.Layer && eq(a.Mean, b.Mean) && eq(a.Std, b.Std) && eq(a.Zeros, b.Zeros) &&
		eq(a.Saturated, b.Saturated) && a.HistLo == b.HistLo && a.HistHi == b.HistHi &&
		reflect.DeepEqual(a.Hist, b.Hist) && a.Below == b.Below && a.Above == b.Above &&
		eq(a.GradRMS, b.GradRMS) && eq(a.WeightRMS, b.WeightRMS) && eq(a.UpdateRatio, b.UpdateRatio)
}
