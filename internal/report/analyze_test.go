package report_test

import (
	"bytes"
	"fmt"
	imagepng "image/png"
	"math"
	"strings"
	"testing"

	"runner/internal/report"
	"runner/internal/sweep"
	"runner/internal/train"
)

// lrSearch is a search of trials over lr and weight decay whose validation
// accuracy depends on lr alone, from 0.1 at 1e-6 to 0.9 at 1e-2: the
// recorded spec and a sweep of its configurations, each one run done.
func lrSearch(t *testing.T, method string, trials int) (*sweep.Spec, *report.Sweep) {
	t.Helper()
	spec, err := sweep.Parse("hp.yaml", []byte(fmt.Sprintf(`
name: hp
search: {method: %s, trials: %d}
dataset: {validation: 0.2}
model: {weight_decay: {log_uniform: [1.0e-8, 1.0e-4]}}
optimizers:
  - {name: sgd, lr: {log_uniform: [1.0e-6, 1.0e-2]}}
`, method, trials)), nil)
	if err != nil {
		t.Fatal(err)
	}
	configs, err := spec.Expand(1000)
	if err != nil {
		t.Fatal(err)
	}
	s := &report.Sweep{ID: 1, Name: "hp", Status: "done"}
	nan := math.NaN()
	for i, c := range configs {
		acc := 0.1 + 0.8*(math.Log10(c.Optimizer.LR)+6)/4
		s.Runs = append(s.Runs, report.Run{ID: int64(i + 1), Config: c, Status: train.Done, Epochs: []train.EpochMetrics{
			{Epoch: 0, ValAcc: 0.1, TestAcc: nan}, {Epoch: 1, ValAcc: acc, TestAcc: nan}}})
	}
	return spec, s
}

// TestAnalyze builds a sweep of 200 trials of a real random search whose
// validation accuracy depends on the learning rate alone, rising to the
// top of its range: lr must get ≥ 90% of the importance, rank above weight
// decay, and be flagged at its upper bound; weight decay must not be.
func TestAnalyze(t *testing.T) {
	spec, s := lrSearch(t, "random", 200)
	a, err := report.Analyze(s, spec, report.ValAcc)
	if err != nil {
		t.Fatal(err)
	}
	if a.Trials != 200 {
		t.Errorf("%d trials analysed, want 200", a.Trials)
	}
	imp := map[string]float64{}
	for _, r := range a.Report.Params {
		imp[r.Name] = r.Importance
	}
	if imp["lr"] < 0.9 {
		t.Errorf("lr has %.2f of the importance, want ≥ 0.9", imp["lr"])
	}
	if imp["lr"] <= imp["weight_decay"] {
		t.Errorf("lr (%.2f) does not rank above weight decay (%.2f)", imp["lr"], imp["weight_decay"])
	}
	var text strings.Builder
	if err := a.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	out := text.String()
	t.Log("\n" + out)
	if !strings.Contains(out, "warning: lr:") || !strings.Contains(out, "upper bound") {
		t.Errorf("no warning that lr sits at its upper bound:\n%s", out)
	}
	if strings.Contains(out, "warning: weight_decay") {
		t.Errorf("a warning for weight decay, which does not matter:\n%s", out)
	}
	if !strings.HasPrefix(strings.Split(out, "\n")[3], "lr ") {
		t.Errorf("lr is not the first row:\n%s", out)
	}
}

// TestScatter draws the scatter of a two-dimensional search as PNG and
// SVG; a search that draws nothing from a distribution has no scatter.
func TestScatter(t *testing.T) {
	spec, s := lrSearch(t, "halton", 40)
	d, note := report.SearchScatter(s, spec)
	if d == nil {
		t.Fatalf("no scatter: %s", note)
	}
	if d.Kind() != "scatter" {
		t.Errorf("kind %q, want scatter", d.Kind())
	}
	var png, svg bytes.Buffer
	if err := d.Write(&png, "png"); err != nil {
		t.Fatal(err)
	}
	if _, err := imagepng.Decode(&png); err != nil {
		t.Errorf("the PNG does not decode: %v", err)
	}
	if err := d.Write(&svg, "svg"); err != nil || !strings.Contains(svg.String(), "<svg") {
		t.Errorf("the SVG: %v", err)
	}
	grid, err := sweep.Parse("g.yaml", []byte("name: g\noptimizers:\n  - {name: sgd, lr: [0.1, 0.01]}\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := report.SearchScatter(s, grid); d != nil {
		t.Error("a grid sweep has a scatter")
	}
}
