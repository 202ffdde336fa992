package store_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"runner/internal/store"
	"runner/internal/train"
)

func TestDB_Epochs_RoundTrip(t *testing.T) {
	ctx := context.Background()
	nan, inf := math.NaN(), math.Inf(1)
	for _, tt := range []struct {
		name   string
		epochs []train.EpochMetrics
		// typeofLoss is SQLite's typeof(train_loss) for each epoch.
		typeofLoss []string
	}{
		{"with validation", []train.EpochMetrics{
			{Epoch: 0, LR: 0.1, TrainLoss: 2.302585, TrainAcc: 0.0987, ValAcc: 0.1012, TestAcc: 0.0991, Seconds: 0, EvalSeconds: 0.8},
			{Epoch: 1, LR: 0.1, TrainLoss: 0.4, TrainAcc: 0.89, ValAcc: 0.88, TestAcc: 0.885, Seconds: 3.25, EvalSeconds: 0.75},
			{Epoch: 2, LR: 0.05, TrainLoss: 0.2, TrainAcc: 1, ValAcc: 0.93, TestAcc: 0.94, Seconds: 3.5, EvalSeconds: 0.5},
		}, []string{"real", "real", "real"}},
		{"no validation: NaN val_acc", []train.EpochMetrics{
			{Epoch: 0, LR: 0.01, TrainLoss: 2.3, TrainAcc: 0.1, ValAcc: nan, TestAcc: 0.1},
			{Epoch: 1, LR: 0.01, TrainLoss: 1.1, TrainAcc: 0.7, ValAcc: nan, TestAcc: 0.71, Seconds: 1, EvalSeconds: 1},
		}, []string{"real", "real"}},
		{"diverged to NaN", []train.EpochMetrics{
			{Epoch: 0, LR: 10, TrainLoss: 2.3, TrainAcc: 0.1, ValAcc: 0.1, TestAcc: 0.1},
			{Epoch: 1, LR: 10, TrainLoss: nan, TrainAcc: 0.098, ValAcc: 0.099, TestAcc: 0.098, Seconds: 2},
		}, []string{"real", "null"}},
		{"diverged to ±Inf", []train.EpochMetrics{
			{Epoch: 0, LR: 10, TrainLoss: 2.3},
			{Epoch: 1, LR: 10, TrainLoss: inf, Seconds: 2},
			{Epoch: 2, LR: 10, TrainLoss: -inf, Seconds: 2},
		}, []string{"real", "real", "real"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db := MustOpen(t)
			_, runIDs := MustCreateSweep(t, db, "epochs", baseConfig())
			if got, err := db.Epochs(ctx, runIDs[0]); err != nil || len(got) != 0 {
				t.Fatalf("Epochs before any = %v, %v; want none", got, err)
			}
			// Stored out of order; read back ordered by epoch.
			for i := len(tt.epochs) - 1; i >= 0; i-- {
				if err := db.AddEpoch(ctx, runIDs[0], tt.epochs[i]); err != nil {
					t.Fatal(err)
				}
			}
			got, err := db.Epochs(ctx, runIDs[0])
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.epochs) {
				t.Fatalf("Epochs returned %d, want %d", len(got), len(tt.epochs))
			}
			for i := range got {
				if !sameMetrics(got[i], tt.epochs[i]) {
					t.Errorf("epoch %d = %+v, want %+v", i, got[i], tt.epochs[i])
				}
				typeofLoss := queryString(t, db.SQLDB(), `SELECT typeof(train_loss) FROM epochs WHERE run_id = ? AND epoch = ?`, runIDs[0], i)
				if typeofLoss != tt.typeofLoss[i] {
					t.Errorf("epoch %d: typeof(train_loss) = %s, want %s", i, typeofLoss, tt.typeofLoss[i])
				}
				valNull := queryString(t, db.SQLDB(), `SELECT val_acc IS NULL FROM epochs WHERE run_id = ? AND epoch = ?`, runIDs[0], i)
				if want := fmt.Sprint(b2i(math.IsNaN(tt.epochs[i].ValAcc))); valNull != want {
					t.Errorf("epoch %d: val_acc IS NULL = %s, want %s", i, valNull, want)
				}
			}
		})
	}
}

