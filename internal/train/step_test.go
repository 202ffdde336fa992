package train

import (
	"context"
	"testing"

	"runner/internal/data"
	"runner/internal/kernel"
)

// TestStepDoesNotAllocate checks that a training step allocates nothing after
// the first, with every layer type in the network, every optimizer and both
// precisions.
func TestStepDoesNotAllocate(t *testing.T) {
	m, err := data.Shared(context.Background(), data.Options{NoDownload: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, precision := range []string{"float32", "float64"} {
		for _, name := range OptimizerNames {
			cfg := Config{
				Dataset:   DatasetConfig{Name: "mnist", TrainLimit: 500},
				Model:     ModelConfig{Hidden: []int{50, 50}, Activation: "relu", Init: "he", BatchNorm: true, Dropout: 0.3, WeightDecay: 1e-3, Precision: precision},
				Optimizer: OptimizerConfig{Name: name, LR: 0.01, Momentum: 0.9, DecayRate: 0.99, Beta1: 0.9, Beta2: 0.999, Eps: 1e-7},
				Schedule:  ScheduleConfig{Name: "constant"},
				Epochs:    1,
				BatchSize: 100,
				Seed:      1,
			}
			d, err := PrepareData(m, cfg.Dataset)
			if err != nil {
				t.Fatal(err)
			}
			var allocs float64
			if precision == "float64" {
				allocs = stepAllocs[float64](t, cfg, d)
			} else {
				allocs = stepAllocs[float32](t, cfg, d)
			}
			if allocs != 0 {
				t.Errorf("%s %s: a training step allocated %v times", precision, name, allocs)
			}
		}
	}
}

func stepAllocs[T kernel.Float](t *testing.T, cfg Config, d Data) float64 {
	tr, err := newTrainer[T](cfg, d)
	if err != nil {
		t.Fatal(err)
	}
	idx := []int{5, 3, 8, 1, 99, 100, 250, 7}
	tr.step(idx, 0.01)
	return testing.AllocsPerRun(10, func() { tr.step(idx, 0.01) })
}
