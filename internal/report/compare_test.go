package report_test

import (
	"bytes"
	"flag"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"runner/internal/report"
	"runner/internal/train"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// config returns the base configuration of the test sweeps with the given
// optimizer, learning rate and seed.
func config(opt string, lr float64, seed int64) train.Config {
	c := train.Config{
		Dataset:   train.DatasetConfig{Name: "mnist", TrainLimit: 1000, SplitSeed: 1},
		Model:     train.ModelConfig{Hidden: []int{100, 100}, Activation: "relu", Init: "he", Precision: "float32"},
		Optimizer: train.OptimizerConfig{Name: opt, LR: lr},
		Schedule:  train.ScheduleConfig{Name: "constant"},
		Epochs:    3,
		BatchSize: 100,
		Seed:      seed,
	}
	switch opt {
	case "momentum":
		c.Optimizer.Momentum = 0.9
	case "adagrad":
		c.Optimizer.Eps = 1e-7
	case "adam":
		c.Optimizer.Beta1, c.Optimizer.Beta2, c.Optimizer.Eps = 0.9, 0.999, 1e-7
	}
	return c
}

// run returns a run of c with epochs 0…3 whose test accuracy climbs to
// final and whose loss falls to 2.5 − 2·final; a status other than done
// stops it after epoch 1.
func run(c train.Config, st train.Status, final float64) report.Run {
	r := report.Run{Config: c, Status: st}
	for e := 0; e <= c.Epochs; e++ {
		f := float64(e) / float64(c.Epochs)
		acc := 0.1 + (final-0.1)*f
		if e == 2 {
			acc = final + 0.002 // a peak before the end, for --best
		}
		r.Epochs = append(r.Epochs, train.EpochMetrics{
			Epoch: e, TrainLoss: 2.5 - 2*acc, TrainAcc: acc, ValAcc: math.NaN(), TestAcc: acc,
		})
		if st != train.Done && e == 1 {
			break
		}
	}
	return r
}

// runs returns done runs of the configuration, one per value, seeds 1, 2, …
func runs(opt string, lr float64, finals ...float64) []report.Run {
	var out []report.Run
	for i, f := range finals {
		out = append(out, run(config(opt, lr, int64(i+1)), train.Done, f))
	}
	return out
}

// sweepA is a sweep of five configurations over three seeds, with runs
// that diverged, failed or were interrupted.
func sweepA() *report.Sweep {
	s := &report.Sweep{ID: 3, Name: "ch6", Status: "done"}
	s.Runs = append(s.Runs, runs("sgd", 0.01, 0.901, 0.905, 0.899)...)
	s.Runs = append(s.Runs, runs("momentum", 0.01, 0.962, 0.9655, 0.964)...)
	s.Runs = append(s.Runs, runs("adam", 0.001, 0.9712, 0.9698, 0.9705)...)
	s.Runs = append(s.Runs,
		run(config("sgd", 0.1, 1), train.Done, 0.955),
		run(config("sgd", 0.1, 2), train.Diverged, 0),
		run(config("sgd", 0.1, 3), train.Failed, 0),
		run(config("adam", 0.1, 1), train.Diverged, 0),
		run(config("adam", 0.1, 2), train.Diverged, 0),
		run(config("adam", 0.1, 3), train.Interrupted, 0),
	)
	return s
}

// sweepB is a later sweep: adam better, momentum the same within noise,
// sgd lr=0.1 dropped, adagrad new, sgd lr=0.01 with a single done run.
func sweepB() *report.Sweep {
	s := &report.Sweep{ID: 5, Name: "ch6", Status: "done"}
	s.Runs = append(s.Runs, run(config("sgd", 0.01, 1), train.Done, 0.903),
		run(config("sgd", 0.01, 2), train.Pending, 0), run(config("sgd", 0.01, 3), train.Pending, 0))
	s.Runs = append(s.Runs, runs("momentum", 0.01, 0.9635, 0.9662, 0.9641)...)
	s.Runs = append(s.Runs, runs("adam", 0.001, 0.9751, 0.9760, 0.9744)...)
	s.Runs = append(s.Runs, runs("adagrad", 0.01, 0.968, 0.970, 0.969)...)
	s.Runs = append(s.Runs,
		run(config("adam", 0.1, 1), train.Diverged, 0),
		run(config("adam", 0.1, 2), train.Diverged, 0),
		run(config("adam", 0.1, 3), train.Diverged, 0),
	)
	return s
}

// TestCompareGolden renders tables of fixed sweeps and compares them with
// testdata/*.golden; go test -update rewrites those.
func TestCompareGolden(t *testing.T) {
	running := sweepA()
	running.ID, running.Status = 4, "running"
	running.Runs[2].Status = train.Running
	longer := sweepA()
	longer.ID = 6
	for i := range longer.Runs {
		longer.Runs[i].Config.Epochs = 5
	}
	single := &report.Sweep{ID: 1, Name: "one", Status: "done", Runs: runs("sgd", 0.01, 0.90, 0.91)}

	tests := []struct {
		name string
		a, b *report.Sweep
		opt  report.Options
	}{
		{"one-sweep", sweepA(), nil, report.Options{}},
		{"one-sweep-best-loss", sweepA(), nil, report.Options{Metric: report.TrainLoss, Best: true}},
		{"one-sweep-running", running, nil, report.Options{}},
		{"one-config", single, nil, report.Options{}},
		{"two-sweeps", sweepA(), sweepB(), report.Options{}},
		{"two-sweeps-loss", sweepA(), sweepB(), report.Options{Metric: report.TrainLoss}},
		{"two-sweeps-alpha", sweepA(), sweepB(), report.Options{Alpha: 0.001}},
		{"two-sweeps-disjoint", sweepA(), longer, report.Options{}},
		{"same-sweep", sweepA(), sweepA(), report.Options{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			table, err := report.Compare(tt.a, tt.b, tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := table.WriteText(&buf); err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join("testdata", tt.name+".golden"), buf.String())
		})
	}
}

// golden compares got with the file at path, or rewrites it with -update.
func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (go test -update rewrites it):\n--- got\n%s--- want\n%s", path, got, want)
	}
}

