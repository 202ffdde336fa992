package web

import (
	"context"
	"math"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"runner/internal/store"
	"runner/internal/train"
)

// TestServeAnalysis records a random search whose validation accuracy
// depends on the learning rate alone, rising to its upper bound, and asks
// for its analysis: lr first with ≥ 90% of the importance, a warning at
// lr's upper bound and none for weight decay, as runner analyze says.
func TestServeAnalysis(t *testing.T) {
	path := filepath.Join(t.TempDir(), "results.db")
	db := openWriter(t, path)
	ctx := context.Background()
	id, jobs := createSweep(t, db, `
name: hp
search: {method: random, trials: 120}
dataset: {validation: 0.2}
model: {weight_decay: {log_uniform: [1.0e-8, 1.0e-4]}}
optimizers:
  - {name: sgd, lr: {log_uniform: [1.0e-6, 1.0e-2]}}
`)
	nan := math.NaN()
	for _, j := range jobs {
		acc := 0.1 + 0.8*(math.Log10(j.Config.Optimizer.LR)+6)/4
		for e, v := range []float64{0.1, acc} {
			if err := db.AddEpoch(ctx, j.RunID, train.EpochMetrics{Epoch: e, ValAcc: v, TestAcc: nan, TrainLoss: 1}); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.FinishRun(ctx, j.RunID, train.Done, ""); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.FinishSweep(ctx, id, store.SweepDone); err != nil {
		t.Fatal(err)
	}
	ts := serveAPI(t, path)

	v := getOK(t, ts, "/api/sweeps/hp/analysis")
	if n := numField(v, "trials"); n != 120 {
		t.Errorf("trials = %v, want 120", n)
	}
	params := list(field(v, "params"))
	if len(params) != 2 {
		t.Fatalf("%d params, want 2: %v", len(params), v)
	}
	if name := field(params[0], "name"); name != "lr" {
		t.Errorf("the first param is %v, want lr", name)
	}
	if imp := numField(params[0], "importance"); imp < 0.9 {
		t.Errorf("lr's importance %v, want ≥ 0.9", imp)
	}
	if d := field(params[0], "dist"); d != "log_uniform" {
		t.Errorf("lr's dist %v, want log_uniform", d)
	}
	if hi := numField(params[0], "high"); hi != 0.01 {
		t.Errorf("lr's upper bound %v, want 0.01", hi)
	}
	bounds := list(field(v, "bounds"))
	if len(bounds) != 1 || field(bounds[0], "param") != "lr" || field(bounds[0], "upper") != true {
		t.Errorf("bounds = %v, want one at lr's upper bound", bounds)
	}
	warnings := list(field(v, "warnings"))
	if len(warnings) != 1 || !strings.Contains(warnings[0].(string), "widen the range above 0.01") {
		t.Errorf("warnings = %v", warnings)
	}
	for _, tt := range []struct {
		path string
		code int
	}{
		{"/api/sweeps/hp/analysis?metric=bogus", http.StatusBadRequest},
		{"/api/sweeps/hp/analysis?x=1", http.StatusBadRequest},
		{"/api/sweeps/nope/analysis", http.StatusNotFound},
		{"/api/sweeps/hp/analysis?metric=test_acc", http.StatusBadRequest}, // no run recorded it
	} {
		if code, body, _ := get(t, ts, tt.path); code != tt.code {
			t.Errorf("GET %s: %d %v, want %d", tt.path, code, body, tt.code)
		}
	}
}
