package train_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"reflect"
	"sync"
	"testing"

	"runner/internal/data"
	"runner/internal/train"
)

// mnist returns the real MNIST, loaded once for the test binary.
func mnist(tb testing.TB) *data.MNIST {
	tb.Helper()
	m, err := data.Shared(context.Background(), data.Options{NoDownload: true})
	if err != nil {
		tb.Fatalf("load MNIST: %v", err)
	}
	return m
}

// bookConfig is the chapter-6 network with the given optimizer, on the first
// limit training images.
func bookConfig(opt train.OptimizerConfig, limit, epochs int) train.Config {
	return train.Config{
		Dataset:   train.DatasetConfig{Name: "mnist", TrainLimit: limit},
		Model:     train.ModelConfig{Hidden: []int{100, 100, 100, 100}, Activation: "relu", Init: "he", Precision: "float32"},
		Optimizer: opt,
		Schedule:  train.ScheduleConfig{Name: "constant"},
		Epochs:    epochs,
		BatchSize: 100,
		Seed:      1,
	}
}

var bookOptimizers = []train.OptimizerConfig{
	{Name: "sgd", LR: 0.1},
	{Name: "momentum", LR: 0.01, Momentum: 0.9},
	{Name: "nesterov", LR: 0.01, Momentum: 0.9},
	{Name: "adagrad", LR: 0.01, Eps: 1e-7},
	{Name: "rmsprop", LR: 0.001, DecayRate: 0.99, Eps: 1e-7},
	{Name: "adam", LR: 0.001, Beta1: 0.9, Beta2: 0.999, Eps: 1e-7},
}

// modernOptimizers are the optimizers beyond the book's at their
// documented defaults, as an experiment file that names them and nothing
// else gets them (internal/sweep fills in the defaults, lr included).
func modernOptimizers(tb testing.TB) []train.OptimizerConfig {
	tb.Helper()
	var out []train.OptimizerConfig
	for _, c := range parseRuns(tb, `
name: modern
optimizers: [{name: adamw}, {name: amsgrad}, {name: nadam}, {name: radam}, {name: lion}, {name: sf_sgd}, {name: sf_adamw}]
`) {
		out = append(out, c.Optimizer)
	}
	return out
}

// optimizerNamed returns the optimizer of opts with the given name.
func optimizerNamed(tb testing.TB, opts []train.OptimizerConfig, name string) train.OptimizerConfig {
	tb.Helper()
	for _, o := range opts {
		if o.Name == name {
			return o
		}
	}
	tb.Fatalf("no optimizer %s", name)
	return train.OptimizerConfig{}
}

// collect trains cfg and returns its status, per-epoch metrics and error.
func collect(tb testing.TB, ctx context.Context, cfg train.Config) (train.Status, []train.EpochMetrics, error) {
	tb.Helper()
	d, err := train.PrepareData(mnist(tb), cfg.Dataset)
	if err != nil {
		tb.Fatal(err)
	}
	var ms []train.EpochMetrics
	st, err := train.Run(ctx, cfg, d, func(m train.EpochMetrics) error { ms = append(ms, m); return nil })
	return st, ms, err
}

// TestEveryOptimizerLearns is the scaled-down accuracy check that runs by
// default: 5,000 real training images, 2 epochs, every optimizer, full test set.
func TestEveryOptimizerLearns(t *testing.T) {
	for _, opt := range bookOptimizers {
		t.Run(opt.Name, func(t *testing.T) {
			t.Parallel()
			st, ms, err := collect(t, context.Background(), bookConfig(opt, 5000, 2))
			if st != train.Done || err != nil {
				t.Fatalf("status %s, error %v", st, err)
			}
			if len(ms) != 3 {
				t.Fatalf("got %d epoch reports, want 3 (epoch 0, 1, 2)", len(ms))
			}
			for i, m := range ms {
				if m.Epoch != i || m.LR != opt.LR || !math.IsNaN(m.ValAcc) {
					t.Errorf("epoch report %d: %+v", i, m)
				}
			}
			first, last := ms[0], ms[2]
			// At initialisation the network guesses: loss near ln 10, accuracy near 10%.
			if first.TestAcc > 0.25 || first.TrainLoss < 1.5 {
				t.Errorf("epoch 0: test acc %.3f, loss %.3f: not an untrained network", first.TestAcc, first.TrainLoss)
			}
			if last.TestAcc < 0.80 {
				t.Errorf("test accuracy after 2 epochs on 5,000 images = %.4f, want >= 0.80", last.TestAcc)
			}
			if !(last.TrainLoss < ms[1].TrainLoss && ms[1].TrainLoss < first.TrainLoss) {
				t.Errorf("training loss did not fall: %.4f, %.4f, %.4f", first.TrainLoss, ms[1].TrainLoss, last.TrainLoss)
			}
			t.Logf("%s: test acc %.4f, train loss %.4f", opt.Name, last.TestAcc, last.TrainLoss)
		})
	}
}

