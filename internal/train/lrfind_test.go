package train_test

import (
	"context"
	"math"
	"reflect"
	"strings"
	"testing"

	"runner/internal/train"
)

func TestLRRange_Rate(t *testing.T) {
	for _, r := range []train.LRRange{{1e-7, 10, 100}, {1e-4, 1, 60}, {0.5, 2, 2}, {1e-3, 1e6, 37}} {
		if err := r.Validate(); err != nil {
			t.Fatalf("%+v: %v", r, err)
		}
		if r.Rate(0) != r.Start || r.Rate(r.Steps-1) != r.End {
			t.Errorf("%+v: first %g, last %g; want exactly start and end", r, r.Rate(0), r.Rate(r.Steps-1))
		}
		want := math.Pow(r.End/r.Start, 1/float64(r.Steps-1))
		for i := 1; i < r.Steps; i++ {
			if got := r.Rate(i) / r.Rate(i-1); math.Abs(got/want-1) > 1e-12 {
				t.Errorf("%+v: rate %d / rate %d = %.17g, want %.17g", r, i, i-1, got, want)
			}
		}
	}
}

func TestLRRange_Validate(t *testing.T) {
	for _, tt := range []struct {
		r    train.LRRange
		want string
	}{
		{train.LRRange{1, 1, 10}, "end: must be a finite rate > start"},
		{train.LRRange{2, 1, 10}, "end: must be a finite rate > start"},
		{train.LRRange{0, 1, 10}, "start: must be a finite rate > 0"},
		{train.LRRange{-1, 1, 10}, "start: must be a finite rate > 0"},
		{train.LRRange{1e-3, math.Inf(1), 10}, "end: must be a finite rate"},
		{train.LRRange{math.NaN(), 1, 10}, "start: must be a finite rate > 0"},
		{train.LRRange{1e-3, 1, 1}, "steps: must be at least 2 (got 1)"},
	} {
		if err := tt.r.Validate(); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: error %v, want %q", tt.r, err, tt.want)
		}
	}
}

// steps makes a range test's record of losses at rates 10^(i/10).
func steps(losses ...float64) []train.StepMetrics {
	out := make([]train.StepMetrics, len(losses))
	for i, l := range losses {
		out[i] = train.StepMetrics{Step: i + 1, LR: math.Pow(10, float64(i)/10), Loss: l}
	}
	return out
}

func TestAnalyzeLR(t *testing.T) {
	nan := math.NaN()
	for _, tt := range []struct {
		name                string
		steps               []train.StepMetrics
		stop, min, steepest int
		reason              string
	}{
		// A dip: the smoothed loss falls fastest at the loss's steepest
		// drop (step 4 to 5, index 3 to 4) and is lowest four steps after
		// the loss's own minimum, which it lags.
		{"dip", steps(2, 2, 2, 2, 1, 0.9, 0.8, 0.8, 0.9, 1, 1.1, 1.2), -1, 10, 4, ""},
		// The lowest smoothed loss at step 18, rate 10^1.7: the suggestion
		// is 10^0.7, not a recorded rate. The steepest slope, over ±1 step
		// (20 steps / 20), is two steps after the loss's steepest drop:
		// the smoothed loss lags.
		{"late dip", steps(2, 2, 2, 2, 2, 2, 2, 2, 1.8, 1.5, 1.2, 1, 0.9, 0.85, 0.8, 0.8, 0.8, 0.8, 1.5, 3), -1, 17, 11, ""},
		{"never falls", steps(2, 2.1, 2.2, 2.3, 2.4), -1, 0, 0, ""},
		// The slope at step 3 is one-sided: step 4 is past the stop.
		{"not finite", steps(2, 1.5, 1, nan, 0.5), 3, 2, 2, "not finite"},
		{"infinite", steps(2, 1.5, math.Inf(1), 1), 2, 1, 0, "not finite"},
		// 1, 1, then 30: the smoothed loss is (0.9·0.19 + 0.1·30)/(1 − 0.9³)
		// = 11.7 > 4 × 1. The loss never fell: the suggestion is the start.
		{"rule", steps(1, 1, 30, 1), 2, 0, 0, "exceeds 4 × its lowest"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := train.AnalyzeLR(tt.steps)
			if c.Stop != tt.stop || c.Min != tt.min || c.Steepest != tt.steepest || !strings.Contains(c.Reason, tt.reason) {
				t.Errorf("stop %d (%q), min %d, steepest %d; want %d (%q), %d, %d\nsmoothed %v",
					c.Stop, c.Reason, c.Min, c.Steepest, tt.stop, tt.reason, tt.min, tt.steepest, c.Smoothed)
			}
			// A tenth of the minimum's rate, not below the first rate.
			want := max(tt.steps[c.Min].LR/10, tt.steps[0].LR)
			if c.Suggestion() != want || c.Clamped() != (tt.steps[c.Min].LR/10 < tt.steps[0].LR) ||
				c.MinRate() != tt.steps[c.Min].LR || c.SteepestRate() != tt.steps[c.Steepest].LR {
				t.Errorf("suggestion %g (clamped %v), min rate %g, steepest rate %g; want suggestion %g",
					c.Suggestion(), c.Clamped(), c.MinRate(), c.SteepestRate(), want)
			}
		})
	}
}

