package web

import (
	"context"
	"math"
	"net/http"
	"path/filepath"
	"slices"
	"testing"

	"runner/internal/execute"
	"runner/internal/train"
)

// searchSweep is a random search trained on 300 MNIST images: a choice of
// two optimizers, each with its learning rate drawn on a log scale,
// momentum's own coefficient drawn uniformly, and weight decay on a log
// scale for both.
const searchSweep = `
name: search
seed: 3
search: {method: random, trials: 8}
dataset: {train_limit: 300, validation: 0.2}
model: {hidden: [20], weight_decay: {log_uniform: [1.0e-6, 1.0e-2]}}
train: {epochs: 2, batch_size: 50}
optimizers:
  - {name: sgd, lr: {log_uniform: [1.0e-3, 0.5]}}
  - {name: momentum, lr: {log_uniform: [1.0e-4, 0.1]}, momentum: {uniform: [0.5, 0.95]}}
`

// TestServeTrials trains a random search but for its last run and asks
// for its trials: its dimensions with their scales and bounds, and per
// run the values the run's own row gives and the best validation accuracy
// of its epochs after epoch 0 (null for the run not trained), checked
// against the runs and epochs endpoints.
func TestServeTrials(t *testing.T) {
	path := filepath.Join(t.TempDir(), "results.db")
	db := openWriter(t, path)
	_, jobs := createSweep(t, db, searchSweep)
	trained := jobs[:len(jobs)-1]
	results, err := execute.Execute(context.Background(), db, trained, execute.Options{Jobs: 2, MNIST: mnist(t)})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range results {
		if r.Status != train.Done {
			t.Fatalf("run %d: %s (%v)", trained[i].RunID, r.Status, r.Err)
		}
	}
	ts := serveAPI(t, path)

	if got := field(getOK(t, ts, "/api/sweeps/search"), "search"); got != "random" {
		t.Errorf("GET /api/sweeps/search: search %v, want random", got)
	}
	v := getOK(t, ts, "/api/sweeps/search/trials")
	if got := field(v, "search"); got != "random" {
		t.Errorf("search = %v, want random", got)
	}
	if got := field(v, "metric"); got != "val_acc" {
		t.Errorf("metric = %v, want val_acc", got)
	}
	if got := field(v, "higher_is_better"); got != true {
		t.Errorf("higher_is_better = %v", got)
	}
	type dim struct {
		name, scale, entry string
		low, high          float64
		choices            []string
	}
	want := []dim{
		{name: "weight_decay", scale: "log", low: 1e-6, high: 1e-2},
		{name: "optimizer", scale: "choice", choices: []string{"sgd", "momentum"}},
		{name: "lr[sgd]", scale: "log", entry: "sgd", low: 1e-3, high: 0.5},
		{name: "lr[momentum]", scale: "log", entry: "momentum", low: 1e-4, high: 0.1},
		{name: "momentum", scale: "linear", entry: "momentum", low: 0.5, high: 0.95},
	}
	dims := list(field(v, "dims"))
	if len(dims) != len(want) {
		t.Fatalf("%d dims, want %d: %v", len(dims), len(want), dims)
	}
	for i, w := range want {
		d := dims[i]
		var choices []string
		for _, c := range list(field(d, "choices")) {
			choices = append(choices, c.(string))
		}
		entry, _ := field(d, "entry").(string)
		if field(d, "name") != w.name || field(d, "scale") != w.scale || entry != w.entry || !slices.Equal(choices, w.choices) {
			t.Errorf("dim %d = %v, want %+v", i, d, w)
		}
		if w.choices == nil && (numField(d, "low") != w.low || numField(d, "high") != w.high) {
			t.Errorf("dim %s: bounds [%v, %v], want [%v, %v]", w.name, numField(d, "low"), numField(d, "high"), w.low, w.high)
		}
	}

	runs := list(field(getOK(t, ts, "/api/sweeps/search/runs"), "runs"))
	epochs := list(field(getOK(t, ts, "/api/sweeps/search/epochs"), "runs"))
	trials := list(field(v, "trials"))
	if len(trials) != len(jobs) || len(runs) != len(jobs) {
		t.Fatalf("%d trials, %d runs, want %d", len(trials), len(runs), len(jobs))
	}
	bestVal := map[float64]float64{} // run id -> best val_acc after epoch 0, from the epochs endpoint
	for _, e := range epochs {
		best := math.NaN()
		for k, ep := range list(field(e, "epoch")) {
			if x, ok := list(field(e, "val_acc"))[k].(float64); ok && ep.(float64) > 0 && !(x <= best) {
				best = x
			}
		}
		bestVal[numField(e, "id")] = best
	}
	seen := map[string]int{}
	for i, tr := range trials {
		run := runs[i]
		id := numField(run, "id")
		if numField(tr, "run") != id || field(tr, "status") != field(run, "status") {
			t.Errorf("trial %d: run %v %v, want run %v %v", i, field(tr, "run"), field(tr, "status"), id, field(run, "status"))
		}
		params := obj(field(run, "params"))
		opt := params["optimizer"].(string)
		seen[opt]++
		wantVals := []any{params["weight_decay"], float64(slices.Index(want[1].choices, opt)), nil, nil, nil}
		if opt == "sgd" {
			wantVals[2] = params["lr"]
		} else {
			wantVals[3], wantVals[4] = params["lr"], params["momentum"]
		}
		if vals := list(field(tr, "values")); !slices.Equal(vals, wantVals) {
			t.Errorf("run %v: values %v, want %v (its row: %v)", id, vals, wantVals, params)
		}
		metric, ok := field(tr, "metric").(float64)
		if i == len(trials)-1 {
			if field(tr, "metric") != nil || field(tr, "status") != "pending" {
				t.Errorf("the run not trained: metric %v, status %v, want null and pending", field(tr, "metric"), field(tr, "status"))
			}
			continue
		}
		if !ok || metric != bestVal[id] {
			t.Errorf("run %v: metric %v, want its best val_acc after epoch 0, %v", id, field(tr, "metric"), bestVal[id])
		}
	}
	if seen["sgd"] == 0 || seen["momentum"] == 0 {
		t.Errorf("the draws chose %v: the test wants both optimizers", seen)
	}

	// The loss: the lowest after epoch 0, lower is better.
	loss := getOK(t, ts, "/api/sweeps/search/trials?metric=train_loss")
	if field(loss, "higher_is_better") != false {
		t.Errorf("train_loss: higher_is_better = %v", field(loss, "higher_is_better"))
	}
	for i, e := range epochs[:len(epochs)-1] {
		low := math.Inf(1)
		for k, ep := range list(field(e, "epoch")) {
			if x := list(field(e, "train_loss"))[k].(float64); ep.(float64) > 0 && x < low {
				low = x
			}
		}
		if got := numField(list(field(loss, "trials"))[i], "metric"); got != low {
			t.Errorf("run %v: train_loss %v, want %v", numField(e, "id"), got, low)
		}
	}

	for _, tt := range []struct {
		path string
		code int
	}{
		{"/api/sweeps/search/trials?metric=bogus", http.StatusBadRequest},
		{"/api/sweeps/search/trials?x=1", http.StatusBadRequest},
		{"/api/sweeps/nope/trials", http.StatusNotFound},
	} {
		if code, body, _ := get(t, ts, tt.path); code != tt.code {
			t.Errorf("GET %s: %d %v, want %d", tt.path, code, body, tt.code)
		}
	}
}

