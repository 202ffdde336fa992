package store_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"runner/internal/store"
	"runner/internal/train"
)

// finished is how a test run ends: its status and the epochs it recorded.
type finished struct {
	status train.Status
	epochs []train.EpochMetrics
}

// mustFinishRun starts the run, records its epochs and ends it with the
// status (a pending run is left as it is, without epochs).
func mustFinishRun(tb testing.TB, db *store.DB, runID int64, r finished) {
	tb.Helper()
	ctx := context.Background()
	if r.status == train.Pending {
		return
	}
	if err := db.StartRun(ctx, runID); err != nil {
		tb.Fatal(err)
	}
	for _, m := range r.epochs {
		if err := db.AddEpoch(ctx, runID, m); err != nil {
			tb.Fatal(err)
		}
	}
	if r.status != train.Running {
		if err := db.FinishRun(ctx, runID, r.status, ""); err != nil {
			tb.Fatal(err)
		}
	}
}

// queryRow returns the first row a query selects, by column name: int64,
// float64, string or nil.
func queryRow(tb testing.TB, db *sql.DB, query string, args ...any) map[string]any {
	tb.Helper()
	rows := queryRows(tb, db, query, args...)
	if len(rows) == 0 {
		tb.Fatalf("%s: no row", query)
	}
	return rows[0]
}

// queryRows returns the rows a query selects, by column name.
func queryRows(tb testing.TB, db *sql.DB, query string, args ...any) []map[string]any {
	tb.Helper()
	rows, err := db.QueryContext(context.Background(), query, args...)
	if err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		tb.Fatal(err)
	}
	var out []map[string]any
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			tb.Fatal(err)
		}
		row := make(map[string]any, len(cols))
		for i, c := range cols {
			row[c] = vals[i]
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
	return out
}

func TestViews_RunSummary(t *testing.T) {
	inf := math.Inf(1)
	for _, tt := range []struct {
		name string
		run  finished
		want map[string]any
	}{
		{"done, best test accuracy tied", finished{train.Done, []train.EpochMetrics{
			{Epoch: 0, LR: 0.01, TrainLoss: 2.3, TrainAcc: 0.1, ValAcc: 0.11, TestAcc: 0.1, Seconds: 0, EvalSeconds: 0.5},
			{Epoch: 1, LR: 0.01, TrainLoss: 0.5, TrainAcc: 0.85, ValAcc: 0.86, TestAcc: 0.9, Seconds: 2, EvalSeconds: 0.5},
			{Epoch: 2, LR: 0.005, TrainLoss: 0.3, TrainAcc: 0.9, ValAcc: 0.88, TestAcc: 0.89, Seconds: 2.5, EvalSeconds: 0.25},
			{Epoch: 3, LR: 0.0025, TrainLoss: 0.35, TrainAcc: 0.91, ValAcc: 0.87, TestAcc: 0.9, Seconds: 2.25, EvalSeconds: 0.25},
		}}, map[string]any{
			"status": "done", "optimizer": "sgd", "lr": 0.01, "seed": int64(1), "momentum": nil, "hidden": "100-100-100-100",
			"sweep_name": "views", "group_key": seedless(baseConfig()),
			"final_epoch": int64(3), "final_train_loss": 0.35, "final_train_acc": 0.91, "final_val_acc": 0.87, "final_test_acc": 0.9,
			"best_test_acc": 0.9, "best_test_epoch": int64(1), "best_val_acc": 0.88, "best_val_epoch": int64(2),
			"min_train_loss": 0.3, "train_seconds": 6.75, "eval_seconds": 1.5,
		}},
		{"no validation", finished{train.Done, []train.EpochMetrics{
			{Epoch: 0, LR: 0.01, TrainLoss: 2.3, TrainAcc: 0.1, ValAcc: math.NaN(), TestAcc: 0.1},
			{Epoch: 1, LR: 0.01, TrainLoss: 0.5, TrainAcc: 0.85, ValAcc: math.NaN(), TestAcc: 0.9, Seconds: 2},
		}}, map[string]any{
			"final_epoch": int64(1), "final_val_acc": nil, "best_val_acc": nil, "best_val_epoch": nil,
			"best_test_acc": 0.9, "best_test_epoch": int64(1),
		}},
		{"diverged", finished{train.Diverged, []train.EpochMetrics{
			{Epoch: 0, LR: 10, TrainLoss: 2.3, TrainAcc: 0.1, ValAcc: 0.1, TestAcc: 0.1},
			{Epoch: 1, LR: 10, TrainLoss: inf, TrainAcc: 0.098, ValAcc: 0.099, TestAcc: 0.098, Seconds: 2},
		}}, map[string]any{
			"status": "diverged", "final_epoch": int64(1), "final_train_loss": inf, "min_train_loss": 2.3,
			"best_test_acc": 0.1, "best_test_epoch": int64(0),
		}},
		{"pending: no epochs", finished{train.Pending, nil}, map[string]any{
			"status": "pending", "final_epoch": nil, "final_test_acc": nil, "best_test_acc": nil, "best_test_epoch": nil,
			"min_train_loss": nil, "train_seconds": 0.0,
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db := MustOpen(t)
			sweepID, runIDs := MustCreateSweep(t, db, "views", baseConfig())
			mustFinishRun(t, db, runIDs[0], tt.run)
			got := queryRows(t, db.SQLDB(), `SELECT * FROM run_summary`)
			if len(got) != 1 {
				t.Fatalf("%d rows, want 1", len(got))
			}
			want := map[string]any{"run_id": runIDs[0], "sweep_id": sweepID}
			for k, v := range tt.want {
				want[k] = v
			}
			for k, v := range want {
				if g, ok := got[0][k]; !ok || g != v {
					t.Errorf("%s = %v (%T), want %v (%T)", k, g, g, v, v)
				}
			}
		})
	}
}

