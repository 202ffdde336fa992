// Package train trains one run: given a Config, the data and a context, it
// builds the network, the optimizer and the learning-rate schedule, trains
// for the configured epochs of shuffled minibatches and reports metrics after
// every epoch (and once before the first, as epoch 0).
//
// A run's random streams (weight init, shuffling, dropout masks) derive from
// Config.Seed alone, and a run touches no shared mutable state, so the same
// Config gives bit-identical metrics on any goroutine, beside any other runs.
package train

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"runner/internal/data"
	"runner/internal/kernel"
	"runner/internal/nn"
	"runner/internal/optim"
)

// evalChunk is how many examples an accuracy pass forwards at a time.
const evalChunk = 1000

// Data is what a run trains and evaluates on. Val is nil when the run holds
// out no validation images.
type Data struct {
	Train, Val, Test *data.Set
}

// PrepareData takes the run's training images (the first TrainLimit, then
// the validation split with SplitSeed) and the test set from m. A function
// run needs no images: for it PrepareData returns an empty Data and does
// not touch m, which may be nil.
func PrepareData(m *data.MNIST, c DatasetConfig) (Data, error) {
	if c.Name == FunctionDataset {
		return Data{}, nil
	}
	tr := m.Train.First(c.TrainLimit)
	d := Data{Train: tr, Test: m.Test}
	if c.Validation > 0 {
		var err error
		d.Train, d.Val, err = tr.Split(c.Validation, c.SplitSeed)
		if err != nil {
			return Data{}, fmt.Errorf("validation split: %w", err)
		}
	}
	return d, nil
}

// ErrDiverged is returned (wrapped) when the training loss becomes NaN or Inf.
var ErrDiverged = errors.New("loss is not finite")

// ErrPruned is what a report function returns to stop a run early: the run
// ends Pruned, keeping the epochs it reported.
var ErrPruned = errors.New("pruned")

// Run trains cfg on d and calls report after epoch 0 and after every epoch,
// on the calling goroutine. A function run (Dataset.Name "function") takes
// one optimizer step per epoch on its objective function and needs no d.
// It returns the run's final status: Done; Diverged with an error wrapping
// ErrDiverged; Interrupted with the context's error when ctx is cancelled
// (checked before every step and every evaluation chunk); Pruned when
// report returns an error wrapping ErrPruned; Interrupted when it returns
// the context's error; Failed with the error when the config cannot be
// trained or report returns another error.
func Run(ctx context.Context, cfg Config, d Data, report func(EpochMetrics) error) (Status, error) {
	if err := cfg.Validate(); err != nil {
		return Failed, err
	}
	if cfg.Dataset.Name == FunctionDataset {
		return runFunction(ctx, cfg, report) // d is not used
	}
	switch cfg.Model.Precision {
	case "float64":
		return run[float64](ctx, cfg, d, report)
	default:
		return run[float32](ctx, cfg, d, report)
	}
}

// The random streams of a run, each seeded from the run's seed and its own
// stream number, so that adding dropout does not change the initial weights.
const (
	streamInit uint64 = iota + 1
	streamShuffle
	streamDropout
	streamBNStats // the batches that re-estimate batch normalisation's statistics at a schedule-free evaluation point
)

// newRNG returns the stream of a run's seed.
func newRNG(seed int64, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(splitmix64(uint64(seed)), splitmix64(uint64(seed)^(stream*0x9e3779b97f4a7c15))))
}

// splitmix64 scrambles a seed so that nearby seeds give unrelated streams.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// trainer holds one run's state.
type trainer[T kernel.Float] struct {
	cfg   Config
	data  Data
	net   *nn.MLP[T]
	opt   optim.Optimizer[T]
	sched optim.Schedule

	stepsPerEpoch int

	x      []T   // a minibatch or an evaluation chunk of pixels
	labels []int // its labels
	index  []int // the example indices of an evaluation chunk

	layers *layerLog[T] // the layer statistics' state; nil unless cfg.LogLayers

	evalPoint optim.EvalPoint[T] // the optimizer, when it evaluates elsewhere than it trains (schedule-free); else nil
	bnStats   *bnStats[T]        // re-estimates batch normalisation at the evaluation point; nil unless evalPoint and batchnorm
	plateau   *optim.Plateau     // the schedule, when it follows a metric; else nil
}

