package sweep

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"gopkg.in/yaml.v3"

	"runner/internal/objective"
)

// The keys each mapping of the format accepts, in the order the package
// documentation lists them.
var (
	topKeys       = []string{"name", "description", "seed", "search", "prune", "log_steps", "log_layers", "dataset", "model", "train", "optimizers", "schedules"}
	searchKeys    = []string{"method", "trials", "batch", "startup"}
	pruneKeys     = []string{"method", "min_epochs", "eta"}
	datasetKeys   = []string{"name", "train_limit", "validation", "function", "start", "condition"}
	modelKeys     = []string{"hidden", "activation", "init", "batchnorm", "dropout", "weight_decay", "precision"}
	trainKeys     = []string{"epochs", "batch_size", "seeds"}
	optimizerKeys = entryKeys(optimizerFields)
	scheduleKeys  = entryKeys(scheduleFields)
)

// fieldLoc records where a field's key and each of its values came from,
// and, for a field given as a distribution, which one and where.
type fieldLoc struct {
	key    loc
	vals   []loc  // for uniform, log_uniform and int_uniform: the two bounds
	dist   string // uniform, log_uniform, int_uniform or choice; "" for a value or a list
	distAt loc    // the distribution's key
}

// decoder turns the YAML node tree into a Spec, collecting errors with
// their lines. It never stops at the first error: a field that fails keeps
// its default and is marked failed, so that validation does not report it
// twice.
type decoder struct {
	file   string
	origin map[*yaml.Node]int // nodes that came from an override: its 1-based position
	locs   map[string]*fieldLoc
	failed map[string]bool
	dists  map[string]string // Spec.Dists
	errs   ErrorList
}

func newDecoder(file string) *decoder {
	return &decoder{
		file:   file,
		origin: map[*yaml.Node]int{},
		locs:   map[string]*fieldLoc{},
		failed: map[string]bool{},
		dists:  map[string]string{},
	}
}

// at returns where n came from.
func (d *decoder) at(n *yaml.Node) loc {
	if i, ok := d.origin[n]; ok {
		return loc{OverrideFile, i}
	}
	return loc{d.file, n.Line}
}

// fail records an error at n's place and marks the field failed.
func (d *decoder) fail(n *yaml.Node, field, format string, args ...any) {
	d.errs.add(d.at(n), field, format, args...)
	d.failed[field] = true
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parse returns the top-level mapping of src, an empty mapping for an empty
// file, or nil after recording a syntax error.
func (d *decoder) parse(src []byte) (root *yaml.Node) {
	defer func() {
		// yaml.v3 is not known to panic on any input, but a panic in a
		// dependency must not take the CLI down with a bad file.
		if r := recover(); r != nil {
			d.errs.add(loc{d.file, 0}, "", "yaml: %v", r)
			root = nil
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(src))
	var doc yaml.Node
	err := dec.Decode(&doc)
	if errors.Is(err, io.EOF) {
		return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: 1}
	}
	if err != nil {
		d.syntaxError(src, err)
		return nil
	}
	var next yaml.Node
	if err := dec.Decode(&next); err == nil {
		d.errs.add(loc{d.file, next.Line}, "", "more than one YAML document (a sweep is one document)")
		return nil
	} else if !errors.Is(err, io.EOF) {
		d.syntaxError(src, err)
		return nil
	}
	if len(doc.Content) == 0 || isNull(doc.Content[0]) {
		return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: max(doc.Line, 1)}
	}
	root = doc.Content[0]
	if resolve(root).Kind != yaml.MappingNode {
		d.errs.add(d.at(root), "", "want a mapping of keys such as name, model and optimizers at the top level (got %s)", describe(root))
		return nil
	}
	return resolve(root)
}

