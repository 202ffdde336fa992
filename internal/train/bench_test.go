package train

import (
	"context"
	"testing"

	"runner/internal/data"
	"runner/internal/kernel"
)

// BenchmarkEpoch times one training epoch of the book's network
// (784-100-100-100-100-10, ReLU, He, batch 100) over all 60,000 images with
// each optimizer, reporting images per second and allocations per step.
// Evaluation passes are not included.
//
//	go test -run XXX -bench Epoch -benchtime 3x ./internal/train/
func BenchmarkEpoch(b *testing.B) {
	m, err := data.Shared(context.Background(), data.Options{NoDownload: true})
	if err != nil {
		b.Fatal(err)
	}
	opts := []OptimizerConfig{
		{Name: "sgd", LR: 0.1},
		{Name: "momentum", LR: 0.01, Momentum: 0.9},
		{Name: "nesterov", LR: 0.01, Momentum: 0.9},
		{Name: "adagrad", LR: 0.01, Eps: 1e-7},
		{Name: "rmsprop", LR: 0.001, DecayRate: 0.99, Eps: 1e-7},
		{Name: "adam", LR: 0.001, Beta1: 0.9, Beta2: 0.999, Eps: 1e-7},
	}
	for _, precision := range []string{"float32", "float64"} {
		for _, opt := range opts {
			b.Run(precision+"/"+opt.Name, func(b *testing.B) {
				cfg := Config{
					Dataset:   DatasetConfig{Name: "mnist"},
					Model:     ModelConfig{Hidden: []int{100, 100, 100, 100}, Activation: "relu", Init: "he", Precision: precision},
					Optimizer: opt,
					Schedule:  ScheduleConfig{Name: "constant"},
					Epochs:    1,
					BatchSize: 100,
					Seed:      1,
				}
				d, err := PrepareData(m, cfg.Dataset)
				if err != nil {
					b.Fatal(err)
				}
				if precision == "float64" {
					benchEpoch[float64](b, cfg, d)
				} else {
					benchEpoch[float32](b, cfg, d)
				}
			})
		}
	}
}

func benchEpoch[T kernel.Float](b *testing.B, cfg Config, d Data) {
	t, err := newTrainer[T](cfg, d)
	if err != nil {
		b.Fatal(err)
	}
	n := d.Train.Len()
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	t.step(perm[:cfg.BatchSize], cfg.Optimizer.LR) // buffers and optimizer state
	steps := 0
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for lo := 0; lo < n; lo += cfg.BatchSize {
			t.step(perm[lo:min(lo+cfg.BatchSize, n)], cfg.Optimizer.LR)
			steps++
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "images/s")
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/epoch")
	allocs := testing.AllocsPerRun(20, func() { t.step(perm[:cfg.BatchSize], cfg.Optimizer.LR) })
	b.ReportMetric(allocs, "allocs/step")
}
