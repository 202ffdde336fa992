package web

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"

	"runner/internal/objective"
	"runner/internal/report"
	"runner/internal/store"
	"runner/internal/train"
)

// The database of the tests of the paths and layers endpoints is written
// through internal/store, as the trainer's runs write it: sweep 1
// ("paths") holds runs on objective functions, whose points are those of
// gradient descent on them, and an MNIST run; sweep 2 ("layers") an MNIST
// run with layer statistics and one without.

// functionConfig is the config of a run of plain gradient descent with
// rate lr on the function name from start.
func functionConfig(name string, condition float64, start []float64, lr float64, steps int, seed int64) train.Config {
	return train.Config{
		Dataset:   train.DatasetConfig{Name: "function", Function: name, Start: start, Condition: condition},
		Optimizer: train.OptimizerConfig{Name: "sgd", LR: lr},
		Schedule:  train.ScheduleConfig{Name: "constant"},
		Epochs:    steps, Seed: seed,
	}
}

// descend returns the epochs of a run of c: the points of gradient
// descent on its function, step 0 the start, with their values and
// distances to the nearest minimum.
func descend(t *testing.T, c train.Config) []train.EpochMetrics {
	t.Helper()
	fn, err := objective.Lookup(c.Dataset.Function, c.Dataset.Condition)
	if err != nil {
		t.Fatal(err)
	}
	x := append([]float64(nil), c.Dataset.Start...)
	g := make([]float64, 2)
	var out []train.EpochMetrics
	for step := 0; step <= c.Epochs; step++ {
		if step > 0 {
			fn.Grad(g, x)
			x[0], x[1] = x[0]-c.Optimizer.LR*g[0], x[1]-c.Optimizer.LR*g[1]
		}
		out = append(out, train.EpochMetrics{Epoch: step, LR: c.Optimizer.LR, TrainLoss: fn.Value(x),
			TrainAcc: nan, ValAcc: nan, TestAcc: nan, Seconds: 0.001, EvalSeconds: nan,
			Position: []float64{x[0], x[1]}, Distance: objective.Distance(fn, x)})
	}
	return out
}

// layerStats returns made-up statistics of the hidden layers of a ReLU
// network at an epoch: the histogram of layer l at epoch e is a bump
// whose place moves with both.
func layerStats(epoch, layers int) []train.LayerStats {
	var out []train.LayerStats
	for l := 1; l <= layers; l++ {
		s := train.LayerStats{Layer: l, Mean: 0.1 * float64(l+epoch), Std: 0.5 / float64(l), Zeros: 0.4 + 0.05*float64(l),
			Saturated: nan, HistLo: 0, HistHi: 2 + float64(l), Hist: make([]int, train.HistBins), Below: 0, Above: epoch + l,
			GradRMS: nan, WeightRMS: 0.05 * float64(l), UpdateRatio: nan}
		for i := range s.Hist {
			d := float64(i - 3*l - 4*epoch)
			s.Hist[i] = int(200 * math.Exp(-d*d/8))
		}
		if epoch > 0 {
			s.GradRMS, s.UpdateRatio = 0.01*float64(epoch), 1e-3/float64(epoch)
		}
		out = append(out, s)
	}
	return out
}