func TestViews_RunEpochs(t *testing.T) {
	db := MustOpen(t)
	c := baseConfig()
	c.Schedule = train.ScheduleConfig{Name: "step", Every: 1, Gamma: 0.5}
	_, runIDs := MustCreateSweep(t, db, "views", c, withSeed(c, 2))
	mustAddEpochs(t, db, runIDs[0], 3)
	mustAddEpochs(t, db, runIDs[1], 2)
	rows := queryRows(t, db.SQLDB(), `SELECT * FROM run_epochs ORDER BY run_id, epoch`)
	if len(rows) != 5 {
		t.Fatalf("%d rows, want 5 (one per run per epoch)", len(rows))
	}
	for i, r := range rows {
		wantRun, wantEpoch, wantSeed := runIDs[0], int64(i), int64(1)
		if i >= 3 {
			wantRun, wantEpoch, wantSeed = runIDs[1], int64(i-3), 2
		}
		if r["run_id"] != wantRun || r["epoch"] != wantEpoch || r["seed"] != wantSeed ||
			r["schedule"] != "step" || r["gamma"] != 0.5 || r["lr"] != 0.01 || r["epoch_lr"] != 0.01 ||
			r["sweep_name"] != "views" || r["train_loss"] != 2.3/float64(wantEpoch+1) {
			t.Errorf("row %d = %v", i, r)
		}
	}
}

// seedless is the group key of runs of the config: its canonical JSON
// without the seed, its last field.
func seedless(c train.Config) string {
	return strings.Replace(string(c.CanonicalJSON()), fmt.Sprintf(`,"seed":%d}`, c.Seed), "}", 1)
}

// sampleStats is what group_summary computes, in Go: the mean and the
// sample standard deviation (NaN for fewer than two values).
func sampleStats(xs []float64) (mean, std float64) {
	if len(xs) == 0 {
		return math.NaN(), math.NaN()
	}
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	if len(xs) < 2 {
		return mean, math.NaN()
	}
	var ss float64
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(ss / float64(len(xs)-1))
}

// final is the last epoch of a run in TestViews_GroupSummary.
type final struct {
	status                train.Status
	testAcc, valAcc, loss float64
}