// syntaxError records yaml.v3's error err in src, with its line.
//
// yaml.v3 gives most syntax errors the line of their context, where the
// mapping, list, key or string that holds the problem starts, rather than
// the problem's own line; but when the context starts on the first line,
// which yaml.v3 takes for no line, it gives the problem's line. So a bad
// indent on line 6 is reported at line 3 if the mapping it breaks starts
// there, and at line 6 if that is the top-level mapping. To tell the two
// apart, src is parsed again after a blank line, which moves every
// context off the first line, so that this parse gives the context's
// line. If that is the line of the first parse, the message says the line
// is where the context starts (yaml.v3 does not tell the problem's line).
func (d *decoder) syntaxError(src []byte, err error) {
	line, msg := yamlErrorLine(err)
	if context, ok := yamlContexts[msg]; ok && line > 1 {
		moved, again := yamlErrorLine(firstYAMLError(append([]byte("\n"), src...)))
		if again == msg && moved-1 == line {
			msg += fmt.Sprintf(" (in the %s starting at line %d)", context, line)
		}
	}
	d.errs.add(loc{d.file, line}, "", "yaml: %s", msg)
}

// yamlErrorLine takes the line out of a yaml.v3 error: 1-based, 1 if the
// error gives none (yaml.v3 leaves out the first line), 0 for an error
// in reading the bytes, which has no line. yaml.v3 counts lines from 0 and
// adds 1 in scanner errors but not in parser errors, so the line of a
// parser error is one short.
func yamlErrorLine(err error) (line int, msg string) {
	if err == nil {
		return 0, ""
	}
	msg = strings.TrimPrefix(err.Error(), "yaml: ")
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
		if slices.Contains(parserProblems, msg) {
			line++
		}
		return line, msg
	}
	if strings.Contains(msg, "UTF-8") || strings.Contains(msg, "Unicode") ||
		strings.Contains(msg, "control characters") || strings.Contains(msg, "input error") {
		return 0, msg // a reader error: yaml.v3 does not say where
	}
	return 1, msg
}

// firstYAMLError decodes src's documents as parse does (the first, and
// the second if there is one) and returns the first error.
func firstYAMLError(src []byte) error {
	dec := yaml.NewDecoder(bytes.NewReader(src))
	for range 2 {
		var doc yaml.Node
		if err := dec.Decode(&doc); err != nil {
			return err
		}
	}
	return nil
}

// parserProblems are yaml.v3's parser (rather than scanner) problems, from
// its parserc.go.
var parserProblems = []string{
	"did not find expected ',' or ']'",
	"did not find expected ',' or '}'",
	"did not find expected '-' indicator",
	"did not find expected <document start>",
	"did not find expected <stream-start>",
	"did not find expected key",
	"did not find expected node content",
	"found duplicate %TAG directive",
	"found duplicate %YAML directive",
	"found incompatible YAML document",
	"found undefined tag handle",
}

// yamlContexts are the problems, from yaml.v3's parserc.go and
// scannerc.go, whose context may start lines above the problem, each with
// what the context is. (The other problems' contexts start where the
// problem is, or on its line.)
var yamlContexts = map[string]string{
	"did not find expected key":                                    "mapping",
	"did not find expected ',' or '}'":                             "mapping",
	"did not find expected '-' indicator":                          "list",
	"did not find expected ',' or ']'":                             "list",
	"did not find expected node content":                           "value",
	"could not find expected ':'":                                  "key",
	"found unexpected end of stream":                               "quoted string",
	"found unexpected document indicator":                          "quoted string",
	"found unknown escape character":                               "quoted string",
	"did not find expected hexdecimal number":                      "quoted string",
	"found invalid Unicode character escape code":                  "quoted string",
	"found a tab character where an indentation space is expected": "block scalar",
}

