package sweep

import (
	"cmp"
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
		"adamw":    {"lr", "beta1", "beta2", "eps", "weight_decay", "amsgrad"},
		"amsgrad":  {"lr", "beta1", "beta2", "eps", "weight_decay"},
		"nadam":    {"lr", "beta1", "beta2", "eps", "momentum_decay"},
		"radam":    {"lr", "beta1", "beta2", "eps"},
		"lion":     {"lr", "beta1", "beta2", "weight_decay"},
		"sf_sgd":   {"lr", "momentum", "weight_decay"},
		"sf_adamw": {"lr", "beta1", "beta2", "eps", "weight_decay"},
	}
	// optimizerDefaults: the book's values for its six optimizers, whose
	// lr has none (it is required), and the documented defaults of the
	// others (PyTorch's; the Lion paper's lr; the schedule-free reference
	// implementation's), lr included.
	optimizerDefaults = map[string]map[string]any{
		"momentum": {"momentum": 0.9},
		"nesterov": {"momentum": 0.9},
		"adagrad":  {"eps": 1e-7},
		"rmsprop":  {"decay_rate": 0.99, "eps": 1e-7},
		"adam":     {"beta1": 0.9, "beta2": 0.999, "eps": 1e-7},
		"adamw":    {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 1e-2, "amsgrad": false},
		"amsgrad":  {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 1e-2},
		"nadam":    {"lr": 2e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "momentum_decay": 4e-3},
		"radam":    {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
		"lion":     {"lr": 1e-4, "beta1": 0.9, "beta2": 0.99, "weight_decay": 0.0},
		"sf_sgd":   {"lr": 1.0, "momentum": 0.9, "weight_decay": 0.0},
		"sf_adamw": {"lr": 2.5e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0},
	}

	scheduleNames  = train.ScheduleNames
	scheduleParams = map[string][]string{
		"constant":     {"warmup"},
		"step":         {"every", "gamma", "warmup"},
		"exponential":  {"gamma", "warmup"},
		"inverse_time": {"k", "warmup"},
		"cosine":       {"min_lr", "warmup"},
		"sgdr":         {"min_lr", "warmup", "period", "mult"},
		"one_cycle":    {"pct_start", "div_factor", "final_div_factor"},
		"plateau":      {"min_lr", "monitor", "patience", "factor"},
	}
	// scheduleDefaults: a parameter a schedule takes but that is missing
	// here is required. one_cycle's and plateau's are PyTorch's.
	scheduleDefaults = map[string]map[string]any{
		"constant":     {"warmup": 0},
		"step":         {"gamma": 0.1, "warmup": 0},
		"exponential":  {"warmup": 0},
		"inverse_time": {"warmup": 0},
		"cosine":       {"min_lr": 0.0, "warmup": 0},
		"sgdr":         {"min_lr": 0.0, "warmup": 0, "mult": 1},
		"one_cycle":    {"pct_start": 0.3, "div_factor": 25.0, "final_div_factor": 1e4},
		"plateau":      {"min_lr": 0.0, "monitor": "train_loss", "patience": 10, "factor": 0.1},
	}
)