// TestCompareRows checks the table's model directly: the order, the best
// rows, the matching and the test's verdicts.
func TestCompareRows(t *testing.T) {
	table, err := report.Compare(sweepA(), sweepB(), report.Options{})
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		label       string
		inA, inB    bool
		tested, sig bool
	}
	wants := []want{
		{"adam lr=0.001", true, true, false, false}, // 3 seeds: too few to test
		{"adagrad lr=0.01", false, true, false, false},
		{"momentum lr=0.01", true, true, false, false},
		{"sgd lr=0.01", true, true, false, false}, // n = 1 in B
		{"adam lr=0.1", true, true, false, false}, // no done run
		{"sgd lr=0.1", true, false, false, false},
	}
	var got []want
	for _, r := range table.Rows {
		got = append(got, want{report.Label(r.Config, table.Columns), r.A != nil, r.B != nil, r.Test != nil, r.Significant})
	}
	// sgd lr=0.1 has a value in A only, so it sorts after those with a B
	// value and before adam lr=0.1, which has none.
	wants[4], wants[5] = wants[5], wants[4]
	if len(got) != len(wants) {
		t.Fatalf("rows:\n%v\nwant\n%v", got, wants)
	}
	for i := range wants {
		if got[i] != wants[i] {
			t.Errorf("row %d: %+v, want %+v", i, got[i], wants[i])
		}
	}
	if table.BestRow != 0 || table.BestRowA != 0 {
		t.Errorf("best rows %d (B) and %d (A), want 0 and 0", table.BestRow, table.BestRowA)
	}
	if d := table.Rows[0].Delta; math.Abs(d-0.014/3) > 1e-12 { // (0.9751+0.9760+0.9744)/3 − 0.9705
		t.Errorf("adam delta %v, want 0.014/3", d)
	}
}

