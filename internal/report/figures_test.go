package report_test

import (
	"bytes"
	"fmt"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"runner/internal/objective"
	"runner/internal/report"
	"runner/internal/train"
)

// functionConfig is a function run of opt at lr on the named function.
func functionConfig(fn string, opt string, lr float64, steps int) train.Config {
	c := train.Config{
		Dataset:   train.DatasetConfig{Name: train.FunctionDataset, Function: fn, Start: []float64{-7, 2}},
		Optimizer: train.OptimizerConfig{Name: opt, LR: lr},
		Schedule:  train.ScheduleConfig{Name: "constant"},
		Epochs:    steps,
		Seed:      1,
	}
	if opt == "momentum" {
		c.Optimizer.Momentum = 0.9
	}
	return c
}

// functionRun minimizes c's function from its start with plain gradient
// descent (sgd) or momentum, recording each step as the trainer does.
func functionRun(t *testing.T, id int64, c train.Config) report.Run {
	t.Helper()
	fn, err := objective.Lookup(c.Dataset.Function, c.Dataset.Condition)
	if err != nil {
		t.Fatal(err)
	}
	x := slices.Clone(c.Dataset.Start)
	v, g := make([]float64, 2), make([]float64, 2)
	r := report.Run{ID: id, Config: c, Status: train.Done}
	for e := 0; e <= c.Epochs; e++ {
		if e > 0 {
			fn.Grad(g, x)
			for k := range x {
				v[k] = c.Optimizer.Momentum*v[k] - c.Optimizer.LR*g[k]
				x[k] += v[k]
			}
		}
		r.Epochs = append(r.Epochs, train.EpochMetrics{Epoch: e, TrainLoss: fn.Value(x),
			TrainAcc: math.NaN(), ValAcc: math.NaN(), TestAcc: math.NaN(),
			Position: slices.Clone(x), Distance: objective.Distance(fn, x)})
	}
	return r
}

// pathSweep is figure 6-8's sweep, with SGD and Momentum at two rates each.
func pathSweep(t *testing.T) *report.Sweep {
	s := &report.Sweep{ID: 2, Name: "optimizer-paths", Status: "done"}
	for i, c := range []train.Config{
		functionConfig("book", "sgd", 0.95, 30), functionConfig("book", "sgd", 0.3, 30),
		functionConfig("book", "momentum", 0.1, 30), functionConfig("book", "momentum", 0.02, 30),
	} {
		s.Runs = append(s.Runs, functionRun(t, int64(i+1), c))
	}
	return s
}

// layerSweep is a sweep of inits × activations that logged its layers at
// epoch 0: each layer's activations drawn from a normal distribution whose
// scale the init sets, through the activation, binned as the trainer bins
// them.
func layerSweep(inits, acts []string, layers int) *report.Sweep {
	s := &report.Sweep{ID: 4, Name: "weight-init-activations", Status: "done"}
	id := int64(0)
	for _, act := range acts {
		for _, init := range inits {
			id++
			c := config("sgd", 0.01, 1)
			c.Epochs, c.LogLayers = 0, true
			c.Model.Hidden = slices.Repeat([]int{100}, layers)
			c.Model.Activation, c.Model.Init = act, init
			scale := map[string]float64{"1": 10, "0.01": 0.1, "xavier": 1, "he": 1.4}[init]
			rng := rand.New(rand.NewPCG(uint64(id), 7))
			e := train.EpochMetrics{TrainLoss: 2.3, TrainAcc: 0.1, ValAcc: math.NaN(), TestAcc: 0.1}
			for k := 1; k <= layers; k++ {
				a := make([]float64, 1000)
				for i := range a {
					z := rng.NormFloat64() * scale * math.Pow(0.8, float64(k-1))
					switch act {
					case "sigmoid":
						a[i] = 1 / (1 + math.Exp(-z))
					case "tanh":
						a[i] = math.Tanh(z)
					default:
						a[i] = math.Max(0, z)
					}
				}
				e.Layers = append(e.Layers, layerStats(k, act, a))
			}
			s.Runs = append(s.Runs, report.Run{ID: id, Config: c, Status: train.Done, Epochs: []train.EpochMetrics{e}})
		}
	}
	return s
}

