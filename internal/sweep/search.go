package sweep

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// The search and prune blocks, and the distributions of a random search:
// their decoding and their validation. Drawing the trials is in random.go.

// distKeys are the keys of a distribution, in the order the package
// documentation lists them.
var distKeys = []string{"uniform", "log_uniform", "int_uniform", "choice"}

// A valueKind says which distributions a field may be drawn from.
type valueKind int

const (
	anyKind   valueKind = iota // choice only: names, booleans, hidden-layer lists
	realKind                   // uniform, log_uniform or choice
	intKind                    // int_uniform or choice
	fixedKind                  // none: train.seeds, the repeats of every run
)

// kinds are the fields of dataset, model and train that are not anyKind.
var kinds = map[string]valueKind{
	"dataset.train_limit": intKind,
	"dataset.validation":  realKind,
	"dataset.condition":   realKind,
	"model.init":          realKind,
	"model.dropout":       realKind,
	"model.weight_decay":  realKind,
	"train.epochs":        intKind,
	"train.batch_size":    intKind,
	"train.seeds":         fixedKind,
}

// numKind is the kind of a numeric field of an entry.
func numKind[T int | float64]() valueKind {
	var zero T
	if _, ok := any(zero).(int); ok {
		return intKind
	}
	return realKind
}

// kindOf returns the kind of the field at path, such as model.dropout or
// optimizers[1].lr.
func kindOf(path string) valueKind {
	list, rest, _ := strings.Cut(path, "[")
	_, key, _ := strings.Cut(rest, ".")
	switch list {
	case "optimizers":
		if f := fieldNamed(optimizerFields, key); f != nil {
			return f.kind()
		}
	case "schedules":
		if f := fieldNamed(scheduleFields, key); f != nil {
			return f.kind()
		}
	}
	return kinds[path]
}

// takes reports whether a field of kind k may be drawn from dist.
func (k valueKind) takes(dist string) bool {
	switch dist {
	case "choice":
		return k != fixedKind
	case "uniform", "log_uniform":
		return k == realKind
	case "int_uniform":
		return k == intKind
	}
	return false
}

// distribution decodes the mapping v, a distribution the field at path is
// drawn from in a random search: {choice: [values]}, whose values it
// returns, or {uniform | log_uniform | int_uniform: [low, high]}, whose
// bounds it returns after recording the distribution in d.dists. Whether
// the search is random is checked later, by Validate. It returns nil after
// an error.
func distribution[T any](d *decoder, fl *fieldLoc, v *yaml.Node, path string, one func(*yaml.Node) (T, string)) []T {
	kind := kindOf(path)
	if kind == fixedKind {
		d.fail(v, path, "the seeds repeat every run and are not drawn: give a value or a list")
		return nil
	}
	var out []T
	errs := len(d.errs)
	d.mapping(v, path, distKeys, func(key string, k, v *yaml.Node) {
		if fl.dist != "" {
			d.fail(k, path, "a distribution has one key (got %s and %s)", fl.dist, key)
			return
		}
		fl.dist, fl.distAt = key, d.at(k)
		if !kind.takes(key) {
			d.fail(k, path, "%s", wrongDist(key, kind))
			return
		}
		r := resolve(v)
		if key == "choice" {
			switch {
			case r.Kind != yaml.SequenceNode:
				d.fail(v, path, "want a list of values to choose from (got %s)", describe(r))
			case len(r.Content) == 0:
				d.fail(v, path, "empty choice: give at least one value")
			default:
				out = values(d, fl, r.Content, path, one)
			}
			return
		}
		out = bounds[T](d, fl, key, v, path)
	})
	switch {
	case len(d.errs) > errs:
		d.failed[path] = true // an unknown key, or an error above
		return nil
	case fl.dist == "":
		d.fail(v, path, "want a value, a list, or a distribution such as {log_uniform: [1.0e-6, 1.0e-2]} or {choice: [...]} (got an empty mapping)")
		return nil
	}
	return out
}

// wrongDist explains why a field of kind k cannot be drawn from dist.
func wrongDist(dist string, k valueKind) string {
	switch k {
	case intKind:
		return dist + " draws real numbers, and this field takes integers: use int_uniform or choice"
	case realKind:
		return dist + " draws integers, and this field takes real numbers: use uniform, log_uniform or choice"
	}
	return dist + " draws numbers, and this field is not a number: use choice"
}

