package optim

import "math"

// Schedule gives the learning rate for a training step (step counts from 0).
type Schedule interface {
	Rate(step int) float64
}

var (
	_ Schedule = Constant{}
	_ Schedule = StepDecay{}
	_ Schedule = Exponential{}
	_ Schedule = InverseTime{}
	_ Schedule = Cosine{}
	_ Schedule = Warmup{}
	_ Schedule = SGDR{}
	_ Schedule = OneCycle{}
	_ Schedule = (*Plateau)(nil)
)

// Constant is the same learning rate at every step.
type Constant struct {
	LR float64 // the learning rate
}

// Rate returns LR.
func (s Constant) Rate(step int) float64 {
	checkStep(step)
	return s.LR
}

// StepDecay multiplies the learning rate by Gamma every Every epochs:
//
//	LR · Gamma^⌊epoch / Every⌋,  epoch = ⌊step / StepsPerEpoch⌋
//
// Rate panics if Every or StepsPerEpoch is not positive.
type StepDecay struct {
	LR            float64 // the rate of the first Every epochs
	Gamma         float64 // the factor applied at each decay
	Every         int     // epochs between decays
	StepsPerEpoch int     // training steps in one epoch
}

// Rate returns the learning rate for step.
func (s StepDecay) Rate(step int) float64 {
	if s.Every <= 0 {
		panicf("StepDecay: Every must be positive (got %d)", s.Every)
	}
	return s.LR * math.Pow(s.Gamma, float64(epochOf(step, s.StepsPerEpoch, "StepDecay")/s.Every))
}

// Exponential multiplies the learning rate by Gamma every epoch:
//
//	LR · Gamma^epoch,  epoch = ⌊step / StepsPerEpoch⌋
//
// Rate panics if StepsPerEpoch is not positive.
type Exponential struct {
	LR            float64 // the rate of the first epoch
	Gamma         float64 // the factor applied each epoch
	StepsPerEpoch int     // training steps in one epoch
}

// Rate returns the learning rate for step.
func (s Exponential) Rate(step int) float64 {
	return s.LR * math.Pow(s.Gamma, float64(epochOf(step, s.StepsPerEpoch, "Exponential")))
}

// InverseTime decays the learning rate as the inverse of the epoch:
//
//	LR / (1 + K·epoch),  epoch = ⌊step / StepsPerEpoch⌋
//
// Rate panics if StepsPerEpoch is not positive.
type InverseTime struct {
	LR            float64 // the rate of the first epoch
	K             float64 // the decay per epoch
	StepsPerEpoch int     // training steps in one epoch
}

// Rate returns the learning rate for step.
func (s InverseTime) Rate(step int) float64 {
	return s.LR / (1 + s.K*float64(epochOf(step, s.StepsPerEpoch, "InverseTime")))
}

// Cosine anneals the learning rate from LR to MinLR along half a cosine,
// step by step:
//
//	MinLR + (LR − MinLR)·(1 + cos(π·step/TotalSteps))/2
//
// reaching MinLR at step TotalSteps and staying there afterwards. Rate panics
// if TotalSteps is not positive.
//
// After a Warmup, the cosine's steps count from the end of the warm-up, so a
// builder combining the two must set TotalSteps to the total number of
// training steps minus Warmup.Steps; otherwise the rate is still above MinLR
// when training ends.
type Cosine struct {
	LR         float64 // the rate at step 0
	MinLR      float64 // the rate from step TotalSteps on
	TotalSteps int     // steps from LR to MinLR
}

// Rate returns the learning rate for step.
func (s Cosine) Rate(step int) float64 {
	checkStep(step)
	if s.TotalSteps <= 0 {
		panicf("Cosine: TotalSteps must be positive (got %d)", s.TotalSteps)
	}
	if step >= s.TotalSteps {
		return s.MinLR
	}
	return s.MinLR + (s.LR-s.MinLR)*(1+math.Cos(math.Pi*float64(step)/float64(s.TotalSteps)))/2
}

// Warmup raises the learning rate linearly over its first Steps steps to the
// rate Then starts at, and then hands over to Then:
//
//	Then.Rate(0)·(step+1)/Steps  for step < Steps
//	Then.Rate(step − Steps)      for step ≥ Steps
//
// The following schedule starts after the warm-up: its step 0 is the step
// Steps of training, so its epochs and its TotalSteps (for Cosine) count from
// the end of the warm-up. The last warm-up step already runs at Then.Rate(0).
// With Steps = 0 Warmup is Then. Rate panics if Steps is negative or Then is
// nil.
type Warmup struct {
	Steps int      // steps of linear warm-up
	Then  Schedule // the schedule that follows the warm-up
}