// TestBookAccuracy is the full-size check of the book's network: 5 epochs
// over all 60,000 images, batch 100, with each of SGD 0.1, Momentum 0.01,
// AdaGrad 0.01 and Adam 0.001, over seeds 1–3 as the reference trainers in
// shared/bench were run (numpy and PyTorch reach 97.1–97.8% there). Every
// seed must reach 96.5% test accuracy within the 5 epochs, the mean final
// accuracy over the seeds must be at least 96.5%, and no seed may end below
// 96.0%: SGD at 0.1 ends an epoch anywhere in a band of about ±0.5% (seed 1
// ends at 96.31% after 97.0% the epoch before; numpy's own seeds end as low
// as 96.87%). AdamW, NAdam and Lion at their default rates are held to 97%
// (every seed reaches it within the 5 epochs, and the mean final accuracy
// over the seeds is at least 97%). RAdam at its default rate is held to the
// book's optimizers' bar: PyTorch's own RAdam (torch 1.13, lr 1e-3, the same
// network and batch in shared/bench/mlp_torch.py) ends seeds 1–3 at 96.95%,
// 97.04% and 96.90% with a final training loss of 0.069–0.071, and runner's
// ends at 0.067–0.070; its rectification keeps its step below Adam's (0.69 of
// it on average over 5 epochs), and over 10 epochs (experiments/radam.yaml)
// every seed of 1–5 reaches 97% by epoch 6. It takes about 80 s with the AVX kernels; it runs
// with RUNNER_FULL_TESTS=1, as .ci/run does.
func TestBookAccuracy(t *testing.T) {
	if os.Getenv("RUNNER_FULL_TESTS") == "" {
		t.Skip("set RUNNER_FULL_TESTS=1 to train on all of MNIST")
	}
	type bar struct {
		opt                     train.OptimizerConfig
		reach, meanFinal, floor float64 // every seed's best, the seeds' mean final, every seed's final
	}
	book := bar{reach: 0.965, meanFinal: 0.965, floor: 0.960}
	modernBar := bar{reach: 0.97, meanFinal: 0.97}
	var bars []bar
	for _, i := range []int{0, 1, 3, 5} {
		b := book
		b.opt = bookOptimizers[i]
		bars = append(bars, b)
	}
	// AdamW, NAdam, RAdam and Lion at their documented default rates
	// (1e-3, 2e-3, 1e-3, 1e-4) and hyperparameters, as a file that names
	// them alone gets them.
	modern := modernOptimizers(t)
	for _, name := range []string{"adamw", "nadam", "radam", "lion"} {
		b := modernBar
		if name == "radam" {
			b = book
		}
		b.opt = optimizerNamed(t, modern, name)
		bars = append(bars, b)
	}
	for _, b := range bars {
		opt := b.opt
		t.Run(opt.Name, func(t *testing.T) {
			var sum float64
			for seed := int64(1); seed <= 3; seed++ {
				cfg := bookConfig(opt, 0, 5)
				cfg.Seed = seed
				st, ms, err := collect(t, context.Background(), cfg)
				if st != train.Done || err != nil {
					t.Fatalf("seed %d: status %s, error %v", seed, st, err)
				}
				for _, m := range ms {
					t.Logf("%s seed %d epoch %d: lr %g train_loss %.4f train_acc %.4f test_acc %.4f train_s %.2f eval_s %.2f",
						opt.Name, seed, m.Epoch, m.LR, m.TrainLoss, m.TrainAcc, m.TestAcc, m.Seconds, m.EvalSeconds)
				}
				acc, best := ms[len(ms)-1].TestAcc, 0.0
				for _, m := range ms {
					best = max(best, m.TestAcc)
				}
				if best < b.reach {
					t.Errorf("seed %d: best test accuracy over 5 epochs = %.4f, want >= %.3f", seed, best, b.reach)
				}
				if acc < b.floor {
					t.Errorf("seed %d: test accuracy after 5 epochs = %.4f, want >= %.3f", seed, acc, b.floor)
				}
				sum += acc
			}
			if mean := sum / 3; mean < b.meanFinal {
				t.Errorf("mean test accuracy after 5 epochs over seeds 1-3 = %.4f, want >= %.3f", mean, b.meanFinal)
			}
		})
	}
}

