package web

import (
	"context"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"runner/internal/execute"
	"runner/internal/report"
	"runner/internal/store"
	"runner/internal/sweep"
	"runner/internal/train"
)

// finderSweep is the run of the range tests: momentum on 500 MNIST images,
// batches of 50, whose loss diverges before lr 100.
const finderSweep = `
name: finder
dataset: {train_limit: 500}
model: {hidden: [50]}
train: {epochs: 1, batch_size: 50}
optimizers: [{name: momentum, lr: 0.01}]
`

// finderRange is the range of the tests: 60 steps from 1e-4 to 100.
var finderRange = train.LRRange{Start: 1e-4, End: 100, Steps: 60}

var lrDB trained // oneSweep, then finderSweep's range test, as runner lr-find records it

// lrFindDBPath returns the path of a copy of a database holding a training
// sweep (1, "one") and the range test of finderSweep (2, "finder-lrfind"),
// recorded by execute.FindLR as runner lr-find records it.
func lrFindDBPath(t *testing.T) string {
	return lrDB.copyOf(t, func(t *testing.T, path string) {
		trainSweep(t, path, oneSweep)
		file := filepath.Join(t.TempDir(), "finder.yaml")
		if err := os.WriteFile(file, []byte(finderSweep), 0o644); err != nil {
			t.Fatal(err)
		}
		plans, err := execute.LoadPlans([]string{file}, nil, sweep.DefaultMaxRuns)
		if err != nil {
			t.Fatal(err)
		}
		out, err := execute.FindLR(context.Background(), plans[0], 0, execute.LRFindOptions{
			DB: path, Name: "finder" + report.LRFindSuffix, Range: finderRange,
		})
		if err != nil {
			t.Fatal(err)
		}
		if out.SweepID != 2 || out.Result.Status() != train.Diverged {
			t.Fatalf("range test: sweep %d, %s; want sweep 2, diverged", out.SweepID, out.Result.Status())
		}
	})
}

