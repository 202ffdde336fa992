package train

import (
	"context"
	"testing"

	"runner/internal/data"
)

// TestStepDoesNotAllocate checks that a training step allocates nothing after
// the first, with every layer type in the network and every optimizer.
func TestStepDoesNotAllocate(t *testing.T) {
	m, err := data.Shared(context.Background(), data.Options{NoDownload: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range OptimizerNames {
		cfg := Config{
			Dataset:   DatasetConfig{Name: "mnist", TrainLimit: 500},
			Model:     ModelConfig{Hidden: []int{50, 50}, Activation: "relu", Init: "he", BatchNorm: true, Dropout: 0.3, WeightDecay: 1e-3, Precision: "float32"},
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
		tr, err := newTrainer[float32](cfg, d)
		if err != nil {
			t.Fatal(err)
		}
		idx := []int{5, 3, 8, 1, 99, 100, 250, 7}
		tr.step(idx, 0.01)
		if allocs := testing.AllocsPerRun(10, func() { tr.step(idx, 0.01) }); allocs != 0 {
			t.Errorf("%s: a training step allocated %v times", name, allocs)
		}
	}
}