// TestModernOptimizersLearn is TestEveryOptimizerLearns for the optimizers
// beyond the book's, at their documented defaults: 10,000 real training
// images, 2 epochs, full test set. The schedule-free ones are measured at
// their evaluation point. It takes twice TestEveryOptimizerLearns' steps:
// Lion at 1e-4 moves each weight by at most 1e-4 a step, and RAdam takes
// small steps while its variance estimate is rectified; after 100 steps
// both stand near 73%.
func TestModernOptimizersLearn(t *testing.T) {
	for _, opt := range modernOptimizers(t) {
		t.Run(opt.Name, func(t *testing.T) {
			t.Parallel()
			st, ms, err := collect(t, context.Background(), bookConfig(opt, 10000, 2))
			if st != train.Done || err != nil {
				t.Fatalf("status %s, error %v", st, err)
			}
			first, last := ms[0], ms[2]
			if first.TestAcc > 0.25 || first.TrainLoss < 1.5 {
				t.Errorf("epoch 0: test acc %.3f, loss %.3f: not an untrained network", first.TestAcc, first.TrainLoss)
			}
			if last.TestAcc < 0.80 {
				t.Errorf("test accuracy after 2 epochs on 10,000 images = %.4f, want >= 0.80", last.TestAcc)
			}
			if !(last.TrainLoss < first.TrainLoss) {
				t.Errorf("training loss did not fall: %.4f, %.4f, %.4f", first.TrainLoss, ms[1].TrainLoss, last.TrainLoss)
			}
			t.Logf("%s lr %g: test acc %.4f, train loss %.4f", opt.Name, opt.LR, last.TestAcc, last.TrainLoss)
		})
	}
}

// TestDeterministicAcrossGoroutines trains one config twice: once alone, once
// on another goroutine while a different run trains beside it. Every metric
// but the timings must be bit-identical. The config exercises every random
// stream: init, shuffling, the validation split and dropout masks.
func TestDeterministicAcrossGoroutines(t *testing.T) {
	cfg := bookConfig(bookOptimizers[5], 2000, 2)
	cfg.Dataset.Validation = 0.2
	cfg.Dataset.SplitSeed = 7
	cfg.Model.BatchNorm = true
	cfg.Model.Dropout = 0.2
	cfg.Model.WeightDecay = 1e-4
	cfg.Schedule = train.ScheduleConfig{Name: "cosine", Warmup: 1}

	_, alone, _ := collect(t, context.Background(), cfg)
	// Train on other goroutines; errors are reported from this one, since
	// t.Fatal may only be called on the test's goroutine.
	d, err := train.PrepareData(mnist(t), cfg.Dataset)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var beside []train.EpochMetrics
	var errs [2]error
	wg.Add(2)
	go func() {
		defer wg.Done()
		_, errs[0] = train.Run(context.Background(), cfg, d, func(m train.EpochMetrics) error { beside = append(beside, m); return nil })
	}()
	go func() {
		defer wg.Done()
		other := cfg
		other.Seed = 2
		_, errs[1] = train.Run(context.Background(), other, d, func(train.EpochMetrics) error { return nil })
	}()
	wg.Wait()
	if errs[0] != nil || errs[1] != nil {
		t.Fatalf("training beside another run: %v, %v", errs[0], errs[1])
	}
	if len(alone) != 3 || len(beside) != 3 {
		t.Fatalf("got %d and %d epochs, want 3", len(alone), len(beside))
	}
	for i := range alone {
		a, b := alone[i], beside[i]
		if !sameMetrics(a, b) {
			t.Errorf("epoch %d differs:\nalone  %+v\nbeside %+v", i, a, b)
		}
	}
	if math.IsNaN(alone[2].ValAcc) {
		t.Error("validation accuracy missing with a validation split")
	}
	// A different seed must give different numbers, or the test above proves nothing.
	other := cfg
	other.Seed = 2
	_, ms, _ := collect(t, context.Background(), other)
	if ms[2].TrainLoss == alone[2].TrainLoss {
		t.Error("seed 2 gave the same training loss as seed 1")
	}
}