// layerStats bins a as the trainer does: 30 bins over [0, 1] ([−1, 1] for tanh).
func layerStats(layer int, act string, a []float64) train.LayerStats {
	lo, hi := 0.0, 1.0
	if act == "tanh" {
		lo = -1
	}
	l := train.LayerStats{Layer: layer, HistLo: lo, HistHi: hi, Hist: make([]int, train.HistBins),
		GradRMS: math.NaN(), UpdateRatio: math.NaN(), Saturated: math.NaN()}
	var sum, ss float64
	zeros := 0
	for _, v := range a {
		sum += v
		if v == 0 {
			zeros++
		}
		switch {
		case v < lo:
			l.Below++
		case v > hi:
			l.Above++
		default:
			l.Hist[min(int((v-lo)/(hi-lo)*train.HistBins), train.HistBins-1)]++
		}
	}
	l.Mean = sum / float64(len(a))
	for _, v := range a {
		ss += (v - l.Mean) * (v - l.Mean)
	}
	l.Std = math.Sqrt(ss / float64(len(a)))
	l.Zeros = float64(zeros) / float64(len(a))
	return l
}

// facetSweep is figure 6-19's sweep in small: three weight scales, with and
// without batch normalisation, two seeds, 4 epochs.
func facetSweep() *report.Sweep {
	s := &report.Sweep{ID: 6, Name: "batchnorm", Status: "done"}
	for i, init := range []string{"1", "0.1", "0.01"} {
		for j, bn := range []bool{false, true} {
			for seed := int64(1); seed <= 2; seed++ {
				c := config("sgd", 0.01, seed)
				c.Epochs = 4
				c.Model.Init, c.Model.BatchNorm = init, bn
				final := 0.5 + 0.1*float64(i) + 0.2*float64(j) + 0.01*float64(seed)
				s.Runs = append(s.Runs, run(c, train.Done, final))
			}
		}
	}
	return s
}

// searchSweep is a random search of 8 trials with a validation split: the
// final val_acc of trial i is finals[i].
func searchSweep(finals []float64) *report.Sweep {
	s := &report.Sweep{ID: 8, Name: "ch6-hyperparams", Status: "done"}
	for i, f := range finals {
		c := config("sgd", 0.0001*math.Pow(1.7, float64(i)), 1)
		c.Model.WeightDecay = 1e-7 * math.Pow(1.3, float64(i))
		c.Dataset.Validation = 0.2
		r := run(c, train.Done, f)
		for k := range r.Epochs {
			r.Epochs[k].ValAcc = r.Epochs[k].TestAcc - 0.01
			r.Epochs[k].TrainAcc = math.Min(1, r.Epochs[k].TestAcc+0.02)
		}
		r.ID = int64(i + 1)
		s.Runs = append(s.Runs, r)
	}
	return s
}

// draw writes d as PNG and SVG, checks that both decode, and returns the
// PNG's size. With RUNNER_PLOT_DIR set, it leaves the files there to look at.
func draw(t *testing.T, name string, d report.Drawing) (w, h int) {
	t.Helper()
	var pngBuf, svgBuf bytes.Buffer
	if err := d.Write(&pngBuf, "png"); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if err := d.Write(&svgBuf, "svg"); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if dir := os.Getenv("RUNNER_PLOT_DIR"); dir != "" {
		for ext, b := range map[string][]byte{"png": pngBuf.Bytes(), "svg": svgBuf.Bytes()} {
			if err := os.WriteFile(filepath.Join(dir, name+"-"+d.Kind()+"."+ext), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	img, err := png.Decode(&pngBuf)
	if err != nil {
		t.Fatalf("%s: decode PNG: %v", name, err)
	}
	checkSVG(t, svgBuf.Bytes())
	return img.Bounds().Dx(), img.Bounds().Dy()
}

func kinds(ds []report.Drawing) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Kind())
	}
	return out
}

