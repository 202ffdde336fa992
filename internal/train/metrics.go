package train

// Status is how a run ended (or where it stands). The values are stored in
// results.db as text, so they never change.
type Status string

// The statuses a run passes through. A run that diverges is a result, not a
// crash: it ends Diverged and the sweep goes on.
const (
	Pending     Status = "pending"     // expanded, not started
	Running     Status = "running"     // training now
	Done        Status = "done"        // trained every epoch
	Diverged    Status = "diverged"    // loss became NaN or Inf; stopped
	Failed      Status = "failed"      // an error or a panic; see the error text
	Interrupted Status = "interrupted" // the context was cancelled mid-run
	Pruned      Status = "pruned"      // stopped early by a pruner
)

// Finished reports whether s is a final status, one that resume keeps.
func (s Status) Finished() bool {
	switch s {
	case Done, Diverged, Failed, Pruned:
		return true
	}
	return false
}

// EpochMetrics is what the trainer reports after every epoch, and once before
// the first as epoch 0 (with Seconds 0 and the loss measured over the training
// set). Accuracies are fractions in [0, 1]. ValAcc is NaN when the run holds
// out no validation images.
type EpochMetrics struct {
	Epoch       int
	LR          float64 // the learning rate of the epoch's steps; their mean where it changed within the epoch
	TrainLoss   float64 // mean minibatch loss over the epoch, weight decay included
	TrainAcc    float64
	ValAcc      float64
	TestAcc     float64
	Seconds     float64 // wall time of the epoch's training steps only
	EvalSeconds float64 // wall time of the accuracy passes

	// Steps holds the epoch's logged steps when Config.LogSteps is set: the
	// minibatch loss of every LogSteps-th step.
	Steps []StepMetrics
}

// StepMetrics is one logged training step.
type StepMetrics struct {
	Step int     // counted over the whole run from 1
	LR   float64 // the learning rate of the step
	Loss float64 // the minibatch loss, weight decay included, before the update
}