// decoupledWD is how Param, Varying and Dimensions name the weight_decay
// of an optimizers entry (AdamW's decoupled decay), apart from the
// model's L2 weight_decay.
const decoupledWD = "decoupled_wd"

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
	named(decoupledWD, floatField("weight_decay", atLeast(0),
		func(o *OptimizerAxes) *[]float64 { return &o.WeightDecay },
		func(c *train.OptimizerConfig) *float64 { return &c.WeightDecay })),
	boolField("amsgrad",
		func(o *OptimizerAxes) *[]bool { return &o.AMSGrad },
		func(c *train.OptimizerConfig) *bool { return &c.AMSGrad }),
	floatField("momentum_decay", atLeast(0),
		func(o *OptimizerAxes) *[]float64 { return &o.MomentumDecay },
		func(c *train.OptimizerConfig) *float64 { return &c.MomentumDecay }),
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
	intField("period", intAtLeast(1),
		func(s *ScheduleAxes) *[]int { return &s.Period },
		func(c *train.ScheduleConfig) *int { return &c.Period }),
	intField("mult", intAtLeast(1),
		func(s *ScheduleAxes) *[]int { return &s.Mult },
		func(c *train.ScheduleConfig) *int { return &c.Mult }),
	floatField("pct_start", inOpen(0, 1),
		func(s *ScheduleAxes) *[]float64 { return &s.PctStart },
		func(c *train.ScheduleConfig) *float64 { return &c.PctStart }),
	floatField("div_factor", atLeast(1),
		func(s *ScheduleAxes) *[]float64 { return &s.DivFactor },
		func(c *train.ScheduleConfig) *float64 { return &c.DivFactor }),
	floatField("final_div_factor", atLeast(1),
		func(s *ScheduleAxes) *[]float64 { return &s.FinalDivFactor },
		func(c *train.ScheduleConfig) *float64 { return &c.FinalDivFactor }),
	stringField("monitor", oneOf("monitor", train.PlateauMonitors...), // val_acc needs a validation split: see validator.monitor
		func(s *ScheduleAxes) *[]string { return &s.Monitor },
		func(c *train.ScheduleConfig) *string { return &c.Monitor }),
	intField("patience", intAtLeast(0),
		func(s *ScheduleAxes) *[]int { return &s.Patience },
		func(c *train.ScheduleConfig) *int { return &c.Patience }),
	floatField("factor", inOpen(0, 1),
		func(s *ScheduleAxes) *[]float64 { return &s.Factor },
		func(c *train.ScheduleConfig) *float64 { return &c.Factor }),
}

