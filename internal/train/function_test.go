package train_test

import (
	"context"
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"runner/internal/objective"
	"runner/internal/optim"
	"runner/internal/sweep"
	"runner/internal/train"
)

// bookPath computes the path of the named optimizer on the book's
// function x²/20 + y² from (−7, 2), as the book's optimizer.py does: the
// formulas of DESIGN.md written out for each coordinate, with the book's
// α = 0.9, ρ = 0.99, β1 = 0.9, β2 = 0.999 and ε = 1e-7. path[0] is the
// start, path[s] the point after step s.
func bookPath(t *testing.T, name string, lr float64, steps int) [][2]float64 {
	t.Helper()
	const alpha, rho, beta1, beta2, eps = 0.9, 0.99, 0.9, 0.999, 1e-7
	w := [2]float64{-7, 2}
	var v, h, m [2]float64 // velocity (or Adam's v), sum of squares, Adam's m
	path := [][2]float64{w}
	for step := 1; step <= steps; step++ {
		g := [2]float64{w[0] / 10, 2 * w[1]}
		for i := range 2 {
			switch name {
			case "sgd":
				w[i] -= lr * g[i]
			case "momentum":
				v[i] = alpha*v[i] - lr*g[i]
				w[i] += v[i]
			case "nesterov":
				w[i] += alpha*alpha*v[i] - (1+alpha)*lr*g[i]
				v[i] = alpha*v[i] - lr*g[i]
			case "adagrad":
				h[i] += g[i] * g[i]
				w[i] -= lr * g[i] / (math.Sqrt(h[i]) + eps)
			case "rmsprop":
				h[i] = rho*h[i] + (1-rho)*g[i]*g[i]
				w[i] -= lr * g[i] / (math.Sqrt(h[i]) + eps)
			case "adam":
				tt := float64(step)
				lrt := lr * math.Sqrt(1-math.Pow(beta2, tt)) / (1 - math.Pow(beta1, tt))
				m[i] += (1 - beta1) * (g[i] - m[i])
				v[i] += (1 - beta2) * (g[i]*g[i] - v[i])
				w[i] -= lrt * m[i] / (math.Sqrt(v[i]) + eps)
			default:
				t.Fatalf("no reference for optimizer %q", name)
			}
		}
		path = append(path, w)
	}
	return path
}

// collectFunction runs cfg (with no data) and returns what it reported.
func collectFunction(t *testing.T, ctx context.Context, cfg train.Config) (train.Status, []train.EpochMetrics, error) {
	t.Helper()
	var ms []train.EpochMetrics
	st, err := train.Run(ctx, cfg, train.Data{}, func(m train.EpochMetrics) error {
		ms = append(ms, m)
		return nil
	})
	return st, ms, err
}

// parseRuns expands an experiment file given inline.
func parseRuns(t testing.TB, src string) []train.Config {
	t.Helper()
	s, err := sweep.Parse("test.yaml", []byte(src), nil)
	if err != nil {
		t.Fatalf("parse:\n%v", err)
	}
	runs, err := s.Expand(0)
	if err != nil {
		t.Fatalf("expand:\n%v", err)
	}
	return runs
}