// recordRun runs run id through the store as the trainer does: started,
// its epochs added one by one, done.
func recordRun(t *testing.T, db *store.DB, id int64, epochs []train.EpochMetrics) {
	t.Helper()
	ctx := context.Background()
	if err := db.StartRun(ctx, id); err != nil {
		t.Fatal(err)
	}
	for _, e := range epochs {
		if err := db.AddEpoch(ctx, id, e); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.FinishRun(ctx, id, train.Done, ""); err != nil {
		t.Fatal(err)
	}
}

// The runs of sweep 1 of detailDBPath, by id.
var (
	bookStart = []float64{-7, 2}
	pathRuns  = []train.Config{
		functionConfig("book", 0, bookStart, 0.95, 30, 1),     // 1: zigzags to the minimum
		functionConfig("book", 0, bookStart, 0.1, 30, 1),      // 2: slowly
		functionConfig("book", 0, bookStart, 1.05, 30, 1),     // 3: y grows ×1.1 a step: leaves the window, then not finite
		functionConfig("quadratic", 4, bookStart, 0.3, 20, 1), // 4
		functionConfig("nosuch", 0, bookStart, 0.1, 2, 1),     // 5: a function this runner does not know
		{Dataset: train.DatasetConfig{Name: "mnist", TrainLimit: 100}, Model: train.ModelConfig{Hidden: []int{10}},
			Optimizer: train.OptimizerConfig{Name: "sgd", LR: 0.1}, Schedule: train.ScheduleConfig{Name: "constant"},
			Epochs: 1, BatchSize: 50, Seed: 1}, // 6: MNIST
		functionConfig("book", 0, bookStart, 0.95, 30, 2), // 7: run 1's configuration, another seed
	}
	layerRuns = []train.Config{
		{Dataset: train.DatasetConfig{Name: "mnist", TrainLimit: 100}, Model: train.ModelConfig{Hidden: []int{50, 50}, Activation: "relu"},
			Optimizer: train.OptimizerConfig{Name: "sgd", LR: 0.1}, Schedule: train.ScheduleConfig{Name: "constant"},
			Epochs: 2, BatchSize: 50, Seed: 1, LogLayers: true}, // 8: with layer statistics
		{Dataset: train.DatasetConfig{Name: "mnist", TrainLimit: 100}, Model: train.ModelConfig{Hidden: []int{50, 50}, Activation: "relu"},
			Optimizer: train.OptimizerConfig{Name: "sgd", LR: 0.1}, Schedule: train.ScheduleConfig{Name: "constant"},
			Epochs: 2, BatchSize: 50, Seed: 2}, // 9: without
	}
)

var detailDB trained

// detailDBPath returns the path of a copy of the database of the paths
// and layers sweeps.
func detailDBPath(t *testing.T) string {
	return detailDB.copyOf(t, func(t *testing.T, path string) {
		ctx := context.Background()
		db, err := store.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		id, runIDs, err := db.CreateSweep(ctx, store.SweepRecord{Name: "paths", Spec: "name: paths\n"}, pathRuns)
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range pathRuns {
			var epochs []train.EpochMetrics
			switch c.Dataset.Function {
			case "":
				epochs = []train.EpochMetrics{{Epoch: 0, LR: 0.1, TrainLoss: 2.3, TrainAcc: 0.1, ValAcc: nan, TestAcc: 0.1, Seconds: 0.1, EvalSeconds: 0.1},
					{Epoch: 1, LR: 0.1, TrainLoss: 1.9, TrainAcc: 0.4, ValAcc: nan, TestAcc: 0.4, Seconds: 0.1, EvalSeconds: 0.1}}
			case "nosuch":
				for s := range 3 {
					epochs = append(epochs, train.EpochMetrics{Epoch: s, LR: 0.1, TrainLoss: 1 / float64(s+1), TrainAcc: nan, ValAcc: nan, TestAcc: nan,
						Seconds: nan, EvalSeconds: nan, Position: []float64{float64(s), -float64(s)}, Distance: nan})
				}
			default:
				epochs = descend(t, c)
			}
			if i == 2 { // a last step that overflowed
				epochs = append(epochs, train.EpochMetrics{Epoch: len(epochs), LR: 1.05, TrainLoss: math.Inf(1), TrainAcc: nan, ValAcc: nan,
					TestAcc: nan, Seconds: nan, EvalSeconds: nan, Position: []float64{math.Inf(1), nan}, Distance: nan})
			}
			recordRun(t, db, runIDs[i], epochs)
		}
		if err := db.FinishSweep(ctx, id, "done"); err != nil {
			t.Fatal(err)
		}
		id, runIDs, err = db.CreateSweep(ctx, store.SweepRecord{Name: "layers", Spec: "name: layers\n"}, layerRuns)
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range layerRuns {
			var epochs []train.EpochMetrics
			for e := 0; e <= c.Epochs; e++ {
				m := train.EpochMetrics{Epoch: e, LR: 0.1, TrainLoss: 2.3 / float64(e+1), TrainAcc: 0.3, ValAcc: nan, TestAcc: 0.3,
					Seconds: 0.1, EvalSeconds: 0.1}
				if c.LogLayers {
					m.Layers = layerStats(e, len(c.Model.Hidden))
				}
				epochs = append(epochs, m)
			}
			recordRun(t, db, runIDs[i], epochs)
		}
		if err := db.FinishSweep(ctx, id, "done"); err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	})
}

// loaded returns the runs of a sweep as report.Load reads them (with
// their positions and layer statistics), by id.
func loaded(t *testing.T, path string, sweepID int64) map[int64]report.Run {
	t.Helper()
	sw, err := report.Load(context.Background(), openRead(t, path), sweepID)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64]report.Run{}
	for _, r := range sw.Runs {
		out[r.ID] = r
	}
	return out
}