// bounds decodes the [low, high] of a uniform, log_uniform or int_uniform
// distribution of the field at path, as the field's type T: int for
// int_uniform; float64, or the canonical string of model.init, for the
// others. It returns nil after an error.
func bounds[T any](d *decoder, fl *fieldLoc, dist string, v *yaml.Node, path string) []T {
	r := resolve(v)
	if r.Kind != yaml.SequenceNode || len(r.Content) != 2 {
		got := describe(r)
		if r.Kind == yaml.SequenceNode {
			got = fmt.Sprintf("a list of %d", len(r.Content))
		}
		d.fail(v, path, "want [low, high], two numbers (got %s)", got)
		return nil
	}
	var num [2]float64
	var whole [2]int
	for i, e := range r.Content {
		n := resolve(e)
		var msg string
		if dist == "int_uniform" {
			if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!float" {
				msg = "int_uniform bounds must be integers (got " + n.Value + ")"
			} else if whole[i], msg = intOf(n); msg == "" {
				num[i] = float64(whole[i])
			}
		} else {
			num[i], msg = floatOf(n)
		}
		if msg != "" {
			d.fail(e, path, "%s", msg)
			return nil
		}
	}
	lo, hi := num[0], num[1]
	if dist == "int_uniform" && whole[0] >= whole[1] || dist != "int_uniform" && lo >= hi {
		d.fail(v, path, "the low bound must be below the high bound (got [%s, %s])", resolve(r.Content[0]).Value, resolve(r.Content[1]).Value)
		return nil
	}
	if dist == "log_uniform" && lo <= 0 {
		d.fail(r.Content[0], path, "log_uniform bounds must be > 0 (got %v)", lo)
		return nil
	}
	fl.vals = []loc{d.at(r.Content[0]), d.at(r.Content[1])}
	d.dists[path] = dist
	out := make([]T, 2)
	for i := range out {
		switch p := any(&out[i]).(type) {
		case *int:
			*p = whole[i]
		case *float64:
			*p = num[i]
		case *string: // model.init
			*p = strconv.FormatFloat(num[i], 'g', -1, 64)
		default:
			panic(fmt.Sprintf("sweep: %s of %T", dist, out[i]))
		}
	}
	return out
}

// search decodes the search block.
func (d *decoder) search(k, v *yaml.Node, s *Search) {
	d.locs["search"] = &fieldLoc{key: d.at(k)}
	d.mapping(v, "search", searchKeys, func(key string, k, v *yaml.Node) {
		switch key {
		case "method":
			scalar(d, k, v, "search.method", stringOf, &s.Method)
		case "trials":
			scalar(d, k, v, "search.trials", intOf, &s.Trials)
		case "batch":
			scalar(d, k, v, "search.batch", intOf, &s.Batch)
		case "startup":
			scalar(d, k, v, "search.startup", intOf, &s.Startup)
		}
	})
	if s.Method != "tpe" {
		return
	}
	if d.locs["search.batch"] == nil {
		s.Batch = DefaultBatch
	}
	if d.locs["search.startup"] == nil {
		s.Startup = min(DefaultStartup, max(s.Trials, 0))
	}
}

// prune decodes the prune block: null means no pruning, a mapping must
// name its method. asha's eta defaults to 3; min_epochs to 1.
func (d *decoder) prune(k, v *yaml.Node, p *Prune) {
	d.locs["prune"] = &fieldLoc{key: d.at(k)}
	if isNull(resolve(v)) {
		return
	}
	d.mapping(v, "prune", pruneKeys, func(key string, k, v *yaml.Node) {
		switch key {
		case "method":
			scalar(d, k, v, "prune.method", stringOf, &p.Method)
		case "min_epochs":
			scalar(d, k, v, "prune.min_epochs", intOf, &p.MinEpochs)
		case "eta":
			scalar(d, k, v, "prune.eta", intOf, &p.Eta)
		}
	})
	if d.failed["prune"] {
		return
	}
	if d.locs["prune.method"] == nil {
		d.fail(k, "prune.method", "required: median or asha (or leave prune out)")
		return
	}
	if d.locs["prune.min_epochs"] == nil {
		p.MinEpochs = 1
	}
	if p.Method == "asha" && d.locs["prune.eta"] == nil {
		p.Eta = 3
	}
}

// scalar decodes the single value v of the field at path into *dst.
func scalar[T any](d *decoder, k, v *yaml.Node, path string, one func(*yaml.Node) (T, string), dst *T) {
	d.locs[path] = &fieldLoc{key: d.at(k), vals: []loc{d.at(v)}}
	x, msg := one(resolve(v))
	if msg != "" {
		d.fail(v, path, "%s", msg)
		return
	}
	*dst = x
}

// needValidation is the message for a random search or a pruning rule in
// a sweep that holds out no images.
const needValidation = "needs dataset.validation > 0: it ranks %s on validation accuracy, never test accuracy"

