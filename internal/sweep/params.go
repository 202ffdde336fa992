package sweep

import (
	"math/big"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"runner/internal/train"
)

// The optimizers and schedules the format knows, in the order the package
// documentation lists them, with the hyperparameters each one takes.
var (
	optimizerNames  = train.OptimizerNames
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

	scheduleNames  = train.ScheduleNames
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

// optimizerFields is the table of the hyperparameters an optimizers entry
// may give, in the grid's order (lr outermost): each one's key, its range,
// its values in the entry and its field in a run's config. Decoding,
// defaults, validation, expansion and Param all go through it.
var optimizerFields = []entryField[OptimizerAxes, train.OptimizerConfig]{
	floatField("lr", above(0),
		func(o *OptimizerAxes) *[]float64 { return &o.LR },
		func(c *train.OptimizerConfig) *float64 { return &c.LR }),
	floatField("momentum", inRange(0, 1),
		func(o *OptimizerAxes) *[]float64 { return &o.Momentum },
		func(c *train.OptimizerConfig) *float64 { return &c.Momentum }),
	floatField("decay_rate", inRange(0, 1),
		func(o *OptimizerAxes) *[]float64 { return &o.DecayRate },
		func(c *train.OptimizerConfig) *float64 { return &c.DecayRate }),
	floatField("beta1", inRange(0, 1),
		func(o *OptimizerAxes) *[]float64 { return &o.Beta1 },
		func(c *train.OptimizerConfig) *float64 { return &c.Beta1 }),
	floatField("beta2", inRange(0, 1),
		func(o *OptimizerAxes) *[]float64 { return &o.Beta2 },
		func(c *train.OptimizerConfig) *float64 { return &c.Beta2 }),
	floatField("eps", above(0),
		func(o *OptimizerAxes) *[]float64 { return &o.Eps },
		func(c *train.OptimizerConfig) *float64 { return &c.Eps }),
}

// scheduleFields is the table of the parameters a schedules entry may
// give, in the grid's order (every outermost), as optimizerFields is.
var scheduleFields = []entryField[ScheduleAxes, train.ScheduleConfig]{
	intField("every", intAtLeast(1),
		func(s *ScheduleAxes) *[]int { return &s.Every },
		func(c *train.ScheduleConfig) *int { return &c.Every }),
	floatField("gamma", inHalfOpen(0, 1),
		func(s *ScheduleAxes) *[]float64 { return &s.Gamma },
		func(c *train.ScheduleConfig) *float64 { return &c.Gamma }),
	floatField("k", atLeast(0),
		func(s *ScheduleAxes) *[]float64 { return &s.K },
		func(c *train.ScheduleConfig) *float64 { return &c.K }),
	floatField("min_lr", atLeast(0), // and below every lr: see validator.limit
		func(s *ScheduleAxes) *[]float64 { return &s.MinLR },
		func(c *train.ScheduleConfig) *float64 { return &c.MinLR }),
	intField("warmup", intAtLeast(0),
		func(s *ScheduleAxes) *[]int { return &s.Warmup },
		func(c *train.ScheduleConfig) *int { return &c.Warmup }),
}

// An entryField is one row of optimizerFields (E is OptimizerAxes, C
// train.OptimizerConfig) or scheduleFields (ScheduleAxes and
// train.ScheduleConfig): a hyperparameter of the entries.
type entryField[E, C any] interface {
	key() string
	kind() valueKind                                       // the distributions a random search may draw it from
	given(e *E) bool                                       // e has values for it
	decode(d *decoder, k, v *yaml.Node, path string, e *E) // sets e's values from the file's v
	setDefault(e *E, def float64)                          // sets e's values to [def]
	// check validates e's values: their range, then limit (nil for
	// none), a bound that depends on other fields.
	check(v *validator, path string, e *E, limit func(float64) string)
	axis(e *E) entryAxis[C] // e's values, as an axis of its grid
	format(c *C) string     // c's value, as Param shows it
	// draw sets c's value to one drawn for a random search from e's
	// values, or from the distribution dist ("" for a choice); c keeps
	// zero when e has no values (the field does not apply).
	draw(r drawer, path, dist string, e *E, c *C)
	// space is the number of values draw may give: len of e's values for
	// a choice, or the numbers between the bounds.
	space(dist string, e *E) *big.Int
}

// numField is an entryField of int or float64 values.
type numField[E, C any, T int | float64] struct {
	name string
	one  func(*yaml.Node) (T, string) // decodes one value
	rule func(T) string               // the range of a value
	vals func(*E) *[]T                // the entry's values; nil if not given
	dst  func(*C) *T                  // the config's field
}

func intField[E, C any](name string, rule func(int) string, vals func(*E) *[]int, dst func(*C) *int) entryField[E, C] {
	return numField[E, C, int]{name, intOf, rule, vals, dst}
}

func floatField[E, C any](name string, rule func(float64) string, vals func(*E) *[]float64, dst func(*C) *float64) entryField[E, C] {
	return numField[E, C, float64]{name, floatOf, rule, vals, dst}
}

func (f numField[E, C, T]) key() string                  { return f.name }
func (f numField[E, C, T]) kind() valueKind              { return numKind[T]() }
func (f numField[E, C, T]) given(e *E) bool              { return *f.vals(e) != nil }
func (f numField[E, C, T]) format(c *C) string           { return formatNum(*f.dst(c)) }
func (f numField[E, C, T]) setDefault(e *E, def float64) { *f.vals(e) = []T{T(def)} }

func (f numField[E, C, T]) decode(d *decoder, k, v *yaml.Node, path string, e *E) {
	*f.vals(e) = axis(d, k, v, path, f.one)
}

func (f numField[E, C, T]) check(v *validator, path string, e *E, limit func(float64) string) {
	check(v, path, *f.vals(e), func(x T) string {
		if msg := f.rule(x); msg != "" || limit == nil {
			return msg
		}
		return limit(float64(x))
	})
}

func (f numField[E, C, T]) axis(e *E) entryAxis[C] {
	vals := *f.vals(e)
	return entryAxis[C]{f.name, len(vals),
		func(j int) string { return formatNum(vals[j]) },
		func(c *C, j int) { *f.dst(c) = vals[j] }}
}

func (f numField[E, C, T]) draw(r drawer, path, dist string, e *E, c *C) {
	if vals := *f.vals(e); vals != nil {
		*f.dst(c) = pick(r, path, dist, vals)
	}
}

func (f numField[E, C, T]) space(dist string, e *E) *big.Int {
	return spaceOf(dist, *f.vals(e))
}

// formatNum formats a value in shortest form.
func formatNum[T int | float64](x T) string {
	if i, ok := any(x).(int); ok {
		return strconv.Itoa(i)
	}
	return strconv.FormatFloat(float64(x), 'g', -1, 64)
}

// formatPoint formats a point as "(x,y)", its coordinates in shortest
// form.
func formatPoint(p []float64) string {
	parts := make([]string, len(p))
	for i, x := range p {
		parts[i] = formatNum(x)
	}
	return "(" + strings.Join(parts, ",") + ")"
}

// fieldNamed returns the row of fields with the given key, or nil.
func fieldNamed[E, C any](fields []entryField[E, C], key string) entryField[E, C] {
	for _, f := range fields {
		if f.key() == key {
			return f
		}
	}
	return nil
}

// entryKeys lists the keys of an entry: name, then those of its fields.
func entryKeys[E, C any](fields []entryField[E, C]) []string {
	keys := []string{"name"}
	for _, f := range fields {
		keys = append(keys, f.key())
	}
	return keys
}

// params lists the hyperparameters Param and Varying know, in the order of
// the grid's axes (outermost first).
var params = slices.Concat(
	[]string{"dataset", "function", "start", "condition", "train_limit", "validation", "split_seed",
		"hidden", "activation", "init", "batchnorm", "dropout", "weight_decay", "precision",
		"epochs", "batch_size", "optimizer"},
	optimizerKeys[1:],
	[]string{"schedule"},
	scheduleKeys[1:],
	[]string{"seed"},
)

// mnistParams are the hyperparameters a function run does not take.
var mnistParams = []string{"train_limit", "validation", "split_seed",
	"hidden", "activation", "init", "batchnorm", "dropout", "weight_decay", "precision", "batch_size"}

// applies reports whether c takes the named hyperparameter, one of
// params: the hyperparameters of an optimizer (a schedule) are taken only
// by the runs of the optimizers (schedules) that use them; function and
// start only by function runs, condition only by those on quadratic, and
// the images, the model and the batch size only by MNIST runs; every run
// takes the others.
func applies(name string, c train.Config) bool {
	fn := c.Dataset.Name == train.FunctionDataset
	switch {
	case slices.Contains(optimizerKeys[1:], name):
		return slices.Contains(optimizerParams[c.Optimizer.Name], name)
	case slices.Contains(scheduleKeys[1:], name):
		return slices.Contains(scheduleParams[c.Schedule.Name], name)
	case name == "function" || name == "start":
		return fn
	case name == "condition":
		return fn && c.Dataset.Function == "quadratic"
	case slices.Contains(mnistParams, name):
		return !fn
	}
	return true
}

// Varying returns the names of the hyperparameters whose values differ
// between configs, in the grid's axis order (outermost first), so that a
// table of runs can show only the columns that tell them apart. The names
// are those of Param: dataset, function, start, condition, train_limit,
// validation, split_seed, hidden,
// activation, init, batchnorm, dropout, weight_decay, precision, epochs,
// batch_size, optimizer, lr, momentum, decay_rate, beta1, beta2, eps,
// schedule, every, gamma, k, min_lr, warmup and seed.
//
// A hyperparameter that only some runs take (beta1 is Adam's, condition
// the quadratic function's) varies only when the runs that take it
// disagree: the optimizer, schedule or function column already tells the
// others apart.
func Varying(configs []train.Config) []string {
	var out []string
	for _, name := range params {
		first, seen := "", false
		for _, c := range configs {
			if !applies(name, c) {
				continue
			}
			v := Param(c, name)
			if !seen {
				first, seen = v, true
			} else if v != first {
				out = append(out, name)
				break
			}
		}
	}
	return out
}

// Param formats the named hyperparameter of c for a table: numbers in
// shortest form, hidden as "100-100" ("none" for no hidden layers), start
// as "(-7,2)", dataset, function, optimizer and schedule by name. It
// returns "" for a hyperparameter that c does not take (see Varying: the
// MNIST ones for a function run, and the other way round; those of other
// optimizers and schedules), and for an unknown name.
func Param(c train.Config, name string) string {
	if !applies(name, c) {
		return ""
	}
	// Copies, so that c itself does not escape to the heap: Varying calls
	// Param for every hyperparameter of every run.
	if f := fieldNamed(optimizerFields, name); f != nil {
		o := c.Optimizer
		return f.format(&o)
	}
	if f := fieldNamed(scheduleFields, name); f != nil {
		sc := c.Schedule
		return f.format(&sc)
	}
	switch name {
	case "dataset":
		return c.Dataset.Name
	case "function":
		return c.Dataset.Function
	case "start":
		return formatPoint(c.Dataset.Start)
	case "condition":
		return formatNum(c.Dataset.Condition)
	case "train_limit":
		return formatNum(c.Dataset.TrainLimit)
	case "validation":
		return formatNum(c.Dataset.Validation)
	case "split_seed":
		return strconv.FormatInt(c.Dataset.SplitSeed, 10)
	case "hidden":
		if len(c.Model.Hidden) == 0 {
			return "none"
		}
		return c.Model.HiddenString()
	case "activation":
		return c.Model.Activation
	case "init":
		return c.Model.Init
	case "batchnorm":
		return strconv.FormatBool(c.Model.BatchNorm)
	case "dropout":
		return formatNum(c.Model.Dropout)
	case "weight_decay":
		return formatNum(c.Model.WeightDecay)
	case "precision":
		return c.Model.Precision
	case "epochs":
		return formatNum(c.Epochs)
	case "batch_size":
		return formatNum(c.BatchSize)
	case "optimizer":
		return c.Optimizer.Name
	case "schedule":
		return c.Schedule.Name
	case "seed":
		return strconv.FormatInt(c.Seed, 10)
	}
	return ""
}