// spec decodes the top-level mapping into s, which holds the defaults.
func (d *decoder) spec(root *yaml.Node, s *Spec) {
	d.locs[""] = &fieldLoc{key: d.at(root)}
	d.mapping(root, "", topKeys, func(key string, k, v *yaml.Node) {
		switch key {
		case "name", "description":
			d.locs[key] = &fieldLoc{key: d.at(k), vals: []loc{d.at(v)}}
			text, ok := "", true
			if !(key == "description" && isNull(v)) {
				text, ok = d.text(v, key)
			}
			if ok && key == "name" {
				s.Name = text
			} else if ok {
				s.Description = text
			}
		case "seed":
			d.locs[key] = &fieldLoc{key: d.at(k), vals: []loc{d.at(v)}}
			n, msg := int64Of(resolve(v))
			if msg != "" {
				d.fail(v, key, "%s", msg)
			} else {
				s.Seed = n
			}
		case "log_steps":
			d.locs[key] = &fieldLoc{key: d.at(k), vals: []loc{d.at(v)}}
			n, msg := intOf(resolve(v))
			if msg != "" {
				d.fail(v, key, "%s", msg)
			} else {
				s.LogSteps = n
			}
		case "log_layers":
			d.locs[key] = &fieldLoc{key: d.at(k), vals: []loc{d.at(v)}}
			b, msg := boolOf(resolve(v))
			if msg != "" {
				d.fail(v, key, "%s", msg)
			} else {
				s.LogLayers = b
			}
		case "search":
			d.search(k, v, &s.Search)
		case "prune":
			d.prune(k, v, &s.Prune)
		case "dataset":
			d.mapping(v, key, datasetKeys, func(key string, k, v *yaml.Node) {
				p := "dataset." + key
				switch key {
				case "name":
					replace(&s.Dataset.Name, axis(d, k, v, p, stringOf))
				case "train_limit":
					replace(&s.Dataset.TrainLimit, axis(d, k, v, p, trainLimitOf))
				case "validation":
					replace(&s.Dataset.Validation, axis(d, k, v, p, floatOf))
				case "function":
					replace(&s.Dataset.Function, axis(d, k, v, p, stringOf))
				case "start":
					replace(&s.Dataset.Start, d.points(k, v, p))
				case "condition":
					replace(&s.Dataset.Condition, axis(d, k, v, p, floatOf))
				}
			})
		case "model":
			d.mapping(v, key, modelKeys, func(key string, k, v *yaml.Node) {
				p := "model." + key
				switch key {
				case "hidden":
					replace(&s.Model.Hidden, d.hidden(k, v, p))
				case "activation":
					replace(&s.Model.Activation, axis(d, k, v, p, stringOf))
				case "init":
					replace(&s.Model.Init, axis(d, k, v, p, initOf))
				case "batchnorm":
					replace(&s.Model.BatchNorm, axis(d, k, v, p, boolOf))
				case "dropout":
					replace(&s.Model.Dropout, axis(d, k, v, p, floatOf))
				case "weight_decay":
					replace(&s.Model.WeightDecay, axis(d, k, v, p, floatOf))
				case "precision":
					replace(&s.Model.Precision, axis(d, k, v, p, stringOf))
				}
			})
		case "train":
			d.mapping(v, key, trainKeys, func(key string, k, v *yaml.Node) {
				p := "train." + key
				switch key {
				case "epochs":
					replace(&s.Train.Epochs, axis(d, k, v, p, intOf))
				case "batch_size":
					replace(&s.Train.BatchSize, axis(d, k, v, p, intOf))
				case "seeds":
					replace(&s.Train.Seeds, axis(d, k, v, p, int64Of))
				}
			})
		case "optimizers":
			replace(&s.Optimizers, entries(d, k, v, key, d.optimizer))
		case "schedules":
			replace(&s.Schedules, entries(d, k, v, key, d.schedule))
		}
	})
	if slices.Contains(s.Dataset.Function, "quadratic") && s.Dataset.Condition == nil && !d.failed["dataset.condition"] {
		s.Dataset.Condition = []float64{objective.DefaultCondition}
	}
}

// text decodes name or description: any scalar but null, as written.
func (d *decoder) text(v *yaml.Node, field string) (string, bool) {
	r := resolve(v)
	if r.Kind != yaml.ScalarNode || isNull(r) {
		d.fail(v, field, "want a string (got %s)", describe(r))
		return "", false
	}
	return r.Value, true
}

// replace sets *dst to v unless v is nil (the field failed to decode, or
// was empty, and keeps its default).
func replace[T any](dst *[]T, v []T) {
	if v != nil {
		*dst = v
	}
}