// same reports whether the API's value got (a float64, or nil for null)
// is want, null standing for NaN and ±Inf.
func same(got any, want float64) bool {
	if math.IsNaN(want) || math.IsInf(want, 0) {
		return got == nil
	}
	return got == want
}

// ids returns the numbers of a JSON list.
func ids(v any) string {
	var out []string
	for _, x := range list(v) {
		out = append(out, fmt.Sprint(x))
	}
	return strings.Join(out, ",")
}

// TestServePaths asks for the paths of the function runs of sweep 1, all
// and selected, and checks them against what report.Load reads, and each
// function's grid against the function.
func TestServePaths(t *testing.T) {
	path := detailDBPath(t)
	before := fileHash(t, path)
	ts := serveAPI(t, path)
	runs := loaded(t, path, 1)

	ans := getOK(t, ts, "/api/sweeps/1/paths")
	ps := list(ans["runs"])
	if numField(ans, "sweep_id") != 1 || len(ps) != 6 {
		t.Fatalf("paths of sweep 1: %d runs, want the 6 on functions: %v", len(ps), ids(ans["runs"]))
	}
	var got []string
	for _, p := range ps {
		id := int64(numField(p, "id"))
		got = append(got, fmt.Sprint(id))
		run := runs[id]
		if field(p, "function") != functionKey(run.Config.Dataset.Function, run.Config.Dataset.Condition) || field(p, "group") != groupOf(string(run.Config.CanonicalJSON())) {
			t.Errorf("run %d: function %v, group %v", id, field(p, "function"), field(p, "group"))
		}
		steps, x, y, value, dist := list(field(p, "step")), list(field(p, "x")), list(field(p, "y")), list(field(p, "value")), list(field(p, "distance"))
		if len(steps) != len(run.Epochs) || len(x) != len(steps) || len(y) != len(steps) || len(value) != len(steps) || len(dist) != len(steps) {
			t.Errorf("run %d: %d steps (x %d, y %d, value %d, distance %d), the database has %d", id, len(steps), len(x), len(y), len(value), len(dist), len(run.Epochs))
			continue
		}
		for i, e := range run.Epochs {
			if steps[i] != float64(e.Epoch) || !same(x[i], e.Position[0]) || !same(y[i], e.Position[1]) ||
				!same(value[i], e.TrainLoss) || !same(dist[i], e.Distance) {
				t.Errorf("run %d step %d: (%v, %v) value %v distance %v; the database has %v %v %v", id, i, x[i], y[i], value[i], dist[i], e.Position, e.TrainLoss, e.Distance)
			}
		}
	}
	if s := strings.Join(got, ","); s != "1,2,3,4,5,7" {
		t.Errorf("paths of sweep 1: runs %s, want 1,2,3,4,5,7 (not the MNIST run 6)", s)
	}

	fns := list(ans["functions"])
	if len(fns) != 3 {
		t.Fatalf("functions: %v", fns)
	}
	for i, want := range []struct {
		key, runs string
		fn        objective.Function
		lo, hi    [2]float64
	}{
		// Run 3 leaves the window along y: widened by at most its span each way.
		{"book", "1,2,3,7", objective.Book{}, [2]float64{-10, -15}, [2]float64{10, 15}},
		{"quadratic κ=4", "4", objective.Quadratic{Condition: 4}, [2]float64{-10, -5}, [2]float64{10, 5}},
		{"nosuch", "5", nil, [2]float64{}, [2]float64{}},
	} {
		f := fns[i]
		if field(f, "key") != want.key || ids(field(f, "run_ids")) != want.runs {
			t.Errorf("function %d: key %v, runs %v; want %s of runs %s", i, field(f, "key"), ids(field(f, "run_ids")), want.key, want.runs)
			continue
		}
		if want.fn == nil {
			if !strings.Contains(fmt.Sprint(field(f, "error")), `unknown function "nosuch"`) || field(f, "z") != nil {
				t.Errorf("function nosuch: error %v, grid %v", field(f, "error"), field(f, "z") != nil)
			}
			continue
		}
		checkGrid(t, f, want.fn, want.lo, want.hi)
	}
	if c := field(fns[1], "condition"); c != 4.0 || field(fns[0], "condition") != nil {
		t.Errorf("conditions: %v, %v; want 4 and null", c, field(fns[0], "condition"))
	}

	// A selection: its runs in the order named, the functions in the order
	// of their first runs, each grid over the window its own runs need.
	sel := getOK(t, ts, "/api/sweeps/paths/paths?runs=4,1-2")
	var order []string
	for _, p := range list(sel["runs"]) {
		order = append(order, fmt.Sprint(field(p, "id")))
	}
	if fs := list(sel["functions"]); strings.Join(order, ",") != "4,1,2" || len(fs) != 2 || field(fs[0], "key") != "quadratic κ=4" ||
		ids(field(fs[1], "run_ids")) != "1,2" {
		t.Fatalf("runs=4,1-2: runs %v, functions %v", order, fs)
	} else {
		checkGrid(t, fs[1], objective.Book{}, [2]float64{-10, -5}, [2]float64{10, 5})
	}
	for _, q := range []string{"/api/sweeps/1/paths?runs=6", "/api/sweeps/2/paths"} {
		if a := getOK(t, ts, q); len(list(a["runs"])) != 0 || len(list(a["functions"])) != 0 {
			t.Errorf("%s (no run on a function): %v", q, a)
		}
	}
	for _, tt := range []struct {
		path string
		code int
		want string
	}{
		{"/api/sweeps/99/paths", 404, "no sweep"},
		{"/api/sweeps/1/paths?runs=1,10", 404, "sweep 1 has no run 10"},
		{"/api/sweeps/1/paths?runs=8", 404, "sweep 1 has no run 8"},
		{"/api/sweeps/1/paths?runs=2-1", 400, "ranges of ids"},
		{"/api/sweeps/1/paths?run=1", 400, `unknown query parameter "run"`},
	} {
		if code, v, _ := get(t, ts, tt.path); code != tt.code || !strings.Contains(fmt.Sprint(v["error"]), tt.want) {
			t.Errorf("GET %s: %d %v, want %d and %q", tt.path, code, v, tt.code, tt.want)
		}
	}

	// The runs and their epochs say what the paths are: the runs' dataset
	// and function, the epochs' distance to the minimum and its mean.
	rs := list(getOK(t, ts, "/api/sweeps/1/runs")["runs"])
	if field(rs[0], "dataset") != "function" || field(field(rs[0], "params"), "function") != "book" ||
		field(rs[5], "dataset") != "mnist" || field(field(rs[5], "params"), "function") != nil {
		t.Errorf("runs 1 and 6: %v %v, %v %v", field(rs[0], "dataset"), field(rs[0], "params"), field(rs[5], "dataset"), field(rs[5], "params"))
	}
	if v := fmt.Sprint(getOK(t, ts, "/api/sweeps/1/runs")["varying"]); !strings.HasPrefix(v, "[function lr") {
		t.Errorf("varying: %s", v)
	}
	ep := getOK(t, ts, "/api/sweeps/1/epochs?runs=1,6-7")
	for _, e := range list(ep["runs"]) {
		id := int64(numField(e, "id"))
		for i, d := range list(field(e, "distance")) {
			if w := runs[id].Epochs[i].Distance; (id == 6 && d != nil) || (id != 6 && !same(d, w)) {
				t.Errorf("epochs of run %d: distance %v at epoch %d, want %v", id, d, i, w)
			}
		}
	}
	for _, m := range list(ep["means"]) {
		if ids(field(m, "run_ids")) != "1,7" {
			continue
		}
		for i, mean := range list(field(field(m, "distance"), "mean")) {
			want := report.Summarize([]float64{runs[1].Epochs[i].Distance, runs[7].Epochs[i].Distance})
			if !same(mean, want.Mean) || list(field(field(m, "distance"), "n"))[i] != 2.0 {
				t.Errorf("mean distance of runs 1 and 7 at step %d: %v, want %v", i, mean, want.Mean)
			}
		}
	}
	if d := list(getOK(t, ts, "/api/runs/2/epochs")["distance"]); len(d) != 31 || !same(d[30], runs[2].Epochs[30].Distance) {
		t.Errorf("epochs of run 2: distance %v", d)
	}
	if fileHash(t, path) != before {
		t.Error("the database file changed while the server answered requests")
	}
}

