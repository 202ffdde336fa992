package train

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"runner/internal/data"
	"runner/internal/kernel"
	"runner/internal/nn"
	"runner/internal/objective"
	"runner/internal/optim"
)

// Optimizer and schedule names, as written in experiment files and results.db.
var (
	OptimizerNames = []string{"sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam",
		"adamw", "amsgrad", "nadam", "radam", "lion", "sf_sgd", "sf_adamw"}
	ScheduleNames = []string{"constant", "step", "exponential", "inverse_time", "cosine",
		"sgdr", "one_cycle", "plateau"}
	// PlateauMonitors are the metrics a plateau schedule may follow.
	PlateauMonitors = []string{"val_acc", "train_loss"}
)

// Validate reports a config that cannot be trained. The experiment parser
// (internal/sweep) reports the same problems with file and line; this check
// guards configs that come from elsewhere, such as results.db on resume.
//
// A function run (Dataset.Name "function") needs a known function, a start
// point of two finite numbers and, for quadratic, a finite condition > 0
// (no condition for the others); the image and model fields do not apply
// to it and are not checked (the sweep leaves them zero).
func (c Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	switch c.Dataset.Name {
	case FunctionDataset:
		c.Dataset.validateFunction(bad)
	case "mnist":
		c.validateMNIST(bad)
	default:
		bad("dataset.name: unknown dataset %q (want mnist or %s)", c.Dataset.Name, FunctionDataset)
		c.validateMNIST(bad)
	}
	if c.Epochs < 0 {
		bad("epochs: must be >= 0 (got %d)", c.Epochs)
	}
	o := c.Optimizer
	if !slices.Contains(OptimizerNames, o.Name) {
		bad("optimizer.name: unknown optimizer %q", o.Name)
	}
	if !(o.LR > 0) {
		bad("optimizer.lr: must be > 0 (got %g)", o.LR)
	}
	// The schedule-free methods divide by their interpolation β.
	if (o.Name == "sf_sgd" && !(o.Momentum > 0 && o.Momentum < 1)) || (o.Name == "sf_adamw" && !(o.Beta1 > 0 && o.Beta1 < 1)) {
		bad("optimizer: %s needs its interpolation (momentum, beta1) in (0, 1)", o.Name)
	}
	s := c.Schedule
	if !slices.Contains(ScheduleNames, s.Name) {
		bad("schedule.name: unknown schedule %q", s.Name)
	}
	if s.Name == "step" && s.Every < 1 {
		bad("schedule.every: must be >= 1 (got %d)", s.Every)
	}
	if s.Warmup < 0 {
		bad("schedule.warmup: must be >= 0 (got %d)", s.Warmup)
	}
	switch s.Name {
	case "sgdr":
		if s.Period < 1 || s.Mult < 1 {
			bad("schedule: sgdr needs period >= 1 and mult >= 1 (got %d, %d)", s.Period, s.Mult)
		}
	case "one_cycle":
		if !(s.PctStart > 0 && s.PctStart < 1) || !(s.DivFactor > 0) || !(s.FinalDivFactor > 0) {
			bad("schedule: one_cycle needs pct_start in (0, 1) and div_factor, final_div_factor > 0 (got %g, %g, %g)",
				s.PctStart, s.DivFactor, s.FinalDivFactor)
		}
	case "plateau":
		if !slices.Contains(PlateauMonitors, s.Monitor) {
			bad("schedule.monitor: want %s (got %q)", strings.Join(PlateauMonitors, " or "), s.Monitor)
		}
		if s.Monitor == "val_acc" && !(c.Dataset.Validation > 0) {
			bad("schedule.monitor: val_acc needs a validation split (dataset.validation is %g)", c.Dataset.Validation)
		}
		if !(s.Factor > 0 && s.Factor < 1) || s.Patience < 0 {
			bad("schedule: plateau needs factor in (0, 1) and patience >= 0 (got %g, %d)", s.Factor, s.Patience)
		}
	}
	if (s.Name == "one_cycle" || s.Name == "plateau") && s.Warmup != 0 {
		bad("schedule.warmup: does not apply to %s (got %d)", s.Name, s.Warmup)
	}
	return errors.Join(errs...)
}