// TestCompareBestOverEpochs checks --best: the peak at epoch 2 rather than
// the last epoch, the maximum for accuracies and the minimum for the loss.
func TestCompareBestOverEpochs(t *testing.T) {
	s := &report.Sweep{ID: 1, Name: "x", Status: "done", Runs: runs("sgd", 0.01, 0.9)}
	tests := []struct {
		opt  report.Options
		want float64
	}{
		{report.Options{Metric: report.TestAcc}, 0.9},
		{report.Options{Metric: report.TestAcc, Best: true}, 0.902},
		{report.Options{Metric: report.TrainLoss}, 2.5 - 2*0.9},
		{report.Options{Metric: report.TrainLoss, Best: true}, 2.5 - 2*0.902},
	}
	for _, tt := range tests {
		table, err := report.Compare(s, nil, tt.opt)
		if err != nil {
			t.Fatal(err)
		}
		if got := table.Rows[0].A.Mean; math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("%+v: %v, want %v", tt.opt, got, tt.want)
		}
	}
}

// TestCompareNoValidation checks that val_acc of a sweep without a
// validation split is an error that says so.
func TestCompareNoValidation(t *testing.T) {
	_, err := report.Compare(sweepA(), nil, report.Options{Metric: report.ValAcc})
	if err == nil || !strings.Contains(err.Error(), "no val_acc") {
		t.Fatalf("error %v, want one about val_acc", err)
	}
}

func TestParseMetric(t *testing.T) {
	for _, m := range report.Metrics {
		if got, err := report.ParseMetric(string(m)); err != nil || got != m {
			t.Errorf("ParseMetric(%q) = %q, %v", m, got, err)
		}
	}
	if _, err := report.ParseMetric("accuracy"); err == nil || !strings.Contains(err.Error(), "test_acc, val_acc") {
		t.Errorf("ParseMetric(accuracy): %v, want an error listing the metrics", err)
	}
}

// TestCompareNotes checks the notes on runs left out, statuses this binary
// does not know included.
func TestCompareNotes(t *testing.T) {
	s := &report.Sweep{ID: 1, Name: "x", Status: "done", Runs: []report.Run{
		run(config("sgd", 0.01, 1), train.Done, 0.9),
		run(config("sgd", 0.01, 2), train.Pruned, 0),
		run(config("sgd", 0.01, 3), train.Status("exploded"), 0),
		run(config("sgd", 0.01, 4), train.Diverged, 0),
	}}
	table, err := report.Compare(s, nil, report.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"3 runs not done, left out: 1 diverged, 1 pruned, 1 exploded", "n = 1: no spread (run more seeds: train.seeds)"}
	if got := table.Rows[0].A.Notes; !slices.Equal(got, want) {
		t.Errorf("notes %q, want %q", got, want)
	}
}

// seeded returns done runs of the configuration with the given seeds and
// final test accuracies.
func seeded(opt string, lr float64, seeds []int64, finals ...float64) []report.Run {
	var out []report.Run
	for i, f := range finals {
		out = append(out, run(config(opt, lr, seeds[i]), train.Done, f))
	}
	return out
}