func TestViews_GroupSummary(t *testing.T) {
	nan := math.NaN()
	for _, tt := range []struct {
		name string
		runs []final
	}{
		{"three seeds", []final{{train.Done, 0.9123, 0.91, 0.31}, {train.Done, 0.9141, 0.905, 0.29}, {train.Done, 0.9087, 0.92, 0.3}}},
		{"equal final accuracies", []final{{train.Done, 0.9123, 0.9, 0.3}, {train.Done, 0.9123, 0.9, 0.3}}},
		{"one seed", []final{{train.Done, 0.9123, 0.9, 0.3}}},
		{"diverged and failed runs are left out", []final{
			{train.Done, 0.95, 0.94, 0.2}, {train.Diverged, 0.098, 0.1, math.Inf(1)}, {train.Done, 0.96, 0.95, 0.1}, {train.Failed, 0.5, 0.5, 1}}},
		{"none done", []final{{train.Interrupted, 0.5, 0.5, 1}, {train.Diverged, 0.1, 0.1, nan}}},
		{"no validation", []final{{train.Done, 0.9, nan, 0.3}, {train.Done, 0.91, nan, 0.25}}},
		{"tiny spread", []final{{train.Done, 0.5, 0.5, 1e-9}, {train.Done, 0.5 + 1e-12, 0.5 + 1e-15, 1.5e-9}}},
		{"large losses", []final{{train.Done, 0.1, 0.1, 1e6}, {train.Done, 0.1, 0.1, 1e6 + 1}, {train.Done, 0.1, 0.1, 1e6 + 3}}},
		{"wide spread", []final{{train.Done, 0, 0, 1e-3}, {train.Done, 1, 1, 1e8}}},
		{"ten seeds", []final{
			{train.Done, 0.97, 0.96, 0.11}, {train.Done, 0.971, 0.961, 0.105}, {train.Done, 0.968, 0.959, 0.12}, {train.Done, 0.9712, 0.962, 0.1},
			{train.Done, 0.9695, 0.9605, 0.115}, {train.Done, 0.9701, 0.958, 0.108}, {train.Done, 0.9688, 0.9611, 0.113}, {train.Done, 0.9702, 0.9599, 0.109},
			{train.Done, 0.9723, 0.9633, 0.101}, {train.Done, 0.9666, 0.9577, 0.125}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db := MustOpen(t)
			configs := make([]train.Config, len(tt.runs))
			for i := range tt.runs {
				configs[i] = withSeed(baseConfig(), int64(i+1))
			}
			sweepID, runIDs := MustCreateSweep(t, db, "group", configs...)
			var acc, val, loss []float64
			nDone := int64(0)
			for i, r := range tt.runs {
				mustFinishRun(t, db, runIDs[i], finished{r.status, []train.EpochMetrics{
					{Epoch: 0, TrainLoss: 2.3, TrainAcc: 0.1, ValAcc: 0.1, TestAcc: 0.1},
					{Epoch: 1, TrainLoss: r.loss, TrainAcc: 0.5, ValAcc: r.valAcc, TestAcc: r.testAcc, Seconds: 1},
				}})
				if r.status == train.Done {
					nDone++
					acc = append(acc, r.testAcc)
					loss = append(loss, r.loss)
					if !math.IsNaN(r.valAcc) {
						val = append(val, r.valAcc)
					}
				}
			}
			rows := queryRows(t, db.SQLDB(), `SELECT * FROM group_summary`)
			if len(rows) != 1 {
				t.Fatalf("%d groups, want 1", len(rows))
			}
			got := rows[0]
			for k, v := range map[string]any{
				"sweep_id": sweepID, "sweep_name": "group", "first_run_id": runIDs[0], "n": int64(len(tt.runs)), "n_done": nDone,
				"optimizer": "sgd", "lr": 0.01, "hidden": "100-100-100-100", "epochs": int64(5),
				"group_key": seedless(baseConfig()),
			} {
				if got[k] != v {
					t.Errorf("%s = %v (%T), want %v (%T)", k, got[k], got[k], v, v)
				}
			}
			if _, ok := got["seed"]; ok {
				t.Error("group_summary has a seed column")
			}
			for _, m := range []struct {
				name string
				xs   []float64
			}{{"test_acc", acc}, {"val_acc", val}, {"train_loss", loss}} {
				mean, std := sampleStats(m.xs)
				assertStat(t, m.name+"_mean", got[m.name+"_mean"], mean)
				assertStat(t, m.name+"_std", got[m.name+"_std"], std)
			}
		})
	}
}

// assertStat checks a statistic from SQL against Go's, NaN standing for
// NULL: within 2 ulps, and exactly when Go's is 0.
func assertStat(tb testing.TB, name string, got any, want float64) {
	tb.Helper()
	if math.IsNaN(want) {
		if got != nil {
			tb.Errorf("%s = %v, want NULL", name, got)
		}
		return
	}
	g, ok := got.(float64)
	if !ok {
		tb.Errorf("%s = %v (%T), want %v", name, got, got, want)
		return
	}
	if want == 0 && g != 0 || math.Abs(g-want) > 4e-16*math.Abs(want) {
		tb.Errorf("%s = %.17g, want %.17g", name, g, want)
	}
}