// Rate returns the learning rate for step.
func (s Warmup) Rate(step int) float64 {
	checkStep(step)
	if s.Steps < 0 {
		panicf("Warmup: Steps must not be negative (got %d)", s.Steps)
	}
	if s.Then == nil {
		panicf("Warmup: Then is nil")
	}
	if step < s.Steps {
		return s.Then.Rate(0) * float64(step+1) / float64(s.Steps)
	}
	return s.Then.Rate(step - s.Steps)
}

// SGDR is cosine annealing with warm restarts (Loshchilov & Hutter, "SGDR:
// Stochastic Gradient Descent with Warm Restarts", ICLR 2017), as PyTorch's
// CosineAnnealingWarmRestarts stepped after every batch with a fractional
// epoch. Cycle i lasts T_i = Period·Mult^i epochs; within it the rate falls
// along half a cosine from LR to MinLR and then restarts at LR:
//
//	MinLR + (LR − MinLR)·(1 + cos(π·T_cur/T_i))/2
//
// where T_cur is the time since the cycle began, in epochs, counted in
// steps (T_cur = s/StepsPerEpoch, s the step within the cycle), so the
// rate changes at every step. With Mult = 1 every cycle lasts Period
// epochs; with Mult = 2 the cycles last Period, 2·Period, 4·Period … The
// first step of every cycle runs at LR. Rate panics if Period,
// StepsPerEpoch or Mult is not positive.
type SGDR struct {
	LR            float64 // the rate at the start of every cycle
	MinLR         float64 // the floor each cycle anneals towards
	Period        int     // epochs of the first cycle (PyTorch's T_0)
	Mult          int     // the factor by which each cycle is longer than the one before (T_mult)
	StepsPerEpoch int     // training steps in one epoch
}

// Rate returns the learning rate for step.
func (s SGDR) Rate(step int) float64 {
	checkStep(step)
	if s.Period <= 0 || s.Mult <= 0 || s.StepsPerEpoch <= 0 {
		panicf("SGDR: Period, Mult and StepsPerEpoch must be positive (got %d, %d, %d)", s.Period, s.Mult, s.StepsPerEpoch)
	}
	cycle := s.Period * s.StepsPerEpoch // the current cycle's length in steps
	if s.Mult == 1 {
		step %= cycle
	} else {
		for step >= cycle {
			step -= cycle
			cycle *= s.Mult
		}
	}
	return s.MinLR + (s.LR-s.MinLR)*(1+math.Cos(math.Pi*float64(step)/float64(cycle)))/2
}

// OneCycle is the one-cycle policy (Smith & Topin, "Super-Convergence",
// 2019) with PyTorch's OneCycleLR semantics (two phases, cosine
// annealing; the momentum is not cycled). Over TotalSteps steps the rate
// rises from MaxLR/DivFactor to MaxLR along half a cosine, then falls
// along another to MaxLR/(DivFactor·FinalDivFactor):
//
//	a = PctStart·TotalSteps − 1,  b = TotalSteps − 1   (the phases' last steps)
//	anneal(from, to, p) = to + (from − to)·(1 + cos(π·p))/2
//	step ≤ a:  anneal(MaxLR/DivFactor, MaxLR, step/a)
//	step > a:  anneal(MaxLR, MaxLR/(DivFactor·FinalDivFactor), (step − a)/(b − a))
//
// so step 0 runs at MaxLR/DivFactor and step TotalSteps−1 at the final
// rate, which the steps after it keep (PyTorch raises an error there).
// When a is 0 (PctStart·TotalSteps = 1) step 0 runs at MaxLR, where
// PyTorch divides by zero. PyTorch's defaults are PctStart 0.3,
// DivFactor 25 and FinalDivFactor 1e4. Rate panics if TotalSteps is not
// positive or PctStart is not in (0, 1).
type OneCycle struct {
	MaxLR          float64 // the peak rate, reached at the end of the first phase
	PctStart       float64 // the fraction of the steps spent rising
	DivFactor      float64 // the first rate is MaxLR/DivFactor
	FinalDivFactor float64 // the last rate is MaxLR/(DivFactor·FinalDivFactor)
	TotalSteps     int     // the steps of the whole cycle
}