// validateFunction checks the dataset of a function run.
func (d DatasetConfig) validateFunction(bad func(string, ...any)) {
	if !slices.Contains(objective.Names, d.Function) {
		bad("dataset.function: unknown function %q (want %s)", d.Function, strings.Join(objective.Names, ", "))
	}
	if len(d.Start) != 2 {
		bad("dataset.start: want a point of 2 coordinates (got %d)", len(d.Start))
	} else if slices.ContainsFunc(d.Start, func(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) }) {
		bad("dataset.start: want finite coordinates (got %v)", d.Start)
	}
	switch {
	case d.Function == "quadratic" && !(d.Condition > 0 && !math.IsInf(d.Condition, 0)):
		bad("dataset.condition: must be a finite number > 0 for quadratic (got %g)", d.Condition)
	case d.Function != "quadratic" && d.Condition != 0:
		bad("dataset.condition: applies to quadratic only (got %g for %q)", d.Condition, d.Function)
	}
}

// validateMNIST checks the dataset, model and batch size of an MNIST run.
func (c Config) validateMNIST(bad func(string, ...any)) {
	if c.Dataset.Function != "" || c.Dataset.Start != nil || c.Dataset.Condition != 0 {
		bad("dataset: function, start and condition apply to dataset %s only", FunctionDataset)
	}
	if c.Dataset.TrainLimit < 0 {
		bad("dataset.train_limit: must be >= 0 (got %d)", c.Dataset.TrainLimit)
	}
	if c.Dataset.TrainLimit > data.TrainLen {
		bad("dataset.train_limit: must be at most %d (got %d)", data.TrainLen, c.Dataset.TrainLimit)
	}
	if v := c.Dataset.Validation; !(v >= 0 && v < 1) {
		bad("dataset.validation: must be in [0, 1) (got %g)", v)
	} else if v > 0 && c.Dataset.TrainLimit >= 0 {
		n := c.Dataset.TrainLimit
		if n == 0 || n > data.TrainLen {
			n = data.TrainLen
		}
		if _, err := data.SplitSize(n, v); err != nil {
			bad("dataset.validation: %v", err)
		}
	}
	if _, err := c.Model.network(); err != nil {
		bad("model: %v", err)
	}
	if p := c.Model.Precision; p != "float32" && p != "float64" {
		bad("model.precision: want float32 or float64 (got %q)", p)
	}
	if c.BatchSize < 1 {
		bad("batch_size: must be >= 1 (got %d)", c.BatchSize)
	}
}

// network maps the model section to the network's configuration.
func (m ModelConfig) network() (nn.Config, error) {
	act, err := nn.ParseActivation(m.Activation)
	if err != nil {
		return nn.Config{}, err
	}
	rule, std, err := ParseInit(m.Init)
	if err != nil {
		return nn.Config{}, err
	}
	init := nn.Init{Kind: nn.InitStd, Std: std}
	switch rule {
	case "he":
		init = nn.Init{Kind: nn.InitHe}
	case "xavier":
		init = nn.Init{Kind: nn.InitXavier}
	}
	cfg := nn.Config{
		Input:       data.ImageSize,
		Hidden:      m.Hidden,
		Output:      data.NumClasses,
		Activation:  act,
		Init:        init,
		BatchNorm:   m.BatchNorm,
		Dropout:     m.Dropout,
		WeightDecay: m.WeightDecay,
	}
	return cfg, cfg.Validate()
}

