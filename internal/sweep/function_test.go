package sweep_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"runner/internal/sweep"
	"runner/internal/train"
)

// paths is the book's figure 6-8 as an experiment file.
const paths = `name: paths
dataset: {name: function, function: book, start: [-7, 2]}
train: {epochs: 30}
optimizers:
  - {name: sgd, lr: 0.95}
  - {name: momentum, lr: 0.1}
  - {name: adagrad, lr: 1.5}
  - {name: adam, lr: 0.3}
`

func TestFunction_Parse(t *testing.T) {
	s := MustParse(t, paths)
	if got := s.Dataset; !reflect.DeepEqual(got.Function, []string{"book"}) || !reflect.DeepEqual(got.Start, [][]float64{{-7, 2}}) || got.Condition != nil {
		t.Errorf("dataset axes %+v", got)
	}
	runs := MustExpand(t, s)
	if len(runs) != 4 {
		t.Fatalf("%d runs; want 4", len(runs))
	}
	want := train.Config{
		Dataset:   train.DatasetConfig{Name: "function", Function: "book", Start: []float64{-7, 2}},
		Optimizer: train.OptimizerConfig{Name: "momentum", LR: 0.1, Momentum: 0.9},
		Schedule:  train.ScheduleConfig{Name: "constant"},
		Epochs:    30,
		Seed:      1,
	}
	if !reflect.DeepEqual(runs[1], want) {
		t.Errorf("run 1 = %s\nwant    %s", runs[1].CanonicalJSON(), want.CanonicalJSON())
	}
	for _, c := range runs {
		if err := c.Validate(); err != nil {
			t.Errorf("%s: %v", c.CanonicalJSON(), err)
		}
		// The MNIST-only fields are zero, so they say nothing in the key.
		if c.Model.Hidden != nil || c.Model.Activation != "" || c.Model.Precision != "" || c.BatchSize != 0 ||
			c.Dataset.TrainLimit != 0 || c.Dataset.Validation != 0 || c.Dataset.SplitSeed != 0 {
			t.Errorf("config %s carries MNIST fields", c.CanonicalJSON())
		}
	}
	if got := sweep.Varying(runs); !reflect.DeepEqual(got, []string{"optimizer", "lr"}) {
		t.Errorf("Varying = %v; want [optimizer lr]", got)
	}
	for name, want := range map[string]string{
		"dataset": "function", "function": "book", "start": "(-7,2)", "condition": "",
		"hidden": "", "batch_size": "", "precision": "", "train_limit": "", "epochs": "30", "lr": "0.1", "momentum": "0.9",
	} {
		if got := sweep.Param(runs[1], name); got != want {
			t.Errorf("Param(%q) = %q; want %q", name, got, want)
		}
	}
	if got := sweep.Describe(runs[3], sweep.Varying(runs)); got != "optimizer=adam lr=0.3" {
		t.Errorf("Describe = %q", got)
	}
}

