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

	// Position is where a run on an objective function (dataset "function")
	// stands after the epoch's one step (epoch 0: the start), with
	// TrainLoss its value there and Distance its distance to the nearest
	// minimum of the function; nil for MNIST runs.
	Position []float64
	Distance float64

	// Layers holds the statistics of every hidden layer when
	// Config.LogLayers is set, in layer order.
	Layers []LayerStats
}

// LayerStats describes one hidden layer's activations (its output after
// the activation function, in evaluation mode) over a fixed probe batch,
// and its weights and their last update.
type LayerStats struct {
	Layer     int     // counted from 1, the first hidden layer
	Mean, Std float64 // of the activations (the population standard deviation)
	Zeros     float64 // the fraction of activations that are exactly 0 (dead ReLUs)
	// Saturated is the fraction of activations in the flat ends of the
	// activation function: |a| > 0.99 for tanh, a < 0.01 or a > 0.99 for
	// sigmoid; NaN for ReLU, which saturates only at 0 (Zeros).
	Saturated float64
	// Hist counts the activations in HistBins equal bins over [HistLo,
	// HistHi] (the top bin includes HistHi); Below and Above count those
	// outside.
	HistLo, HistHi float64
	Hist           []int
	Below, Above   int
	// GradRMS and WeightRMS are the root mean squares of the layer's weight
	// gradient (of the epoch's last step) and of its weights;
	// UpdateRatio is RMS(last update) / RMS(weights after it). The
	// gradient and the update are NaN at epoch 0, before any step.
	GradRMS, WeightRMS, UpdateRatio float64
}

// HistBins is the number of bins of LayerStats.Hist, the book's 30.
const HistBins = 30

// StepMetrics is one logged training step.
type StepMetrics struct {
	Step int     // counted over the whole run from 1
	LR   float64 // the learning rate of the step
	Loss float64 // the minibatch loss, weight decay included, before the update
}
