package sweep

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"runner/internal/data"
	"runner/internal/objective"
	"runner/internal/train"
)

// mnistTrainImages is the size of the MNIST training set.
const mnistTrainImages = data.TrainLen

// Validate checks every value of s against the rules in the package
// documentation: ranges, names, fields that apply to each optimizer and
// schedule, cross-field limits, and runs that would repeat. Parse calls
// it; call it again after changing a Spec by hand. A non-nil error is an
// ErrorList.
func (s *Spec) Validate() error {
	return s.validate().err()
}

func (s *Spec) validate() ErrorList {
	v := &validator{s: s}
	if !s.failed["name"] && strings.TrimSpace(s.Name) == "" {
		v.add("name", -1, "required: the sweep's name, which groups its runs in results.db")
	}

	if s.LogSteps < 0 && !s.failed["log_steps"] {
		v.add("log_steps", -1, "must be >= 0 (got %d)", s.LogSteps)
	}

	d, t := &s.Dataset, &s.Train
	check(v, "dataset.name", d.Name, oneOf("dataset", "mnist", train.FunctionDataset))
	if s.functionSweep() {
		v.functionAxes()
	} else {
		v.mnistAxes()
	}
	check(v, "train.epochs", t.Epochs, intAtLeast(0))
	if !s.functionSweep() {
		check(v, "train.batch_size", t.BatchSize, intAtLeast(1))
	}
	check(v, "train.seeds", t.Seeds, func(int64) string { return "" })

	if len(s.Optimizers) == 0 && !s.failed["optimizers"] {
		v.add("optimizers", -1, "empty list: give at least one entry")
	}
	for i := range s.Optimizers {
		v.optimizer(i)
	}
	if len(s.Schedules) == 0 && !s.failed["schedules"] {
		v.add("schedules", -1, "empty list: give at least one entry")
	}
	for i := range s.Schedules {
		v.schedule(i)
	}
	v.repeatedEntries()
	v.search()
	v.prune()
	v.trialSpace()
	return v.errs
}

// mnistAxes checks the axes of an MNIST sweep, the images and the model,
// and that no field of a function dataset is given.
func (v *validator) mnistAxes() {
	s := v.s
	d, m := &s.Dataset, &s.Model
	for _, path := range []string{"dataset.function", "dataset.start", "dataset.condition"} {
		if s.locs[path] != nil {
			v.add(path, -1, "applies to dataset function only (dataset.name is %s)", strings.Join(d.Name, ", "))
		}
	}
	check(v, "dataset.train_limit", d.TrainLimit, func(n int) string {
		if n < 0 || n > mnistTrainImages {
			return fmt.Sprintf("must be in [0, %d], the MNIST training images; 0 means all (got %d)", mnistTrainImages, n)
		}
		return ""
	})
	check(v, "dataset.validation", d.Validation, func(f float64) string {
		if msg := inRange(0, 1)(f); msg != "" || f == 0 {
			return msg
		}
		// Every train_limit it is crossed with must leave images on both sides.
		for _, limit := range d.TrainLimit {
			n := limit
			if n <= 0 || n > mnistTrainImages {
				n = mnistTrainImages
			}
			if _, err := data.SplitSize(n, f); err != nil {
				return fmt.Sprintf("%v (train_limit %d)", strings.TrimPrefix(err.Error(), "split: "), limit)
			}
		}
		return ""
	})
	check(v, "model.hidden", m.Hidden, func(layers []int) string {
		for _, n := range layers {
			if n < 1 {
				return fmt.Sprintf("layer sizes must be >= 1 (got %v)", layers)
			}
		}
		return ""
	})
	check(v, "model.activation", m.Activation, oneOf("activation", "relu", "sigmoid", "tanh"))
	check(v, "model.init", m.Init, func(s string) string {
		if _, std, err := train.ParseInit(s); err != nil || math.IsInf(std, 0) {
			return fmt.Sprintf("want he, xavier or a number > 0 (got %q)", s)
		}
		return ""
	})
	check(v, "model.batchnorm", m.BatchNorm, func(bool) string { return "" })
	check(v, "model.dropout", m.Dropout, inRange(0, 1))
	check(v, "model.weight_decay", m.WeightDecay, atLeast(0))
	check(v, "model.precision", m.Precision, oneOf("precision", "float32", "float64"))
}