// TestCompareTests checks which test Compare runs on a difference, by the
// seeds the two sides share, and its verdict.
func TestCompareTests(t *testing.T) {
	sweep := func(id int64, rs []report.Run) *report.Sweep {
		return &report.Sweep{ID: id, Name: "x", Status: "done", Runs: rs}
	}
	seeds := func(from, to int64) []int64 {
		var s []int64
		for i := from; i <= to; i++ {
			s = append(s, i)
		}
		return s
	}
	tests := []struct {
		name   string
		a, b   []report.Run
		method report.Method // "" for no test
		pairs  int
		exact  bool
		sig    bool
		note   string // a substring of one of the row's notes
	}{
		{"3 seeds, far apart", runs("sgd", 0.1, 0.90, 0.91, 0.905), runs("sgd", 0.1, 0.95, 0.96, 0.955),
			"", 0, false, false, "need ≥ 5 seeds"},
		{"4 seeds", runs("sgd", 0.1, 0.90, 0.91, 0.905, 0.907), runs("sgd", 0.1, 0.95, 0.96, 0.955, 0.951),
			"", 0, false, false, "need ≥ 5 seeds"},
		{"5 seeds: paired t", runs("sgd", 0.1, 0.90, 0.91, 0.905, 0.907, 0.903), runs("sgd", 0.1, 0.95, 0.96, 0.955, 0.951, 0.956),
			report.PairedT, 5, false, true, ""},
		{"6 seeds, one sign: exact signed-rank", runs("sgd", 0.1, 0.90, 0.91, 0.905, 0.907, 0.903, 0.902), runs("sgd", 0.1, 0.901, 0.913, 0.909, 0.912, 0.909, 0.909),
			report.SignedRank, 6, true, true, ""},
		{"6 seeds, mixed signs", runs("sgd", 0.1, 0.90, 0.91, 0.905, 0.907, 0.903, 0.902), runs("sgd", 0.1, 0.901, 0.907, 0.909, 0.9045, 0.9085, 0.8955),
			report.SignedRank, 6, true, false, ""},
		{"6 seeds, equal", runs("sgd", 0.1, 0.90, 0.91, 0.905, 0.907, 0.903, 0.902), runs("sgd", 0.1, 0.90, 0.91, 0.905, 0.907, 0.903, 0.902),
			report.SignedRank, 6, true, false, ""},
		{"no seed in common: Welch", seeded("sgd", 0.1, seeds(1, 5), 0.90, 0.91, 0.905, 0.907, 0.903), seeded("sgd", 0.1, seeds(6, 10), 0.95, 0.96, 0.955, 0.951, 0.956),
			report.Welch, 0, false, true, ""},
		{"5 seeds in common of 6: paired on those", seeded("sgd", 0.1, seeds(1, 6), 0.5, 0.91, 0.905, 0.907, 0.903, 0.902), seeded("sgd", 0.1, seeds(2, 7), 0.95, 0.96, 0.955, 0.951, 0.956, 0.99),
			report.PairedT, 5, false, true, "2 runs with no run of the same seed"},
		{"3 seeds in common of 5: Welch", seeded("sgd", 0.1, seeds(1, 5), 0.90, 0.91, 0.905, 0.907, 0.903), seeded("sgd", 0.1, seeds(3, 7), 0.95, 0.96, 0.955, 0.951, 0.956),
			report.Welch, 0, false, true, ""},
		{"3 seeds in common of 4: too few", seeded("sgd", 0.1, seeds(1, 4), 0.90, 0.91, 0.905, 0.907), seeded("sgd", 0.1, seeds(2, 5), 0.95, 0.96, 0.955, 0.951),
			"", 0, false, false, "need ≥ 5 seeds"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			table, err := report.Compare(sweep(1, tt.a), sweep(2, tt.b), report.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(table.Rows) != 1 {
				t.Fatalf("%d rows, want 1", len(table.Rows))
			}
			r := table.Rows[0]
			var buf bytes.Buffer
			table.WriteText(&buf)
			switch {
			case tt.method == "" && r.Test != nil:
				t.Errorf("ran %s (p=%v), want no test\n%s", r.Test.Method, r.Test.P, buf.String())
			case tt.method != "" && r.Test == nil:
				t.Errorf("no test, want %s\n%s", tt.method, buf.String())
			case r.Test != nil && (r.Test.Method != tt.method || r.Test.Pairs != tt.pairs || r.Test.Exact != tt.exact):
				t.Errorf("%+v, want %s on %d pairs (exact %v)\n%s", *r.Test, tt.method, tt.pairs, tt.exact, buf.String())
			}
			if r.Significant != tt.sig {
				t.Errorf("significant %v, want %v\n%s", r.Significant, tt.sig, buf.String())
			}
			if tt.note != "" && !strings.Contains(strings.Join(r.Notes, "\n"), tt.note) {
				t.Errorf("notes %q, want one with %q", r.Notes, tt.note)
			}
			if r.Test != nil && !strings.Contains(buf.String(), string(r.Test.Method)) {
				t.Errorf("the output does not name the test:\n%s", buf.String())
			}
		})
	}
}