// newTrainer builds the network, optimizer and schedule of cfg over d.
func newTrainer[T kernel.Float](cfg Config, d Data) (*trainer[T], error) {
	netCfg, err := cfg.Model.network()
	if err != nil {
		return nil, err
	}
	net, err := nn.New[T](netCfg, newRNG(cfg.Seed, streamInit), newRNG(cfg.Seed, streamDropout))
	if err != nil {
		return nil, err
	}
	n := d.Train.Len()
	if n == 0 {
		return nil, errors.New("no training images")
	}
	rows := max(cfg.BatchSize, evalChunk)
	t := &trainer[T]{
		cfg:           cfg,
		data:          d,
		net:           net,
		opt:           newOptimizer[T](cfg.Optimizer),
		stepsPerEpoch: (n + cfg.BatchSize - 1) / cfg.BatchSize,
		x:             make([]T, rows*data.ImageSize),
		labels:        make([]int, rows),
		index:         make([]int, rows),
	}
	t.sched = newSchedule(cfg.Schedule, cfg.Optimizer.LR, t.stepsPerEpoch, cfg.Epochs)
	t.plateau, _ = t.sched.(*optim.Plateau)
	if ep, ok := t.opt.(optim.EvalPoint[T]); ok {
		t.evalPoint = ep
		if cfg.Model.BatchNorm {
			t.bnStats = newBNStats(net, n, cfg.BatchSize, newRNG(cfg.Seed, streamBNStats))
		}
	}
	if cfg.LogLayers {
		t.layers = newLayerLog(net, n)
	}
	return t, nil
}