// TestScheduleFreeDeterministic is TestDeterministicAcrossGoroutines for a
// schedule-free run with batch normalisation, dropout and a validation
// split: measured at its evaluation point after re-estimating the
// statistics there, its metrics must still be bit-identical alone and
// beside another run, and must differ from the same run measured at its
// training point, which is what plain AdamW-like training would report.
func TestScheduleFreeDeterministic(t *testing.T) {
	cfg := bookConfig(train.OptimizerConfig{Name: "sf_adamw", LR: 0.0025, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 1e-4}, 2000, 2)
	cfg.Dataset.Validation = 0.2
	cfg.Dataset.SplitSeed = 7
	cfg.Model.BatchNorm = true
	cfg.Model.Dropout = 0.2
	cfg.Schedule = train.ScheduleConfig{Name: "constant", Warmup: 1}

	_, alone, err := collect(t, context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	d, err := train.PrepareData(mnist(t), cfg.Dataset)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var beside [2][]train.EpochMetrics
	var errs [2]error
	for i, seed := range []int64{cfg.Seed, 2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := cfg
			c.Seed = seed
			_, errs[i] = train.Run(context.Background(), c, d, func(m train.EpochMetrics) error { beside[i] = append(beside[i], m); return nil })
		}()
	}
	wg.Wait()
	if errs[0] != nil || errs[1] != nil {
		t.Fatalf("training beside another run: %v, %v", errs[0], errs[1])
	}
	if len(alone) != 3 || len(beside[0]) != 3 {
		t.Fatalf("got %d and %d epochs, want 3", len(alone), len(beside[0]))
	}
	for i := range alone {
		if !sameMetrics(alone[i], beside[0][i]) {
			t.Errorf("epoch %d differs:\nalone  %+v\nbeside %+v", i, alone[i], beside[0][i])
		}
	}
	if beside[1][2].TrainLoss == alone[2].TrainLoss {
		t.Error("seed 2 gave the same training loss as seed 1")
	}
	// 32 steps of 100 images (the first epoch warming up) take AdamW to
	// about 74% on this config; the evaluation point must have learned too.
	if alone[2].TestAcc < 0.6 {
		t.Errorf("test accuracy after 2 epochs at the evaluation point = %.4f, want >= 0.6", alone[2].TestAcc)
	}
}

// TestPlateauDropsTheRate trains with a plateau schedule on validation
// accuracy over 100 held-out images (so it moves in steps of 1%) with
// patience 1, and checks the recorded rates against the rule: the rate
// stays until two epochs in a row fail to beat the best accuracy by the
// relative threshold, then halves for the epochs after, and the count
// restarts. At least one drop must happen within the 8 epochs. The same
// holds of the training loss, with a strong L2 term that puts it on a
// plateau, and patience 0.
func TestPlateauDropsTheRate(t *testing.T) {
	for _, monitor := range []string{"val_acc", "train_loss"} {
		t.Run(monitor, func(t *testing.T) {
			cfg := bookConfig(train.OptimizerConfig{Name: "sgd", LR: 0.2}, 1000, 8)
			cfg.Dataset.Validation = 0.1
			cfg.Dataset.SplitSeed = 4
			cfg.Schedule = train.ScheduleConfig{Name: "plateau", Monitor: monitor, Patience: 1, Factor: 0.5}
			if monitor == "train_loss" {
				// A strong L2 term (λ = 3) flattens the network into
				// guessing: the training loss settles near ln 10 within
				// four epochs and then creeps down by less than the
				// threshold; patience 0 drops the rate at the first such
				// epoch.
				cfg.Optimizer.LR = 0.1
				cfg.Model.WeightDecay = 3
				cfg.Schedule.Patience = 0
			}
			st, ms, err := collect(t, context.Background(), cfg)
			if st != train.Done || err != nil {
				t.Fatalf("status %s, error %v", st, err)
			}
			lr, best, bad, drops := cfg.Optimizer.LR, math.NaN(), 0, 0
			for e := 1; e < len(ms); e++ {
				if ms[e].LR != lr {
					t.Fatalf("epoch %d ran at lr %v, want %v (epochs %v)", e, ms[e].LR, lr, rates(ms))
				}
				v := ms[e].TrainLoss
				better := math.IsNaN(best) || v < best*(1-train.PlateauThreshold)
				if monitor == "val_acc" {
					v = ms[e].ValAcc
					better = math.IsNaN(best) || v > best*(1+train.PlateauThreshold)
				}
				if better {
					best, bad = v, 0
				} else if bad++; bad > cfg.Schedule.Patience {
					lr, bad = lr*cfg.Schedule.Factor, 0
					drops++
				}
			}
			t.Logf("%s: rates %v", monitor, rates(ms))
			if drops == 0 {
				t.Errorf("the rate never dropped in %d epochs: %v", len(ms)-1, rates(ms))
			}
		})
	}
}