// checkGrid checks the contour grid f of the answer against fn over the
// window lo, hi.
func checkGrid(t *testing.T, f any, fn objective.Function, lo, hi [2]float64) {
	t.Helper()
	key := field(f, "key")
	if fmt.Sprint(field(f, "lo")) != fmt.Sprint([]any{lo[0], lo[1]}) || fmt.Sprint(field(f, "hi")) != fmt.Sprint([]any{hi[0], hi[1]}) {
		t.Errorf("%v: window %v to %v, want %v to %v", key, field(f, "lo"), field(f, "hi"), lo, hi)
	}
	xs, ys, z := list(field(f, "x")), list(field(f, "y")), list(field(f, "z"))
	if len(xs) != gridSize || len(ys) != gridSize || len(z) != gridSize || xs[0] != lo[0] || xs[gridSize-1] != hi[0] || ys[0] != lo[1] || ys[gridSize-1] != hi[1] {
		t.Fatalf("%v: grid of %d × %d (%d rows) from (%v, %v) to (%v, %v)", key, len(xs), len(ys), len(z), xs[0], ys[0], xs[len(xs)-1], ys[len(ys)-1])
	}
	top := math.Inf(-1)
	for j, row := range z {
		row := list(row)
		if len(row) != gridSize {
			t.Fatalf("%v: row %d of %d values", key, j, len(row))
		}
		for i, v := range row {
			want := fn.Value([]float64{xs[i].(float64), ys[j].(float64)})
			top = max(top, want)
			if got, _ := v.(float64); math.Abs(got-want) > 1e-5*math.Abs(want) {
				t.Fatalf("%v: z[%d][%d] = %v, want f(%v, %v) = %v", key, j, i, v, xs[i], ys[j], want)
			}
		}
	}
	if field(f, "min") != 0.0 || math.Abs(numField(f, "max")-top) > 1e-12*top {
		t.Errorf("%v: min %v, max %v; want 0 and %v", key, field(f, "min"), field(f, "max"), top)
	}
	levels := list(field(f, "levels"))
	if len(levels) < 8 {
		t.Fatalf("%v: levels %v", key, levels)
	}
	for i, l := range levels {
		v := l.(float64)
		m := v / math.Pow(10, math.Floor(math.Log10(v)+1e-9))
		if math.Abs(m-1) > 1e-9 && math.Abs(m-2) > 1e-9 && math.Abs(m-5) > 1e-9 || v > top || i > 0 && !(v > levels[i-1].(float64)) {
			t.Errorf("%v: levels %v: level %d is not 1, 2 or 5 times a power of ten, increasing, below the top %v", key, levels, i, top)
		}
	}
	if last := levels[len(levels)-1].(float64); last*2.5 < top {
		t.Errorf("%v: the last level %v leaves out the top of the grid %v", key, last, top)
	}
	if ms := list(field(f, "minima")); len(ms) != len(fn.Minima()) || fmt.Sprint(ms[0]) != fmt.Sprint([]any{fn.Minima()[0][0], fn.Minima()[0][1]}) {
		t.Errorf("%v: minima %v, want %v", key, ms, fn.Minima())
	}
}