// The documented query for diverged epochs finds NaN and ±Inf losses alone.
func TestDB_Epochs_DivergedQuery(t *testing.T) {
	db := MustOpen(t)
	_, runIDs := MustCreateSweep(t, db, "div", baseConfig())
	for i, loss := range []float64{2.3, math.MaxFloat64, math.NaN(), math.Inf(1), math.Inf(-1)} {
		if err := db.AddEpoch(context.Background(), runIDs[0], train.EpochMetrics{Epoch: i, TrainLoss: loss}); err != nil {
			t.Fatal(err)
		}
	}
	got := queryString(t, db.SQLDB(),
		`SELECT group_concat(epoch) FROM (SELECT epoch FROM epochs WHERE train_loss IS NULL OR abs(train_loss) = 9e999 ORDER BY epoch)`)
	if got != "2,3,4" {
		t.Errorf("diverged epochs = %s, want 2,3,4", got)
	}
}

func TestDB_AddEpoch_Errors(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	_, runIDs := MustCreateSweep(t, db, "dup", baseConfig())
	mustAddEpochs(t, db, runIDs[0], 4)

	err := db.AddEpoch(ctx, runIDs[0], train.EpochMetrics{Epoch: 3, TrainLoss: 9})
	wantPrefix := fmt.Sprintf("store: add epoch 3 of run %d: already recorded", runIDs[0])
	if err == nil || !strings.HasPrefix(err.Error(), wantPrefix) {
		t.Errorf("duplicate epoch: %v, want an error starting %q", err, wantPrefix)
	}
	if ms, _ := db.Epochs(ctx, runIDs[0]); len(ms) != 4 || ms[3].TrainLoss == 9 {
		t.Errorf("duplicate changed the epochs: %+v", ms)
	}

	if err := db.AddEpoch(ctx, runIDs[0]+100, train.EpochMetrics{Epoch: 0}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("epoch of a missing run: %v, want ErrNotFound", err)
	}
	if err := db.AddEpoch(ctx, runIDs[0], train.EpochMetrics{Epoch: -1}); err == nil {
		t.Error("negative epoch accepted")
	}
	if _, err := db.Epochs(ctx, runIDs[0]+100); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Epochs of a missing run: %v, want ErrNotFound", err)
	}
}

func TestDB_StartRun(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2024, 5, 1, 9, 0, 0, 0, time.UTC)
	useClock(t, start, time.Second) // 0 s: CreateSweep, 1 s: StartRun, 2 s: FinishRun, 3 s: StartRun
	db := MustOpen(t)
	_, runIDs := MustCreateSweep(t, db, "rerun", baseConfig(), withSeed(baseConfig(), 2))
	run, other := runIDs[0], runIDs[1]

	if err := db.StartRun(ctx, run); err != nil {
		t.Fatal(err)
	}
	mustAddEpochs(t, db, run, 3)
	mustAddEpochs(t, db, other, 2)
	if err := db.FinishRun(ctx, run, train.Interrupted, "context canceled"); err != nil {
		t.Fatal(err)
	}

	// The rerun starts from scratch.
	if err := db.StartRun(ctx, run); err != nil {
		t.Fatal(err)
	}
	if ms, err := db.Epochs(ctx, run); err != nil || len(ms) != 0 {
		t.Errorf("epochs after StartRun = %d, %v; want none", len(ms), err)
	}
	if ms, err := db.Epochs(ctx, other); err != nil || len(ms) != 2 {
		t.Errorf("the other run's epochs = %d, %v; want 2", len(ms), err)
	}
	r := mustRun(t, db, run)
	want := store.Run{ID: run, SweepID: r.SweepID, Key: r.Config.Key(), Config: baseConfig(),
		Status: train.Running, StartedAt: start.Add(3 * time.Second)}
	if !equalRuns(r, want) {
		t.Errorf("run after StartRun =\n%+v\nwant\n%+v", r, want)
	}
	if got := queryString(t, db.SQLDB(), `SELECT quote(error) || ' ' || quote(finished_at) FROM runs WHERE id = ?`, run); got != "NULL NULL" {
		t.Errorf("error, finished_at after StartRun = %s, want NULL NULL", got)
	}
	mustAddEpochs(t, db, run, 1) // epoch 0 again is not a duplicate

	// A rerun also forgets the path, the logged steps and the layer
	// statistics of its epochs, so that recording them again is no
	// duplicate either (a function run or log_layers killed mid-run and
	// resumed).
	detailed := train.EpochMetrics{Epoch: 1, LR: 0.1, TrainLoss: 0.5, Position: []float64{1, 2}, Distance: 0.3,
		Steps:  []train.StepMetrics{{Step: 1, LR: 0.1, Loss: 0.6}},
		Layers: []train.LayerStats{{Layer: 1, Mean: 0.5, Std: 0.1, Hist: make([]int, 30)}}}
	for pass := range 2 {
		if err := db.StartRun(ctx, run); err != nil {
			t.Fatal(err)
		}
		for _, table := range []string{"epochs", "steps", "path", "layer_stats"} {
			if got := queryString(t, db.SQLDB(), `SELECT count(*) FROM `+table+` WHERE run_id = ?`, run); got != "0" {
				t.Errorf("pass %d: %s rows after StartRun = %s, want 0", pass, table, got)
			}
		}
		if err := db.AddEpoch(ctx, run, detailed); err != nil {
			t.Fatalf("pass %d: %v", pass, err)
		}
	}

	if err := db.StartRun(ctx, run+100); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("StartRun of a missing run: %v, want ErrNotFound", err)
	}
}