// TestServeTrialsGrid asks for the trials of a grid sweep: its axes are
// choices, and a sweep that varies nothing has no trials to show (400).
func TestServeTrialsGrid(t *testing.T) {
	ts := serveAPI(t, oneDBPath(t))
	if code, body, _ := get(t, ts, "/api/sweeps/one/trials"); code != http.StatusBadRequest {
		t.Errorf("a sweep that varies nothing: %d %v, want 400", code, body)
	}
	ts = serveAPI(t, resultsDB(t))
	if got := field(getOK(t, ts, "/api/sweeps/ch6"), "search"); got != "grid" {
		t.Errorf("GET /api/sweeps/ch6: search %v, want grid", got)
	}
	v := getOK(t, ts, "/api/sweeps/ch6/trials")
	if field(v, "search") != "grid" {
		t.Errorf("search = %v, want grid", field(v, "search"))
	}
	var names []string
	for _, d := range list(field(v, "dims")) {
		if field(d, "scale") != "choice" {
			t.Errorf("a grid's dim %v: want a choice", d)
		}
		names = append(names, field(d, "name").(string))
	}
	if want := []string{"optimizer", "lr[sgd]", "lr[adam]", "schedule"}; !slices.Equal(names, want) {
		t.Errorf("dims %v, want %v", names, want)
	}
	if n := len(list(field(v, "trials"))); n != 16 {
		t.Errorf("%d trials, want the 16 runs", n)
	}
}