// rates lists the rates of the epochs ms.
func rates(ms []train.EpochMetrics) []float64 {
	var out []float64
	for _, m := range ms {
		out = append(out, m.LR)
	}
	return out
}

func TestFloat64Precision(t *testing.T) {
	cfg := bookConfig(bookOptimizers[0], 1000, 1)
	cfg.Model.Precision = "float64"
	st, ms64, err := collect(t, context.Background(), cfg)
	if st != train.Done || err != nil {
		t.Fatalf("status %s, error %v", st, err)
	}
	cfg.Model.Precision = "float32"
	_, ms32, _ := collect(t, context.Background(), cfg)
	// Same weights and batches at two precisions: close, not equal.
	if d := math.Abs(ms64[1].TrainLoss - ms32[1].TrainLoss); d > 1e-3 || d == 0 {
		t.Errorf("float64 loss %.8f vs float32 %.8f: difference %g, want in (0, 1e-3]", ms64[1].TrainLoss, ms32[1].TrainLoss, d)
	}
}

func TestDivergedRunStops(t *testing.T) {
	cfg := bookConfig(train.OptimizerConfig{Name: "sgd", LR: 1e4}, 1000, 3)
	st, ms, err := collect(t, context.Background(), cfg)
	if st != train.Diverged || !errors.Is(err, train.ErrDiverged) {
		t.Fatalf("status %s, error %v; want diverged", st, err)
	}
	last := ms[len(ms)-1]
	if !math.IsNaN(last.TrainLoss) && !math.IsInf(last.TrainLoss, 0) {
		t.Errorf("last reported loss %v is finite", last.TrainLoss)
	}
	if last.LR != cfg.Optimizer.LR {
		t.Errorf("the diverged epoch reports lr %v, want the constant %v", last.LR, cfg.Optimizer.LR)
	}
}

func TestCancelledRunIsInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg := bookConfig(bookOptimizers[0], 1000, 5)
	d, err := train.PrepareData(mnist(t), cfg.Dataset)
	if err != nil {
		t.Fatal(err)
	}
	var epochs []int
	st, err := train.Run(ctx, cfg, d, func(m train.EpochMetrics) error {
		epochs = append(epochs, m.Epoch)
		if m.Epoch == 1 {
			cancel()
		}
		return nil
	})
	if st != train.Interrupted || !errors.Is(err, context.Canceled) {
		t.Fatalf("status %s, error %v; want interrupted", st, err)
	}
	if len(epochs) != 2 {
		t.Errorf("reported epochs %v, want [0 1]", epochs)
	}
}

func TestInvalidConfigFails(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*train.Config)
	}{
		{"optimizer", func(c *train.Config) { c.Optimizer.Name = "lbfgs" }},
		{"lr", func(c *train.Config) { c.Optimizer.LR = 0 }},
		{"schedule", func(c *train.Config) { c.Schedule.Name = "cyclic" }},
		{"activation", func(c *train.Config) { c.Model.Activation = "gelu" }},
		{"init", func(c *train.Config) { c.Model.Init = "-1" }},
		{"batch", func(c *train.Config) { c.BatchSize = 0 }},
		{"warmup", func(c *train.Config) { c.Schedule.Warmup = -1 }},
		{"empty validation part", func(c *train.Config) { c.Dataset.TrainLimit, c.Dataset.Validation = 10, 0.01 }},
		{"empty training part", func(c *train.Config) { c.Dataset.TrainLimit, c.Dataset.Validation = 500, 0.999 }},
		{"train limit", func(c *train.Config) { c.Dataset.TrainLimit = 60001 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := bookConfig(bookOptimizers[0], 100, 1)
			tt.mutate(&cfg)
			st, err := train.Run(context.Background(), cfg, train.Data{}, func(train.EpochMetrics) error { t.Error("reported an epoch"); return nil })
			if st != train.Failed || err == nil {
				t.Errorf("status %s, error %v; want failed", st, err)
			}
		})
	}
}