// mapping calls fn for each key of the mapping n in order, after checking
// that n is a mapping (or null, taken as an empty mapping) and that every
// key is known and given once.
func (d *decoder) mapping(n *yaml.Node, path string, known []string, fn func(key string, k, v *yaml.Node)) {
	r := resolve(n)
	if isNull(r) {
		return
	}
	if r.Kind != yaml.MappingNode {
		d.fail(n, path, "want a mapping with keys %s (got %s)", strings.Join(known, ", "), describe(r))
		return
	}
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(r.Content); i += 2 {
		k, v := r.Content[i], r.Content[i+1]
		kr := resolve(k)
		if kr.Kind != yaml.ScalarNode {
			d.errs.add(d.at(k), path, "want a key such as %s (got %s)", known[0], describe(kr))
			continue
		}
		field := join(path, keyName(kr.Value))
		if kr.ShortTag() == "!!merge" {
			d.errs.add(d.at(k), field, "merge keys are not supported; write the keys out")
			continue
		}
		if prev, dup := seen[kr.Value]; dup {
			d.errs.add(d.at(k), field, "duplicate key (first at %s)", d.at(prev))
			continue
		}
		seen[kr.Value] = k
		if !slices.Contains(known, kr.Value) {
			where := "at the top level"
			if path != "" {
				where = "in " + path
			}
			d.errs.add(d.at(k), field, "unknown key (%s the keys are %s)", where, strings.Join(known, ", "))
			continue
		}
		fn(kr.Value, k, v)
	}
}

// plainKey matches the keys that print as they are in a field path.
var plainKey = regexp.MustCompile(`^[A-Za-z0-9_<>-]+$`)

// keyName formats a key for a field path, quoting unusual ones so that an
// error stays on one line.
func keyName(key string) string {
	if plainKey.MatchString(key) {
		return key
	}
	return strconv.Quote(key)
}

// printable reports whether s has only printable characters (no newlines).
func printable(s string) bool {
	return !strings.ContainsFunc(s, func(r rune) bool { return !unicode.IsPrint(r) })
}

// join appends key to a dotted path.
func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// axis decodes a scalar, a non-empty list of scalars or a distribution
// (see distribution) with one, recording the place of every value. It
// returns nil after an error.
func axis[T any](d *decoder, k, v *yaml.Node, path string, one func(*yaml.Node) (T, string)) []T {
	fl := &fieldLoc{key: d.at(k)}
	d.locs[path] = fl
	r := resolve(v)
	elems := []*yaml.Node{v}
	switch r.Kind {
	case yaml.MappingNode:
		return distribution(d, fl, v, path, one)
	case yaml.SequenceNode:
		elems = r.Content
		if len(elems) == 0 {
			d.fail(v, path, "empty list: give at least one value")
			return nil
		}
	}
	return values(d, fl, elems, path, one)
}

// values decodes the list elems of a field's values with one.
func values[T any](d *decoder, fl *fieldLoc, elems []*yaml.Node, path string, one func(*yaml.Node) (T, string)) []T {
	out := make([]T, 0, len(elems))
	for _, e := range elems {
		x, msg := one(resolve(e))
		if msg != "" {
			d.fail(e, path, "%s", msg)
			continue
		}
		out = append(out, x)
		fl.vals = append(fl.vals, d.at(e))
	}
	if len(out) < len(elems) {
		return nil
	}
	return out
}

// hidden decodes model.hidden: a list of layer sizes, or a non-empty list
// of such lists (an axis). An empty list means no hidden layers.
func (d *decoder) hidden(k, v *yaml.Node, path string) [][]int {
	return listAxis(d, k, v, path, layersOf, "a list of layer sizes such as [100, 100], or a list of such lists")
}

// points decodes dataset.start: a point [x, y], or a non-empty list of
// such points (an axis), or a choice of points.
func (d *decoder) points(k, v *yaml.Node, path string) [][]float64 {
	return listAxis(d, k, v, path, pointOf, "a point [x, y] such as [-7, 2], or a list of such points")
}

// listAxis decodes a field whose one value is itself a list (hidden sizes,
// a point): that list, or a non-empty list of such lists (an axis), or a
// distribution (only a choice applies). want says what is expected.
func listAxis[T any](d *decoder, k, v *yaml.Node, path string, one func(*yaml.Node) (T, string), want string) []T {
	r := resolve(v)
	if r.Kind == yaml.MappingNode {
		return axis(d, k, v, path, one)
	}
	if r.Kind != yaml.SequenceNode {
		d.fail(v, path, "want %s (got %s)", want, describe(r))
		d.locs[path] = &fieldLoc{key: d.at(k)}
		return nil
	}
	if len(r.Content) > 0 && resolve(r.Content[0]).Kind == yaml.SequenceNode {
		return axis(d, k, v, path, one) // a list of lists
	}
	d.locs[path] = &fieldLoc{key: d.at(k), vals: []loc{d.at(v)}}
	x, msg := one(r)
	if msg != "" {
		d.fail(v, path, "%s", msg)
		return nil
	}
	return []T{x}
}

