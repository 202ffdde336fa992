package train

import (
	"context"
	"fmt"
	"math"
	"slices"
	"testing"

	"runner/internal/data"
	"runner/internal/nn"
)

// TestActivationStats checks the statistics of hand-made activations: the
// mean, the population std, the fractions of zeros and of saturated values,
// and the histogram with its bin edges (k/30 on [0, 1], −1 + k/15 on
// [−1, 1]; a value on an edge goes to the bin above it, hi to the last bin)
// and the counts outside its range.
func TestActivationStats(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name         string
		kind         nn.ActivationKind
		a            []float64
		mean, std    float64
		zeros, sat   float64
		bins         map[int]int // the non-empty bins
		below, above int
	}{
		{
			name: "sigmoid", kind: nn.Sigmoid,
			// 0 and 0.005 saturate low, 0.995 and 1 high; 0.5 is edge 15, 1/30 edge 1.
			a:     []float64{0, 0.005, 0.5, 1.0 / 30, 0.995, 1, 0.2, 0.3},
			mean:  (0 + 0.005 + 0.5 + 1.0/30 + 0.995 + 1 + 0.2 + 0.3) / 8,
			zeros: 1.0 / 8, sat: 4.0 / 8,
			bins: map[int]int{0: 2, 15: 1, 1: 1, 29: 2, 6: 1, 9: 1},
		},
		{
			name: "tanh", kind: nn.Tanh,
			// ±0.995 saturate, and so do ±1, not 0.98; 0 is edge 15,
			// −1 edge 0; 1 is in the top bin.
			a:     []float64{-1, -0.995, 0, 0, 0.5, 0.995, 1, 0.98},
			mean:  (-1 - 0.995 + 0.5 + 0.995 + 1 + 0.98) / 8,
			zeros: 2.0 / 8, sat: 4.0 / 8,
			// 0.5 → (0.5+1)·15 = 22.5: bin 22; 0.98 → 29.7: bin 29.
			bins: map[int]int{0: 2, 15: 2, 22: 1, 29: 3},
		},
		{
			name: "relu", kind: nn.ReLU,
			// ReLU has no saturated fraction; values above 1 are Above.
			a:     []float64{0, 0, 0, 0.25, 1, 2.5, 7, 0.999},
			mean:  (0.25 + 1 + 2.5 + 7 + 0.999) / 8,
			zeros: 3.0 / 8, sat: nan,
			bins:  map[int]int{0: 3, 7: 1, 29: 2},
			above: 2,
		},
		{
			name: "relu below the range", kind: nn.ReLU,
			a:    []float64{-0.5, 0.5},
			mean: 0, zeros: 0, sat: nan,
			bins:  map[int]int{15: 1},
			below: 1,
		},
		{
			name: "sigmoid constant", kind: nn.Sigmoid,
			a:    []float64{0.5, 0.5, 0.5, 0.5},
			mean: 0.5, zeros: 0, sat: 0,
			bins: map[int]int{15: 4},
		},
	}
	for _, tt := range tests {
		var ss float64
		for _, v := range tt.a {
			ss += (v - tt.mean) * (v - tt.mean)
		}
		tt.std = math.Sqrt(ss / float64(len(tt.a)))
		for _, precision := range []string{"float64", "float32"} {
			var s LayerStats
			tol := 1e-12
			if precision == "float64" {
				s = activationStats(tt.kind, tt.a)
			} else {
				a := make([]float32, len(tt.a))
				for i, v := range tt.a {
					a[i] = float32(v)
				}
				s = activationStats(tt.kind, a)
				tol = 1e-6
			}
			name := tt.name + "/" + precision
			if math.Abs(s.Mean-tt.mean) > tol {
				t.Errorf("%s: mean %v, want %v", name, s.Mean, tt.mean)
			}
			if math.Abs(s.Std-tt.std) > tol {
				t.Errorf("%s: std %v, want %v", name, s.Std, tt.std)
			}
			if s.Zeros != tt.zeros {
				t.Errorf("%s: zeros %v, want %v", name, s.Zeros, tt.zeros)
			}
			if !(s.Saturated == tt.sat || math.IsNaN(s.Saturated) && math.IsNaN(tt.sat)) {
				t.Errorf("%s: saturated %v, want %v", name, s.Saturated, tt.sat)
			}
			lo, hi := histRange(tt.kind)
			if s.HistLo != lo || s.HistHi != hi {
				t.Errorf("%s: histogram range [%v, %v], want [%v, %v]", name, s.HistLo, s.HistHi, lo, hi)
			}
			want := make([]int, HistBins)
			for k, c := range tt.bins {
				want[k] = c
			}
			if !slices.Equal(s.Hist, want) {
				t.Errorf("%s: histogram %v, want %v", name, s.Hist, want)
			}
			if s.Below != tt.below || s.Above != tt.above {
				t.Errorf("%s: below %d above %d, want %d and %d", name, s.Below, s.Above, tt.below, tt.above)
			}
		}
	}
}