// mnistOnly are the fields that do not apply to a function dataset.
var mnistOnly = []string{"dataset.train_limit", "dataset.validation",
	"model.hidden", "model.activation", "model.init", "model.batchnorm", "model.dropout", "model.weight_decay", "model.precision",
	"train.batch_size"}

// functionAxes checks the axes of a function sweep: its functions, start
// points and condition numbers, that no MNIST-only field is given, and
// that the sweep would not repeat its runs.
func (v *validator) functionAxes() {
	s := v.s
	d := &s.Dataset
	if len(d.Name) > 1 && !s.failed["dataset.name"] {
		v.add("dataset.name", -1, "function cannot be crossed with another dataset: a sweep minimizes functions or trains on MNIST, not both")
	}
	for _, path := range mnistOnly {
		if s.locs[path] != nil {
			v.add(path, -1, "does not apply to dataset function, which has no images, network or batches")
		}
	}
	if s.LogLayers {
		v.add("log_layers", -1, "does not apply to dataset function, which has no layers")
	}
	if s.LogSteps > 0 {
		v.add("log_steps", -1, "does not apply to dataset function: each epoch is one step, and the path table records every step")
	}
	if len(s.Train.Seeds) > 1 && !s.failed["train.seeds"] {
		v.add("train.seeds", -1, "a function run depends on no seed: more than one would repeat every run (got %d seeds)", len(s.Train.Seeds))
	}

	required := func(path, what string) bool {
		if s.locs[path] != nil || s.failed[path] {
			return false
		}
		v.errs.add(s.where("dataset.name", 0), path, "required for dataset function: %s", what)
		return true
	}
	if !required("dataset.function", orList(objective.Names)) {
		check(v, "dataset.function", d.Function, oneOf("function", objective.Names...))
	}
	if !required("dataset.start", "the start point [x, y], such as [-7, 2]") {
		check(v, "dataset.start", d.Start, func(p []float64) string {
			if len(p) != 2 {
				return fmt.Sprintf("want a point of 2 coordinates [x, y] (got %d: %v)", len(p), p)
			}
			return ""
		})
	}
	if s.failed["dataset.condition"] || s.failed["dataset.function"] {
		return
	}
	var others []string
	for _, f := range d.Function {
		if f != "quadratic" {
			others = append(others, f)
		}
	}
	switch {
	case !slices.Contains(d.Function, "quadratic"):
		if d.Condition != nil {
			v.add("dataset.condition", -1, "applies to the quadratic function only (dataset.function is %s)", strings.Join(d.Function, ", "))
		}
	default:
		check(v, "dataset.condition", d.Condition, above(0))
		if len(d.Condition) > 1 && len(others) > 0 {
			v.add("dataset.condition", -1, "several values need dataset.function to be quadratic alone: the runs of %s, which take no condition, would repeat",
				strings.Join(others, ", "))
		}
	}
}

// validator collects the errors of one Validate.
type validator struct {
	s    *Spec
	errs ErrorList
}

// where returns the place of value i of the field at path (its key for
// i < 0), falling back to the enclosing field and then to the file.
func (s *Spec) where(path string, i int) loc {
	for p := path; ; p = parent(p) {
		if fl := s.locs[p]; fl != nil {
			if p == path && i >= 0 && i < len(fl.vals) {
				return fl.vals[i]
			}
			return fl.key
		}
		if p == "" {
			return loc{s.File, 0}
		}
	}
}