func TestDB_FinishRun(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2024, 5, 1, 9, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		status  train.Status
		errText string
		wantErr bool
	}{
		{train.Done, "", false},
		{train.Diverged, "", false},
		{train.Failed, "panic: index out of range", false},
		{train.Interrupted, "", false},
		{train.Pruned, "", false},
		{train.Pending, "", true},
		{train.Running, "", true},
		{"exploded", "", true},
	} {
		t.Run(string(tt.status), func(t *testing.T) {
			useClock(t, start, time.Second)
			db := MustOpen(t)
			_, runIDs := MustCreateSweep(t, db, "finish", baseConfig())
			if err := db.StartRun(ctx, runIDs[0]); err != nil {
				t.Fatal(err)
			}
			err := db.FinishRun(ctx, runIDs[0], tt.status, tt.errText)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("FinishRun(%q) succeeded", tt.status)
				}
				if r := mustRun(t, db, runIDs[0]); r.Status != train.Running || !r.FinishedAt.IsZero() {
					t.Errorf("rejected FinishRun changed the run: %+v", r)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			r := mustRun(t, db, runIDs[0])
			if r.Status != tt.status || r.Error != tt.errText ||
				!r.StartedAt.Equal(start.Add(time.Second)) || !r.FinishedAt.Equal(start.Add(2*time.Second)) {
				t.Errorf("run = %+v", r)
			}
			wantNull := fmt.Sprint(b2i(tt.errText == ""))
			if got := queryString(t, db.SQLDB(), `SELECT error IS NULL FROM runs WHERE id = ?`, runIDs[0]); got != wantNull {
				t.Errorf("error IS NULL = %s, want %s", got, wantNull)
			}
			var secs float64
			if err := db.SQLDB().QueryRow(`SELECT (julianday(finished_at) - julianday(started_at)) * 86400 FROM runs WHERE id = ?`, runIDs[0]).Scan(&secs); err != nil {
				t.Fatal(err)
			}
			if math.Abs(secs-1) > 1e-3 {
				t.Errorf("run time by SQLite's date functions = %g s, want 1", secs)
			}
		})
	}
	db := MustOpen(t)
	if err := db.FinishRun(ctx, 42, train.Done, ""); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("FinishRun of a missing run: %v, want ErrNotFound", err)
	}
}