// An entryField is one row of optimizerFields (E is OptimizerAxes, C
// train.OptimizerConfig) or scheduleFields (ScheduleAxes and
// train.ScheduleConfig): a hyperparameter of the entries.
type entryField[E, C any] interface {
	key() string                                           // the key in the entry
	param() string                                         // the name Param knows it by: the key, but for decoupledWD
	kind() valueKind                                       // the distributions a random search may draw it from
	given(e *E) bool                                       // e has values for it
	decode(d *decoder, k, v *yaml.Node, path string, e *E) // sets e's values from the file's v
	setDefault(e *E, def any)                              // sets e's values to [def], a float64, int, bool or string
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

// valueField is an entryField of int, float64, bool or string values.
type valueField[E, C any, T int | float64 | bool | string] struct {
	name  string
	pname string                       // the Param name; "" for name
	one   func(*yaml.Node) (T, string) // decodes one value
	rule  func(T) string               // the range of a value
	vals  func(*E) *[]T                // the entry's values; nil if not given
	dst   func(*C) *T                  // the config's field
}

func intField[E, C any](name string, rule func(int) string, vals func(*E) *[]int, dst func(*C) *int) entryField[E, C] {
	return valueField[E, C, int]{name: name, one: intOf, rule: rule, vals: vals, dst: dst}
}

func floatField[E, C any](name string, rule func(float64) string, vals func(*E) *[]float64, dst func(*C) *float64) entryField[E, C] {
	return valueField[E, C, float64]{name: name, one: floatOf, rule: rule, vals: vals, dst: dst}
}

func boolField[E, C any](name string, vals func(*E) *[]bool, dst func(*C) *bool) entryField[E, C] {
	return valueField[E, C, bool]{name: name, one: boolOf, rule: func(bool) string { return "" }, vals: vals, dst: dst}
}

func stringField[E, C any](name string, rule func(string) string, vals func(*E) *[]string, dst func(*C) *string) entryField[E, C] {
	return valueField[E, C, string]{name: name, one: stringOf, rule: rule, vals: vals, dst: dst}
}

// named gives f the Param name pname, different from its key.
func named[E, C any](pname string, f entryField[E, C]) entryField[E, C] {
	v := f.(valueField[E, C, float64])
	v.pname = pname
	return v
}

func (f valueField[E, C, T]) key() string              { return f.name }
func (f valueField[E, C, T]) param() string            { return cmp.Or(f.pname, f.name) }
func (f valueField[E, C, T]) given(e *E) bool          { return *f.vals(e) != nil }
func (f valueField[E, C, T]) format(c *C) string       { return formatValue(*f.dst(c)) }
func (f valueField[E, C, T]) setDefault(e *E, def any) { *f.vals(e) = []T{convertDefault[T](def)} }

func (f valueField[E, C, T]) kind() valueKind {
	switch any(*new(T)).(type) {
	case int:
		return numKind[int]()
	case float64:
		return numKind[float64]()
	}
	return anyKind
}

// convertDefault converts a default of the tables above to T: an int or
// float64 to either, a bool or string as it is.
func convertDefault[T int | float64 | bool | string](def any) T {
	var out any
	switch any(*new(T)).(type) {
	case int:
		switch d := def.(type) {
		case int:
			out = d
		case float64:
			out = int(d)
		}
	case float64:
		switch d := def.(type) {
		case int:
			out = float64(d)
		case float64:
			out = d
		}
	default:
		out = def
	}
	return out.(T)
}

func (f valueField[E, C, T]) decode(d *decoder, k, v *yaml.Node, path string, e *E) {
	*f.vals(e) = axis(d, k, v, path, f.one)
}

func (f valueField[E, C, T]) check(v *validator, path string, e *E, limit func(float64) string) {
	check(v, path, *f.vals(e), func(x T) string {
		if msg := f.rule(x); msg != "" || limit == nil {
			return msg
		}
		n, _ := number(x)
		return limit(n)
	})
}

func (f valueField[E, C, T]) axis(e *E) entryAxis[C] {
	vals := *f.vals(e)
	return entryAxis[C]{f.name, len(vals),
		func(j int) string { return formatValue(vals[j]) },
		func(c *C, j int) { *f.dst(c) = vals[j] }}
}

func (f valueField[E, C, T]) draw(r drawer, path, dist string, e *E, c *C) {
	if vals := *f.vals(e); vals != nil {
		*f.dst(c) = pick(r, path, dist, vals)
	}
}

func (f valueField[E, C, T]) space(dist string, e *E) *big.Int {
	return spaceOf(dist, *f.vals(e))
}

// formatValue formats a value of an entry's field: a number in shortest
// form, a bool as true or false, a string as it is.
func formatValue[T int | float64 | bool | string](x T) string {
	switch x := any(x).(type) {
	case int:
		return formatNum(x)
	case float64:
		return formatNum(x)
	case bool:
		return strconv.FormatBool(x)
	}
	return any(x).(string)
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

// paramField returns the row of fields whose Param name is name, or nil.
func paramField[E, C any](fields []entryField[E, C], name string) entryField[E, C] {
	for _, f := range fields {
		if f.param() == name {
			return f
		}
	}
	return nil
}

// paramNames lists the Param names of fields.
func paramNames[E, C any](fields []entryField[E, C]) []string {
	var names []string
	for _, f := range fields {
		names = append(names, f.param())
	}
	return names
}

// params lists the hyperparameters Param and Varying know, in the order of
// the grid's axes (outermost first).
var params = slices.Concat(
	[]string{"dataset", "function", "start", "condition", "train_limit", "validation", "split_seed",
		"hidden", "activation", "init", "batchnorm", "dropout", "weight_decay", "precision",
		"epochs", "batch_size", "optimizer"},
	paramNames(optimizerFields),
	[]string{"schedule"},
	paramNames(scheduleFields),
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
	case paramField(optimizerFields, name) != nil:
		return slices.Contains(optimizerParams[c.Optimizer.Name], paramField(optimizerFields, name).key())
	case paramField(scheduleFields, name) != nil:
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
// decoupled_wd (an optimizers entry's weight_decay), amsgrad,
// momentum_decay, schedule, every, gamma, k, min_lr, warmup, period, mult,
// pct_start, div_factor, final_div_factor, monitor, patience, factor and
// seed.
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
	if f := paramField(optimizerFields, name); f != nil {
		o := c.Optimizer
		return f.format(&o)
	}
	if f := paramField(scheduleFields, name); f != nil {
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
