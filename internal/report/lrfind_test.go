package report_test

import (
	"bytes"
	"image/png"
	"math"
	"strings"
	"testing"

	"runner/internal/report"
	"runner/internal/train"
)

// rangeTest is a sweep as runner lr-find records it: one run, epochs from
// 1, a step per rate, the last one's loss not finite.
func rangeTest(name string) *report.Sweep {
	var steps []train.StepMetrics
	for i := range 30 {
		loss := 2.3 - 1.2*math.Exp(-math.Pow(float64(i-18)/5, 2))
		if i == 29 {
			loss = math.NaN()
		}
		steps = append(steps, train.StepMetrics{Step: i + 1, LR: 1e-5 * math.Pow(10, float64(i)/5), Loss: loss})
	}
	cfg := train.Config{Optimizer: train.OptimizerConfig{Name: "sgd", LR: 0.1}}
	return &report.Sweep{ID: 4, Name: name, Runs: []report.Run{{Config: cfg, Status: train.Diverged,
		Epochs: []train.EpochMetrics{{Epoch: 1}, {Epoch: 2}}, Steps: steps}}}
}

func TestIsLRFind(t *testing.T) {
	withEpoch0 := rangeTest("x-lrfind")
	withEpoch0.Runs[0].Epochs = append([]train.EpochMetrics{{Epoch: 0}}, withEpoch0.Runs[0].Epochs...)
	twoRuns := rangeTest("x-lrfind")
	twoRuns.Runs = append(twoRuns.Runs, twoRuns.Runs[0])
	noSteps := rangeTest("x-lrfind")
	noSteps.Runs[0].Steps = nil
	for _, tt := range []struct {
		name string
		s    *report.Sweep
		want bool
	}{
		{"a range test", rangeTest("x-lrfind"), true},
		{"another name", rangeTest("x"), false},
		{"an epoch 0: runner run's", withEpoch0, false},
		{"two runs", twoRuns, false},
		{"no steps", noSteps, false},
	} {
		if got := report.IsLRFind(tt.s); got != tt.want {
			t.Errorf("%s: IsLRFind %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestLRFindFigure: Plots draws a range test as its one figure, a PNG of
// the usual size, whatever the last step's loss; the options of learning
// curves are refused.
func TestLRFindFigure(t *testing.T) {
	s := rangeTest("x-lrfind")
	figs, notes, err := report.Plots(s, report.PlotOptions{})
	if err != nil || len(figs) != 1 || len(notes) != 0 || figs[0].Kind() != "lrfind" {
		t.Fatalf("figures %v, notes %v, error %v", figs, notes, err)
	}
	c := figs[0].(*report.LRFindFigure).Curve
	// The loss bottoms out at step 18 (from 0); the smoothed loss, which
	// lags it, at step 21.
	if c.Stop != 29 || c.Min != 21 || c.Suggestion() != c.LR[21]/10 {
		t.Errorf("stop %d, min %d (smoothed %v), suggestion %g", c.Stop, c.Min, c.Smoothed, c.Suggestion())
	}
	var buf bytes.Buffer
	if err := figs[0].Write(&buf, "png"); err != nil {
		t.Fatal(err)
	}
	if img, err := png.Decode(&buf); err != nil || img.Bounds().Dx() != 1200 || img.Bounds().Dy() != 675 {
		t.Errorf("png: %v", err)
	}
	if _, _, err := report.Plots(s, report.PlotOptions{Facet: "lr"}); err == nil || !strings.Contains(err.Error(), "--facet does not apply") {
		t.Errorf("--facet: %v", err)
	}
}