// TestServePathsLive adds steps to a run on a function while the server
// answers: after each commit's change event, the path has the new step.
func TestServePathsLive(t *testing.T) {
	path := detailDBPath(t)
	ts := serveAPI(t, path)
	ch := events(t, ts)
	version := changeAfter(t, ch, 1)
	db := openWriter(t, path)
	c := functionConfig("himmelblau", 0, []float64{-1, -1}, 0.01, 5, 1)
	sweepID, runIDs, err := db.CreateSweep(context.Background(), store.SweepRecord{Name: "live"}, []train.Config{c})
	if err != nil {
		t.Fatal(err)
	}
	version = changeAfter(t, ch, version)
	if err := db.StartRun(context.Background(), runIDs[0]); err != nil {
		t.Fatal(err)
	}
	version = changeAfter(t, ch, version)
	q := fmt.Sprintf("/api/sweeps/%d/paths", sweepID)
	for i, e := range descend(t, c) {
		if err := db.AddEpoch(context.Background(), runIDs[0], e); err != nil {
			t.Fatal(err)
		}
		version = changeAfter(t, ch, version)
		a := getOK(t, ts, q)
		p := list(a["runs"])[0]
		if n := len(list(field(p, "x"))); n != i+1 || list(field(p, "x"))[i] != e.Position[0] {
			t.Fatalf("after step %d: %d points %v", i, n, field(p, "x"))
		}
		if f := list(a["functions"])[0]; field(f, "key") != "himmelblau" || len(list(field(f, "minima"))) != 4 {
			t.Errorf("himmelblau: %v %v", field(f, "key"), field(f, "minima"))
		}
	}
}