// TestFunctionPathsMatchBook trains experiments/optimizer-paths.yaml, the
// book's figure 6-8, through the sweep's configs (with the defaults it
// fills in) and train.Run, and checks every recorded point of every path
// against the book's formulas.
func TestFunctionPathsMatchBook(t *testing.T) {
	spec, err := sweep.Load("../../experiments/optimizer-paths.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	runs, err := spec.Expand(0)
	if err != nil {
		t.Fatal(err)
	}
	// The book's rates for SGD, Momentum, AdaGrad and Adam; the file's
	// for Nesterov and RMSprop.
	rates := map[string]float64{"sgd": 0.95, "momentum": 0.1, "nesterov": 0.1, "adagrad": 1.5, "rmsprop": 0.15, "adam": 0.3}
	var names []string
	for _, cfg := range runs {
		names = append(names, cfg.Optimizer.Name)
	}
	if want := []string{"sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"}; !slices.Equal(names, want) {
		t.Fatalf("the file's runs use %v; want %v", names, want)
	}
	for _, cfg := range runs {
		t.Run(cfg.Optimizer.Name, func(t *testing.T) {
			o := cfg.Optimizer
			if o.LR != rates[o.Name] || cfg.Epochs != 30 || cfg.Dataset.Function != "book" || !slices.Equal(cfg.Dataset.Start, []float64{-7, 2}) {
				t.Fatalf("config %s; want %s at lr %v, 30 steps on book from (-7, 2)", cfg.CanonicalJSON(), o.Name, rates[o.Name])
			}
			st, ms, err := collectFunction(t, context.Background(), cfg)
			if st != train.Done || err != nil {
				t.Fatalf("status %s, error %v", st, err)
			}
			want := bookPath(t, o.Name, o.LR, 30)
			if len(ms) != len(want) {
				t.Fatalf("%d epochs reported; want %d", len(ms), len(want))
			}
			f := objective.Book{}
			for s, m := range ms {
				w := want[s]
				if m.Epoch != s || len(m.Position) != 2 || math.Abs(m.Position[0]-w[0]) > 1e-12 || math.Abs(m.Position[1]-w[1]) > 1e-12 {
					t.Fatalf("epoch %d (reported %d): at %v; the book's formulas give %v", s, m.Epoch, m.Position, w)
				}
				if v := f.Value(w[:]); math.Abs(m.TrainLoss-v) > 1e-12 {
					t.Errorf("step %d: value %v; want %v", s, m.TrainLoss, v)
				}
				if d := math.Hypot(w[0], w[1]); math.Abs(m.Distance-d) > 1e-12 {
					t.Errorf("step %d: distance %v; want %v", s, m.Distance, d)
				}
				if m.LR != o.LR {
					t.Errorf("step %d: lr %v; want %v", s, m.LR, o.LR)
				}
				if !math.IsNaN(m.TrainAcc) || !math.IsNaN(m.ValAcc) || !math.IsNaN(m.TestAcc) {
					t.Errorf("step %d: accuracies %v %v %v; want NaN", s, m.TrainAcc, m.ValAcc, m.TestAcc)
				}
			}
			if last := ms[len(ms)-1]; !(last.Distance < math.Hypot(-7, 2)) {
				t.Errorf("after 30 steps %v from (0, 0), no nearer than the start", last.Distance)
			}
		})
	}
}

// TestFunctionAdamRosenbrock is the objective package's claim, through
// train.Run: Adam at a constant 0.002 from (−1.5, 2) is within 1e-3 of
// Rosenbrock's minimum (1, 1) from step 8,000 on, and at step 10,000.
func TestFunctionAdamRosenbrock(t *testing.T) {
	const steps, settled = 10000, 8000
	runs := parseRuns(t, `
name: rosenbrock
dataset: {name: function, function: rosenbrock, start: [-1.5, 2]}
train: {epochs: 10000}
optimizers: [{name: adam, lr: 0.002}]
`)
	st, ms, err := collectFunction(t, context.Background(), runs[0])
	if st != train.Done || err != nil || len(ms) != steps+1 {
		t.Fatalf("status %s, error %v, %d epochs", st, err, len(ms))
	}
	for _, m := range ms[settled:] {
		if !(m.Distance < 1e-3) {
			t.Fatalf("step %d: at %v, %g from (1, 1); want within 1e-3 from step %d on", m.Epoch, m.Position, m.Distance, settled)
		}
	}
	if last := ms[steps]; !(last.TrainLoss < 1e-6) {
		t.Errorf("final value %g; want near 0", last.TrainLoss)
	}
}

// TestFunctionDiverges checks that a step to a non-finite value ends the
// run Diverged, with the non-finite epoch reported, as an MNIST run does.
func TestFunctionDiverges(t *testing.T) {
	for _, tt := range []struct {
		name string
		cfg  train.Config
	}{
		{"sgd on rosenbrock", functionConfig("rosenbrock", []float64{-1.5, 2}, train.OptimizerConfig{Name: "sgd", LR: 1}, 100)},
		{"momentum on beale", functionConfig("beale", []float64{4, 4}, train.OptimizerConfig{Name: "momentum", LR: 1, Momentum: 0.9}, 100)},
		{"start out of range", functionConfig("rosenbrock", []float64{1e200, 0}, train.OptimizerConfig{Name: "sgd", LR: 0.1}, 5)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st, ms, err := collectFunction(t, context.Background(), tt.cfg)
			if st != train.Diverged || !errors.Is(err, train.ErrDiverged) {
				t.Fatalf("status %s, error %v; want diverged, wrapping ErrDiverged", st, err)
			}
			if len(ms) == 0 || len(ms) > tt.cfg.Epochs {
				t.Fatalf("%d epochs reported; want the ones up to the divergence", len(ms))
			}
			last := ms[len(ms)-1]
			finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
			if finite(last.TrainLoss) && finite(last.Position[0]) && finite(last.Position[1]) {
				t.Errorf("last reported epoch %d is finite: value %v at %v", last.Epoch, last.TrainLoss, last.Position)
			}
			for _, m := range ms[:len(ms)-1] {
				if !finite(m.TrainLoss) {
					t.Errorf("epoch %d: value %v before the last epoch", m.Epoch, m.TrainLoss)
				}
			}
			if want := "step " + strconv.Itoa(last.Epoch) + ":"; !strings.HasPrefix(err.Error(), want) {
				t.Errorf("error %q; want it to start %q", err, want)
			}
		})
	}
}

