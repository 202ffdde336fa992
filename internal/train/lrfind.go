package train

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"runner/internal/kernel"
)

// LRRange is a learning-rate range test, the "LR finder" of Smith
// ("Cyclical Learning Rates for Training Neural Networks", 2017, section
// 3.3) and fastai's lr_find: one run trained with a rate that grows
// exponentially from Start to End over Steps minibatches, its loss
// recorded at each, stopped when the loss diverges.
type LRRange struct {
	Start, End float64 // the rates of the first and the last step: 0 < Start < End
	Steps      int     // the steps from Start to End, at least 2
}

// The range test's rules: the smoothed loss is an exponential moving
// average of the minibatch losses with factor β = LRSmoothing, debiased
// (divided by 1 − β^k after k steps, so the first steps are not pulled
// toward zero); the test stops at the first step whose loss is not finite
// or whose smoothed loss exceeds LRDivergence times the lowest smoothed
// loss so far. The stopping rule is fastai's; its β is 0.98, which
// averages about 50 steps, half a 100-step test, so that the smoothed loss
// lags the rate by decades: on the book's network with Adam (batch 128,
// 10,000 images) its lowest point fell at lr 0.2 where the minibatch loss
// bottomed out at 0.007. β = 0.9 averages about 10 steps, and put it at
// 0.007.
const (
	LRSmoothing  = 0.9
	LRDivergence = 4.0
)

// Validate reports a range that cannot be tested.
func (r LRRange) Validate() error {
	var errs []error
	if !(r.Start > 0) || math.IsInf(r.Start, 0) {
		errs = append(errs, fmt.Errorf("start: must be a finite rate > 0 (got %g)", r.Start))
	}
	if !(r.End > r.Start) || math.IsInf(r.End, 0) {
		errs = append(errs, fmt.Errorf("end: must be a finite rate > start %g (got %g)", r.Start, r.End))
	}
	if r.Steps < 2 {
		errs = append(errs, fmt.Errorf("steps: must be at least 2 (got %d)", r.Steps))
	}
	return errors.Join(errs...)
}

// Rate returns the rate of step i, counted from 0: Start·(End/Start)^(i/(Steps−1)),
// exactly Start at 0 and exactly End at Steps−1.
func (r LRRange) Rate(i int) float64 {
	switch i {
	case 0:
		return r.Start
	case r.Steps - 1:
		return r.End
	}
	return r.Start * math.Pow(r.End/r.Start, float64(i)/float64(r.Steps-1))
}

// lrSmoother follows the smoothed loss of a range test and its rule.
type lrSmoother struct {
	avg, best float64
	k         int
}

// add takes the next minibatch loss and returns the smoothed loss and
// whether the test stops there, with why.
func (s *lrSmoother) add(loss float64) (smoothed float64, stop string) {
	s.k++
	s.avg = LRSmoothing*s.avg + (1-LRSmoothing)*loss
	smoothed = s.avg / (1 - math.Pow(LRSmoothing, float64(s.k)))
	switch {
	case math.IsNaN(loss) || math.IsInf(loss, 0):
		return smoothed, fmt.Sprintf("the loss is not finite (%v)", loss)
	case s.k == 1 || smoothed < s.best:
		s.best = smoothed
	case smoothed > LRDivergence*s.best:
		return smoothed, fmt.Sprintf("the smoothed loss %.4g exceeds %g × its lowest, %.4g", smoothed, LRDivergence, s.best)
	}
	return smoothed, ""
}

// LRCurve is a range test's record read back: the rate, loss and smoothed
// loss of each step, and the points that matter on it. Indices count the
// steps from 0.
//
// The suggested rate is a tenth of the rate of the lowest smoothed loss
// (fastai's "minimum" rule; Smith reads the same curve as "the loss still
// falls an order of magnitude below where it bottoms out"). It is one
// point of the curve, so noise moves it little. The rate of the steepest
// descent, the other common pick, rests on a slope of the noisy curve: on
// the book's network with SGD the slope between neighbouring steps put it
// at 0.35, a step from divergence, and over wider spans at 0.066 to 0.095;
// it is reported beside the suggestion, over a span of ±5% of the steps.
type LRCurve struct {
	LR, Loss, Smoothed []float64
	// Stop is the step that met the divergence rule, and Reason why; -1
	// and "" when the test reached its end rate.
	Stop   int
	Reason string
	// Min is the step of the lowest smoothed loss before Stop.
	Min int
	// Steepest is the step, at or before Min, where the smoothed loss falls
	// fastest against log(lr): the slope over the steps within ±max(1,
	// n/20) of it, n the steps recorded. It is Min when the loss never
	// fell.
	Steepest int
}