// TestServeLayers asks for the layer statistics of run 8 against what
// report.Load reads, and for those of runs that have none.
func TestServeLayers(t *testing.T) {
	path := detailDBPath(t)
	ts := serveAPI(t, path)
	run := loaded(t, path, 2)[8]
	ans := getOK(t, ts, "/api/runs/8/layers")
	epochs := list(ans["epochs"])
	if numField(ans, "id") != 8 || numField(ans, "bins") != train.HistBins || len(epochs) != 3 || len(run.Epochs) != 3 {
		t.Fatalf("layers of run 8: %v", ans)
	}
	for i, e := range epochs {
		ls := list(field(e, "layers"))
		if numField(e, "epoch") != float64(i) || len(ls) != 2 || len(run.Epochs[i].Layers) != 2 {
			t.Fatalf("epoch %d: %v", i, e)
		}
		for j, l := range ls {
			w := run.Epochs[i].Layers[j]
			for name, want := range map[string]float64{
				"layer": float64(w.Layer), "mean": w.Mean, "std": w.Std, "zeros": w.Zeros, "saturated": w.Saturated,
				"hist_lo": w.HistLo, "hist_hi": w.HistHi, "below": float64(w.Below), "above": float64(w.Above),
				"grad_rms": w.GradRMS, "weight_rms": w.WeightRMS, "update_ratio": w.UpdateRatio,
			} {
				if !same(field(l, name), want) {
					t.Errorf("epoch %d layer %d: %s %v, the database has %v", i, j+1, name, field(l, name), want)
				}
			}
			if got := fmt.Sprint(field(l, "hist")); got != fmt.Sprint(w.Hist) || len(list(field(l, "hist"))) != train.HistBins {
				t.Errorf("epoch %d layer %d: hist %v, the database has %v", i, j+1, got, w.Hist)
			}
		}
	}
	if l := list(field(epochs[0], "layers"))[0]; field(l, "grad_rms") != nil || field(l, "saturated") != nil {
		t.Errorf("epoch 0, before any step, of a ReLU network: grad_rms %v, saturated %v; want null", field(l, "grad_rms"), field(l, "saturated"))
	}
	for _, id := range []int{9, 1, 6} {
		if a := getOK(t, ts, fmt.Sprintf("/api/runs/%d/layers", id)); len(list(a["epochs"])) != 0 || numField(a, "id") != float64(id) {
			t.Errorf("layers of run %d, which logged none: %v", id, a)
		}
	}
	for _, tt := range []struct {
		path string
		code int
		want string
	}{
		{"/api/runs/99/layers", 404, "no run has id 99"},
		{"/api/runs/x/layers", 400, "want a positive integer"},
		{"/api/runs/8/layers?epoch=1", 400, "takes none"},
	} {
		if code, v, _ := get(t, ts, tt.path); code != tt.code || !strings.Contains(fmt.Sprint(v["error"]), tt.want) {
			t.Errorf("GET %s: %d %v, want %d and %q", tt.path, code, v, tt.code, tt.want)
		}
	}
}