// functionConfig is a run on a function with the constant schedule.
func functionConfig(fn string, start []float64, opt train.OptimizerConfig, steps int) train.Config {
	cfg := train.Config{
		Dataset:   train.DatasetConfig{Name: train.FunctionDataset, Function: fn, Start: start},
		Optimizer: opt,
		Schedule:  train.ScheduleConfig{Name: "constant"},
		Epochs:    steps,
		Seed:      1,
	}
	if fn == "quadratic" {
		cfg.Dataset.Condition = objective.DefaultCondition
	}
	return cfg
}

// TestFunctionSchedulePerStep checks that a schedule's epochs are steps: a
// step decay every 2 epochs, and a cosine after a warm-up, give each step
// the rate optim's schedule gives it with one step per epoch, and the path
// follows those rates.
func TestFunctionSchedulePerStep(t *testing.T) {
	const lr, steps = 0.4, 8
	for _, tt := range []struct {
		sched train.ScheduleConfig
		want  optim.Schedule
	}{
		{train.ScheduleConfig{Name: "step", Every: 2, Gamma: 0.5},
			optim.StepDecay{LR: lr, Gamma: 0.5, Every: 2, StepsPerEpoch: 1}},
		{train.ScheduleConfig{Name: "cosine", MinLR: 0.1, Warmup: 2},
			optim.Warmup{Steps: 2, Then: optim.Cosine{LR: lr, MinLR: 0.1, TotalSteps: steps - 2}}},
		{train.ScheduleConfig{Name: "inverse_time", K: 1},
			optim.InverseTime{LR: lr, K: 1, StepsPerEpoch: 1}},
	} {
		t.Run(tt.sched.Name, func(t *testing.T) {
			cfg := functionConfig("quadratic", []float64{3, -1}, train.OptimizerConfig{Name: "sgd", LR: lr}, steps)
			cfg.Dataset.Condition = 2
			cfg.Schedule = tt.sched
			st, ms, err := collectFunction(t, context.Background(), cfg)
			if st != train.Done || err != nil || len(ms) != steps+1 {
				t.Fatalf("status %s, error %v, %d epochs", st, err, len(ms))
			}
			x, y := 3.0, -1.0 // SGD on ½(x² + 2y²): x ← x − η x, y ← y − 2η y
			for s := 1; s <= steps; s++ {
				eta := tt.want.Rate(s - 1)
				x, y = x-eta*x, y-eta*2*y
				m := ms[s]
				if m.LR != eta {
					t.Errorf("step %d: lr %v; want %v", s, m.LR, eta)
				}
				if math.Abs(m.Position[0]-x) > 1e-12 || math.Abs(m.Position[1]-y) > 1e-12 {
					t.Errorf("step %d: at %v; want (%v, %v)", s, m.Position, x, y)
				}
			}
			if ms[0].LR != tt.want.Rate(0) {
				t.Errorf("epoch 0: lr %v; want %v", ms[0].LR, tt.want.Rate(0))
			}
		})
	}
}