// Rate returns the learning rate for step.
func (s OneCycle) Rate(step int) float64 {
	checkStep(step)
	if s.TotalSteps <= 0 || !(s.PctStart > 0 && s.PctStart < 1) {
		panicf("OneCycle: TotalSteps must be positive and PctStart in (0, 1) (got %d, %g)", s.TotalSteps, s.PctStart)
	}
	initial := s.MaxLR / s.DivFactor
	final := initial / s.FinalDivFactor
	a := s.PctStart*float64(s.TotalSteps) - 1
	b := float64(s.TotalSteps - 1)
	x := float64(min(step, s.TotalSteps-1))
	switch {
	case a == 0 && x == 0:
		return s.MaxLR
	case x <= a:
		return anneal(initial, s.MaxLR, x/a)
	}
	return anneal(s.MaxLR, final, (x-a)/(b-a))
}

// anneal goes from from (p = 0) to to (p = 1) along half a cosine.
func anneal(from, to, p float64) float64 {
	return to + (from-to)*(1+math.Cos(math.Pi*p))/2
}

// Plateau lowers the learning rate when a monitored metric stops improving,
// with the semantics of PyTorch's ReduceLROnPlateau (threshold_mode "rel",
// cooldown 0, eps 1e-8). It is stateful: the trainer calls Observe with the
// metric after every epoch, and Rate returns the current rate whatever the
// step.
//
// A value v improves on the best so far when
//
//	v < best·(1 − Threshold)   when Maximize is false (a loss)
//	v > best·(1 + Threshold)   when Maximize is true (an accuracy)
//
// (the first finite value always does, as best starts at ∓∞; NaN never
// does). Each epoch without an
// improvement is a bad epoch; when there have been more than Patience bad
// epochs in a row, the rate becomes max(rate·Factor, MinLR) and the count
// restarts. So with Patience p the rate drops after the (p+1)-th epoch in a
// row without improvement, for the epochs that follow it. A drop smaller
// than 1e-8 is not made (PyTorch's eps). PyTorch's defaults are Factor 0.1,
// Patience 10, Threshold 1e-4 and MinLR 0.
//
// Use a Plateau for one run: Reset restores the starting rate.
type Plateau struct {
	LR        float64 // the starting rate
	Factor    float64 // the factor of each drop, in (0, 1)
	Patience  int     // bad epochs tolerated before a drop
	Threshold float64 // the relative improvement that counts
	MinLR     float64 // the floor of the drops
	Maximize  bool    // the metric improves upwards (an accuracy), not downwards (a loss)

	started bool
	lr      float64
	best    float64
	bad     int
}

// Rate returns the current learning rate; step only has to be >= 0.
func (p *Plateau) Rate(step int) float64 {
	checkStep(step)
	p.start()
	return p.lr
}

// Observe takes the monitored metric of the epoch just trained and reports
// whether it lowered the rate for the epochs that follow.
func (p *Plateau) Observe(v float64) (reduced bool) {
	p.start()
	if p.better(v) {
		p.best, p.bad = v, 0
	} else {
		p.bad++
	}
	if p.bad <= p.Patience {
		return false
	}
	p.bad = 0
	lr := max(p.lr*p.Factor, p.MinLR)
	if p.lr-lr <= 1e-8 {
		return false
	}
	p.lr = lr
	return true
}

// Reset forgets the metrics observed and restores LR.
func (p *Plateau) Reset() { p.started = false }

func (p *Plateau) start() {
	if p.started {
		return
	}
	p.started, p.lr, p.bad = true, p.LR, 0
	p.best = math.Inf(1)
	if p.Maximize {
		p.best = math.Inf(-1)
	}
}

func (p *Plateau) better(v float64) bool {
	if p.Maximize {
		return v > p.best*(1+p.Threshold)
	}
	return v < p.best*(1-p.Threshold)
}

// epochOf returns the epoch step falls in, panicking on a negative step or a
// non-positive stepsPerEpoch.
func epochOf(step, stepsPerEpoch int, name string) int {
	checkStep(step)
	if stepsPerEpoch <= 0 {
		panicf("%s: StepsPerEpoch must be positive (got %d)", name, stepsPerEpoch)
	}
	return step / stepsPerEpoch
}

func checkStep(step int) {
	if step < 0 {
		panicf("negative step %d", step)
	}
}