// TestCompareTwoOptimizers compares a sweep of one optimizer with a sweep
// of another over the same seeds: no configuration is in both, so they are
// matched on what varies within them (the learning rate), and the runs are
// paired by seed.
func TestCompareTwoOptimizers(t *testing.T) {
	a := &report.Sweep{ID: 1, Name: "sgd", Status: "done"}
	a.Runs = append(a.Runs, runs("sgd", 0.1, 0.90, 0.91, 0.905, 0.907, 0.903, 0.902)...)
	a.Runs = append(a.Runs, runs("sgd", 0.01, 0.80, 0.81, 0.805, 0.807, 0.803, 0.802)...)
	b := &report.Sweep{ID: 2, Name: "momentum", Status: "done"}
	b.Runs = append(b.Runs, runs("momentum", 0.1, 0.92, 0.915, 0.926, 0.93, 0.913, 0.911)...)
	b.Runs = append(b.Runs, runs("momentum", 0.01, 0.90, 0.91, 0.905, 0.907, 0.903, 0.902)...)
	table, err := report.Compare(a, b, report.Options{})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, filepath.Join("testdata", "two-optimizers.golden"), textOf(t, table))
	if !slices.Equal(table.Columns, []string{"lr"}) || len(table.Rows) != 2 {
		t.Fatalf("columns %q, %d rows; want lr and 2 rows", table.Columns, len(table.Rows))
	}
	for _, r := range table.Rows {
		if r.A == nil || r.B == nil || r.Test == nil || r.Test.Method != report.SignedRank || !r.Significant {
			t.Errorf("row %s: not matched or not a significant signed-rank test: %+v", report.Label(r.Config, table.Columns), r)
		}
		if r.Config.Optimizer.Name != "sgd" || r.ConfigB.Optimizer.Name != "momentum" || r.ConfigB.Optimizer.LR != r.Config.Optimizer.LR {
			t.Errorf("row %s: configurations %s and %s, want sgd and momentum at one lr", report.Label(r.Config, table.Columns),
				r.Config.Optimizer.Name, r.ConfigB.Optimizer.Name)
		}
	}
}

// TestCompareOtherGrids checks that sweeps with no configuration in common
// and different grids are not matched: a row each, only in A or only in B.
func TestCompareOtherGrids(t *testing.T) {
	a := &report.Sweep{ID: 1, Name: "sgd", Status: "done"}
	a.Runs = append(a.Runs, runs("sgd", 0.1, 0.90, 0.91, 0.905, 0.907, 0.903, 0.902)...)
	a.Runs = append(a.Runs, runs("sgd", 0.01, 0.80, 0.81, 0.805, 0.807, 0.803, 0.802)...)
	b := &report.Sweep{ID: 2, Name: "momentum", Status: "done", Runs: runs("momentum", 0.1, 0.92, 0.915, 0.926, 0.93, 0.913, 0.911)}
	table, err := report.Compare(a, b, report.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(table.Rows) != 3 {
		t.Fatalf("%d rows, want 3 (2 only in A, 1 only in B)\n%s", len(table.Rows), textOf(t, table))
	}
	for _, r := range table.Rows {
		if (r.A == nil) == (r.B == nil) {
			t.Errorf("row %s in both or neither\n%s", report.Label(r.Config, table.Columns), textOf(t, table))
		}
	}
	if want := "note: no configuration is in both sweeps: they differ in optimizer (sgd vs momentum)\n"; !strings.HasSuffix(textOf(t, table), want) {
		t.Errorf("output does not end with %q:\n%s", want, textOf(t, table))
	}
}

// textOf returns the table as WriteText prints it.
func textOf(t *testing.T, table *report.Table) string {
	t.Helper()
	var buf bytes.Buffer
	if err := table.WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// TestCompareTextShortNumbers checks that the printed table gives a drawn
// hyperparameter to 4 significant digits, while the table keeps it whole.
func TestCompareTextShortNumbers(t *testing.T) {
	const lr = 0.006127394012
	s := &report.Sweep{Name: "drawn", ID: 1, Status: "done", Runs: append(runs("sgd", lr, 0.9, 0.91), runs("sgd", 0.1, 0.8, 0.81)...)}
	table, err := report.Compare(s, nil, report.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(table.Rows, func(r report.Row) bool { return slices.Contains(r.Params, "0.006127394012") }) {
		t.Errorf("no row keeps the drawn lr whole: %+v", table.Rows)
	}
	var buf bytes.Buffer
	if err := table.WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	if text := buf.String(); !strings.Contains(text, " 0.006127 ") || strings.Contains(text, "0.006127394012") {
		t.Errorf("table text shows the lr at other than 4 digits:\n%s", text)
	}
}