// TestFunctionSGDRAndOneCycle checks that sgdr and one_cycle give each step
// of a function run the rate optim's schedules give it with one step per
// epoch (one_cycle spanning the run).
func TestFunctionSGDRAndOneCycle(t *testing.T) {
	const lr, steps = 0.4, 9
	for _, tt := range []struct {
		sched train.ScheduleConfig
		want  optim.Schedule
	}{
		{train.ScheduleConfig{Name: "sgdr", Period: 2, Mult: 2, MinLR: 0.05},
			optim.SGDR{LR: lr, MinLR: 0.05, Period: 2, Mult: 2, StepsPerEpoch: 1}},
		{train.ScheduleConfig{Name: "one_cycle", PctStart: 0.3, DivFactor: 25, FinalDivFactor: 1e4},
			optim.OneCycle{MaxLR: lr, PctStart: 0.3, DivFactor: 25, FinalDivFactor: 1e4, TotalSteps: steps}},
	} {
		t.Run(tt.sched.Name, func(t *testing.T) {
			cfg := functionConfig("quadratic", []float64{3, -1}, train.OptimizerConfig{Name: "sgd", LR: lr}, steps)
			cfg.Dataset.Condition = 2
			cfg.Schedule = tt.sched
			st, ms, err := collectFunction(t, context.Background(), cfg)
			if st != train.Done || err != nil || len(ms) != steps+1 {
				t.Fatalf("status %s, error %v, %d epochs", st, err, len(ms))
			}
			for s := 1; s <= steps; s++ {
				if want := tt.want.Rate(s - 1); ms[s].LR != want {
					t.Errorf("step %d: lr %v; want %v", s, ms[s].LR, want)
				}
			}
		})
	}
}

// TestFunctionPlateauAndScheduleFree runs schedule-free SGD on the
// quadratic with a plateau schedule on the value: the position reported
// is the evaluation point x, which is not where SGD alone would be, the
// rate drops once the value stops improving, and the run closes in on the
// minimum.
func TestFunctionPlateauAndScheduleFree(t *testing.T) {
	cfg := functionConfig("quadratic", []float64{3, -1}, train.OptimizerConfig{Name: "sf_sgd", LR: 0.5, Momentum: 0.9}, 60)
	cfg.Dataset.Condition = 2
	cfg.Schedule = train.ScheduleConfig{Name: "plateau", Monitor: "train_loss", Patience: 2, Factor: 0.5}
	st, ms, err := collectFunction(t, context.Background(), cfg)
	if st != train.Done || err != nil {
		t.Fatalf("status %s, error %v", st, err)
	}
	// Step 1 from x = y = z = (3, −1): z' = z − η∇f(y), c = 1, so x' = z'
	// and the reported position is z'; y' = 0.1·z' + 0.9·x' = z' too.
	if want := []float64{3 - 0.5*3, -1 + 0.5*2}; !slices.Equal(ms[1].Position, want) {
		t.Errorf("step 1 at %v; want %v", ms[1].Position, want)
	}
	// Replay the plateau on the reported values.
	lr, best, bad, drops := 0.5, math.Inf(1), 0, 0
	for s := 1; s < len(ms); s++ {
		if ms[s].LR != lr {
			t.Fatalf("step %d ran at %v; want %v", s, ms[s].LR, lr)
		}
		if v := ms[s].TrainLoss; v < best*(1-train.PlateauThreshold) {
			best, bad = v, 0
		} else if bad++; bad > 2 {
			lr, bad, drops = lr*0.5, 0, drops+1
		}
	}
	if drops == 0 {
		t.Error("the rate never dropped")
	}
	// x averages every z so far (c = 1/t at a constant rate): it closes in
	// as 1/t, not geometrically.
	if d, d0 := ms[len(ms)-1].Distance, ms[0].Distance; d > d0/10 {
		t.Errorf("distance to the minimum after 60 steps = %v; want <= a tenth of the start's %v", d, d0)
	}
}

