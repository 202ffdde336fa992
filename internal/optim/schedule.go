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