// AnalyzeLR reads a range test's steps (in order; any step numbers) by the
// rules above. It needs at least one step.
func AnalyzeLR(steps []StepMetrics) LRCurve {
	n := len(steps)
	c := LRCurve{LR: make([]float64, n), Loss: make([]float64, n), Smoothed: make([]float64, n), Stop: -1}
	var s lrSmoother
	for i, st := range steps {
		c.LR[i], c.Loss[i] = st.LR, st.Loss
		var why string
		c.Smoothed[i], why = s.add(st.Loss)
		if why != "" && c.Stop < 0 {
			c.Stop, c.Reason = i, why
		}
	}
	end := n
	if c.Stop >= 0 {
		end = c.Stop
	}
	for i := 1; i < end; i++ {
		if c.Smoothed[i] < c.Smoothed[c.Min] {
			c.Min = i
		}
	}
	// The slope at i is the difference over i±span, one-sided near the
	// first step; none reaches past Stop, whose loss may not be finite.
	span := max(1, n/20)
	last := n - 1
	if c.Stop >= 0 {
		last = c.Stop - 1
	}
	c.Steepest = c.Min
	best := 0.0
	for i := 0; i <= c.Min; i++ {
		lo, hi := max(i-span, 0), min(i+span, last)
		if hi <= lo {
			continue
		}
		slope := (c.Smoothed[hi] - c.Smoothed[lo]) / (math.Log(c.LR[hi]) - math.Log(c.LR[lo]))
		if slope < best {
			best, c.Steepest = slope, i
		}
	}
	return c
}

// MinRate is the rate of the lowest smoothed loss.
func (c LRCurve) MinRate() float64 { return c.LR[c.Min] }

// SteepestRate is the rate of the steepest descent of the smoothed loss.
func (c LRCurve) SteepestRate() float64 { return c.LR[c.Steepest] }

// Suggestion is the suggested rate: a tenth of MinRate, or the first rate
// when that is lower (Clamped): the loss was lowest within a decade of
// the start, which should be lower.
func (c LRCurve) Suggestion() float64 { return max(c.MinRate()/10, c.LR[0]) }

// Clamped reports whether Suggestion is the first rate because a tenth of
// MinRate lies below it.
func (c LRCurve) Clamped() bool { return c.MinRate()/10 < c.LR[0] }

// LRResult is what a range test measured.
type LRResult struct {
	Steps []StepMetrics // one per step taken, numbered from 1
	Curve LRCurve       // AnalyzeLR of Steps
}

// Status is how the test is recorded: Done when it reached End, Diverged
// when the divergence rule stopped it (Curve.Reason says why).
func (r LRResult) Status() Status {
	if r.Curve.Stop >= 0 {
		return Diverged
	}
	return Done
}

// FindLR runs the range test r on the run cfg over d's training images:
// from cfg's initial weights, optimizer and seed, it takes r.Steps
// minibatches of cfg.BatchSize in the order cfg's training would (the
// run's shuffle stream, reshuffled every pass over the data), step i at
// rate r.Rate(i) instead of cfg's rate and schedule, and stops after the
// first step that meets the divergence rule. cfg's epochs are not used.
//
// After every pass over the data, and after the pass in progress when the
// test ends, report is called with that epoch (counted from 1): its steps
// (Steps), their mean rate (LR) and mean loss (TrainLoss), no accuracies
// (NaN) and no epoch 0. The error is a bad config or range, the context's
// (checked before each step), or report's.
func FindLR(ctx context.Context, cfg Config, d Data, r LRRange, report func(EpochMetrics) error) (LRResult, error) {
	if err := cfg.Validate(); err != nil {
		return LRResult{}, err
	}
	if err := r.Validate(); err != nil {
		return LRResult{}, err
	}
	if cfg.Dataset.Name == FunctionDataset {
		return LRResult{}, errors.New("the range test needs minibatches: it does not apply to dataset function")
	}
	if cfg.Model.Precision == "float64" {
		return findLR[float64](ctx, cfg, d, r, report)
	}
	return findLR[float32](ctx, cfg, d, r, report)
}

func findLR[T kernel.Float](ctx context.Context, cfg Config, d Data, r LRRange, report func(EpochMetrics) error) (LRResult, error) {
	t, err := newTrainer[T](cfg, d)
	if err != nil {
		return LRResult{}, err
	}
	n := d.Train.Len()
	shuffle := newRNG(cfg.Seed, streamShuffle)
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	var res LRResult
	var smooth lrSmoother
	for epoch, step := 1, 0; step < r.Steps; epoch++ {
		shuffle.Shuffle(n, func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
		var lossSum, lrSum float64
		first := len(res.Steps)
		start := time.Now()
		stop := ""
		for b := 0; b < t.stepsPerEpoch && step < r.Steps && stop == ""; b++ {
			if err := ctx.Err(); err != nil {
				return res, err
			}
			lr := r.Rate(step)
			loss := t.step(perm[b*cfg.BatchSize:min((b+1)*cfg.BatchSize, n)], lr)
			step++
			res.Steps = append(res.Steps, StepMetrics{Step: step, LR: lr, Loss: loss})
			lossSum += loss
			lrSum += lr
			_, stop = smooth.add(loss)
		}
		k := float64(len(res.Steps) - first)
		nan := math.NaN()
		if err := report(EpochMetrics{Epoch: epoch, LR: lrSum / k, TrainLoss: lossSum / k,
			TrainAcc: nan, ValAcc: nan, TestAcc: nan, Seconds: time.Since(start).Seconds(), EvalSeconds: nan,
			Steps: res.Steps[first:]}); err != nil {
			return res, err
		}
		if stop != "" {
			break
		}
	}
	res.Curve = AnalyzeLR(res.Steps)
	return res, nil
}