// TestFunctionEveryFunction runs a few steps of Adam on every function,
// from a point of its window, and checks the reported values and distances
// against the function itself.
func TestFunctionEveryFunction(t *testing.T) {
	for _, name := range objective.Names {
		cfg := functionConfig(name, []float64{-1.5, 2}, train.OptimizerConfig{Name: "adam", LR: 0.01, Beta1: 0.9, Beta2: 0.999, Eps: 1e-7}, 5)
		f, err := objective.Lookup(name, cfg.Dataset.Condition)
		if err != nil {
			t.Fatal(err)
		}
		st, ms, err := collectFunction(t, context.Background(), cfg)
		if st != train.Done || err != nil || len(ms) != 6 {
			t.Fatalf("%s: status %s, error %v, %d epochs", name, st, err, len(ms))
		}
		for _, m := range ms {
			if m.TrainLoss != f.Value(m.Position) || m.Distance != objective.Distance(f, m.Position) {
				t.Errorf("%s epoch %d: value %v, distance %v at %v; the function gives %v, %v",
					name, m.Epoch, m.TrainLoss, m.Distance, m.Position, f.Value(m.Position), objective.Distance(f, m.Position))
			}
		}
		if ms[0].Position[0] != -1.5 || ms[0].Position[1] != 2 || ms[5].Position[0] == -1.5 {
			t.Errorf("%s: epoch 0 at %v, epoch 5 at %v; want the start, then moved", name, ms[0].Position, ms[5].Position)
		}
	}
}

// TestFunctionPositionsAreCopies checks that a reported position does not
// change with later steps, nor the config's start with the run.
func TestFunctionPositionsAreCopies(t *testing.T) {
	cfg := functionConfig("book", []float64{-7, 2}, train.OptimizerConfig{Name: "sgd", LR: 0.5}, 3)
	_, ms, _ := collectFunction(t, context.Background(), cfg)
	if !slices.Equal(ms[0].Position, []float64{-7, 2}) || !slices.Equal(cfg.Dataset.Start, []float64{-7, 2}) {
		t.Errorf("epoch 0 at %v, start %v after the run; want both (-7, 2)", ms[0].Position, cfg.Dataset.Start)
	}
	if slices.Equal(ms[1].Position, ms[2].Position) {
		t.Errorf("steps 1 and 2 both at %v", ms[1].Position)
	}
}

func TestFunctionZeroSteps(t *testing.T) {
	st, ms, err := collectFunction(t, context.Background(), functionConfig("himmelblau", []float64{0, 0}, train.OptimizerConfig{Name: "sgd", LR: 0.01}, 0))
	if st != train.Done || err != nil || len(ms) != 1 || ms[0].Epoch != 0 || ms[0].TrainLoss != 170 {
		t.Errorf("status %s, error %v, epochs %+v; want done with epoch 0 only, value 170", st, err, ms)
	}
}

// TestFunctionStops checks a cancelled context and a report function that
// stops the run, as for MNIST.
func TestFunctionStops(t *testing.T) {
	cfg := functionConfig("book", []float64{-7, 2}, train.OptimizerConfig{Name: "sgd", LR: 0.1}, 50)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var epochs int
	st, err := train.Run(ctx, cfg, train.Data{}, func(m train.EpochMetrics) error {
		if epochs++; m.Epoch == 3 {
			cancel()
		}
		return nil
	})
	if st != train.Interrupted || !errors.Is(err, context.Canceled) || epochs != 4 {
		t.Errorf("cancelled at epoch 3: status %s, error %v, %d epochs reported; want interrupted after 4", st, err, epochs)
	}

	for _, tt := range []struct {
		err  error
		want train.Status
	}{
		{train.ErrPruned, train.Pruned},
		{errors.New("disk full"), train.Failed},
		{context.Canceled, train.Interrupted},
	} {
		epochs = 0
		st, err := train.Run(context.Background(), cfg, train.Data{}, func(m train.EpochMetrics) error {
			if epochs++; m.Epoch == 2 {
				return tt.err
			}
			return nil
		})
		if st != tt.want || !errors.Is(err, tt.err) || epochs != 3 {
			t.Errorf("report returned %v at epoch 2: status %s, error %v, %d epochs; want %s after 3", tt.err, st, err, epochs, tt.want)
		}
	}
}