// TestServeLRFind asks for a real range test: its facts are those of
// report.SummarizeLR (the lines runner compare prints), its curve the
// steps stored, its marks those of train.AnalyzeLR; the sweep list and
// the sweep answer label it and give its suggested rate, and a training
// sweep has none.
func TestServeLRFind(t *testing.T) {
	path := lrFindDBPath(t)

	// What the report code finds, reading the database itself.
	db, err := store.OpenReadOnly(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	sw, err := report.Load(context.Background(), db, 2)
	if err != nil {
		t.Fatal(err)
	}
	steps, err := db.Steps(context.Background(), sw.Runs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	sum, err := report.SummarizeLR(sw)
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	if err := sum.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	c := sum.Curve
	if c.Stop < 0 || len(steps) != c.Stop+1 || len(steps) < 10 {
		t.Fatalf("the range test: %d steps, stop %d; want it stopped after 10 steps or more", len(steps), c.Stop)
	}

	ts := serveAPI(t, path)
	v := getOK(t, ts, "/api/sweeps/finder-lrfind/lrfind")
	if got := field(v, "sweep"); numField(got, "id") != 2 || field(got, "name") != "finder-lrfind" || field(got, "status") != "done" {
		t.Errorf("sweep %v, want 2, finder-lrfind, done", got)
	}
	if got := field(v, "summary"); got != sum.Run() || !strings.HasPrefix(sum.Run(), "momentum, hidden 50, batch 50, seed 1 (key ") {
		t.Errorf("summary %q, want %q", got, sum.Run())
	}

	// The facts: report's, which are the lines runner compare prints.
	facts := list(field(v, "facts"))
	lines := strings.Split(strings.TrimSuffix(text.String(), "\n"), "\n")
	if len(facts) != 7 || len(lines) != 7 {
		t.Fatalf("%d facts, %d lines printed; want 7:\n%v\n%s", len(facts), len(lines), facts, text.String())
	}
	for i, want := range sum.Facts() {
		f := facts[i]
		if field(f, "name") != want.Name || field(f, "value") != want.Value || field(f, "text") != want.Text {
			t.Errorf("fact %d: %v, want %+v", i, f, want)
		}
		if printed := strings.Join(strings.Fields(lines[i]), " "); printed != strings.Join(strings.Fields(want.Name+" "+want.Text), " ") {
			t.Errorf("fact %d: %v; runner compare prints %q", i, f, lines[i])
		}
	}
	if got := field(facts[2], "text"); !strings.HasPrefix(got.(string), "stopped at step ") || !strings.Contains(got.(string), "exceeds 4 × its lowest") {
		t.Errorf("ended: %v, want the step it stopped at and why", got)
	}

	// The curve: the steps stored, bit for bit, and the smoothed loss.
	curve := field(v, "curve")
	stepN, lr, loss, smoothed := list(field(curve, "step")), list(field(curve, "lr")), list(field(curve, "loss")), list(field(curve, "smoothed"))
	if len(stepN) != len(steps) || len(lr) != len(steps) || len(loss) != len(steps) || len(smoothed) != len(steps) {
		t.Fatalf("curve of %d, %d, %d, %d points; want the %d steps", len(stepN), len(lr), len(loss), len(smoothed), len(steps))
	}
	for i, st := range steps {
		if stepN[i] != float64(st.Step) || lr[i] != st.LR || loss[i] != st.Loss || smoothed[i] != c.Smoothed[i] || st.LR != finderRange.Rate(i) {
			t.Errorf("point %d: step %v, lr %v, loss %v, smoothed %v; want step %d, lr %v, loss %v, smoothed %v",
				i, stepN[i], lr[i], loss[i], smoothed[i], st.Step, st.LR, st.Loss, c.Smoothed[i])
		}
	}
	for _, tt := range []struct {
		key  string
		want any
	}{
		{"min", float64(c.Min)}, {"steepest", float64(c.Steepest)}, {"stop", float64(c.Stop)}, {"reason", c.Reason},
		{"min_lr", c.MinRate()}, {"steepest_lr", c.SteepestRate()}, {"suggested_lr", c.Suggestion()}, {"clamped", c.Clamped()},
		{"smoothing", train.LRSmoothing}, {"divergence", train.LRDivergence},
	} {
		if got := field(v, tt.key); got != tt.want {
			t.Errorf("%s = %v, want %v", tt.key, got, tt.want)
		}
	}
	if !(c.Min > 0 && c.Min < c.Stop) || c.Suggestion() != c.MinRate()/10 {
		t.Errorf("the test's lowest smoothed loss at step %d of %d, suggestion %v: want one inside the range, a tenth of its rate", c.Min, c.Stop, c.Suggestion())
	}

	// The run, with its config, as GET /api/runs/RUN gives it.
	run := field(v, "run")
	want := getOK(t, ts, "/api/runs/"+strconv.FormatInt(sw.Runs[0].ID, 10))
	if field(run, "status") != "diverged" || field(run, "error") != c.Reason || !sameJSON(field(run, "config"), field(want, "config")) ||
		field(field(run, "config"), "optimizer") == nil {
		t.Errorf("run %v, want diverged with its config %v", run, field(want, "config"))
	}

	// The list and the sweep answer label the range test and give its
	// suggestion; the training sweep has none.
	byName := map[string]any{}
	for _, s := range list(field(getOK(t, ts, "/api/sweeps"), "sweeps")) {
		byName[field(s, "name").(string)] = s
	}
	for _, s := range []any{byName["finder-lrfind"], getOK(t, ts, "/api/sweeps/2")} {
		if field(s, "lrfind") != true || field(s, "suggested_lr") != c.Suggestion() || field(s, "best_test_acc") != nil {
			t.Errorf("range test: lrfind %v, suggested_lr %v, best_test_acc %v; want true, %v, null",
				field(s, "lrfind"), field(s, "suggested_lr"), field(s, "best_test_acc"), c.Suggestion())
		}
	}
	for _, s := range []any{byName["one"], getOK(t, ts, "/api/sweeps/one")} {
		if field(s, "lrfind") != false || field(s, "suggested_lr") != nil {
			t.Errorf("training sweep: lrfind %v, suggested_lr %v; want false, null", field(s, "lrfind"), field(s, "suggested_lr"))
		}
	}

	// A training sweep records no range test; an unknown one is not found.
	for _, tt := range []struct {
		path string
		code int
		want string
	}{
		{"/api/sweeps/one/lrfind", http.StatusBadRequest, "records no learning-rate range test"},
		{"/api/sweeps/nothing/lrfind", http.StatusNotFound, "no sweep"},
		{"/api/sweeps/2/lrfind?metric=val_acc", http.StatusBadRequest, "unknown query parameter"},
	} {
		code, body, _ := get(t, ts, tt.path)
		if code != tt.code || !strings.Contains(field(body, "error").(string), tt.want) {
			t.Errorf("GET %s: %d %v, want %d with %q", tt.path, code, body, tt.code, tt.want)
		}
	}
}

// sameJSON reports whether two decoded JSON values are equal.
func sameJSON(a, b any) bool {
	switch a := a.(type) {
	case map[string]any:
		b, ok := b.(map[string]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for k, v := range a {
			if !sameJSON(v, b[k]) {
				return false
			}
		}
		return true
	case []any:
		b, ok := b.([]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for i := range a {
			if !sameJSON(a[i], b[i]) {
				return false
			}
		}
		return true
	case float64:
		b, ok := b.(float64)
		return ok && (a == b || math.IsNaN(a) && math.IsNaN(b))
	}
	return a == b
}