// parent strips the last element off a path: optimizers[2].lr →
// optimizers[2] → optimizers → "".
func parent(path string) string {
	if i := strings.LastIndexAny(path, ".["); i >= 0 {
		return path[:i]
	}
	return ""
}

func (v *validator) add(path string, i int, format string, args ...any) {
	v.errs.add(v.s.where(path, i), path, format, args...)
}

// check runs rule on each value of the axis at path (the bounds of a
// distribution), and reports an empty axis and repeated values. It skips
// fields that failed to decode.
func check[T any](v *validator, path string, vals []T, rule func(T) string) {
	if v.s.failed[path] {
		return
	}
	if len(vals) == 0 {
		v.add(path, -1, "empty list: give at least one value")
		return
	}
	if d := v.s.Dists[path]; d != "" {
		// Parse has checked these; a Spec built by hand may break them.
		if msg := checkBounds(d, vals); msg != "" {
			v.add(path, -1, "%s", msg)
			return
		}
	}
	repeats := "every run would be repeated"
	if v.s.Search.sampled() {
		repeats = "a choice lists each value once"
	}
	first := map[string]int{}
	for i, x := range vals {
		if msg := rule(x); msg != "" {
			v.add(path, i, "%s", msg)
		}
		key := fmt.Sprint(x)
		if j, dup := first[key]; dup {
			v.add(path, i, "%s repeats the value at %s: %s", valueString(path, x), v.s.where(path, j), repeats)
			continue
		}
		first[key] = i
	}
}

// checkBounds checks the bounds vals of the distribution dist.
func checkBounds[T any](dist string, vals []T) string {
	if len(vals) != 2 {
		return fmt.Sprintf("%s takes two bounds (got %d values)", dist, len(vals))
	}
	lo, okLo := number(vals[0])
	hi, okHi := number(vals[1])
	switch {
	case !okLo || !okHi:
		return fmt.Sprintf("%s takes two numbers (got %v)", dist, vals)
	case !(lo < hi):
		return fmt.Sprintf("the low bound must be below the high bound (got %v)", vals)
	case dist == "log_uniform" && !(lo > 0):
		return fmt.Sprintf("log_uniform bounds must be > 0 (got %v)", lo)
	}
	return ""
}

// number returns the value of a bound: an int, a float64, or a number in a
// string (model.init).
func number(x any) (float64, bool) {
	switch x := x.(type) {
	case int:
		return float64(x), true
	case float64:
		return x, true
	case string:
		f, err := strconv.ParseFloat(x, 64)
		return f, err == nil && !math.IsInf(f, 0) && !math.IsNaN(f)
	}
	return 0, false
}

// valueString formats a value of the axis at path for a message.
func valueString(path string, x any) string {
	if s, ok := x.(string); ok {
		return strconv.Quote(s)
	}
	if path == "dataset.train_limit" && x == any(0) {
		return "0 (all the images, also written 60000)"
	}
	return fmt.Sprint(x)
}

// optimizer checks entry i of the optimizers list.
func (v *validator) optimizer(i int) {
	o := &v.s.Optimizers[i]
	path := fmt.Sprintf("optimizers[%d]", i)
	if v.s.failed[path+".name"] {
		return
	}
	takes, known := optimizerParams[o.Name]
	if !known {
		v.add(path+".name", 0, "unknown optimizer %q (want %s)", o.Name, orList(optimizerNames))
		return
	}
	checkEntryFields(v, path, o.Name, optimizerFields, o, takes)
	// The schedule-free methods move to their evaluation point by dividing
	// by the interpolation β: it must not be 0.
	beta, key := o.Momentum, "momentum"
	if o.Name == "sf_adamw" {
		beta, key = o.Beta1, "beta1"
	}
	if (o.Name == "sf_sgd" || o.Name == "sf_adamw") && !v.s.failed[path+"."+key] && v.s.Dists[path+"."+key] == "" {
		for j, b := range beta {
			if b == 0 {
				v.add(path+"."+key, j, "must be in (0, 1) for %s, whose evaluation point divides by it (got 0)", o.Name)
			}
		}
	}
}

