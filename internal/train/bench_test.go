package train

import (
	"context"
	"testing"
	"time"

	"runner/internal/data"
	"runner/internal/kernel"
)

// BenchmarkEpoch times one training epoch of the book's network
// (784-100-100-100-100-10, ReLU, He, batch 100) over all 60,000 images with
// each of the 13 optimizers at its default rate and parameters (those
// internal/sweep fills in), reporting seconds per epoch, images per second
// and allocations per step. Evaluation passes are not included (nor, for
// sf_sgd and sf_adamw, the move to the evaluation point and back around
// them, two passes over the weights per epoch). scripts/bench-vs-reference.sh
// runs it beside the numpy and PyTorch reference trainers.
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
		{Name: "adamw", LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 1e-2},
		{Name: "amsgrad", LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 1e-2},
		{Name: "nadam", LR: 2e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, MomentumDecay: 4e-3},
		{Name: "radam", LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8},
		{Name: "lion", LR: 1e-4, Beta1: 0.9, Beta2: 0.99},
		{Name: "sf_sgd", LR: 1, Momentum: 0.9},
		{Name: "sf_adamw", LR: 2.5e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8},
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

// BenchmarkEpochLogLayers measures what log_layers costs an epoch of the
// book's network (784-100-100-100-100-10, ReLU, He, SGD, batch 100, all
// 60,000 images), trained as run trains it: with logging, each hidden
// layer's weights are copied before the epoch's last step and the
// statistics are computed over the probe batch after it. Every iteration
// trains one epoch of a run without logging and one of the same run with
// it, in alternating order, so that drift in the machine's speed falls on
// both alike. It reports each one's seconds per epoch (off-s/epoch,
// on-s/epoch), the overhead of logging as a percentage of the epoch
// without (overhead-%: on/off − 1), and the share of the logging epoch
// spent in the logging calls themselves (log-%).
//
//	go test -run XXX -bench EpochLogLayers -count 6 ./internal/train/ > bench.txt
//	go run golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da bench.txt
func BenchmarkEpochLogLayers(b *testing.B) {
	m, err := data.Shared(context.Background(), data.Options{NoDownload: true})
	if err != nil {
		b.Fatal(err)
	}
	for _, precision := range []string{"float32", "float64"} {
		b.Run(precision, func(b *testing.B) {
			cfg := Config{
				Dataset:   DatasetConfig{Name: "mnist"},
				Model:     ModelConfig{Hidden: []int{100, 100, 100, 100}, Activation: "relu", Init: "he", Precision: precision},
				Optimizer: OptimizerConfig{Name: "sgd", LR: 0.1},
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
				benchEpochLayers[float64](b, cfg, d)
			} else {
				benchEpochLayers[float32](b, cfg, d)
			}
		})
	}
}

func benchEpochLayers[T kernel.Float](b *testing.B, cfg Config, d Data) {
	off, err := newTrainer[T](cfg, d)
	if err != nil {
		b.Fatal(err)
	}
	cfg.LogLayers = true
	on, err := newTrainer[T](cfg, d)
	if err != nil {
		b.Fatal(err)
	}
	n := d.Train.Len()
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	steps := (n + cfg.BatchSize - 1) / cfg.BatchSize
	// One epoch trains every step as run does; it returns its time and
	// the time of the logging calls in it.
	epoch := func(t *trainer[T]) (total, logging time.Duration) {
		start := time.Now()
		for s := 0; s < steps; s++ {
			if s == steps-1 {
				l := time.Now()
				t.saveLastWeights()
				logging += time.Since(l)
			}
			t.step(perm[s*cfg.BatchSize:min((s+1)*cfg.BatchSize, n)], cfg.Optimizer.LR)
		}
		l := time.Now()
		t.layerStats(true)
		logging += time.Since(l)
		return time.Since(start), logging
	}
	for _, t := range []*trainer[T]{off, on} {
		t.step(perm[:cfg.BatchSize], cfg.Optimizer.LR) // buffers and optimizer state
		t.layerStats(true)                             // the probe's buffers, as epoch 0 sizes them
	}
	var offTime, onTime, logTime time.Duration
	i := 0
	for b.Loop() {
		var o, l, lg time.Duration
		if i%2 == 0 {
			o, _ = epoch(off)
			l, lg = epoch(on)
		} else {
			l, lg = epoch(on)
			o, _ = epoch(off)
		}
		offTime, onTime, logTime = offTime+o, onTime+l, logTime+lg
		i++
	}
	b.ReportMetric(offTime.Seconds()/float64(b.N), "off-s/epoch")
	b.ReportMetric(onTime.Seconds()/float64(b.N), "on-s/epoch")
	b.ReportMetric(100*(onTime.Seconds()/offTime.Seconds()-1), "overhead-%")
	b.ReportMetric(100*logTime.Seconds()/onTime.Seconds(), "log-%")
}