// search checks the search block and the distributions, which only a
// random search may have.
func (v *validator) search() {
	s := v.s
	if s.failed["search.method"] {
		return
	}
	switch s.Search.Method {
	case "grid":
		if (s.Search.Trials != 0 || s.locs["search.trials"] != nil) && !s.failed["search.trials"] {
			v.add("search.trials", -1, "applies to a random search only (method: random); a grid search runs every point of its grid")
		}
		for _, path := range slices.Sorted(maps.Keys(s.locs)) {
			if fl := s.locs[path]; fl.dist != "" {
				v.errs.add(fl.distAt, path, "%s is for a random search (search: {method: random, trials: N}); a grid search takes a value or a list", fl.dist)
			}
		}
		for _, path := range slices.Sorted(maps.Keys(s.Dists)) {
			if s.locs[path] == nil || s.locs[path].dist == "" { // a Spec built by hand
				v.add(path, -1, "%s is for a random search (Search.Method random)", s.Dists[path])
			}
		}
	case "random", "halton", "tpe":
		switch {
		case s.failed["search.trials"]:
		case s.Search.Trials == 0 && s.locs["search.trials"] == nil:
			v.add("search.trials", -1, "required for a random search: the number of trials to draw, >= 1")
		case s.Search.Trials < 1:
			v.add("search.trials", 0, "must be >= 1 (got %d)", s.Search.Trials)
		}
		if !s.functionSweep() && !s.failed["dataset.validation"] && slices.ContainsFunc(s.Dataset.Validation, func(f float64) bool { return !(f > 0) }) {
			v.add("search.method", 0, "a "+s.Search.Method+" search "+needValidation+" (dataset.validation has %v)", "trials", slices.Min(s.Dataset.Validation))
		}
		for _, path := range slices.Sorted(maps.Keys(s.Dists)) { // Parse has checked these
			switch d := s.Dists[path]; {
			case d != "uniform" && d != "log_uniform" && d != "int_uniform":
				v.add(path, -1, "unknown distribution %q in Dists (want uniform, log_uniform or int_uniform; a choice is the axis itself)", d)
			case !kindOf(path).takes(d):
				v.add(path, -1, "%s", wrongDist(d, kindOf(path)))
			}
		}
		if d := s.Dists["dataset.train_limit"]; d != "" && slices.Contains(s.Dataset.TrainLimit, 0) {
			v.add("dataset.train_limit", 0, "the bounds of %s must be >= 1: 0 means all the images", d)
		}
	default:
		v.add("search.method", 0, "unknown search method %q (want grid, random, halton or tpe)", s.Search.Method)
	}
	v.batches()
}

// batches checks search.batch and search.startup, which only a tpe search
// takes, and that a tpe search has a distribution to model.
func (v *validator) batches() {
	s := v.s
	if s.Search.Method != "tpe" {
		for _, key := range []string{"search.batch", "search.startup"} {
			if s.locs[key] != nil && !s.failed[key] && !s.failed["search.method"] {
				v.add(key, -1, "applies to a tpe search only (method: tpe)")
			}
		}
		return
	}
	if !s.failed["search.batch"] && s.Search.Batch < 1 {
		v.add("search.batch", 0, "must be >= 1 (got %d): the number of trials proposed together", s.Search.Batch)
	}
	switch {
	case s.failed["search.startup"]:
	case s.Search.Startup < 0:
		v.add("search.startup", 0, "must be >= 0 (got %d)", s.Search.Startup)
	case s.Search.Startup > s.Search.Trials && s.Search.Trials >= 1 && !s.failed["search.trials"]:
		v.add("search.startup", 0, "must be at most search.trials, %d (got %d)", s.Search.Trials, s.Search.Startup)
	}
	if len(s.Dists) == 0 && len(s.failed) == 0 {
		v.add("search.method", 0, "tpe models distributions, and this space has none: give a field a distribution such as {log_uniform: [1.0e-6, 1.0e-2]}, or run its lists as a grid (method: grid)")
	}
}

// trialSpace checks, once everything else is valid, that a random search
// with only finitely many distinct trials does not ask for more.
func (v *validator) trialSpace() {
	s := v.s
	if !s.Search.sampled() || s.Search.Trials < 1 || len(v.errs) > 0 || len(s.failed) > 0 {
		return
	}
	if n := s.space(); n.Cmp(bigInt(s.Search.Trials)) < 0 {
		v.add("search.trials", 0, "must be at most %s, the number of distinct trials in the search space (got %d)", n, s.Search.Trials)
	}
}

// prune checks the prune block.
func (v *validator) prune() {
	p, failed := v.s.Prune, v.s.failed
	if failed["prune.method"] {
		return
	}
	switch p.Method {
	case "":
		if p != (Prune{}) {
			v.add("prune.method", 0, "required: median or asha")
		}
		return
	case "median":
		if p.Eta != 0 && !failed["prune.eta"] {
			v.add("prune.eta", -1, "does not apply to median, which takes min_epochs")
		}
	case "asha":
		if p.Eta < 2 && !failed["prune.eta"] {
			v.add("prune.eta", 0, "must be >= 2 (got %d)", p.Eta)
		}
	default:
		v.add("prune.method", 0, "unknown pruning method %q (want median or asha)", p.Method)
		return
	}
	if v.s.functionSweep() {
		v.add("prune.method", 0, "pruning does not apply to dataset function: it ranks runs on validation accuracy, which a function run has not")
		return
	}
	if p.MinEpochs < 1 && !failed["prune.min_epochs"] {
		v.add("prune.min_epochs", 0, "must be >= 1 (got %d)", p.MinEpochs)
	}
	if !failed["dataset.validation"] && slices.Contains(v.s.Dataset.Validation, 0) {
		v.add("prune.method", 0, "pruning "+needValidation, "runs")
	}
}