// schedule checks entry i of the schedules list.
func (v *validator) schedule(i int) {
	sc := &v.s.Schedules[i]
	path := fmt.Sprintf("schedules[%d]", i)
	if v.s.failed[path+".name"] {
		return
	}
	takes, known := scheduleParams[sc.Name]
	if !known {
		v.add(path+".name", 0, "unknown schedule %q (want %s)", sc.Name, orList(scheduleNames))
		return
	}
	checkEntryFields(v, path, sc.Name, scheduleFields, sc, takes)
	v.monitor(path, sc)
}

// monitor checks that a plateau schedule monitoring val_acc is crossed
// only with runs that hold out validation images.
func (v *validator) monitor(path string, sc *ScheduleAxes) {
	at := slices.Index(sc.Monitor, "val_acc")
	if at < 0 || v.s.failed[path+".monitor"] {
		return
	}
	switch {
	case v.s.functionSweep():
		v.add(path+".monitor", at, "val_acc needs a validation split, and dataset function has no images: monitor train_loss")
	case slices.Contains(v.s.Dataset.Validation, 0) && !v.s.failed["dataset.validation"]:
		v.add(path+".monitor", at, "val_acc needs a validation split: dataset.validation must be > 0 (got 0), or monitor train_loss")
	}
}

// checkEntryFields checks the fields of the optimizers or schedules entry e at
// path, whose name takes the fields in takes: those are required (decode
// has given them their defaults), the others must be left out.
func checkEntryFields[E, C any](v *validator, path, name string, fields []entryField[E, C], e *E, takes []string) {
	for _, f := range fields {
		p := path + "." + f.key()
		switch {
		case !slices.Contains(takes, f.key()):
			if f.given(e) {
				v.add(p, -1, "does not apply to %s, which takes %s", name, strings.Join(takes, ", "))
			}
		case !f.given(e):
			if !v.s.failed[p] {
				v.add(p, -1, "required")
			}
		default:
			f.check(v, p, e, v.limit(f.key()))
		}
	}
}

// limit returns the bound on the values of an entry's field that depends
// on other fields, or nil: a cosine min_lr must be below every lr.
func (v *validator) limit(key string) func(float64) string {
	if key != "min_lr" {
		return nil
	}
	lr, at := v.smallestLR()
	return func(x float64) string {
		if at != "" && x >= lr {
			return fmt.Sprintf("must be < every lr it is crossed with (got %v, but %s has %v)", x, at, lr)
		}
		return ""
	}
}

// smallestLR returns the smallest positive lr of any optimizers entry and
// the field that holds it ("" if there is none).
func (v *validator) smallestLR() (float64, string) {
	lr, at := math.Inf(1), ""
	for i, o := range v.s.Optimizers {
		for _, x := range o.LR {
			if x > 0 && x < lr {
				lr, at = x, fmt.Sprintf("optimizers[%d].lr", i)
			}
		}
	}
	return lr, at
}

// repeatedEntries reports an optimizers (or schedules) entry that would
// give some of the same runs (or trials) as an earlier one: the same name,
// and a value in common on every field.
func (v *validator) repeatedEntries() {
	optimizers := make([]entryValues, len(v.s.Optimizers))
	for i := range v.s.Optimizers {
		optimizers[i] = valuesOf(v.s, fmt.Sprintf("optimizers[%d]", i), grid(optimizerFields, &v.s.Optimizers[i]))
	}
	v.repeated("optimizers", optimizers, func(i int) string { return v.s.Optimizers[i].Name }, optimizerParams)

	schedules := make([]entryValues, len(v.s.Schedules))
	for i := range v.s.Schedules {
		schedules[i] = valuesOf(v.s, fmt.Sprintf("schedules[%d]", i), grid(scheduleFields, &v.s.Schedules[i]))
	}
	v.repeated("schedules", schedules, func(i int) string { return v.s.Schedules[i].Name }, scheduleParams)
}