// TestFunction_Grid crosses functions, start points, condition numbers and
// schedules, with overrides.
func TestFunction_Grid(t *testing.T) {
	runs := MustExpand(t, MustParse(t, `name: grid
dataset:
  name: function
  function: [book, rosenbrock, quadratic]
  start: [[-7, 2], [0.5, -1.5]]
  condition: 100
train: {epochs: 5}
optimizers: [{name: sgd, lr: [0.1, 0.01]}]
schedules: [{name: constant}, {name: step, every: 2}]
`))
	if len(runs) != 3*2*2*2 {
		t.Fatalf("%d runs; want 24", len(runs))
	}
	keys := map[string]bool{}
	for _, c := range runs {
		keys[c.Key()] = true
		if want := map[string]float64{"quadratic": 100}[c.Dataset.Function]; c.Dataset.Condition != want {
			t.Errorf("%s: condition %v; want %v", c.Dataset.Function, c.Dataset.Condition, want)
		}
	}
	if len(keys) != len(runs) {
		t.Errorf("%d distinct keys for %d runs", len(keys), len(runs))
	}
	// The order: function outermost, then start, then the optimizers and schedules.
	if r := runs[8]; r.Dataset.Function != "rosenbrock" || !slices.Equal(r.Dataset.Start, []float64{-7, 2}) {
		t.Errorf("run 8 = %s; want rosenbrock from (-7, 2)", r.CanonicalJSON())
	}
	if r := runs[4]; r.Dataset.Function != "book" || !slices.Equal(r.Dataset.Start, []float64{0.5, -1.5}) {
		t.Errorf("run 4 = %s; want book from (0.5, -1.5)", r.CanonicalJSON())
	}
	if got, want := sweep.Varying(runs), []string{"function", "start", "lr", "schedule"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Varying = %v; want %v (condition is the same in every run that takes it)", got, want)
	}

	// A quadratic's condition numbers, its default, and overrides.
	s, err := sweep.Parse("q.yaml", []byte("name: q\ndataset: {name: function, function: quadratic, start: [1, 1]}\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Dataset.Condition; !reflect.DeepEqual(got, []float64{10}) {
		t.Errorf("default condition %v; want [10]", got)
	}
	s, err = sweep.Parse("q.yaml", []byte("name: q\ndataset: {name: function, function: quadratic, start: [1, 1]}\n"),
		[]string{"dataset.condition=[1, 10, 1000]", "dataset.start=[[1, 1], [-2, 3]]"})
	if err != nil {
		t.Fatal(err)
	}
	runs = MustExpand(t, s)
	if len(runs) != 6 || runs[5].Dataset.Condition != 1000 || !slices.Equal(runs[5].Dataset.Start, []float64{-2, 3}) {
		t.Errorf("%d runs, the last %s", len(runs), runs[len(runs)-1].CanonicalJSON())
	}
	if got, want := sweep.Varying(runs), []string{"start", "condition"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Varying = %v; want %v", got, want)
	}
	if got := sweep.Param(runs[5], "condition"); got != "1000" {
		t.Errorf("Param(condition) = %q", got)
	}
}

// TestFunction_Random checks a random search over function datasets: it
// needs no validation, draws functions, start points and rates, and is
// reproducible.
func TestFunction_Random(t *testing.T) {
	src := `name: search
search: {method: random, trials: 20}
dataset:
  name: function
  function: [book, rosenbrock, beale]
  start: {choice: [[-7, 2], [1, -1], [0.5, 0.5]]}
train: {epochs: 100}
optimizers:
  - {name: adam, lr: {log_uniform: [1.0e-3, 1.0]}}
  - {name: momentum, lr: {uniform: [0.001, 0.1]}, momentum: [0.5, 0.9]}
`
	a, b := MustExpand(t, MustParse(t, src)), MustExpand(t, MustParse(t, src))
	if len(a) != 20 || !reflect.DeepEqual(a, b) {
		t.Fatalf("%d trials, reproducible %v", len(a), reflect.DeepEqual(a, b))
	}
	functions, starts := map[string]bool{}, map[string]bool{}
	for _, c := range a {
		if err := c.Validate(); err != nil {
			t.Errorf("%s: %v", c.CanonicalJSON(), err)
		}
		if c.Model.Hidden != nil || c.BatchSize != 0 {
			t.Errorf("trial %s carries MNIST fields", c.CanonicalJSON())
		}
		functions[c.Dataset.Function] = true
		starts[sweep.Param(c, "start")] = true
		if !(c.Optimizer.LR >= 1e-3 && c.Optimizer.LR <= 1) {
			t.Errorf("lr %v outside its bounds", c.Optimizer.LR)
		}
	}
	if len(functions) != 3 || len(starts) != 3 {
		t.Errorf("20 trials drew the functions %v and the starts %v; want each of the 3", functions, starts)
	}

	// The quadratic's condition may be drawn too.
	runs := MustExpand(t, MustParse(t, `name: kappa
search: {method: random, trials: 5}
dataset: {name: function, function: quadratic, start: [1, 1], condition: {log_uniform: [1, 1000]}}
optimizers: [{name: sgd, lr: 0.001}]
`))
	for _, c := range runs {
		if !(c.Dataset.Condition >= 1 && c.Dataset.Condition <= 1000) {
			t.Errorf("condition %v outside [1, 1000]", c.Dataset.Condition)
		}
	}
	if got := sweep.Varying(runs); !reflect.DeepEqual(got, []string{"condition"}) {
		t.Errorf("Varying = %v; want [condition]", got)
	}

	// Only three distinct trials: book from one start with one of three rates.
	err := parseAndExpand("name: small\nsearch: {method: random, trials: 4}\ndataset: {name: function, function: book, start: [1, 1]}\noptimizers: [{name: sgd, lr: [0.1, 0.2, 0.3]}]\n", nil)
	if err == nil || !strings.Contains(err.Error(), "search.trials: must be at most 3") {
		t.Errorf("4 trials of 3: %v", err)
	}
}

// TestFunction_MNISTUnchanged checks that MNIST files hash and expand to
// the keys they had before function datasets existed.
func TestFunction_MNISTUnchanged(t *testing.T) {
	for _, tt := range []struct {
		file, hash, first, last string
		runs                    int
	}{
		{"testdata/ch6.yaml", "078341137b982d3fbb2370b534c004f56b184bc0a093a0e961b61c7c74e7c05b", "7f2a07321786fe07", "f8266e12bc020822", 90},
		{"testdata/ch6-hyperparams.yaml", "c122b47fc911e1f48edebf228896b60af70f57f3cdfb9688663b0d6bbb1c0dba", "86880f65df4d389d", "3befff6069001750", 100},
	} {
		s := MustLoad(t, tt.file)
		runs := MustExpand(t, s)
		if s.Hash() != tt.hash || len(runs) != tt.runs || runs[0].Key() != tt.first || runs[len(runs)-1].Key() != tt.last {
			t.Errorf("%s: hash %s, %d runs, keys %s … %s; want %s, %d, %s … %s", tt.file, s.Hash(), len(runs),
				runs[0].Key(), runs[len(runs)-1].Key(), tt.hash, tt.runs, tt.first, tt.last)
		}
		if slices.Contains(sweep.Varying(runs), "function") || sweep.Param(runs[0], "start") != "" {
			t.Errorf("%s: function parameters in an MNIST sweep", tt.file)
		}
	}
}

func TestFunction_Errors(t *testing.T) {
	for _, tt := range []struct {
		name      string
		yaml      string
		overrides []string
		want      []want
	}{
		{"unknown function", "name: x\ndataset:\n  name: function\n  function: [book, booth]\n  start: [1, 2]\n", nil,
			[]want{{"", 4, "dataset.function", `unknown function "booth" (want book, rosenbrock, beale, himmelblau, rastrigin or quadratic)`}}},
		{"function not a name", "name: x\ndataset:\n  name: function\n  function: 3\n  start: [1, 2]\n", nil,
			[]want{{"", 4, "dataset.function", "want a string (got 3)"}}},
		{"no function", "name: x\ndataset:\n  name: function\n  start: [1, 2]\n", nil,
			[]want{{"", 3, "dataset.function", "required for dataset function: book, rosenbrock, beale, himmelblau, rastrigin or quadratic"}}},
		{"no start", "name: x\ndataset: {name: function, function: book}\n", nil,
			[]want{{"", 2, "dataset.start", "required for dataset function: the start point [x, y], such as [-7, 2]"}}},
		{"start of 3", "name: x\ndataset:\n  name: function\n  function: book\n  start: [1, 2, 3]\n", nil,
			[]want{{"", 5, "dataset.start", "want a point of 2 coordinates [x, y] (got 3: [1 2 3])"}}},
		{"start of 1 in a list", "name: x\ndataset:\n  name: function\n  function: book\n  start:\n    - [1, 2]\n    - [1]\n", nil,
			[]want{{"", 7, "dataset.start", "want a point of 2 coordinates [x, y] (got 1: [1])"}}},
		{"empty start", "name: x\ndataset: {name: function, function: book, start: []}\n", nil,
			[]want{{"", 2, "dataset.start", "want a point of 2 coordinates [x, y] (got 0: [])"}}},
		{"start not numbers", "name: x\ndataset:\n  name: function\n  function: book\n  start: [a, 2]\n", nil,
			[]want{{"", 5, "dataset.start", `a point's coordinates: want a number (got "a")`}}},
		{"start infinite", "name: x\ndataset:\n  name: function\n  function: book\n  start: [.inf, 2]\n", nil,
			[]want{{"", 5, "dataset.start", "a point's coordinates: want a finite number (got .inf)"}}},
		{"start a number", "name: x\ndataset:\n  name: function\n  function: book\n  start: 7\n", nil,
			[]want{{"", 5, "dataset.start", "want a point [x, y] such as [-7, 2], or a list of such points (got 7)"}}},
		{"start repeated", "name: x\ndataset:\n  name: function\n  function: book\n  start: [[1, 2], [1, 2]]\n", nil,
			[]want{{"", 5, "dataset.start", "repeats the value at line 5"}}},
		{"condition 0", "name: x\ndataset:\n  name: function\n  function: quadratic\n  start: [1, 2]\n  condition: [10, 0]\n", nil,
			[]want{{"", 6, "dataset.condition", "must be > 0 (got 0)"}}},
		{"condition negative", "name: x\ndataset:\n  name: function\n  function: quadratic\n  start: [1, 2]\n  condition: -5\n", nil,
			[]want{{"", 6, "dataset.condition", "must be > 0 (got -5)"}}},
		{"condition not a number", "name: x\ndataset:\n  name: function\n  function: quadratic\n  start: [1, 2]\n  condition: high\n", nil,
			[]want{{"", 6, "dataset.condition", `want a number (got "high")`}}},
		{"condition without quadratic", "name: x\ndataset:\n  name: function\n  function: [book, beale]\n  start: [1, 2]\n  condition: 10\n", nil,
			[]want{{"", 6, "dataset.condition", "applies to the quadratic function only (dataset.function is book, beale)"}}},
		{"conditions with other functions", "name: x\ndataset:\n  name: function\n  function: [book, quadratic]\n  start: [1, 2]\n  condition: [1, 10]\n", nil,
			[]want{{"", 6, "dataset.condition", "several values need dataset.function to be quadratic alone: the runs of book, which take no condition, would repeat"}}},
		{"function on mnist", "name: x\ndataset:\n  function: book\n  start: [1, 2]\n", nil,
			[]want{
				{"", 3, "dataset.function", "applies to dataset function only (dataset.name is mnist)"},
				{"", 4, "dataset.start", "applies to dataset function only"},
			}},
		{"mnist and function", "name: x\ndataset: {name: [mnist, function], function: book, start: [1, 2]}\n", nil,
			[]want{{"", 2, "dataset.name", "function cannot be crossed with another dataset"}}},
		{"model for a function", "name: x\ndataset: {name: function, function: book, start: [1, 2]}\nmodel:\n  hidden: [50]\n  precision: float64\n", nil,
			[]want{
				{"", 4, "model.hidden", "does not apply to dataset function, which has no images, network or batches"},
				{"", 5, "model.precision", "does not apply to dataset function"},
			}},
		{"images for a function", "name: x\ndataset:\n  name: function\n  function: book\n  start: [1, 2]\n  train_limit: 500\n  validation: 0.2\ntrain: {batch_size: 10}\n", nil,
			[]want{
				{"", 6, "dataset.train_limit", "does not apply to dataset function"},
				{"", 7, "dataset.validation", "does not apply to dataset function"},
				{"", 8, "train.batch_size", "does not apply to dataset function"},
			}},
		{"seeds for a function", "name: x\ndataset: {name: function, function: book, start: [1, 2]}\ntrain: {seeds: [1, 2]}\n", nil,
			[]want{{"", 3, "train.seeds", "a function run depends on no seed: more than one would repeat every run (got 2 seeds)"}}},
		{"logging layers of a function", "name: x\nlog_layers: true\nlog_steps: 5\ndataset: {name: function, function: book, start: [1, 2]}\n", nil,
			[]want{
				{"", 2, "log_layers", "does not apply to dataset function, which has no layers"},
				{"", 3, "log_steps", "does not apply to dataset function"},
			}},
		{"pruning a function", "name: x\nprune: {method: median}\ndataset: {name: function, function: book, start: [1, 2]}\n", nil,
			[]want{{"", 2, "prune.method", "pruning does not apply to dataset function"}}},
		{"overrides", "name: x\ndataset: {name: function, function: book, start: [1, 2]}\n",
			[]string{"dataset.function=rosenbrok", "dataset.start=[1, 2, 3]", "model.hidden=[10]"},
			[]want{
				{"--set", 1, "dataset.function", `unknown function "rosenbrok"`},
				{"--set", 2, "dataset.start", "want a point of 2 coordinates"},
				{"--set", 3, "model.hidden", "does not apply to dataset function"},
			}},
		{"unknown dataset key", "name: x\ndataset: {name: function, function: book, start: [1, 2], begin: [0, 0]}\n", nil,
			[]want{{"", 2, "dataset.begin", "unknown key (in dataset the keys are name, train_limit, validation, function, start, condition)"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			wantErrors(t, parseAndExpand(tt.yaml, tt.overrides), tt.want)
		})
	}
}

// TestFunction_ExperimentFile checks experiments/optimizer-paths.yaml, the
// book's figure 6-8: six runs of 30 steps on book from (−7, 2), the book's
// rates for SGD, Momentum, AdaGrad and Adam.
func TestFunction_ExperimentFile(t *testing.T) {
	runs := MustExpand(t, MustLoad(t, "../../experiments/optimizer-paths.yaml"))
	var got []string
	for _, c := range runs {
		if c.Dataset.Function != "book" || !slices.Equal(c.Dataset.Start, []float64{-7, 2}) || c.Epochs != 30 || c.Schedule.Name != "constant" {
			t.Errorf("run %s; want 30 steps on book from (-7, 2) at a constant rate", c.CanonicalJSON())
		}
		got = append(got, c.Optimizer.Name+"="+sweep.Param(c, "lr"))
	}
	want := []string{"sgd=0.95", "momentum=0.1", "nesterov=0.1", "adagrad=1.5", "rmsprop=0.15", "adam=0.3"}
	if !slices.Equal(got, want) {
		t.Errorf("runs %v; want %v", got, want)
	}
}

// TestFunction_DocExample parses the package documentation's figure 6-8
// example: 4 runs of 30 steps, the book's rates.
func TestFunction_DocExample(t *testing.T) {
	_, example := DocExample(t, "optimizer-paths")
	runs := MustExpand(t, MustParse(t, example))
	if len(runs) != 4 || runs[0].Epochs != 30 || runs[3].Optimizer.Name != "adam" || runs[3].Optimizer.LR != 0.3 {
		t.Errorf("doc example expands to %d runs: %v", len(runs), runs)
	}
}