// Runs of a sweep that differ only in their seed form a group; the same
// configuration in another sweep is another group.
func TestViews_GroupSummary_Groups(t *testing.T) {
	db := MustOpen(t)
	a, b := baseConfig(), baseConfig()
	b.Optimizer = train.OptimizerConfig{Name: "adam", LR: 0.001, Beta1: 0.9, Beta2: 0.999, Eps: 1e-7}
	var firstIDs []int64
	for range 2 {
		_, runIDs := MustCreateSweep(t, db, "ch6", a, b, withSeed(a, 2), withSeed(b, 2), withSeed(b, 3))
		for _, id := range runIDs {
			mustFinishRun(t, db, id, finished{train.Done, []train.EpochMetrics{{Epoch: 0, TestAcc: float64(id) / 100}}})
		}
		firstIDs = append(firstIDs, runIDs[0], runIDs[1])
	}
	rows := queryRows(t, db.SQLDB(), `SELECT sweep_id, optimizer, beta1, n, first_run_id, test_acc_mean FROM group_summary ORDER BY first_run_id`)
	want := []map[string]any{
		{"sweep_id": int64(1), "optimizer": "sgd", "beta1": nil, "n": int64(2), "first_run_id": firstIDs[0], "test_acc_mean": (1 + 3) / 200.0},
		{"sweep_id": int64(1), "optimizer": "adam", "beta1": 0.9, "n": int64(3), "first_run_id": firstIDs[1], "test_acc_mean": (2 + 4 + 5) / 300.0},
		{"sweep_id": int64(2), "optimizer": "sgd", "beta1": nil, "n": int64(2), "first_run_id": firstIDs[2], "test_acc_mean": (6 + 8) / 200.0},
		{"sweep_id": int64(2), "optimizer": "adam", "beta1": 0.9, "n": int64(3), "first_run_id": firstIDs[3], "test_acc_mean": (7 + 9 + 10) / 300.0},
	}
	if len(rows) != len(want) {
		t.Fatalf("%d groups, want %d: %v", len(rows), len(want), rows)
	}
	for i := range want {
		for k, v := range want[i] {
			if g := rows[i][k]; g != v && !(k == "test_acc_mean" && math.Abs(g.(float64)-v.(float64)) < 1e-15) {
				t.Errorf("group %d: %s = %v, want %v", i, k, g, v)
			}
		}
	}
}

// The views work in the sqlite3 shell too, whose SQLite (older, built
// otherwise) gives the same numbers.
func TestViews_SQLiteShell(t *testing.T) {
	shell, err := exec.LookPath("sqlite3")
	if err != nil {
		t.Skip("no sqlite3 shell:", err)
	}
	path := filepath.Join(t.TempDir(), "results.db")
	db := MustOpenPath(t, path)
	configs := []train.Config{baseConfig(), withSeed(baseConfig(), 2), withSeed(baseConfig(), 3)}
	_, runIDs := MustCreateSweep(t, db, "shell", configs...)
	for i, id := range runIDs {
		mustFinishRun(t, db, id, finished{train.Done, []train.EpochMetrics{
			{Epoch: 0, TrainLoss: 2.3, TestAcc: 0.1, ValAcc: 0.1},
			{Epoch: 1, TrainLoss: 0.3 + 0.01*float64(i*i), TestAcc: 0.9 + 0.0013*float64(i), ValAcc: 0.89 - 0.002*float64(i*i), Seconds: 1},
		}})
	}
	const query = `SELECT n, n_done, test_acc_mean, test_acc_std, val_acc_std, train_loss_std FROM group_summary`
	want := queryRow(t, db.SQLDB(), query)
	db.Close()

	out, err := exec.Command(shell, "-json", "-readonly", path, query).CombinedOutput()
	if err != nil {
		t.Fatalf("sqlite3: %v\n%s", err, out)
	}
	var got []map[string]any
	if err := json.Unmarshal(out, &got); err != nil || len(got) != 1 {
		t.Fatalf("sqlite3 printed %s (%v)", out, err)
	}
	for k, v := range want {
		g, _ := got[0][k].(float64)
		w, ok := v.(float64)
		if !ok {
			w = float64(v.(int64))
		}
		if math.Abs(g-w) > 1e-14*math.Abs(w) {
			t.Errorf("%s: sqlite3 gives %v, the driver %v", k, got[0][k], v)
		}
	}
}

// Newton's square root in group_summary agrees with math.Sqrt over the
// range of variances that accuracies and losses have, and beyond.
func TestViews_GroupSummary_SquareRoot(t *testing.T) {
	db := MustOpen(t)
	var diffs []float64
	for e := -150; e <= 150; e += 7 {
		for _, m := range []float64{1, 1.7, 3.1622776601683795, 9.99} {
			diffs = append(diffs, m*math.Pow(10, float64(e)))
		}
	}
	configs := make([]train.Config, 2*len(diffs))
	for i := range configs {
		configs[i] = withSeed(baseConfig(), int64(i%2+1))
		configs[i].Optimizer.LR = float64(i/2+1) / 1000 // one group per difference
	}
	_, runIDs := MustCreateSweep(t, db, "sqrt", configs...)
	for i, id := range runIDs {
		loss := 0.0
		if i%2 == 1 {
			loss = diffs[i/2]
		}
		mustFinishRun(t, db, id, finished{train.Done, []train.EpochMetrics{{Epoch: 0, TrainLoss: loss}}})
	}
	rows := queryRows(t, db.SQLDB(), `SELECT train_loss_mean, train_loss_std FROM group_summary ORDER BY lr`)
	if len(rows) != len(diffs) {
		t.Fatalf("%d groups, want %d", len(rows), len(diffs))
	}
	for i, d := range diffs {
		_, want := sampleStats([]float64{0, d})
		assertStat(t, fmt.Sprintf("std of 0 and %g", d), rows[i]["train_loss_std"], want)
	}
}