func TestFunctionConfigValidate(t *testing.T) {
	good := functionConfig("book", []float64{-7, 2}, train.OptimizerConfig{Name: "sgd", LR: 0.95}, 30)
	if err := good.Validate(); err != nil {
		t.Fatalf("the book's config: %v", err)
	}
	quad := functionConfig("quadratic", []float64{1, 1}, train.OptimizerConfig{Name: "sgd", LR: 0.1}, 3)
	if err := quad.Validate(); err != nil {
		t.Fatalf("quadratic: %v", err)
	}
	// MNIST-only fields are not checked for a function run.
	withModel := good
	withModel.Model = train.ModelConfig{Hidden: []int{100}, Activation: "relu", Init: "he", Precision: "float32"}
	withModel.BatchSize = 100
	if err := withModel.Validate(); err != nil {
		t.Errorf("with a model and a batch size: %v", err)
	}
	for _, tt := range []struct {
		name   string
		base   train.Config
		mutate func(*train.Config)
		want   string
	}{
		{"unknown function", good, func(c *train.Config) { c.Dataset.Function = "booth" },
			`dataset.function: unknown function "booth" (want book, rosenbrock, beale, himmelblau, rastrigin, quadratic)`},
		{"no start", good, func(c *train.Config) { c.Dataset.Start = nil }, "dataset.start: want a point of 2 coordinates (got 0)"},
		{"3-D start", good, func(c *train.Config) { c.Dataset.Start = []float64{1, 2, 3} }, "dataset.start: want a point of 2 coordinates (got 3)"},
		{"NaN start", good, func(c *train.Config) { c.Dataset.Start = []float64{math.NaN(), 2} }, "dataset.start: want finite coordinates"},
		{"condition 0", quad, func(c *train.Config) { c.Dataset.Condition = 0 }, "dataset.condition: must be a finite number > 0 for quadratic (got 0)"},
		{"condition -1", quad, func(c *train.Config) { c.Dataset.Condition = -1 }, "dataset.condition: must be a finite number > 0"},
		{"condition on book", good, func(c *train.Config) { c.Dataset.Condition = 10 }, `dataset.condition: applies to quadratic only (got 10 for "book")`},
		{"optimizer", good, func(c *train.Config) { c.Optimizer.Name = "lbfgs" }, "optimizer.name"},
		{"epochs", good, func(c *train.Config) { c.Epochs = -1 }, "epochs: must be >= 0"},
		{"function on mnist", bookConfig(bookOptimizers[0], 100, 1), func(c *train.Config) { c.Dataset.Function = "book" },
			"dataset: function, start and condition apply to dataset function only"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.base
			cfg.Dataset.Start = slices.Clone(cfg.Dataset.Start)
			tt.mutate(&cfg)
			err := cfg.Validate()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate() = %v; want an error with %q", err, tt.want)
			}
			st, runErr := train.Run(context.Background(), cfg, train.Data{}, func(train.EpochMetrics) error {
				t.Error("reported an epoch")
				return nil
			})
			if st != train.Failed || runErr == nil {
				t.Errorf("Run: status %s, error %v; want failed", st, runErr)
			}
		})
	}
}

// TestPrepareDataFunction checks that a function run needs no MNIST.
func TestPrepareDataFunction(t *testing.T) {
	d, err := train.PrepareData(nil, train.DatasetConfig{Name: train.FunctionDataset, Function: "book", Start: []float64{-7, 2}})
	if err != nil || d != (train.Data{}) {
		t.Errorf("PrepareData(nil, function) = %+v, %v; want empty data, no error", d, err)
	}
}

// TestFunctionSweepConfigs checks that the sweep's configs of a function
// grid train as they are: no MNIST-only fields, and the quadratic's
// condition reaching the function.
func TestFunctionSweepConfigs(t *testing.T) {
	runs := parseRuns(t, `
name: quadratic
dataset: {name: function, function: quadratic, start: [1, 1], condition: [1, 100]}
train: {epochs: 1}
optimizers: [{name: sgd, lr: 0.001}]
`)
	if len(runs) != 2 {
		t.Fatalf("%d runs; want 2", len(runs))
	}
	for _, cfg := range runs {
		if cfg.BatchSize != 0 || cfg.Model.Hidden != nil || cfg.Model.Precision != "" {
			t.Errorf("config %s carries MNIST fields", cfg.CanonicalJSON())
		}
		_, ms, err := collectFunction(t, context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		// One SGD step on ½(x² + κy²) from (1, 1): y ← 1 − η κ.
		if want := 1 - 0.001*cfg.Dataset.Condition; math.Abs(ms[1].Position[1]-want) > 1e-15 {
			t.Errorf("κ = %v: y after one step %v; want %v", cfg.Dataset.Condition, ms[1].Position[1], want)
		}
	}
}