// entryValues maps each field of an entry to the set of its values.
type entryValues map[string]map[string]bool

// valuesOf returns the values of the fields of the entry at path. A field
// drawn from a distribution has the field's path as its one value, so that
// it has none in common with another entry: two distributions almost
// never draw the same number.
func valuesOf[C any](s *Spec, path string, g []entryAxis[C]) entryValues {
	ev := entryValues{}
	for _, a := range g {
		p := path + "." + a.key
		ev[a.key] = map[string]bool{}
		if s.Dists[p] != "" {
			ev[a.key][p] = true
			continue
		}
		for j := range a.n {
			ev[a.key][a.str(j)] = true
		}
	}
	return ev
}

func (v *validator) repeated(list string, entries []entryValues, name func(int) string, known map[string][]string) {
	byName := map[string][]int{}
	for j := range entries {
		if _, ok := known[name(j)]; !ok || v.entryFailed(fmt.Sprintf("%s[%d]", list, j)) {
			continue // an entry with a field that failed to decode is not what the file means
		}
		for _, i := range byName[name(j)] {
			if overlaps(entries[i], entries[j]) {
				v.add(fmt.Sprintf("%s[%d]", list, j), -1, "repeats runs of %s[%d] (the same %s, with a value in common on every field)", list, i, name(j))
				break
			}
		}
		byName[name(j)] = append(byName[name(j)], j)
	}
}

// entryFailed reports whether the entry at path, or a field of it, failed
// to decode.
func (v *validator) entryFailed(path string) bool {
	for p := range v.s.failed {
		if p == path || strings.HasPrefix(p, path+".") {
			return true
		}
	}
	return false
}

// overlaps reports whether the grids a and b share a point: they sweep the
// same fields, with a value in common on each.
func overlaps(a, b entryValues) bool {
	if len(a) != len(b) {
		return false
	}
	for key, as := range a {
		bs, ok := b[key]
		if !ok {
			return false
		}
		common := false
		for x := range as {
			if bs[x] {
				common = true
				break
			}
		}
		if !common {
			return false
		}
	}
	return true
}

// Rules for check.

func oneOf(what string, names ...string) func(string) string {
	return func(s string) string {
		if !slices.Contains(names, s) {
			return fmt.Sprintf("unknown %s %q (want %s)", what, s, orList(names))
		}
		return ""
	}
}

func orList(names []string) string {
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// inRange accepts [lo, hi).
func inRange(lo, hi float64) func(float64) string {
	return func(x float64) string {
		if !(x >= lo && x < hi) {
			return fmt.Sprintf("must be in [%v, %v) (got %v)", lo, hi, x)
		}
		return ""
	}
}

func atLeast(lo float64) func(float64) string {
	return func(x float64) string {
		if !(x >= lo) {
			return fmt.Sprintf("must be >= %v (got %v)", lo, x)
		}
		return ""
	}
}

func above(lo float64) func(float64) string {
	return func(x float64) string {
		if !(x > lo) {
			return fmt.Sprintf("must be > %v (got %v)", lo, x)
		}
		return ""
	}
}

// inOpen accepts (lo, hi).
func inOpen(lo, hi float64) func(float64) string {
	return func(x float64) string {
		if !(x > lo && x < hi) {
			return fmt.Sprintf("must be in (%v, %v) (got %v)", lo, hi, x)
		}
		return ""
	}
}

// inHalfOpen accepts (lo, hi].
func inHalfOpen(lo, hi float64) func(float64) string {
	return func(x float64) string {
		if !(x > lo && x <= hi) {
			return fmt.Sprintf("must be in (%v, %v] (got %v)", lo, hi, x)
		}
		return ""
	}
}

func intAtLeast(lo int) func(int) string {
	return func(n int) string {
		if n < lo {
			return fmt.Sprintf("must be >= %d (got %d)", lo, n)
		}
		return ""
	}
}