// entries decodes the optimizers or schedules list with one.
func entries[T any](d *decoder, k, v *yaml.Node, path string, one func(*yaml.Node, string) T) []T {
	d.locs[path] = &fieldLoc{key: d.at(k)}
	r := resolve(v)
	if r.Kind != yaml.SequenceNode {
		d.fail(v, path, "want a list of entries such as - {name: ..., ...} (got %s)", describe(r))
		return nil
	}
	if len(r.Content) == 0 {
		d.fail(v, path, "empty list: give at least one entry")
		return nil
	}
	out := make([]T, len(r.Content))
	for i, e := range r.Content {
		out[i] = one(e, fmt.Sprintf("%s[%d]", path, i))
	}
	return out
}

// entryName decodes the name of an optimizers or schedules entry n, found
// by key before the other keys, because it decides which keys apply. It
// marks path.name failed if the name is missing or not a string.
func (d *decoder) entryName(n *yaml.Node, path, example string) string {
	d.locs[path] = &fieldLoc{key: d.at(n)}
	field := path + ".name"
	r := resolve(n)
	if r.Kind != yaml.MappingNode {
		d.fail(n, path, "want a mapping such as %s (got %s)", example, describe(r))
		d.failed[field] = true
		return ""
	}
	for i := 0; i+1 < len(r.Content); i += 2 {
		if k := resolve(r.Content[i]); k.Kind == yaml.ScalarNode && k.Value == "name" {
			v := r.Content[i+1]
			d.locs[field] = &fieldLoc{key: d.at(k), vals: []loc{d.at(v)}}
			name, msg := stringOf(resolve(v))
			if msg != "" {
				d.fail(v, field, "%s", msg)
			}
			return name
		}
	}
	d.fail(n, field, "required, as in %s", example)
	return ""
}

// optimizer decodes one optimizers entry and fills in the defaults of the
// hyperparameters its optimizer uses. Validate reports the unknown names
// and the keys that do not apply.
func (d *decoder) optimizer(n *yaml.Node, path string) OptimizerAxes {
	o := OptimizerAxes{Name: d.entryName(n, path, "{name: sgd, lr: 0.01}")}
	if !d.failed[path+".name"] {
		decodeEntryFields(d, n, path, optimizerFields, &o, optimizerParams[o.Name], optimizerDefaults[o.Name])
	}
	return o
}

// schedule decodes one schedules entry and fills in the defaults of the
// parameters its schedule uses.
func (d *decoder) schedule(n *yaml.Node, path string) ScheduleAxes {
	s := ScheduleAxes{Name: d.entryName(n, path, "{name: step, every: 4, gamma: 0.5}")}
	if !d.failed[path+".name"] {
		decodeEntryFields(d, n, path, scheduleFields, &s, scheduleParams[s.Name], scheduleDefaults[s.Name])
	}
	return s
}

// decodeEntryFields decodes the fields of the optimizers or schedules entry n
// into e (its name is decoded already), then gives each field that the
// entry's name takes and the file leaves out its default, if it has one.
func decodeEntryFields[E, C any](d *decoder, n *yaml.Node, path string, fields []entryField[E, C], e *E, takes []string, defaults map[string]any) {
	d.mapping(n, path, entryKeys(fields), func(key string, k, v *yaml.Node) {
		if f := fieldNamed(fields, key); f != nil {
			f.decode(d, k, v, path+"."+key, e)
		}
	})
	for _, f := range fields {
		def, ok := defaults[f.key()]
		if ok && slices.Contains(takes, f.key()) && !f.given(e) && !d.failed[path+"."+f.key()] {
			f.setDefault(e, def)
		}
	}
}