// TestPlotsPaths checks the figures of a function sweep: the paths, one
// panel per configuration, on the function's window, and the values per
// step; no accuracy figure.
func TestPlotsPaths(t *testing.T) {
	s := pathSweep(t)
	ds, notes, err := report.Plots(s, report.PlotOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := kinds(ds); !slices.Equal(got, []string{"paths", "values"}) {
		t.Fatalf("figures %q, want paths and values", got)
	}
	if len(notes) != 0 {
		t.Errorf("notes %q", notes)
	}
	pf := ds[0].(*report.PathFigure)
	if len(pf.Panels) != 4 {
		t.Fatalf("%d panels, want one per configuration, 4", len(pf.Panels))
	}
	fn, _ := objective.Lookup("book", 0)
	wlo, whi := fn.Window()
	for i, pn := range pf.Panels {
		if len(pn.Paths) != 1 || len(pn.Paths[0].X) != 31 {
			t.Errorf("panel %d: %d paths, want 1 of 31 positions", i, len(pn.Paths))
		}
		if pn.Lo != wlo || pn.Hi != whi {
			t.Errorf("panel %d: axes %v–%v, want the window %v–%v (every path stays in it)", i, pn.Lo, pn.Hi, wlo, whi)
		}
		if r := s.Runs[i]; pn.Paths[0].X[0] != r.Config.Dataset.Start[0] || pn.Paths[0].Y[0] != r.Config.Dataset.Start[1] {
			t.Errorf("panel %d starts at (%v, %v), not the run's start", i, pn.Paths[0].X[0], pn.Paths[0].Y[0])
		}
	}
	if !strings.HasPrefix(pf.Panels[0].Title, "sgd lr=0.95") {
		t.Errorf("first panel titled %q", pf.Panels[0].Title)
	}
	values := ds[1].(*report.Figure)
	if values.XLabel != "step" || !values.LogY || len(values.Curves) != 4 {
		t.Errorf("values figure: x %q, log %v, %d curves", values.XLabel, values.LogY, len(values.Curves))
	}
	for _, d := range ds {
		if w, h := draw(t, "paths", d); w < 1200 || h < 600 {
			t.Errorf("%s: %d × %d pixels", d.Kind(), w, h)
		}
	}

	// Faceted: the paths and the values, titled as such.
	ds, _, err = report.Plots(s, report.PlotOptions{Facet: "optimizer"})
	if err != nil {
		t.Fatal(err)
	}
	if got := kinds(ds); !slices.Equal(got, []string{"paths-by-optimizer", "values-by-optimizer"}) {
		t.Errorf("faceted figures %q", got)
	}
	if ff := ds[1].(*report.FacetFigure); ff.Title != `sweep "optimizer-paths" (id 2): f(x, y) at each step by optimizer, 1 seed` {
		t.Errorf("title %q", ff.Title)
	}

	// An accuracy of a function run is an error; so is --epoch.
	if _, _, err := report.Plots(s, report.PlotOptions{Metrics: []report.Metric{report.TestAcc}}); err == nil || !strings.Contains(err.Error(), "no test_acc") {
		t.Errorf("test_acc of function runs: %v", err)
	}
	if _, _, err := report.Plots(s, report.PlotOptions{Epoch: 3}); err == nil || !strings.Contains(err.Error(), "no layer statistics") {
		t.Errorf("--epoch without layers: %v", err)
	}
}

// TestPathsFacet checks paths faceted by optimizer: one panel per
// optimizer, its rates as lines of one colour across panels.
func TestPathsFacet(t *testing.T) {
	pf, _, err := report.Paths(pathSweep(t), "optimizer")
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, pn := range pf.Panels {
		titles = append(titles, pn.Title)
		if len(pn.Paths) != 2 {
			t.Errorf("panel %q: %d paths, want 2", pn.Title, len(pn.Paths))
		}
	}
	if pf.Kind() != "paths-by-optimizer" {
		t.Errorf("faceted paths named %q", pf.Kind())
	}
	if !slices.Equal(titles, []string{"optimizer=sgd", "optimizer=momentum"}) {
		t.Errorf("panels %q", titles)
	}
	if p := pf.Panels[1].Paths; p[0].Label != "lr=0.1" || p[0].Group != 2 || p[1].Group != 3 {
		t.Errorf("momentum paths %+v", p)
	}
	draw(t, "paths-facet", pf)
}

// TestPathsWiden checks that a path that leaves the window widens the
// axes, by at most the window's size, and is noted when it goes further.
func TestPathsWiden(t *testing.T) {
	s := &report.Sweep{ID: 3, Name: "far", Status: "done"}
	c := functionConfig("book", "sgd", 0.95, 30)
	c.Dataset.Start = []float64{-14, 2}
	s.Runs = append(s.Runs, functionRun(t, 1, c))
	c = functionConfig("book", "sgd", 1.2, 40) // diverges along y: |1 − 2·1.2| > 1
	s.Runs = append(s.Runs, functionRun(t, 2, c))
	s.Runs[1].Status = train.Diverged
	pf, notes, err := report.Paths(s, "")
	if err != nil {
		t.Fatal(err)
	}
	fn, _ := objective.Lookup("book", 0)
	wlo, whi := fn.Window()
	p := pf.Panels[0]
	if !(p.Lo[0] < -14 && p.Lo[0] >= wlo[0]-(whi[0]-wlo[0])) {
		t.Errorf("x axis from %v: want below the start −14, within a window's width of %v", p.Lo[0], wlo[0])
	}
	if p.Lo[1] != wlo[1]-(whi[1]-wlo[1]) || p.Hi[1] != whi[1]+(whi[1]-wlo[1]) {
		t.Errorf("y axis %v–%v: want the window widened by its height each way", p.Lo[1], p.Hi[1])
	}
	if pf.Panels[1].Lo != p.Lo {
		t.Error("panels on one function do not share their axes")
	}
	joined := strings.Join(notes, "\n")
	if !strings.Contains(joined, "run 2 diverged after 40 steps") || !strings.Contains(joined, "path of run 2 leaves the plot") {
		t.Errorf("notes %q", notes)
	}
	draw(t, "paths-widen", pf)
}

// TestPlotsLayers checks the histogram figures: 12 configurations split
// into one figure per activation, four columns of five layers each.
func TestPlotsLayers(t *testing.T) {
	inits := []string{"1", "0.01", "xavier", "he"}
	s := layerSweep(inits, []string{"sigmoid", "tanh", "relu"}, 5)
	ds, _, err := report.Plots(s, report.PlotOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Epoch 0 only: no learning curve.
	if got := kinds(ds); !slices.Equal(got, []string{"layers-sigmoid", "layers-tanh", "layers-relu"}) {
		t.Fatalf("figures %q", got)
	}
	for _, d := range ds {
		lf := d.(*report.LayerFigure)
		var titles []string
		for _, c := range lf.Columns {
			titles = append(titles, c.Title)
			if len(c.Layers) != 5 || c.Runs != 1 {
				t.Errorf("%s %s: %d layers of %d runs", lf.Name, c.Title, len(c.Layers), c.Runs)
			}
		}
		want := []string{"init=1", "init=0.01", "init=xavier", "init=he"}
		if !slices.Equal(titles, want) {
			t.Errorf("%s: columns %q, want %q", lf.Name, titles, want)
		}
		if !strings.Contains(lf.Title, "activation=") {
			t.Errorf("title %q does not name the activation", lf.Title)
		}
		draw(t, "layers", d)
	}

	// Few configurations: one figure.
	few := layerSweep([]string{"xavier", "he"}, []string{"relu"}, 3)
	figs, _, err := report.Layers(few, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(figs) != 1 || figs[0].Name != "layers" || len(figs[0].Columns) != 2 {
		t.Errorf("%d figures", len(figs))
	}
	if _, _, err := report.Layers(few, 2); err == nil || !strings.Contains(err.Error(), "at epoch 2 (they go up to epoch 0)") {
		t.Errorf("epoch 2: %v", err)
	}
}

// TestLayersPooled checks that the histograms of seeds add up.
func TestLayersPooled(t *testing.T) {
	s := layerSweep([]string{"he"}, []string{"relu"}, 2)
	second := s.Runs[0]
	second.Config.Seed = 2
	second.Epochs = slices.Clone(second.Epochs)
	s.Runs = append(s.Runs, second)
	figs, _, err := report.Layers(s, 0)
	if err != nil {
		t.Fatal(err)
	}
	c := figs[0].Columns[0]
	one := s.Runs[0].Epochs[0].Layers[0]
	if c.Runs != 2 || c.Layers[0].Hist[3] != 2*one.Hist[3] || c.Layers[0].Zeros != one.Zeros {
		t.Errorf("pooled %+v from %+v", c.Layers[0], one)
	}
	if one.Hist[3] == s.Runs[0].Epochs[0].Layers[0].Hist[3]*2 && one.Hist[3] != 0 {
		t.Error("pooling changed the sweep's own statistics")
	}
}

// TestPlotsFacet checks --facet: one panel per value, the other
// hyperparameters as lines of one colour in every panel.
func TestPlotsFacet(t *testing.T) {
	s := facetSweep()
	ds, _, err := report.Plots(s, report.PlotOptions{Facet: "init"})
	if err != nil {
		t.Fatal(err)
	}
	if got := kinds(ds); !slices.Equal(got, []string{"loss-by-init", "accuracy-by-init"}) {
		t.Fatalf("figures %q", got)
	}
	for _, d := range ds {
		ff := d.(*report.FacetFigure)
		var titles []string
		for _, p := range ff.Panels {
			titles = append(titles, p.Title)
			if len(p.Curves) != 2 {
				t.Errorf("%s %s: %d curves, want batchnorm false and true", ff.Name, p.Title, len(p.Curves))
			}
			for i, c := range p.Curves {
				if want := fmt.Sprintf("batchnorm=%v", i == 1); c.Label != want || c.Group != i || c.Runs != 2 {
					t.Errorf("%s %s: curve %q group %d of %d runs, want %q group %d of 2", ff.Name, p.Title, c.Label, c.Group, c.Runs, want, i)
				}
			}
		}
		if !strings.HasSuffix(ff.Title, " by init, mean over 2 seeds") {
			t.Errorf("title %q", ff.Title)
		}
		if !slices.Equal(titles, []string{"init=1", "init=0.1", "init=0.01"}) {
			t.Errorf("%s: panels %q", ff.Name, titles)
		}
		draw(t, "facet", d)
	}

	// A configuration that did not finish is missing from its panel,
	// which says so; the lines keep their colours.
	s2 := facetSweep()
	for i := range s2.Runs {
		if r := &s2.Runs[i]; r.Config.Model.Init == "1" && !r.Config.Model.BatchNorm {
			r.Status = train.Diverged
		}
	}
	ffs, _, err := report.Plots(s2, report.PlotOptions{Facet: "init", Metrics: []report.Metric{report.TestAcc}})
	if err != nil {
		t.Fatal(err)
	}
	p0 := ffs[0].(*report.FacetFigure).Panels[0]
	if p0.Title != "init=1\n(batchnorm=false not drawn: 2 diverged)" || len(p0.Curves) != 1 || p0.Curves[0].Group != 1 {
		t.Errorf("panel %q with %d curves, the first of group %d", p0.Title, len(p0.Curves), p0.Curves[0].Group)
	}
	draw(t, "facet-missing", ffs[0])

	for _, tt := range []struct{ key, want string }{
		{"nope", `--facet "nope": not a hyperparameter of sweep "batchnorm" (id 6); facet by one of the hyperparameters that vary: init, batchnorm`},
		{"optimizer", "every run of sweep \"batchnorm\" (id 6) has optimizer=sgd"},
		{"seed", "the curves are means over seeds"},
	} {
		_, _, err := report.Plots(s, report.PlotOptions{Facet: tt.key})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("--facet %s: %v, want %q", tt.key, err, tt.want)
		}
	}
}

// TestPlotsTop checks --top: the N best configurations by final val_acc,
// best first, one panel each with val_acc and train_acc.
func TestPlotsTop(t *testing.T) {
	finals := []float64{0.62, 0.91, 0.35, 0.88, 0.12, 0.79, 0.93, 0.50}
	s := searchSweep(finals)
	ds, notes, err := report.Plots(s, report.PlotOptions{Metrics: []report.Metric{report.ValAcc}, Top: 3})
	if err != nil {
		t.Fatal(err)
	}
	if got := kinds(ds); !slices.Equal(got, []string{"accuracy-top3"}) {
		t.Fatalf("figures %q", got)
	}
	ff := ds[0].(*report.FacetFigure)
	if len(ff.Panels) != 3 {
		t.Fatalf("%d panels", len(ff.Panels))
	}
	if want := `sweep "ch6-hyperparams" (id 8): accuracy of the 3 best by final val_acc, 1 seed`; ff.Title != want {
		t.Errorf("title %q, want %q", ff.Title, want)
	}
	// The best finals by val_acc, which is the test accuracy − 0.01.
	sorted := slices.Clone(finals)
	slices.Sort(sorted)
	slices.Reverse(sorted)
	for i, p := range ff.Panels {
		want := fmt.Sprintf("#%d  val_acc %.3f\n", i+1, sorted[i]-0.01)
		if !strings.HasPrefix(p.Title, want) {
			t.Errorf("panel %d: %q, want it to start %q", i, p.Title, want)
		}
		var ms []report.Metric
		for _, c := range p.Curves {
			ms = append(ms, c.Metric)
		}
		if !slices.Equal(ms, []report.Metric{report.ValAcc, report.TrainAcc}) {
			t.Errorf("panel %d: metrics %v", i, ms)
		}
		if last := p.Curves[0].Y[len(p.Curves[0].Y)-1]; math.Abs(last-(sorted[i]-0.01)) > 1e-12 {
			t.Errorf("panel %d: final val_acc %v, want %v", i, last, sorted[i]-0.01)
		}
	}
	if !strings.Contains(ff.Panels[0].Title, "lr=") || !strings.Contains(ff.Panels[0].Title, "weight_decay=") {
		t.Errorf("title %q does not name the trial", ff.Panels[0].Title)
	}
	if len(notes) != 0 {
		t.Errorf("notes %q", notes)
	}
	draw(t, "top", ds[0])

	// More than there are: all, noted.
	ds, notes, err = report.Plots(s, report.PlotOptions{Metrics: []report.Metric{report.ValAcc}, Top: 20})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(ds[0].(*report.FacetFigure).Panels); n != len(finals) || len(notes) != 1 || ds[0].Kind() != "accuracy-top20" {
		t.Errorf("--top 20 of 8: %s, %d panels, notes %q", ds[0].Kind(), n, notes)
	}
	draw(t, "top-all", ds[0])

	// By loss, lowest first.
	ranked, _ := report.Rank(s, report.TrainLoss)
	for i := 1; i < len(ranked); i++ {
		if ranked[i].Value < ranked[i-1].Value {
			t.Errorf("train_loss ranks %v before %v", ranked[i-1].Value, ranked[i].Value)
		}
	}
}

// TestRankLeavesOut checks that configurations without a done run are not
// ranked and are noted.
func TestRankLeavesOut(t *testing.T) {
	ranked, notes := report.Rank(sweepA(), report.TestAcc)
	var labels []string
	for _, r := range ranked {
		labels = append(labels, fmt.Sprintf("%s %g %d", r.Config.Optimizer.Name, r.Config.Optimizer.LR, r.N))
	}
	if want := []string{"adam 0.001 3", "momentum 0.01 3", "sgd 0.1 1", "sgd 0.01 3"}; !slices.Equal(labels, want) {
		t.Errorf("ranked %q, want %q", labels, want)
	}
	if want := "1 configuration without a done run with a final test_acc, not ranked (their runs: 2 diverged, 1 interrupted)"; len(notes) != 1 || notes[0] != want {
		t.Errorf("notes %q", notes)
	}
}
