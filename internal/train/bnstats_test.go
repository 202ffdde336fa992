package train

import (
	"context"
	"math"
	"slices"
	"testing"

	"runner/internal/data"
	"runner/internal/kernel"
	"runner/internal/nn"
)

// sfConfig is a small schedule-free run with batch normalisation and
// dropout on the first 700 training images: 7 steps of 100 per epoch, and
// fewer than bnBatches batches, so the re-estimate takes all 7.
func sfConfig(precision string) Config {
	return Config{
		Dataset:   DatasetConfig{Name: "mnist", TrainLimit: 700},
		Model:     ModelConfig{Hidden: []int{40, 30}, Activation: "relu", Init: "he", BatchNorm: true, Dropout: 0.2, Precision: precision},
		Optimizer: OptimizerConfig{Name: "sf_adamw", LR: 0.0025, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8},
		Schedule:  ScheduleConfig{Name: "constant"},
		Epochs:    1,
		BatchSize: 100,
		Seed:      3,
	}
}

// TestBNStatsAtEvalPoint checks the re-estimated batch-normalisation
// statistics of a schedule-free run after some steps: the parameters move
// to x, the first layer's running mean is the mean, over the fixed
// examples, of the first affine layer's output at x (the batches are of
// equal size, so the mean of their means is the mean of all), each
// running variance is positive, and toTrain brings the parameters back
// near y.
func TestBNStatsAtEvalPoint(t *testing.T) {
	for _, precision := range []string{"float32", "float64"} {
		t.Run(precision, func(t *testing.T) {
			if precision == "float64" {
				checkBNStats[float64](t, sfConfig(precision))
			} else {
				checkBNStats[float32](t, sfConfig(precision))
			}
		})
	}
}

func checkBNStats[T kernel.Float](t *testing.T, cfg Config) {
	d := mnistData(t, cfg)
	tr, err := newTrainer[T](cfg, d)
	if err != nil {
		t.Fatal(err)
	}
	if tr.evalPoint == nil || tr.bnStats == nil {
		t.Fatal("a schedule-free run with batch normalisation has no evaluation point or re-estimate")
	}
	if got := len(tr.bnStats.idx); got != 700 || tr.bnStats.batch != 100 {
		t.Fatalf("re-estimate over %d examples in batches of %d, want 700 in 100", got, tr.bnStats.batch)
	}
	for b := range 5 {
		tr.step([]int{b*100 + 1, b*100 + 7, b*100 + 30, b*100 + 64, b*100 + 99}, cfg.Optimizer.LR)
	}
	y := cloneAll(tr.net.Values())
	tr.toEval()
	x := cloneAll(tr.net.Values())
	if equalAll(x, y) {
		t.Fatal("toEval left the parameters at y")
	}

	// The first affine layer's output at x over all the fixed examples, at once.
	n := len(tr.bnStats.idx)
	in := make([]T, n*data.ImageSize)
	data.Gather(d.Train, tr.bnStats.idx, in, nil)
	aff := tr.net.Layers[0].(*nn.Affine[T])
	bn := tr.net.Layers[1].(*nn.BatchNorm[T])
	w, bias := aff.W.Value, aff.B.Value
	for j := range bn.Width {
		var sum float64
		for i := range n {
			v := float64(bias[j])
			for k := range data.ImageSize {
				v += float64(in[i*data.ImageSize+k]) * float64(w[k*aff.Out+j])
			}
			sum += v
		}
		want := sum / float64(n)
		if got := float64(bn.RunningMean[j]); math.Abs(got-want) > 1e-4*math.Max(1, math.Abs(want)) {
			t.Errorf("running mean %d = %v, want %v", j, got, want)
		}
	}
	for _, l := range tr.net.Layers {
		if b, ok := l.(*nn.BatchNorm[T]); ok && slices.ContainsFunc(b.RunningVar, func(v T) bool { return !(v > 0) }) {
			t.Errorf("a running variance is not positive: %v", b.RunningVar)
		}
	}

	tr.toTrain()
	for i, p := range tr.net.Values() {
		for j, v := range p {
			if d := math.Abs(float64(v) - float64(y[i][j])); d > 1e-5*math.Max(1, math.Abs(float64(y[i][j]))) {
				t.Fatalf("after toTrain params[%d][%d] = %v, want y = %v", i, j, v, y[i][j])
			}
		}
	}
}

// TestBNStatsLeaveTrainingAlone trains two copies of a schedule-free run
// with batch normalisation and dropout step by step, moving both to x and
// back after every step, one of them re-estimating the statistics there:
// their losses and parameters must stay bit-identical, as the re-estimate
// draws no dropout mask and touches no parameter.
func TestBNStatsLeaveTrainingAlone(t *testing.T) {
	cfg := sfConfig("float32")
	d := mnistData(t, cfg)
	with, err := newTrainer[float32](cfg, d)
	if err != nil {
		t.Fatal(err)
	}
	without, err := newTrainer[float32](cfg, d)
	if err != nil {
		t.Fatal(err)
	}
	without.bnStats = nil
	for s := range 6 {
		idx := []int{s, s + 100, s + 200, s + 300, s + 400, s + 500}
		if a, b := with.step(idx, 0.0025), without.step(idx, 0.0025); math.Float64bits(a) != math.Float64bits(b) {
			t.Fatalf("step %d: loss %v with the re-estimate, %v without", s, a, b)
		}
		with.toEval()
		without.toEval()
		with.toTrain()
		without.toTrain()
	}
	if !equalAll(with.net.Values(), without.net.Values()) {
		t.Error("the re-estimate changed the parameters")
	}
}

// TestEvalPointOnlyForScheduleFree checks which runs get an evaluation
// point and a re-estimate, and which a plateau.
func TestEvalPointOnlyForScheduleFree(t *testing.T) {
	for _, tt := range []struct {
		opt       string
		batchnorm bool
		evalPoint bool
		bn        bool
	}{
		{"adamw", true, false, false},
		{"sf_sgd", false, true, false},
		{"sf_sgd", true, true, true},
		{"sf_adamw", true, true, true},
	} {
		cfg := sfConfig("float32")
		cfg.Optimizer = OptimizerConfig{Name: tt.opt, LR: 0.01, Momentum: 0.9, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
		cfg.Model.BatchNorm = tt.batchnorm
		cfg.Schedule = ScheduleConfig{Name: "plateau", Monitor: "train_loss", Patience: 1, Factor: 0.5}
		tr, err := newTrainer[float32](cfg, mnistData(t, cfg))
		if err != nil {
			t.Fatal(err)
		}
		if (tr.evalPoint != nil) != tt.evalPoint || (tr.bnStats != nil) != tt.bn || tr.plateau == nil {
			t.Errorf("%s batchnorm %v: eval point %v, re-estimate %v, plateau %v; want %v, %v, true",
				tt.opt, tt.batchnorm, tr.evalPoint != nil, tr.bnStats != nil, tr.plateau != nil, tt.evalPoint, tt.bn)
		}
	}
}

func mnistData(t *testing.T, cfg Config) Data {
	t.Helper()
	m, err := data.Shared(context.Background(), data.Options{NoDownload: true})
	if err != nil {
		t.Fatal(err)
	}
	d, err := PrepareData(m, cfg.Dataset)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func cloneAll[T kernel.Float](v [][]T) [][]T {
	out := make([][]T, len(v))
	for i := range v {
		out[i] = slices.Clone(v[i])
	}
	return out
}

func equalAll[T kernel.Float](a, b [][]T) bool {
	for i := range a {
		if !slices.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}