// resolve follows aliases to the node they name.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n.Kind == yaml.AliasNode && n.Alias != nil && i < 100; i++ {
		n = n.Alias
	}
	return n
}

// isNull reports whether n is an empty value or null.
func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// describe names a value in a "(got …)" message.
func describe(n *yaml.Node) string {
	n = resolve(n)
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	case yaml.ScalarNode:
		if isNull(n) {
			return "no value"
		}
		v := n.Value
		if r := []rune(v); len(r) > 40 {
			v = string(r[:40]) + "…"
		}
		if n.ShortTag() == "!!str" || !printable(v) {
			return strconv.Quote(v)
		}
		return v
	}
	return "an alias"
}

// The scalar decoders return the value of a resolved node, or a message
// saying what was wanted.

func int64Of(n *yaml.Node) (int64, string) {
	var v int64
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || n.Decode(&v) != nil {
		return 0, "want an integer (got " + describe(n) + ")"
	}
	return v, ""
}

func intOf(n *yaml.Node) (int, string) {
	v, msg := int64Of(n)
	if msg == "" && int64(int(v)) != v {
		return 0, fmt.Sprintf("out of range (got %d)", v)
	}
	return int(v), msg
}

func floatOf(n *yaml.Node) (float64, string) {
	var v float64
	if n.Kind != yaml.ScalarNode || (n.ShortTag() != "!!int" && n.ShortTag() != "!!float") || n.Decode(&v) != nil {
		return 0, "want a number (got " + describe(n) + ")"
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, "want a finite number (got " + n.Value + ")"
	}
	return v + 0, "" // + 0 turns -0 into 0
}

func stringOf(n *yaml.Node) (string, string) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
		return "", "want a string (got " + describe(n) + ")"
	}
	return n.Value, ""
}

func boolOf(n *yaml.Node) (bool, string) {
	var v bool
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&v) != nil {
		return false, "want true or false (got " + describe(n) + ")"
	}
	return v, ""
}

// trainLimitOf decodes dataset.train_limit, storing 60000, all the MNIST
// training images, as 0, which means the same: a list holding both then
// repeats a value, and a file with either gives the same runs.
func trainLimitOf(n *yaml.Node) (int, string) {
	v, msg := intOf(n)
	if v == mnistTrainImages {
		v = 0
	}
	return v, msg
}

// initOf decodes model.init: a name, or a number (written as a YAML number
// or a string) kept in canonical form.
func initOf(n *yaml.Node) (string, string) {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str" {
		return canonicalInit(n.Value), ""
	}
	v, msg := floatOf(n)
	if msg != "" {
		return "", "want he, xavier or a number > 0 (got " + describe(n) + ")"
	}
	return strconv.FormatFloat(v, 'g', -1, 64), ""
}

// canonicalInit rewrites a numeric init in canonical form ("1e-2" → "0.01")
// and leaves other strings alone.
func canonicalInit(s string) string {
	if s == "he" || s == "xavier" {
		return s
	}
	if v, err := strconv.ParseFloat(s, 64); err == nil && !math.IsNaN(v) && !math.IsInf(v, 0) {
		return strconv.FormatFloat(v+0, 'g', -1, 64)
	}
	return s
}

// pointOf decodes a start point: a list of numbers. Validate checks that
// it has two.
func pointOf(n *yaml.Node) ([]float64, string) {
	if n.Kind != yaml.SequenceNode {
		return nil, "want a point [x, y] such as [-7, 2] (got " + describe(n) + ")"
	}
	p := make([]float64, len(n.Content))
	for i, e := range n.Content {
		v, msg := floatOf(resolve(e))
		if msg != "" {
			return nil, "a point's coordinates: " + msg
		}
		p[i] = v
	}
	return p, ""
}

// layersOf decodes a list of hidden-layer sizes.
func layersOf(n *yaml.Node) ([]int, string) {
	if n.Kind != yaml.SequenceNode {
		return nil, "want a list of layer sizes such as [100, 100] (got " + describe(n) + ")"
	}
	layers := make([]int, len(n.Content))
	for i, e := range n.Content {
		v, msg := intOf(resolve(e))
		if msg != "" {
			return nil, "layer sizes: " + msg
		}
		layers[i] = v
	}
	return layers, ""
}
