package store_test

import (
	"context"
	"reflect"
	"testing"
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
