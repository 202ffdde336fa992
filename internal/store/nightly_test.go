package store_test

import (
	"context"
	"math"
	"reflect"
	"testing"

	"runner/internal/train"
)

// TestDB_DeleteSweeps deletes two of three sweeps: their runs and epochs go
// with them, the third is untouched.
func TestDB_DeleteSweeps(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	var sweepIDs []int64
	for i, name := range []string{"a", "a", "b"} {
		id, runs := MustCreateSweep(t, db, name, withSeed(baseConfig(), int64(2*i)), withSeed(baseConfig(), int64(2*i+1)))
		for _, r := range runs {
			mustAddEpochs(t, db, r, 3)
		}
		sweepIDs = append(sweepIDs, id)
	}
	if ids, err := db.SweepIDs(ctx, "a"); err != nil || !reflect.DeepEqual(ids, []int64{sweepIDs[1], sweepIDs[0]}) {
		t.Fatalf("SweepIDs(a) = %v, %v; want newest first %v", ids, err, []int64{sweepIDs[1], sweepIDs[0]})
	}
	if names, err := db.SweepNames(ctx); err != nil || !reflect.DeepEqual(names, []string{"a", "b"}) {
		t.Fatalf("SweepNames = %v, %v", names, err)
	}
	if err := db.DeleteSweeps(ctx, sweepIDs[:2]); err != nil {
		t.Fatal(err)
	}
	for _, q := range []struct {
		query string
		want  int
	}{
		{`SELECT count(*) FROM sweeps`, 1},
		{`SELECT count(*) FROM runs`, 2},
		{`SELECT count(*) FROM epochs`, 6},
		{`SELECT count(*) FROM runs WHERE sweep_id = 3`, 2},
	} {
		var n int
		if err := db.SQLDB().QueryRow(q.query).Scan(&n); err != nil || n != q.want {
			t.Errorf("%s = %d (%v), want %d", q.query, n, err, q.want)
		}
	}
	if err := db.Vacuum(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestDB_ReopenSweep(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	id, _ := MustCreateSweep(t, db, "a", baseConfig())
	if err := db.FinishSweep(ctx, id, "interrupted"); err != nil {
		t.Fatal(err)
	}
	if err := db.ReopenSweep(ctx, id); err != nil {
		t.Fatal(err)
	}
	s, err := db.Sweep(ctx, id)
	if err != nil || s.Status != "running" || !s.FinishedAt.IsZero() {
		t.Errorf("after reopen: status %q, finished %v (%v)", s.Status, s.FinishedAt, err)
	}
	if err := db.ReopenSweep(ctx, id+100); err == nil {
		t.Error("reopening a missing sweep succeeded")
	}
}

// TestDB_Steps records an epoch with logged steps: they come back in order,
// a rerun of the run clears them, and deleting its sweep deletes them.
func TestDB_Steps(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	id, runs := MustCreateSweep(t, db, "a", baseConfig())
	m := train.EpochMetrics{Epoch: 1, LR: 0.1, TrainLoss: 0.5, TrainAcc: 0.8, ValAcc: 0.7, TestAcc: 0.75,
		Steps: []train.StepMetrics{{Step: 5, LR: 0.1, Loss: 0.6}, {Step: 10, LR: 0.1, Loss: math.Inf(1)}}}
	if err := db.AddEpoch(ctx, runs[0], m); err != nil {
		t.Fatal(err)
	}
	got, err := db.Steps(ctx, runs[0])
	if err != nil || len(got) != 2 || got[0] != m.Steps[0] || got[1].Step != 10 || !math.IsInf(got[1].Loss, 1) {
		t.Fatalf("Steps = %+v, %v; want %+v", got, err, m.Steps)
	}
	// A duplicate epoch fails as a whole: its steps are not added either.
	m.Steps = []train.StepMetrics{{Step: 15, LR: 0.1, Loss: 0.4}}
	if err := db.AddEpoch(ctx, runs[0], m); err == nil {
		t.Fatal("a duplicate epoch was accepted")
	}
	if got, _ := db.Steps(ctx, runs[0]); len(got) != 2 {
		t.Errorf("after a failed AddEpoch: %d steps, want 2", len(got))
	}
	if err := db.StartRun(ctx, runs[0]); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Steps(ctx, runs[0]); len(got) != 0 {
		t.Errorf("after StartRun: %d steps, want 0", len(got))
	}
	m.Epoch = 1
	if err := db.AddEpoch(ctx, runs[0], m); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteSweeps(ctx, []int64{id}); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.SQLDB().QueryRow(`SELECT count(*) FROM steps`).Scan(&n); err != nil || n != 0 {
		t.Errorf("steps after deleting the sweep: %d (%v)", n, err)
	}
}