// TestHistogramEdges checks every interior edge of both ranges: a value on
// edge k goes to bin k, the largest value below it to bin k−1.
func TestHistogramEdges(t *testing.T) {
	for _, kind := range []nn.ActivationKind{nn.Sigmoid, nn.Tanh} {
		lo, hi := histRange(kind)
		for k := 1; k < HistBins; k++ {
			e := lo + (hi-lo)*float64(k)/HistBins
			s := activationStats(kind, []float64{e, math.Nextafter(e, math.Inf(-1))})
			if s.Hist[k] != 1 || s.Hist[k-1] != 1 {
				t.Errorf("%s: edge %d (%v): bins %d..%d hold %v, want [1 1]", kind, k, e, k-1, k, s.Hist[k-1:k+1])
			}
		}
	}
}

// mnistSet returns the real MNIST, loaded once for the test binary.
func mnistSet(tb testing.TB) *data.MNIST {
	tb.Helper()
	m, err := data.Shared(context.Background(), data.Options{NoDownload: true})
	if err != nil {
		tb.Fatalf("load MNIST: %v", err)
	}
	return m
}

// runMetrics trains cfg on real MNIST and returns its epoch reports.
func runMetrics(t *testing.T, cfg Config) []EpochMetrics {
	t.Helper()
	d, err := PrepareData(mnistSet(t), cfg.Dataset)
	if err != nil {
		t.Fatal(err)
	}
	var ms []EpochMetrics
	st, err := Run(context.Background(), cfg, d, func(m EpochMetrics) error { ms = append(ms, m); return nil })
	if st != Done || err != nil {
		t.Fatalf("status %s, error %v", st, err)
	}
	return ms
}

// TestLogLayersChangesNoMetric trains the same config with and without
// LogLayers, at both precisions, with batch normalisation, dropout, weight
// decay, a validation split and logged steps, with Adam and with
// schedule-free AdamW (whose layer statistics are taken at its evaluation
// point, beside the other metrics): every report must be identical, bit
// for bit, apart from Layers and the timings.
func TestLogLayersChangesNoMetric(t *testing.T) {
	adam := OptimizerConfig{Name: "adam", LR: 0.001, Beta1: 0.9, Beta2: 0.999, Eps: 1e-7}
	sf := OptimizerConfig{Name: "sf_adamw", LR: 0.0025, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 1e-4}
	for _, tt := range []struct {
		precision string
		opt       OptimizerConfig
	}{{"float32", adam}, {"float64", adam}, {"float32", sf}, {"float64", sf}} {
		precision := tt.precision
		t.Run(precision+"/"+tt.opt.Name, func(t *testing.T) {
			t.Parallel()
			cfg := Config{
				Dataset:   DatasetConfig{Name: "mnist", TrainLimit: 1500, Validation: 0.2, SplitSeed: 3},
				Model:     ModelConfig{Hidden: []int{60, 40}, Activation: "relu", Init: "he", BatchNorm: true, Dropout: 0.3, WeightDecay: 1e-3, Precision: precision},
				Optimizer: tt.opt,
				Schedule:  ScheduleConfig{Name: "cosine", Warmup: 1},
				Epochs:    3,
				BatchSize: 100,
				Seed:      5,
				LogSteps:  4,
			}
			without := runMetrics(t, cfg)
			cfg.LogLayers = true
			with := runMetrics(t, cfg)
			if len(with) != len(without) {
				t.Fatalf("%d reports with log_layers, %d without", len(with), len(without))
			}
			for i := range with {
				if without[i].Layers != nil {
					t.Errorf("epoch %d: layer statistics reported without log_layers", i)
				}
				if len(with[i].Layers) != len(cfg.Model.Hidden) {
					t.Errorf("epoch %d: %d layer statistics with log_layers, want %d", i, len(with[i].Layers), len(cfg.Model.Hidden))
				}
				a, b := with[i], without[i]
				a.Layers, a.Seconds, a.EvalSeconds = nil, 0, 0
				b.Seconds, b.EvalSeconds = 0, 0
				// %#v prints every float in the shortest form that
				// reads back to the same bits, NaN and −0 included.
				if ga, gb := fmt.Sprintf("%#v", a), fmt.Sprintf("%#v", b); ga != gb {
					t.Errorf("epoch %d differs:\nwith    %s\nwithout %s", i, ga, gb)
				}
			}
			if math.IsNaN(without[len(without)-1].ValAcc) {
				t.Error("no validation accuracy: the split is not exercised")
			}
		})
	}
}