// TestWarmupLongerThanRun checks the reported learning rates of a run no
// longer than its warm-up: it warms up over the whole run (2 epochs of 2
// steps: rates ¼, ½, ¾, 1 × lr), and the cosine after it never starts.
func TestWarmupLongerThanRun(t *testing.T) {
	cfg := bookConfig(train.OptimizerConfig{Name: "sgd", LR: 0.08}, 200, 2)
	cfg.Schedule = train.ScheduleConfig{Name: "cosine", Warmup: 5}
	st, ms, err := collect(t, context.Background(), cfg)
	if st != train.Done || err != nil {
		t.Fatalf("status %s, error %v", st, err)
	}
	want := []float64{0.02, (0.02 + 0.04) / 2, (0.06 + 0.08) / 2}
	for i, m := range ms {
		if math.Abs(m.LR-want[i]) > 1e-15 {
			t.Errorf("epoch %d: lr %v, want %v", i, m.LR, want[i])
		}
	}
}

// TestReportStopsRun checks that a report function stops a run: ErrPruned
// ends it pruned after the epoch it was given, another error ends it failed.
func TestReportStopsRun(t *testing.T) {
	cfg := bookConfig(bookOptimizers[0], 300, 5)
	d, err := train.PrepareData(mnist(t), cfg.Dataset)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		err    error
		status train.Status
	}{{fmt.Errorf("median rule: %w", train.ErrPruned), train.Pruned}, {errors.New("disk full"), train.Failed}} {
		var epochs []int
		st, err := train.Run(context.Background(), cfg, d, func(m train.EpochMetrics) error {
			epochs = append(epochs, m.Epoch)
			if m.Epoch == 2 {
				return tt.err
			}
			return nil
		})
		if st != tt.status || !errors.Is(err, tt.err) || len(epochs) != 3 {
			t.Errorf("stop with %v: status %s, error %v, epochs %v; want %s after epoch 2", tt.err, st, err, epochs, tt.status)
		}
	}
}

// TestLogSteps checks the per-step log: every LogSteps-th step, numbered
// over the whole run, whose losses average to what the epoch reports when
// every step is logged, and no change to the metrics.
func TestLogSteps(t *testing.T) {
	cfg := bookConfig(bookOptimizers[5], 500, 2) // 5 steps per epoch
	_, plain, _ := collect(t, context.Background(), cfg)
	cfg.LogSteps = 1
	_, every, _ := collect(t, context.Background(), cfg)
	cfg.LogSteps = 2
	_, second, _ := collect(t, context.Background(), cfg)
	for e := range every {
		if !sameMetrics(plain[e], every[e]) {
			t.Errorf("epoch %d: logging changed the metrics:\n%+v\n%+v", e, plain[e], every[e])
		}
	}
	if len(every[0].Steps) != 0 || len(every[1].Steps) != 5 || len(every[2].Steps) != 5 {
		t.Fatalf("steps logged per epoch: %d, %d, %d; want 0, 5, 5", len(every[0].Steps), len(every[1].Steps), len(every[2].Steps))
	}
	var sum float64
	for i, s := range every[2].Steps {
		if s.Step != 6+i || s.LR != cfg.Optimizer.LR {
			t.Errorf("epoch 2 step %d: %+v", i, s)
		}
		sum += s.Loss
	}
	if math.Abs(sum/5-every[2].TrainLoss) > 1e-12 {
		t.Errorf("mean of the logged losses %v, epoch loss %v", sum/5, every[2].TrainLoss)
	}
	var got []int
	for _, m := range second {
		for _, s := range m.Steps {
			got = append(got, s.Step)
		}
	}
	if !reflect.DeepEqual(got, []int{2, 4, 6, 8, 10}) {
		t.Errorf("log_steps 2 logged steps %v, want [2 4 6 8 10]", got)
	}
}

// sameMetrics reports whether two epochs' metrics are bit-identical, timings
// and logged steps aside (NaN equal to NaN).
func sameMetrics(a, b train.EpochMetrics) bool {
	same := func(x, y float64) bool { return math.Float64bits(x) == math.Float64bits(y) }
	return a.Epoch == b.Epoch && same(a.LR, b.LR) && same(a.TrainLoss, b.TrainLoss) && same(a.TrainAcc, b.TrainAcc) &&
		same(a.ValAcc, b.ValAcc) && same(a.TestAcc, b.TestAcc)
}
