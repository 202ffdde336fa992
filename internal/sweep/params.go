package sweep

import (
	"slices"
	"strconv"

	"runner/internal/train"
)

// The optimizers and schedules the format knows, in the order the package
// documentation lists them, with the hyperparameters each one takes.
var (
	optimizerNames  = []string{"sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"}
	optimizerParams = map[string][]string{
		"sgd":      {"lr"},
		"momentum": {"lr", "momentum"},
		"nesterov": {"lr", "momentum"},
		"adagrad":  {"lr", "eps"},
		"rmsprop":  {"lr", "decay_rate", "eps"},
		"adam":     {"lr", "beta1", "beta2", "eps"},
	}
	// optimizerDefaults holds the book's values, the same for every
	// optimizer that takes the hyperparameter. lr has none: it is required.
	optimizerDefaults = map[string]float64{
		"momentum":   0.9,
		"decay_rate": 0.99,
		"beta1":      0.9,
		"beta2":      0.999,
		"eps":        1e-7,
	}

	scheduleNames  = []string{"constant", "step", "exponential", "inverse_time", "cosine"}
	scheduleParams = map[string][]string{
		"constant":     {"warmup"},
		"step":         {"every", "gamma", "warmup"},
		"exponential":  {"gamma", "warmup"},
		"inverse_time": {"k", "warmup"},
		"cosine":       {"min_lr", "warmup"},
	}
	// scheduleDefaults: a parameter a schedule takes but that is missing
	// here is required.
	scheduleDefaults = map[string]map[string]float64{
		"constant":     {"warmup": 0},
		"step":         {"gamma": 0.1, "warmup": 0},
		"exponential":  {"warmup": 0},
		"inverse_time": {"warmup": 0},
		"cosine":       {"min_lr": 0, "warmup": 0},
	}
)

// field returns the axis of the named optimizer hyperparameter.
func (o *OptimizerAxes) field(name string) *[]float64 {
	switch name {
	case "lr":
		return &o.LR
	case "momentum":
		return &o.Momentum
	case "decay_rate":
		return &o.DecayRate
	case "beta1":
		return &o.Beta1
	case "beta2":
		return &o.Beta2
	case "eps":
		return &o.Eps
	}
	panic("sweep: unknown optimizer field " + name)
}

// params lists the hyperparameters Param and Varying know, in the order of
// the grid's axes (outermost first).
var params = []string{
	"dataset", "train_limit", "validation", "split_seed",
	"hidden", "activation", "init", "batchnorm", "dropout", "weight_decay", "precision",
	"epochs", "batch_size",
	"optimizer", "lr", "momentum", "decay_rate", "beta1", "beta2", "eps",
	"schedule", "every", "gamma", "k", "min_lr", "warmup",
	"seed",
}

// Varying returns the names of the hyperparameters whose values differ
// between configs, in the grid's axis order (outermost first), so that a
// table of runs can show only the columns that tell them apart. The names
// are those of Param: dataset, train_limit, validation, split_seed, hidden,
// activation, init, batchnorm, dropout, weight_decay, precision, epochs,
// batch_size, optimizer, lr, momentum, decay_rate, beta1, beta2, eps,
// schedule, every, gamma, k, min_lr, warmup and seed.
//
// A hyperparameter that only some runs take (beta1 is Adam's) varies only
// when the runs that take it disagree: the optimizer or schedule column
// already tells the others apart.
func Varying(configs []train.Config) []string {
	var out []string
	for _, name := range params {
		first := ""
		for _, c := range configs {
			v := Param(c, name)
			if v == "" {
				continue
			}
			if first == "" {
				first = v
			} else if v != first {
				out = append(out, name)
				break
			}
		}
	}
	return out
}

// Param formats the named hyperparameter of c for a table: numbers in
// shortest form, hidden as "100-100", optimizer and schedule by name. It
// returns "" for a hyperparameter that c's optimizer or schedule does not
// take, and for an unknown name.
func Param(c train.Config, name string) string {
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	i := strconv.Itoa
	o, s := c.Optimizer, c.Schedule
	if slices.Contains(optimizerKeys, name) && name != "name" && !slices.Contains(optimizerParams[o.Name], name) {
		return ""
	}
	if slices.Contains(scheduleKeys, name) && name != "name" && !slices.Contains(scheduleParams[s.Name], name) {
		return ""
	}
	switch name {
	case "dataset":
		return c.Dataset.Name
	case "train_limit":
		return i(c.Dataset.TrainLimit)
	case "validation":
		return f(c.Dataset.Validation)
	case "split_seed":
		return strconv.FormatInt(c.Dataset.SplitSeed, 10)
	case "hidden":
		return c.Model.HiddenString()
	case "activation":
		return c.Model.Activation
	case "init":
		return c.Model.Init
	case "batchnorm":
		return strconv.FormatBool(c.Model.BatchNorm)
	case "dropout":
		return f(c.Model.Dropout)
	case "weight_decay":
		return f(c.Model.WeightDecay)
	case "precision":
		return c.Model.Precision
	case "epochs":
		return i(c.Epochs)
	case "batch_size":
		return i(c.BatchSize)
	case "optimizer":
		return o.Name
	case "lr":
		return f(o.LR)
	case "momentum":
		return f(o.Momentum)
	case "decay_rate":
		return f(o.DecayRate)
	case "beta1":
		return f(o.Beta1)
	case "beta2":
		return f(o.Beta2)
	case "eps":
		return f(o.Eps)
	case "schedule":
		return s.Name
	case "every":
		return i(s.Every)
	case "gamma":
		return f(s.Gamma)
	case "k":
		return f(s.K)
	case "min_lr":
		return f(s.MinLR)
	case "warmup":
		return i(s.Warmup)
	case "seed":
		return strconv.FormatInt(c.Seed, 10)
	}
	return ""
}