// TestLayerStatsOfATrainedRun checks the weight statistics the trainer
// reports and the probe's size. At epoch 0 the weights' RMS is the init's
// std (He: √(2/fan_in)) and the gradient and update are NaN. After an
// epoch of plain SGD without weight decay, the last update is −lr·g, so
// RMS(update) = UpdateRatio·WeightRMS must equal lr·GradRMS. Every
// histogram counts each of the probe's activations once: 500 images (the
// whole training set, which is smaller than the probe) × the layer's width.
func TestLayerStatsOfATrainedRun(t *testing.T) {
	const lr, limit = 0.1, 500
	cfg := Config{
		Dataset:   DatasetConfig{Name: "mnist", TrainLimit: limit},
		Model:     ModelConfig{Hidden: []int{100, 50}, Activation: "relu", Init: "he", Precision: "float64"},
		Optimizer: OptimizerConfig{Name: "sgd", LR: lr},
		Schedule:  ScheduleConfig{Name: "constant"},
		Epochs:    2,
		BatchSize: 100,
		Seed:      1,
		LogLayers: true,
	}
	ms := runMetrics(t, cfg)
	if len(ms) != 3 {
		t.Fatalf("got %d reports, want 3", len(ms))
	}
	fanIn := append([]int{data.ImageSize}, cfg.Model.Hidden...)
	for _, m := range ms {
		for i, s := range m.Layers {
			where := fmt.Sprintf("epoch %d layer %d", m.Epoch, i+1)
			if s.Layer != i+1 {
				t.Errorf("%s: numbered %d", where, s.Layer)
			}
			total := s.Below + s.Above
			for _, c := range s.Hist {
				total += c
			}
			if want := limit * cfg.Model.Hidden[i]; total != want {
				t.Errorf("%s: the histogram counts %d activations, want %d", where, total, want)
			}
			if !(s.WeightRMS > 0) {
				t.Errorf("%s: weight RMS %v", where, s.WeightRMS)
			}
			if m.Epoch == 0 {
				if std := math.Sqrt(2 / float64(fanIn[i])); math.Abs(s.WeightRMS/std-1) > 0.02 {
					t.Errorf("%s: weight RMS %v, want He's std %v within 2%%", where, s.WeightRMS, std)
				}
				if !math.IsNaN(s.GradRMS) {
					t.Errorf("%s: gradient RMS %v before any step, want NaN", where, s.GradRMS)
				}
				if !math.IsNaN(s.UpdateRatio) {
					t.Errorf("%s: update ratio %v before any step, want NaN", where, s.UpdateRatio)
				}
				continue
			}
			if !(s.GradRMS > 0) || math.IsInf(s.GradRMS, 0) {
				t.Errorf("%s: gradient RMS %v", where, s.GradRMS)
			}
			if !(s.UpdateRatio > 0) || math.IsInf(s.UpdateRatio, 0) {
				t.Errorf("%s: update ratio %v", where, s.UpdateRatio)
			}
			if update := s.UpdateRatio * s.WeightRMS; math.Abs(update/(lr*s.GradRMS)-1) > 1e-9 {
				t.Errorf("%s: RMS of the last update %v, want lr·RMS(g) = %v", where, update, lr*s.GradRMS)
			}
		}
		if len(m.Layers) != len(cfg.Model.Hidden) {
			t.Errorf("epoch %d: %d layers, want %d", m.Epoch, len(m.Layers), len(cfg.Model.Hidden))
		}
	}
	if ms[1].Layers[0].WeightRMS == ms[0].Layers[0].WeightRMS {
		t.Error("the weights' RMS did not move in an epoch of training")
	}
}