// lrFindConfig is the test's run: the book's network on 1,000 images,
// batches of 100 (10 steps per pass over them).
func lrFindConfig(opt train.OptimizerConfig) train.Config {
	return bookConfig(opt, 1000, 1)
}

// findLR runs the range test and collects its epoch reports.
func findLR(t *testing.T, cfg train.Config, r train.LRRange) (train.LRResult, []train.EpochMetrics) {
	t.Helper()
	d, err := train.PrepareData(mnist(t), cfg.Dataset)
	if err != nil {
		t.Fatal(err)
	}
	var ms []train.EpochMetrics
	res, err := train.FindLR(context.Background(), cfg, d, r, func(m train.EpochMetrics) error { ms = append(ms, m); return nil })
	if err != nil {
		t.Fatal(err)
	}
	return res, ms
}

// TestFindLR runs the range test on real MNIST over a range that does not
// diverge: every step is taken at its geometric rate, the first loss is an
// untrained network's, the epochs hold the steps, and a second test gives
// the same bits.
func TestFindLR(t *testing.T) {
	r := train.LRRange{Start: 1e-4, End: 0.3, Steps: 60}
	cfg := lrFindConfig(train.OptimizerConfig{Name: "sgd", LR: 0.1})
	res, ms := findLR(t, cfg, r)
	if len(res.Steps) != r.Steps || res.Status() != train.Done || res.Curve.Stop != -1 {
		t.Fatalf("%d steps, status %s, stop %d (%s); want %d, done", len(res.Steps), res.Status(), res.Curve.Stop, res.Curve.Reason, r.Steps)
	}
	for i, st := range res.Steps {
		if st.Step != i+1 || st.LR != r.Rate(i) {
			t.Errorf("step %d: %+v, want step %d at rate %g", i, st, i+1, r.Rate(i))
		}
	}
	if res.Steps[0].LR != r.Start || res.Steps[r.Steps-1].LR != r.End {
		t.Errorf("rates from %g to %g, want %g to %g", res.Steps[0].LR, res.Steps[r.Steps-1].LR, r.Start, r.End)
	}
	// The untrained network: ln 10 for uniform outputs, a little more for
	// the spread of He-initialised logits.
	if l := res.Steps[0].Loss; math.Abs(l-math.Log(10)) > 0.3 {
		t.Errorf("first loss %g, want near ln 10 = %.4f", l, math.Log(10))
	}
	// 1,000 images in batches of 100: six epochs of ten steps.
	if len(ms) != 6 {
		t.Fatalf("%d epochs reported, want 6", len(ms))
	}
	var all []train.StepMetrics
	for i, m := range ms {
		if m.Epoch != i+1 || len(m.Steps) != 10 || !math.IsNaN(m.TestAcc) {
			t.Errorf("epoch report %d: epoch %d, %d steps, test_acc %g", i, m.Epoch, len(m.Steps), m.TestAcc)
		}
		var loss float64
		for _, st := range m.Steps {
			loss += st.Loss
		}
		if math.Abs(m.TrainLoss-loss/10) > 1e-12 {
			t.Errorf("epoch %d: train loss %g, want the mean of its steps %g", m.Epoch, m.TrainLoss, loss/10)
		}
		all = append(all, m.Steps...)
	}
	if !reflect.DeepEqual(all, res.Steps) {
		t.Error("the epochs' steps are not the result's")
	}
	c := res.Curve
	if c.Steepest > c.Min || c.Clamped() || c.Suggestion() != c.MinRate()/10 || c.Suggestion() < r.Start {
		t.Errorf("suggestion %g (step %d), lowest smoothed loss at step %d", c.Suggestion(), c.Steepest, c.Min)
	}
	if c.Smoothed[c.Min] >= c.Smoothed[0]-0.2 {
		t.Errorf("the smoothed loss fell from %g to only %g", c.Smoothed[0], c.Smoothed[c.Min])
	}
	again, _ := findLR(t, cfg, r)
	if !reflect.DeepEqual(again.Steps, res.Steps) {
		t.Error("a second test gave other steps")
	}
}