func run[T kernel.Float](ctx context.Context, cfg Config, d Data, report func(EpochMetrics) error) (Status, error) {
	t, err := newTrainer[T](cfg, d)
	if err != nil {
		return Failed, err
	}
	n, stepsPerEpoch := d.Train.Len(), t.stepsPerEpoch

	t.toEval()
	m, err := t.evaluate(ctx, EpochMetrics{Epoch: 0, LR: t.sched.Rate(0)}, true)
	if err != nil {
		return Interrupted, err
	}
	m.Layers = t.layerStats(false)
	t.toTrain()
	if err := report(m); err != nil {
		return stopped(err)
	}

	shuffle := newRNG(cfg.Seed, streamShuffle)
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	step := 0
	for epoch := 1; epoch <= cfg.Epochs; epoch++ {
		shuffle.Shuffle(n, func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
		var lossSum float64
		var rates lrMeter
		var steps []StepMetrics
		if cfg.LogSteps > 0 {
			steps = make([]StepMetrics, 0, stepsPerEpoch/cfg.LogSteps+1)
		}
		start := time.Now()
		for b := 0; b < stepsPerEpoch; b++ {
			if err := ctx.Err(); err != nil {
				return Interrupted, err
			}
			lr := t.sched.Rate(step)
			rates.add(lr)
			if b == stepsPerEpoch-1 {
				t.saveLastWeights()
			}
			loss := t.step(perm[b*cfg.BatchSize:min((b+1)*cfg.BatchSize, n)], lr)
			if cfg.LogSteps > 0 && (step+1)%cfg.LogSteps == 0 {
				steps = append(steps, StepMetrics{Step: step + 1, LR: lr, Loss: loss})
			}
			if math.IsNaN(loss) || math.IsInf(loss, 0) {
				nan := math.NaN()
				report(EpochMetrics{Epoch: epoch, LR: rates.rate(), TrainLoss: loss,
					TrainAcc: nan, ValAcc: nan, TestAcc: nan, Seconds: time.Since(start).Seconds(), Steps: steps})
				return Diverged, fmt.Errorf("epoch %d, step %d: %w (%v)", epoch, b+1, ErrDiverged, loss)
			}
			lossSum += loss
			step++
		}
		t.measureUpdates()
		t.toEval()
		m := EpochMetrics{
			Epoch:     epoch,
			LR:        rates.rate(),
			TrainLoss: lossSum / float64(stepsPerEpoch),
			Seconds:   time.Since(start).Seconds(),
			Steps:     steps,
			Layers:    t.layerStats(true),
		}
		if m, err = t.evaluate(ctx, m, false); err != nil {
			return Interrupted, err
		}
		t.toTrain()
		t.observe(m)
		if err := report(m); err != nil {
			return stopped(err)
		}
	}
	return Done, nil
}

// toEval moves the parameters to the optimizer's evaluation point, if it
// has one, and re-estimates batch normalisation's running statistics there;
// toTrain moves them back. Between the two every metric and the layer
// statistics are measured, so a schedule-free run is measured at its
// average x, the point it returns, while it trains at y.
func (t *trainer[T]) toEval() {
	if t.evalPoint == nil {
		return
	}
	t.evalPoint.Eval(t.net.Values())
	if t.bnStats != nil {
		t.bnStats.refresh(t)
	}
}

func (t *trainer[T]) toTrain() {
	if t.evalPoint != nil {
		t.evalPoint.Train(t.net.Values())
	}
}

// observe feeds a plateau schedule the metric it monitors after an epoch.
func (t *trainer[T]) observe(m EpochMetrics) {
	if t.plateau == nil {
		return
	}
	if t.cfg.Schedule.Monitor == "val_acc" {
		t.plateau.Observe(m.ValAcc)
	} else {
		t.plateau.Observe(m.TrainLoss)
	}
}

// stopped is the status of a run whose report function returned err:
// pruned, interrupted when it was the context's cancellation, else failed.
func stopped(err error) (Status, error) {
	switch {
	case errors.Is(err, ErrPruned):
		return Pruned, err
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return Interrupted, err
	}
	return Failed, err
}

// lrMeter follows the learning rates of an epoch's steps.
type lrMeter struct {
	first, sum float64
	steps      int
	varies     bool
}

func (m *lrMeter) add(lr float64) {
	if m.steps == 0 {
		m.first = lr
	} else if lr != m.first {
		m.varies = true
	}
	m.sum += lr
	m.steps++
}

// rate is the rate the steps used: exactly the configured one when it did
// not change (so that epochs.lr = runs.lr holds in SQL), else the mean.
func (m *lrMeter) rate() float64 {
	if !m.varies {
		return m.first
	}
	return m.sum / float64(m.steps)
}

// step trains on the examples idx of the training set with learning rate lr
// and returns the minibatch loss. When the loss is not finite it leaves the
// parameters alone. After the first call it allocates nothing.
func (t *trainer[T]) step(idx []int, lr float64) float64 {
	data.Gather(t.data.Train, idx, t.x, t.labels)
	loss := t.net.LossAndGrad(t.x, t.labels[:len(idx)], len(idx))
	if !math.IsNaN(loss) && !math.IsInf(loss, 0) {
		t.opt.Update(lr, t.net.Values(), t.net.Grads())
	}
	return loss
}

// evaluate fills in the accuracies of m (and, when withLoss, the training
// loss over the whole training set, as epoch 0 reports it), timing the
// passes. It stops with the context's error between chunks.
func (t *trainer[T]) evaluate(ctx context.Context, m EpochMetrics, withLoss bool) (EpochMetrics, error) {
	start := time.Now()
	lossSum, acc, err := t.pass(ctx, t.data.Train, withLoss)
	if err != nil {
		return m, err
	}
	m.TrainAcc = acc
	if withLoss {
		m.TrainLoss = lossSum/float64(t.data.Train.Len()) + t.net.DecayLoss()
	}
	m.ValAcc = math.NaN()
	if t.data.Val != nil {
		if _, m.ValAcc, err = t.pass(ctx, t.data.Val, false); err != nil {
			return m, err
		}
	}
	if _, m.TestAcc, err = t.pass(ctx, t.data.Test, false); err != nil {
		return m, err
	}
	m.EvalSeconds = time.Since(start).Seconds()
	return m, nil
}

// pass forwards every example of s in evaluation mode and returns the
// accuracy and, when withLoss, the summed cross-entropy.
func (t *trainer[T]) pass(ctx context.Context, s *data.Set, withLoss bool) (lossSum, accuracy float64, err error) {
	n := s.Len()
	correct := 0
	for lo := 0; lo < n; lo += evalChunk {
		if err := ctx.Err(); err != nil {
			return 0, 0, err
		}
		rows := min(evalChunk, n-lo)
		idx := t.index[:rows]
		for i := range idx {
			idx[i] = lo + i
		}
		data.Gather(s, idx, t.x, t.labels)
		if withLoss {
			l, c := t.net.Evaluate(t.x, t.labels[:rows], rows)
			lossSum += l
			correct += c
		} else {
			correct += t.net.Correct(t.x, t.labels[:rows], rows)
		}
	}
	return lossSum, float64(correct) / float64(n), nil
}