// In WAL mode a reader's open transaction neither blocks the writer nor sees
// its commits until it ends.
func TestDB_ReaderSnapshotDoesNotBlockWriter(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "results.db")
	w := MustOpenPath(t, path)
	_, runIDs := MustCreateSweep(t, w, "wal", baseConfig())
	mustAddEpochs(t, w, runIDs[0], 1)

	r := MustOpenReadOnly(t, path)
	tx, err := r.SQLDB().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	count := func() int {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM epochs`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(); n != 1 {
		t.Fatalf("reader sees %d epochs, want 1", n)
	}

	// A writer blocked by the reader would fail with "database is locked"
	// once the busy timeout ran out.
	for e := 1; e < 5; e++ {
		if err := w.AddEpoch(ctx, runIDs[0], train.EpochMetrics{Epoch: e}); err != nil {
			t.Fatalf("writer blocked by a reader: %v", err)
		}
	}
	if n := count(); n != 1 {
		t.Errorf("reader's snapshot sees %d epochs, want still 1", n)
	}
	tx.Rollback()
	if ms, err := r.Epochs(ctx, runIDs[0]); err != nil || len(ms) != 5 {
		t.Errorf("after its transaction the reader sees %d epochs, %v; want 5", len(ms), err)
	}
}

func TestDB_ConcurrentReadersAndWriter(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "results.db")
	w := MustOpenPath(t, path)
	sweepID, runIDs := MustCreateSweep(t, w, "concurrent", baseConfig(), withSeed(baseConfig(), 2))
	const epochs = 200

	// Two readers, each with its own read-only connection, read in a loop
	// while this goroutine writes, until the writer has written every epoch
	// and each reader has read many times during the writes.
	readers := []*store.DB{MustOpenReadOnly(t, path), MustOpenReadOnly(t, path)}
	const minReads = 50
	var reads [2]atomic.Int64
	done := make(chan struct{})
	errs := make(chan error, len(readers))
	var wg sync.WaitGroup
	for i, r := range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			last := 0
			for {
				select {
				case <-done:
					return
				default:
				}
				ms, err := r.Epochs(ctx, runIDs[i])
				if err != nil {
					errs <- fmt.Errorf("reader %d: %w", i, err)
					return
				}
				if len(ms) < last {
					errs <- fmt.Errorf("reader %d: epochs went from %d to %d", i, last, len(ms))
					return
				}
				last = len(ms)
				if _, err := r.Runs(ctx, sweepID); err != nil {
					errs <- fmt.Errorf("reader %d: %w", i, err)
					return
				}
				if _, err := r.LatestSweep(ctx, ""); err != nil {
					errs <- fmt.Errorf("reader %d: %w", i, err)
					return
				}
				reads[i].Add(1)
			}
		}()
	}

	// The writer: this goroutine.
	for _, id := range runIDs {
		if err := w.StartRun(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	written := 0
	for e := 0; e < epochs || reads[0].Load() < minReads || reads[1].Load() < minReads; e++ {
		if time.Now().After(deadline) {
			t.Fatalf("readers made %d and %d reads in 30 s", reads[0].Load(), reads[1].Load())
		}
		for _, id := range runIDs {
			if err := w.AddEpoch(ctx, id, train.EpochMetrics{Epoch: e, TrainLoss: 1 / float64(e+1), ValAcc: math.NaN()}); err != nil {
				t.Fatalf("writer: %v", err)
			}
		}
		written++
	}
	for _, id := range runIDs {
		if err := w.FinishRun(ctx, id, train.Done, ""); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.FinishSweep(ctx, sweepID, "done"); err != nil {
		t.Fatal(err)
	}
	close(done)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for i, r := range readers {
		if ms, err := r.Epochs(ctx, runIDs[i]); err != nil || len(ms) != written {
			t.Errorf("reader %d finally sees %d epochs, %v; want %d", i, len(ms), err, written)
		}
	}
}

func mustRun(tb testing.TB, db *store.DB, id int64) store.Run {
	tb.Helper()
	var sweepID int64
	if err := db.SQLDB().QueryRow(`SELECT sweep_id FROM runs WHERE id = ?`, id).Scan(&sweepID); err != nil {
		tb.Fatal(err)
	}
	runs, err := db.Runs(context.Background(), sweepID)
	if err != nil {
		tb.Fatal(err)
	}
	for _, r := range runs {
		if r.ID == id {
			return r
		}
	}
	tb.Fatalf("run %d not in Runs(%d)", id, sweepID)
	return store.Run{}
}

func equalRuns(a, b store.Run) bool {
	return a.ID == b.ID && a.SweepID == b.SweepID && a.Key == b.Key &&
		string(a.Config.CanonicalJSON()) == string(b.Config.CanonicalJSON()) &&
		a.Status == b.Status && a.Error == b.Error &&
		a.StartedAt.Equal(b.StartedAt) && a.FinishedAt.Equal(b.FinishedAt)
}

// sameMetrics compares field by field, NaN equal to NaN.
func sameMetrics(a, b train.EpochMetrics) bool {
	same := func(x, y float64) bool { return x == y || math.IsNaN(x) && math.IsNaN(y) }
	return a.Epoch == b.Epoch && same(a.LR, b.LR) && same(a.TrainLoss, b.TrainLoss) &&
		same(a.TrainAcc, b.TrainAcc) && same(a.ValAcc, b.ValAcc) && same(a.TestAcc, b.TestAcc) &&
		same(a.Seconds, b.Seconds) && same(a.EvalSeconds, b.EvalSeconds)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