// TestFindLR_DataOrder: the range test draws the minibatches training
// would. With the config's rate equal to the start rate, the first two
// steps of both (the second after an update at that rate) have the same
// loss.
func TestFindLR_DataOrder(t *testing.T) {
	r := train.LRRange{Start: 0.05, End: 1, Steps: 10}
	for _, seed := range []int64{1, 7} {
		cfg := lrFindConfig(train.OptimizerConfig{Name: "sgd", LR: r.Start})
		cfg.Seed, cfg.LogSteps = seed, 1
		res, _ := findLR(t, cfg, r)
		_, ms, err := collect(t, context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		run := ms[1].Steps
		for i := range 2 {
			if res.Steps[i].Loss != run[i].Loss {
				t.Errorf("seed %d, step %d: loss %g in the range test, %g in training", seed, i+1, res.Steps[i].Loss, run[i].Loss)
			}
		}
		if res.Steps[2].Loss == run[2].Loss {
			t.Errorf("seed %d, step 3: the same loss %g after different rates", seed, run[2].Loss)
		}
	}
}

// TestFindLR_Diverges: with SGD driven to a rate of a million the test
// stops before its last step, at the first step that meets the rule,
// recomputed here from the losses; the suggestion lies below it.
func TestFindLR_Diverges(t *testing.T) {
	r := train.LRRange{Start: 1e-4, End: 1e6, Steps: 60}
	res, ms := findLR(t, lrFindConfig(train.OptimizerConfig{Name: "sgd", LR: 0.1}), r)
	n := len(res.Steps)
	c := res.Curve
	if n >= r.Steps || res.Status() != train.Diverged || c.Stop != n-1 {
		t.Fatalf("%d of %d steps, status %s, stop %d; want stopped early at the last step", n, r.Steps, res.Status(), c.Stop)
	}
	var avg, best float64
	for i, st := range res.Steps {
		avg = 0.9*avg + 0.1*st.Loss
		s := avg / (1 - math.Pow(0.9, float64(i+1)))
		met := math.IsNaN(st.Loss) || math.IsInf(st.Loss, 0) || (i > 0 && s > 4*best)
		if met != (i == n-1) {
			t.Errorf("step %d (lr %g, loss %g, smoothed %g, lowest %g): rule met %v", i+1, st.LR, st.Loss, s, best, met)
		}
		if i == 0 || s < best {
			best = s
		}
		if st.LR != r.Rate(i) {
			t.Errorf("step %d: rate %g, want %g", i+1, st.LR, r.Rate(i))
		}
	}
	if last := ms[len(ms)-1]; last.Steps[len(last.Steps)-1].Step != n {
		t.Errorf("the last epoch reported ends with %+v, not step %d", last.Steps[len(last.Steps)-1], n)
	}
	if !(c.Steepest <= c.Min && c.Min < c.Stop && c.Suggestion() >= r.Start && c.Suggestion() < res.Steps[c.Stop].LR) {
		t.Errorf("suggestion %g (step %d), min step %d, stop %d", c.Suggestion(), c.Steepest, c.Min, c.Stop)
	}
	t.Logf("stopped at step %d of %d, lr %g: %s; suggested %g", n, r.Steps, res.Steps[n-1].LR, c.Reason, c.Suggestion())
}

func TestFindLR_Refuses(t *testing.T) {
	fn := train.Config{
		Dataset:   train.DatasetConfig{Name: train.FunctionDataset, Function: "book", Start: []float64{-7, 2}},
		Optimizer: train.OptimizerConfig{Name: "sgd", LR: 0.1},
		Schedule:  train.ScheduleConfig{Name: "constant"},
		Epochs:    10,
	}
	ok := lrFindConfig(train.OptimizerConfig{Name: "sgd", LR: 0.1})
	for _, tt := range []struct {
		name string
		cfg  train.Config
		r    train.LRRange
		want string
	}{
		{"function", fn, train.LRRange{1e-3, 1, 10}, "does not apply to dataset function"},
		{"range", ok, train.LRRange{1, 1e-3, 10}, "end: must be"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := train.FindLR(context.Background(), tt.cfg, train.Data{}, tt.r, func(train.EpochMetrics) error {
				t.Error("report called")
				return nil
			})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}
