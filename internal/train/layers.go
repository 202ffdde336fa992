package train

import (
	"math"

	"runner/internal/data"
	"runner/internal/kernel"
	"runner/internal/nn"
)

// Per-layer statistics (Config.LogLayers), the measurements behind the
// book's activation histograms (figures 6-10 to 6-14).
//
// The book's script sends 1,000 Gaussian inputs through an untrained network
// of 5 layers of 100 units. runner measures the activations over MNIST
// images instead: the real data, through the same network the run trains,
// so the statistics need nothing new to configure and go on meaning
// something after training starts. The probe batch is fixed for the run:
// the first probeSize images of its training set (after any validation
// split; all of them when it holds fewer), forwarded in evaluation mode (no
// dropout mask is drawn, batch normalisation uses its running averages).
// Logging therefore touches no random stream and no training state, and a
// run's metrics are bit-identical with and without it.

// probeSize is the number of training images the activations are measured
// over.
const probeSize = 1000

// layerLog is what a run that logs its layers keeps between epochs.
type layerLog[T kernel.Float] struct {
	kind    nn.ActivationKind
	weights []*nn.Param[T] // each hidden layer's weight matrix
	before  [][]T          // a copy of each taken before the epoch's last step
	ratio   []float64      // each one's update ratio, measured by measureUpdates
	rows    int            // the probe batch's size
	out     []LayerStats   // filled by visit during a probe pass
	visit   func(layer int, a []T)
}

// newLayerLog prepares the layer statistics of net for a training set of
// trainLen images. It allocates everything logging needs but the reported
// statistics themselves.
func newLayerLog[T kernel.Float](net *nn.MLP[T], trainLen int) *layerLog[T] {
	l := &layerLog[T]{
		kind:    net.Config.Activation,
		weights: net.HiddenWeights(),
		rows:    min(probeSize, trainLen),
	}
	for _, w := range l.weights {
		l.before = append(l.before, make([]T, len(w.Value)))
	}
	l.ratio = make([]float64, len(l.weights))
	l.visit = func(i int, a []T) {
		l.out[i] = activationStats(l.kind, a)
		l.out[i].Layer = i + 1
	}
	return l
}

// saveLastWeights copies each hidden layer's weights before the epoch's
// last step, whose update layerStats reports; it does nothing when the run
// does not log its layers.
func (t *trainer[T]) saveLastWeights() {
	if t.layers == nil {
		return
	}
	for i, w := range t.layers.weights {
		copy(t.layers.before[i], w.Value)
	}
}

// measureUpdates measures each hidden layer's update ratio, RMS(last
// update) / RMS(weights after it), after the epoch's last step and before
// toEval: the update is the optimizer's, at the point it trains (a
// schedule-free run's y). It does nothing when the run does not log its
// layers.
func (t *trainer[T]) measureUpdates() {
	if t.layers == nil {
		return
	}
	for i, w := range t.layers.weights {
		t.layers.ratio[i] = rmsDiff(w.Value, t.layers.before[i]) / rms(w.Value)
	}
}

// layerStats returns the statistics of every hidden layer, or nil when the
// run does not log them. stepped says whether the epoch ran a training step
// after saveLastWeights: without one (epoch 0) the gradient and the update
// are NaN, else the update ratio is the one measureUpdates measured. The
// activations and the weight RMS are those of the parameters as they are
// (a schedule-free run's evaluation point x).
func (t *trainer[T]) layerStats(stepped bool) []LayerStats {
	l := t.layers
	if l == nil {
		return nil
	}
	idx := t.index[:l.rows]
	for i := range idx {
		idx[i] = i
	}
	data.Gather(t.data.Train, idx, t.x, nil)
	l.out = make([]LayerStats, len(l.weights))
	t.net.ForwardHidden(t.x, l.rows, l.visit)
	for i, w := range l.weights {
		s := &l.out[i]
		s.WeightRMS = rms(w.Value)
		s.GradRMS, s.UpdateRatio = math.NaN(), math.NaN()
		if stepped {
			s.GradRMS = rms(w.Grad)
			s.UpdateRatio = l.ratio[i]
		}
	}
	out := l.out
	l.out = nil
	return out
}

// histRange is the fixed histogram range of an activation's outputs: [0, 1]
// for sigmoid, [−1, 1] for tanh, and [0, 1] for ReLU, as the book's script
// draws them (values above 1 are counted in Above).
func histRange(kind nn.ActivationKind) (lo, hi float64) {
	if kind == nn.Tanh {
		return -1, 1
	}
	return 0, 1
}

// activationStats describes the activations a of a hidden layer with the
// given activation function: everything of LayerStats but Layer and the
// weight statistics. The histogram's bin k holds the values v with
// edge(k) ≤ v < edge(k+1), edge(k) = lo + (hi−lo)·k/HistBins, the last bin
// also hi itself, as numpy.histogram bins them; NaN values are counted
// nowhere (and make the mean and std NaN).
func activationStats[T kernel.Float](kind nn.ActivationKind, a []T) LayerStats {
	lo, hi := histRange(kind)
	s := LayerStats{HistLo: lo, HistHi: hi, Hist: make([]int, HistBins), Saturated: math.NaN()}
	n := float64(len(a))
	var edges [HistBins + 1]float64
	for k := range edges {
		edges[k] = lo + (hi-lo)*float64(k)/HistBins
	}
	scale := HistBins / (hi - lo)
	var sum float64
	zeros, saturated := 0, 0
	for _, x := range a {
		v := float64(x)
		sum += v
		if v == 0 {
			zeros++
		}
		switch kind {
		case nn.Sigmoid:
			if v < 0.01 || v > 0.99 {
				saturated++
			}
		case nn.Tanh:
			if math.Abs(v) > 0.99 {
				saturated++
			}
		}
		switch {
		case v < lo:
			s.Below++
		case v > hi:
			s.Above++
		case v >= lo: // not NaN
			k := min(int((v-lo)*scale), HistBins-1)
			if v < edges[k] {
				k--
			} else if k < HistBins-1 && v >= edges[k+1] {
				k++
			}
			s.Hist[k]++
		}
	}
	s.Mean = sum / n
	var ss float64
	for _, x := range a {
		d := float64(x) - s.Mean
		ss += d * d
	}
	s.Std = math.Sqrt(ss / n)
	s.Zeros = float64(zeros) / n
	if kind != nn.ReLU {
		s.Saturated = float64(saturated) / n
	}
	return s
}

// rms returns the root mean square of x.
func rms[T kernel.Float](x []T) float64 {
	return math.Sqrt(kernel.SumSquares(x) / float64(len(x)))
}

// rmsDiff returns the root mean square of x − y.
func rmsDiff[T kernel.Float](x, y []T) float64 {
	y = y[:len(x)]
	var s float64
	for i, v := range x {
		d := float64(v) - float64(y[i])
		s += d * d
	}
	return math.Sqrt(s / float64(len(x)))
}
