package report_test

import (
	"bytes"
	"errors"
	"fmt"
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

// trainingSweep is a sweep as runner run records it: epoch 0 first.
func trainingSweep(name string) *report.Sweep {
	cfg := train.Config{Optimizer: train.OptimizerConfig{Name: "sgd", LR: 0.1}}
	return &report.Sweep{ID: 7, Name: name, Status: "done", Runs: []report.Run{{Config: cfg, Status: train.Done,
		Epochs: []train.EpochMetrics{{Epoch: 0}, {Epoch: 1, TestAcc: 0.9}}}}}
}

// TestCompareLR: one range test prints its facts with their notes in
// words; two print side by side with the notes as footnotes, numbered row
// by row; a test cut short says how; a clamped suggestion says so.
func TestCompareLR(t *testing.T) {
	a := rangeTest("x-lrfind")
	a.Status = "done"
	c, err := report.CompareLR(a, nil)
	if err != nil {
		t.Fatal(err)
	}
	sum := c.A
	lr := func(i int) float64 { return a.Runs[0].Steps[i].LR }
	var one strings.Builder
	if err := c.WriteText(&one); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"sweep \"x-lrfind\" (id 4, done): range test of sgd, hidden , batch 0, seed 0 (key ",
		"\n\nsteps                 30\n",
		fmt.Sprintf("\nrates                 %.3g to %.3g\n", lr(0), lr(29)),
		fmt.Sprintf("\nended                 stopped at step 30 (lr %.3g): the loss is not finite (NaN)\n", lr(29)),
		fmt.Sprintf("\nloss at the start     %.4f\n", a.Runs[0].Steps[0].Loss),
		fmt.Sprintf("\nlowest smoothed loss  %.4f at lr %.3g\n", sum.Curve.Smoothed[21], lr(21)),
		fmt.Sprintf("\nsuggested lr          %.3g (a tenth of the rate of the lowest smoothed loss)\n", lr(21)/10),
	} {
		if !strings.Contains(one.String(), want) {
			t.Errorf("one test lacks %q:\n%s", want, one.String())
		}
	}

	// B: the same test, interrupted after its 25th step, its rates 100
	// times lower, so that its suggestion is the start rate.
	b := rangeTest("x-lrfind")
	b.ID = 5
	b.Runs[0].Status = train.Interrupted
	b.Runs[0].Steps = b.Runs[0].Steps[:25]
	for i := range b.Runs[0].Steps {
		b.Runs[0].Steps[i].LR = 1e-7 * math.Pow(10, float64(i)/5)
	}
	b.Runs[0].Steps[0].LR = 0.5 * b.Runs[0].Steps[19].LR // the lowest smoothed loss, at 21, within a decade
	c, err = report.CompareLR(a, b)
	if err != nil {
		t.Fatal(err)
	}
	var two strings.Builder
	if err := c.WriteText(&two); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"\nended                 stopped at step 30 (lr " + fmt.Sprintf("%.3g", lr(29)) + ") ¹  interrupted after step 25\n",
		fmt.Sprintf("\nsuggested lr          %.3g ²", lr(21)/10),
		fmt.Sprintf(" %.3g ³\n", b.Runs[0].Steps[0].LR),
		"\n¹  stopped: the loss is not finite (NaN)\n²  suggested lr: a tenth of the rate of the lowest smoothed loss\n" +
			"³  suggested lr: the start rate: the loss was lowest within a decade of it; try a lower --start\n",
		fmt.Sprintf("\nsuggested lr: %.3g, then %.3g (×", lr(21)/10, b.Runs[0].Steps[0].LR),
	} {
		if !strings.Contains(two.String(), want) {
			t.Errorf("two tests lack %q:\n%s", want, two.String())
		}
	}
	if strings.Contains(two.String(), "note: ") {
		t.Errorf("two tests of the same run note a difference:\n%s", two.String())
	}
}

// TestLRFacts: the facts of a test, stopped and not, are the lines
// WriteText prints, name and text, in its order.
func TestLRFacts(t *testing.T) {
	stopped := rangeTest("x-lrfind")
	reached := rangeTest("x-lrfind")
	reached.Runs[0].Steps = reached.Runs[0].Steps[:25]
	for _, s := range []*report.Sweep{stopped, reached} {
		sum, err := report.SummarizeLR(s)
		if err != nil {
			t.Fatal(err)
		}
		var text strings.Builder
		if err := sum.WriteText(&text); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(text.String(), "\n"), "\n")
		facts := sum.Facts()
		if len(facts) != len(lines) || len(facts) != 7 {
			t.Fatalf("%d facts, %d lines printed, want 7:\n%s", len(facts), len(lines), text.String())
		}
		for i, f := range facts {
			name, rest, _ := strings.Cut(lines[i], "  ")
			if f.Name != name || f.Text != strings.TrimLeft(rest, " ") || !strings.HasPrefix(f.Text, f.Value) || f.Value == "" {
				t.Errorf("fact %d: %+v, printed %q", i, f, lines[i])
			}
		}
		if ended := facts[2]; (sum.Curve.Stop >= 0) != strings.Contains(ended.Text, ": ") {
			t.Errorf("stop %d, ended %+v: want the reason after the value when the test stopped", sum.Curve.Stop, ended)
		}
	}
}

// TestCompareLR_Mix: a range test is no table of final metrics, and beside
// a training sweep it is an error wrapping ErrLRFindMix, either way round.
func TestCompareLR_Mix(t *testing.T) {
	lr, runs := rangeTest("x-lrfind"), trainingSweep("x")
	for _, tt := range []struct {
		name string
		err  error
		mix  bool
	}{
		{"Compare of a range test", second(report.Compare(lr, nil, report.Options{})), false},
		{"Compare of two range tests", second(report.Compare(lr, lr, report.Options{})), false},
		{"Compare, range test first", second(report.Compare(lr, runs, report.Options{})), true},
		{"Compare, range test second", second(report.Compare(runs, lr, report.Options{})), true},
		{"CompareLR of training runs", second(report.CompareLR(runs, nil)), false},
		{"CompareLR, range test first", second(report.CompareLR(lr, runs)), true},
		{"CompareLR, range test second", second(report.CompareLR(runs, lr)), true},
	} {
		if tt.err == nil || errors.Is(tt.err, report.ErrLRFindMix) != tt.mix {
			t.Errorf("%s: error %v, want one that wraps ErrLRFindMix: %v", tt.name, tt.err, tt.mix)
		}
	}
	if _, err := report.Compare(runs, runs, report.Options{}); err != nil {
		t.Errorf("Compare of training runs: %v", err)
	}
}

// second returns the error of a call that returns a value and an error.
func second[T any](_ T, err error) error { return err }