// TestBookActivationHistograms runs the configurations of
// experiments/weight-init-activations.yaml (the book's figures 6-10 to
// 6-14: 5 hidden layers of 100 units, no training) on real MNIST through
// the trainer, and checks in the recorded statistics what the book shows:
//
//   - sigmoid, std 1: the activations pile up at 0 and 1. At least half of
//     the last layer's lie within 0.05 of 0 or 1. The histogram's first bin
//     [0, 1/30) and last bin [29/30, 1] lie within 1/30 < 0.05 of the ends,
//     so their share is a lower bound of that fraction, and checking that
//     it reaches one half proves the claim.
//   - sigmoid, std 0.01: the activations collapse near 0.5; the last
//     layer's std is below 0.02.
//   - sigmoid, Xavier: every layer's std stays within a factor of 3 of the
//     first layer's.
//   - ReLU, He: every layer keeps about half of its units at zero, within
//     [0.35, 0.65].
func TestBookActivationHistograms(t *testing.T) {
	type key struct{ act, init string }
	got := map[key][]LayerStats{}
	for _, act := range []string{"sigmoid", "tanh", "relu"} {
		for _, init := range []string{"1", "0.01", "xavier", "he"} {
			cfg := Config{
				Dataset:   DatasetConfig{Name: "mnist", TrainLimit: probeSize},
				Model:     ModelConfig{Hidden: []int{100, 100, 100, 100, 100}, Activation: act, Init: init, Precision: "float32"},
				Optimizer: OptimizerConfig{Name: "sgd", LR: 0.01},
				Schedule:  ScheduleConfig{Name: "constant"},
				Epochs:    0,
				BatchSize: 100,
				Seed:      1,
				LogLayers: true,
			}
			ms := runMetrics(t, cfg)
			if len(ms) != 1 || len(ms[0].Layers) != 5 {
				t.Fatalf("%s %s: %d reports, want epoch 0 only with 5 layers", act, init, len(ms))
			}
			got[key{act, init}] = ms[0].Layers
			last := ms[0].Layers[4]
			ends := float64(last.Hist[0]+last.Hist[HistBins-1]) / float64(last.Below+last.Above+sum(last.Hist))
			t.Logf("%-7s %-6s last layer: mean %.4g std %.4g zeros %.4f saturated %.4f end bins %.4f; first layer std %.4g",
				act, init, last.Mean, last.Std, last.Zeros, last.Saturated, ends, ms[0].Layers[0].Std)
		}
	}

	last := got[key{"sigmoid", "1"}][4]
	ends := float64(last.Hist[0]+last.Hist[HistBins-1]) / float64(last.Below+last.Above+sum(last.Hist))
	if ends < 0.5 {
		t.Errorf("sigmoid, std 1: %.3f of the last layer's activations in the end bins, want >= 0.5", ends)
	}
	if s := got[key{"sigmoid", "0.01"}][4].Std; s >= 0.02 {
		t.Errorf("sigmoid, std 0.01: the last layer's std is %.4f, want < 0.02", s)
	}
	xavier := got[key{"sigmoid", "xavier"}]
	for i, s := range xavier {
		if r := s.Std / xavier[0].Std; r > 3 || r < 1.0/3 {
			t.Errorf("sigmoid, Xavier: layer %d's std %.4f is %.2f times the first layer's %.4f, want within a factor of 3", i+1, s.Std, r, xavier[0].Std)
		}
	}
	for i, s := range got[key{"relu", "he"}] {
		if s.Zeros < 0.35 || s.Zeros > 0.65 {
			t.Errorf("ReLU, He: layer %d has %.3f of its activations at zero, want in [0.35, 0.65]", i+1, s.Zeros)
		}
	}
}

// sum returns the sum of counts.
func sum(counts []int) int {
	n := 0
	for _, c := range counts {
		n += c
	}
	return n
}

// TestLayerStatsAllocations checks that logging allocates only what it
// reports: saving the weights nothing, a probe pass the statistics slice
// and one histogram per layer, the probe itself nothing once the first
// pass has sized the network's buffers.
func TestLayerStatsAllocations(t *testing.T) {
	cfg := Config{
		Dataset:   DatasetConfig{Name: "mnist", TrainLimit: 1200},
		Model:     ModelConfig{Hidden: []int{50, 40, 30}, Activation: "tanh", Init: "xavier", BatchNorm: true, Dropout: 0.2, Precision: "float32"},
		Optimizer: OptimizerConfig{Name: "sgd", LR: 0.01},
		Schedule:  ScheduleConfig{Name: "constant"},
		Epochs:    1,
		BatchSize: 100,
		Seed:      1,
		LogLayers: true,
	}
	d, err := PrepareData(mnistSet(t), cfg.Dataset)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := newTrainer[float32](cfg, d)
	if err != nil {
		t.Fatal(err)
	}
	idx := []int{4, 8, 15, 16, 23, 42}
	tr.step(idx, 0.01)
	tr.layerStats(true)
	if a := testing.AllocsPerRun(5, tr.saveLastWeights); a != 0 {
		t.Errorf("saving the weights allocated %v times", a)
	}
	if a := testing.AllocsPerRun(5, func() { tr.layerStats(true) }); a != float64(1+len(cfg.Model.Hidden)) {
		t.Errorf("a probe pass allocated %v times, want %d (the statistics and their histograms)", a, 1+len(cfg.Model.Hidden))
	}
	if a := testing.AllocsPerRun(5, func() { tr.step(idx, 0.01) }); a != 0 {
		t.Errorf("a training step of a run that logs its layers allocated %v times", a)
	}
}