// newOptimizer returns the optimizer the config names; Validate has checked the name.
func newOptimizer[T kernel.Float](c OptimizerConfig) optim.Optimizer[T] {
	switch c.Name {
	case "momentum":
		return &optim.Momentum[T]{Momentum: c.Momentum}
	case "nesterov":
		return &optim.Nesterov[T]{Momentum: c.Momentum}
	case "adagrad":
		return &optim.AdaGrad[T]{Eps: c.Eps}
	case "rmsprop":
		return &optim.RMSprop[T]{DecayRate: c.DecayRate, Eps: c.Eps}
	case "adam":
		return &optim.Adam[T]{Beta1: c.Beta1, Beta2: c.Beta2, Eps: c.Eps}
	case "adamw", "amsgrad":
		return &optim.AdamW[T]{Beta1: c.Beta1, Beta2: c.Beta2, Eps: c.Eps, WeightDecay: c.WeightDecay,
			AMSGrad: c.AMSGrad || c.Name == "amsgrad"}
	case "nadam":
		return &optim.NAdam[T]{Beta1: c.Beta1, Beta2: c.Beta2, Eps: c.Eps, MomentumDecay: c.MomentumDecay}
	case "radam":
		return &optim.RAdam[T]{Beta1: c.Beta1, Beta2: c.Beta2, Eps: c.Eps}
	case "lion":
		return &optim.Lion[T]{Beta1: c.Beta1, Beta2: c.Beta2, WeightDecay: c.WeightDecay}
	case "sf_sgd":
		return &optim.ScheduleFreeSGD[T]{Momentum: c.Momentum, WeightDecay: c.WeightDecay}
	case "sf_adamw":
		return &optim.ScheduleFreeAdamW[T]{Beta1: c.Beta1, Beta2: c.Beta2, Eps: c.Eps, WeightDecay: c.WeightDecay}
	}
	return &optim.SGD[T]{}
}

// PlateauThreshold is the relative improvement a plateau schedule counts
// as one: PyTorch's default threshold (mode "rel").
const PlateauThreshold = 1e-4

// newSchedule returns the learning-rate schedule the config names, in steps.
// A warm-up comes first and the named schedule starts after it; a run no
// longer than its warm-up warms up throughout. one_cycle spans the whole
// run (epochs·stepsPerEpoch steps); plateau is a *optim.Plateau, which
// the trainer feeds its metric after every epoch. Neither takes a warm-up.
func newSchedule(c ScheduleConfig, lr float64, stepsPerEpoch, epochs int) optim.Schedule {
	warmup := min(c.Warmup, epochs)
	var s optim.Schedule
	switch c.Name {
	case "step":
		s = optim.StepDecay{LR: lr, Gamma: c.Gamma, Every: c.Every, StepsPerEpoch: stepsPerEpoch}
	case "exponential":
		s = optim.Exponential{LR: lr, Gamma: c.Gamma, StepsPerEpoch: stepsPerEpoch}
	case "inverse_time":
		s = optim.InverseTime{LR: lr, K: c.K, StepsPerEpoch: stepsPerEpoch}
	case "cosine":
		s = optim.Cosine{LR: lr, MinLR: c.MinLR, TotalSteps: max(epochs-warmup, 1) * stepsPerEpoch}
	case "sgdr":
		s = optim.SGDR{LR: lr, MinLR: c.MinLR, Period: c.Period, Mult: c.Mult, StepsPerEpoch: stepsPerEpoch}
	case "one_cycle":
		return optim.OneCycle{MaxLR: lr, PctStart: c.PctStart, DivFactor: c.DivFactor, FinalDivFactor: c.FinalDivFactor,
			TotalSteps: max(epochs, 1) * stepsPerEpoch}
	case "plateau":
		return &optim.Plateau{LR: lr, Factor: c.Factor, Patience: c.Patience, Threshold: PlateauThreshold,
			MinLR: c.MinLR, Maximize: c.Monitor == "val_acc"}
	default:
		s = optim.Constant{LR: lr}
	}
	if warmup > 0 {
		s = optim.Warmup{Steps: warmup * stepsPerEpoch, Then: s}
	}
	return s
}