// TestServeLayersBadHist serves a histogram that is not a JSON array of
// counts (written by hand): it is null, and the rest is answered.
func TestServeLayersBadHist(t *testing.T) {
	path := detailDBPath(t)
	db := openWriter(t, path)
	if _, err := db.SQLDB().Exec(`UPDATE layer_stats SET hist = '{"no": 1}' WHERE run_id = 8 AND epoch = 1 AND layer = 2`); err != nil {
		t.Fatal(err)
	}
	ts := serveAPI(t, path)
	ls := list(field(list(getOK(t, ts, "/api/runs/8/layers")["epochs"])[1], "layers"))
	if field(ls[1], "hist") != nil || field(ls[1], "mean") == nil || len(list(field(ls[0], "hist"))) != train.HistBins {
		t.Errorf("epoch 1: layer 2 %v, layer 1 %v", ls[1], ls[0])
	}
}

// TestServeDetailUnavailable: the new endpoints answer 503 while the
// database is gone, as the others do.
func TestServeDetailUnavailable(t *testing.T) {
	path := detailDBPath(t)
	ts := serveAPI(t, path)
	getOK(t, ts, "/api/runs/8/layers")
	if err := os.Rename(path, path+".moved"); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/api/runs/8/layers", "/api/sweeps/1/paths"} {
		if code, v, resp := get(t, ts, p); code != 503 || resp.Header.Get("Retry-After") == "" {
			t.Errorf("GET %s with the database moved: %d %v", p, code, v)
		}
	}
}

func TestWiden(t *testing.T) {
	lo, hi := [2]float64{-10, -5}, [2]float64{10, 5}
	inf := math.Inf(1)
	for _, tt := range []struct {
		pts    [][2]float64
		lo, hi [2]float64
	}{
		{nil, lo, hi},
		{[][2]float64{{-7, 2}, {0, 0}, {10, -5}}, lo, hi},                           // inside, and on the edges
		{[][2]float64{{-11, 2}}, [2]float64{-12, -5}, hi},                           // 1 beyond, and 5% of 20
		{[][2]float64{{0, 6}, {0, -5.5}}, [2]float64{-10, -6}, [2]float64{10, 6.5}}, // 5% of 10
		{[][2]float64{{1e9, -1e9}}, [2]float64{-10, -15}, [2]float64{30, 5}},        // at most the span
		{[][2]float64{{inf, math.NaN()}, {-inf, 0}}, lo, hi},                        // not finite: left out
	} {
		gl, gh := widen(lo, hi, tt.pts)
		if gl != tt.lo || gh != tt.hi {
			t.Errorf("widen(%v): %v to %v, want %v to %v", tt.pts, gl, gh, tt.lo, tt.hi)
		}
	}
}

func TestLogLevels(t *testing.T) {
	inf := math.Inf(1)
	for _, tt := range []struct {
		floor, lowest, top float64
		want               string
	}{
		{0, 0.0048, 30, "[0.005 0.01 0.02 0.05 0.1 0.2 0.5 1 2 5 10 20]"},
		{0, 3, 30, "[5 10 20]"},
		{0, 1e-9, 100, "[0.001 0.002 0.005 0.01 0.02 0.05 0.1 0.2 0.5 1 2 5 10 20 50 100]"}, // at most 5 decades
		{5, 5.5, 25, "[5.5 6 7 10 15 25]"},
		{1, inf, 1, "[]"},    // flat
		{0, inf, -inf, "[]"}, // nothing finite
	} {
		if got := fmt.Sprint(logLevels(tt.floor, tt.lowest, tt.top)); got != tt.want {
			t.Errorf("logLevels(%v, %v, %v) = %s, want %s", tt.floor, tt.lowest, tt.top, got, tt.want)
		}
	}
}

func TestShortJSON(t *testing.T) {
	b, err := json.Marshal([]short{0.1234567891, 123456789, short(math.NaN()), short(math.Inf(-1)), 0, -2.5e-12})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), "[0.123457,1.23457e+08,null,null,0,-2.5e-12]"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}
