package sweep_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"runner/internal/sweep"
	"runner/internal/train"
)

// bookModel is the model every run has when the file leaves model out.
var bookModel = train.ModelConfig{
	Hidden: []int{100, 100, 100, 100}, Activation: "relu", Init: "he", Precision: "float32",
}

func TestParse_Example(t *testing.T) {
	s := MustLoad(t, "testdata/ch6.yaml")
	if s.Name != "ch6" || s.Seed != 1 || !strings.HasPrefix(s.Description, "optimizers") {
		t.Errorf("name, seed, description = %q, %d, %q", s.Name, s.Seed, s.Description)
	}
	if n, err := s.Count(); n != 90 || err != nil {
		t.Errorf("Count() = %d, %v; want 90", n, err)
	}
	runs := MustExpand(t, s)
	if len(runs) != 90 {
		t.Fatalf("Expand gave %d runs, want 90", len(runs))
	}

	// Every run has the defaults of what the file does not sweep.
	perOptimizer := map[string]int{}
	for _, c := range runs {
		perOptimizer[c.Optimizer.Name]++
		if !reflect.DeepEqual(c.Dataset, train.DatasetConfig{Name: "mnist"}) || !reflect.DeepEqual(c.Model, bookModel) ||
			c.Epochs != 10 || c.BatchSize != 100 {
			t.Errorf("run %s: dataset, model, epochs or batch size not the defaults", c.CanonicalJSON())
		}
	}
	// 3 schedules × 3 seeds × the optimizer's number of learning rates.
	want := map[string]int{"sgd": 18, "momentum": 18, "nesterov": 9, "adagrad": 18, "rmsprop": 9, "adam": 18}
	if !reflect.DeepEqual(perOptimizer, want) {
		t.Errorf("runs per optimizer = %v, want %v", perOptimizer, want)
	}

	// The order: seeds innermost, then schedules, then the optimizers'
	// settings in file order.
	first := train.Config{
		Dataset: train.DatasetConfig{Name: "mnist"}, Model: bookModel,
		Optimizer: train.OptimizerConfig{Name: "sgd", LR: 0.1},
		Schedule:  train.ScheduleConfig{Name: "constant"},
		Epochs:    10, BatchSize: 100, Seed: 1,
	}
	for i, tt := range []struct {
		index int
		edit  func(c *train.Config)
	}{
		{0, func(c *train.Config) {}},
		{1, func(c *train.Config) { c.Seed = 2 }},
		{2, func(c *train.Config) { c.Seed = 3 }},
		{3, func(c *train.Config) { c.Schedule = train.ScheduleConfig{Name: "step", Every: 4, Gamma: 0.5} }},
		{6, func(c *train.Config) { c.Schedule = train.ScheduleConfig{Name: "cosine", Warmup: 1} }},
		{9, func(c *train.Config) { c.Optimizer.LR = 0.01 }},
		{18, func(c *train.Config) { c.Optimizer = train.OptimizerConfig{Name: "momentum", LR: 0.01, Momentum: 0.9} }},
		{36, func(c *train.Config) { c.Optimizer = train.OptimizerConfig{Name: "nesterov", LR: 0.01, Momentum: 0.9} }},
		{45, func(c *train.Config) { c.Optimizer = train.OptimizerConfig{Name: "adagrad", LR: 0.1, Eps: 1e-7} }},
		{63, func(c *train.Config) {
			c.Optimizer = train.OptimizerConfig{Name: "rmsprop", LR: 0.001, DecayRate: 0.99, Eps: 1e-7}
		}},
		{89, func(c *train.Config) {
			c.Optimizer = train.OptimizerConfig{Name: "adam", LR: 0.0001, Beta1: 0.9, Beta2: 0.999, Eps: 1e-7}
			c.Schedule = train.ScheduleConfig{Name: "cosine", Warmup: 1}
			c.Seed = 3
		}},
	} {
		want := first
		want.Model.Hidden = slices.Clone(first.Model.Hidden)
		tt.edit(&want)
		if got := runs[tt.index]; !reflect.DeepEqual(got, want) {
			t.Errorf("case %d: run %d =\n%s\nwant\n%s", i, tt.index, got.CanonicalJSON(), want.CanonicalJSON())
		}
	}
}

func TestParse_Defaults(t *testing.T) {
	s := MustParse(t, "name: minimal\n")
	runs := MustExpand(t, s)
	want := []train.Config{{
		Dataset:   train.DatasetConfig{Name: "mnist"},
		Model:     bookModel,
		Optimizer: train.OptimizerConfig{Name: "sgd", LR: 0.01},
		Schedule:  train.ScheduleConfig{Name: "constant"},
		Epochs:    10, BatchSize: 100, Seed: 1,
	}}
	if !reflect.DeepEqual(runs, want) {
		t.Errorf("runs = %s, want %s", runs[0].CanonicalJSON(), want[0].CanonicalJSON())
	}
	if s.Seed != 1 || s.Description != "" {
		t.Errorf("seed, description = %d, %q; want 1, \"\"", s.Seed, s.Description)
	}
}

func TestParse_OptimizerAndScheduleDefaults(t *testing.T) {
	s := MustParse(t, `name: d
optimizers:
  - {name: momentum, lr: 0.1}
  - {name: nesterov, lr: 0.1}
  - {name: adagrad, lr: 0.1}
  - {name: rmsprop, lr: 0.1}
  - {name: adam, lr: 0.1}
  - {name: adam, lr: 0.1, beta1: 0.5, beta2: 0.9, eps: 1e-8}
schedules:
  - {name: step, every: 2}
  - {name: exponential, gamma: 0.9}
  - {name: inverse_time, k: 0.5, warmup: 2}
  - {name: cosine}
`)
	runs := MustExpand(t, s)
	opts, scheds := distinctEntries(runs)
	wantOpts := []train.OptimizerConfig{
		{Name: "momentum", LR: 0.1, Momentum: 0.9},
		{Name: "nesterov", LR: 0.1, Momentum: 0.9},
		{Name: "adagrad", LR: 0.1, Eps: 1e-7},
		{Name: "rmsprop", LR: 0.1, DecayRate: 0.99, Eps: 1e-7},
		{Name: "adam", LR: 0.1, Beta1: 0.9, Beta2: 0.999, Eps: 1e-7},
		{Name: "adam", LR: 0.1, Beta1: 0.5, Beta2: 0.9, Eps: 1e-8},
	}
	wantScheds := []train.ScheduleConfig{
		{Name: "step", Every: 2, Gamma: 0.1},
		{Name: "exponential", Gamma: 0.9},
		{Name: "inverse_time", K: 0.5, Warmup: 2},
		{Name: "cosine"},
	}
	if !reflect.DeepEqual(opts, wantOpts) {
		t.Errorf("optimizers = %+v\nwant %+v", opts, wantOpts)
	}
	if !reflect.DeepEqual(scheds, wantScheds) {
		t.Errorf("schedules = %+v\nwant %+v", scheds, wantScheds)
	}
	if len(runs) != 24 {
		t.Errorf("%d runs, want 6 × 4", len(runs))
	}
}

// TestParse_ModernDefaults checks the defaults of the optimizers and
// schedules beyond the book's: each optimizer's documented rate where the
// file gives none, PyTorch's hyperparameters, and that a value given
// replaces only its default.
func TestParse_ModernDefaults(t *testing.T) {
	s := MustParse(t, `name: d
dataset: {validation: 0.1}
optimizers:
  - {name: adamw}
  - {name: adamw, amsgrad: true, weight_decay: 0.1}
  - {name: amsgrad, lr: 0.003}
  - {name: nadam}
  - {name: radam}
  - {name: lion}
  - {name: sf_sgd}
  - {name: sf_adamw, weight_decay: 1e-4}
schedules:
  - {name: sgdr, period: 2}
  - {name: one_cycle}
  - {name: plateau}
  - {name: plateau, monitor: val_acc, patience: 2, factor: 0.5, min_lr: 1e-5}
`)
	runs := MustExpand(t, s)
	opts, scheds := distinctEntries(runs)
	wantOpts := []train.OptimizerConfig{
		{Name: "adamw", LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 1e-2},
		{Name: "adamw", LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.1, AMSGrad: true},
		{Name: "amsgrad", LR: 3e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 1e-2},
		{Name: "nadam", LR: 2e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, MomentumDecay: 4e-3},
		{Name: "radam", LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8},
		{Name: "lion", LR: 1e-4, Beta1: 0.9, Beta2: 0.99},
		{Name: "sf_sgd", LR: 1, Momentum: 0.9},
		{Name: "sf_adamw", LR: 2.5e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 1e-4},
	}
	wantScheds := []train.ScheduleConfig{
		{Name: "sgdr", Period: 2, Mult: 1},
		{Name: "one_cycle", PctStart: 0.3, DivFactor: 25, FinalDivFactor: 1e4},
		{Name: "plateau", Monitor: "train_loss", Patience: 10, Factor: 0.1},
		{Name: "plateau", Monitor: "val_acc", Patience: 2, Factor: 0.5, MinLR: 1e-5},
	}
	if !reflect.DeepEqual(opts, wantOpts) {
		t.Errorf("optimizers = %+v\nwant %+v", opts, wantOpts)
	}
	if !reflect.DeepEqual(scheds, wantScheds) {
		t.Errorf("schedules = %+v\nwant %+v", scheds, wantScheds)
	}
	if len(runs) != 32 {
		t.Errorf("%d runs, want 8 × 4", len(runs))
	}
	for _, c := range runs {
		if err := c.Validate(); err != nil {
			t.Errorf("run %s: %v", c.CanonicalJSON(), err)
		}
	}
	// A config of the book's optimizers keeps its key: the new fields are
	// left out of its JSON.
	if got := string(runs[0].CanonicalJSON()); strings.Contains(got, "amsgrad") || strings.Contains(got, "momentum_decay") {
		t.Errorf("adamw without amsgrad: JSON %s names amsgrad or momentum_decay", got)
	}
}

// TestParam_DecoupledWeightDecay checks that an optimizer's weight_decay is
// the column decoupled_wd, apart from the model's weight_decay.
func TestParam_DecoupledWeightDecay(t *testing.T) {
	runs := MustExpand(t, MustParse(t, `name: w
model: {weight_decay: [0, 1e-4]}
optimizers:
  - {name: adamw, weight_decay: [0.01, 0.1]}
  - {name: adam, lr: 0.001}
schedules: [{name: sgdr, period: 1, mult: [1, 2]}]
`))
	if got, want := sweep.Varying(runs), []string{"weight_decay", "optimizer", "eps", "decoupled_wd", "mult"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Varying = %v, want %v", got, want)
	}
	// The grid: model weight_decay outermost, then adamw's two decays × two mults, then adam × two mults.
	r := runs[2]
	for name, want := range map[string]string{
		"weight_decay": "0", "decoupled_wd": "0.1", "amsgrad": "false", "optimizer": "adamw", "mult": "1", "period": "1",
		"momentum_decay": "", "patience": "",
	} {
		if got := sweep.Param(r, name); got != want {
			t.Errorf("Param(%q) = %q, want %q", name, got, want)
		}
	}
	if got := sweep.Param(runs[4], "decoupled_wd"); got != "" {
		t.Errorf("adam: Param(decoupled_wd) = %q, want \"\"", got)
	}
	var dims []string
	for _, d := range MustParse(t, "name: w\noptimizers: [{name: lion, weight_decay: [0, 0.1]}]\n").Dimensions() {
		dims = append(dims, d.Param+"@"+d.Path)
	}
	if want := []string{"decoupled_wd@optimizers[0].weight_decay"}; !reflect.DeepEqual(dims, want) {
		t.Errorf("Dimensions = %v, want %v", dims, want)
	}
}

// TestExpand_Axes sweeps each field of dataset, model and train in turn and
// checks the values the runs get, in order.
func TestExpand_Axes(t *testing.T) {
	for _, tt := range []struct {
		yaml string
		get  func(train.Config) any
		want []any
	}{
		{"dataset: {train_limit: [500, 1000]}", func(c train.Config) any { return c.Dataset.TrainLimit }, []any{500, 1000}},
		{"dataset: {validation: [0, 0.2]}", func(c train.Config) any { return c.Dataset.Validation }, []any{0.0, 0.2}},
		{"dataset: {name: [mnist]}", func(c train.Config) any { return c.Dataset.Name }, []any{"mnist"}},
		{"model: {hidden: [[50], [100, 100], []]}", func(c train.Config) any { return c.Model.HiddenString() }, []any{"50", "100-100", ""}},
		{"model: {hidden: [100, 50]}", func(c train.Config) any { return c.Model.HiddenString() }, []any{"100-50"}},
		{"model: {hidden: []}", func(c train.Config) any { return c.Model.HiddenString() }, []any{""}},
		{"model: {activation: [relu, sigmoid, tanh]}", func(c train.Config) any { return c.Model.Activation }, []any{"relu", "sigmoid", "tanh"}},
		{"model: {init: [he, xavier, 0.01, 1e-3, '0.5', 1]}", func(c train.Config) any { return c.Model.Init }, []any{"he", "xavier", "0.01", "0.001", "0.5", "1"}},
		{"model: {init: 1e-2}", func(c train.Config) any { return c.Model.Init }, []any{"0.01"}},
		{"model: {batchnorm: [false, true]}", func(c train.Config) any { return c.Model.BatchNorm }, []any{false, true}},
		{"model: {dropout: [0, 0.15, 0.5]}", func(c train.Config) any { return c.Model.Dropout }, []any{0.0, 0.15, 0.5}},
		{"model: {weight_decay: [0, 0.1]}", func(c train.Config) any { return c.Model.WeightDecay }, []any{0.0, 0.1}},
		{"model: {precision: [float32, float64]}", func(c train.Config) any { return c.Model.Precision }, []any{"float32", "float64"}},
		{"train: {epochs: [1, 20]}", func(c train.Config) any { return c.Epochs }, []any{1, 20}},
		{"train: {batch_size: [128, 32]}", func(c train.Config) any { return c.BatchSize }, []any{128, 32}},
		{"train: {seeds: [3, 1, -2]}", func(c train.Config) any { return c.Seed }, []any{int64(3), int64(1), int64(-2)}},
		{"train: {seeds: 7}", func(c train.Config) any { return c.Seed }, []any{int64(7)}},
		{"optimizers: [{name: adam, lr: [0.1, 0.01], beta1: [0.9, 0.5]}]",
			func(c train.Config) any { return [2]float64{c.Optimizer.LR, c.Optimizer.Beta1} },
			[]any{[2]float64{0.1, 0.9}, [2]float64{0.1, 0.5}, [2]float64{0.01, 0.9}, [2]float64{0.01, 0.5}}},
		{"schedules: [{name: step, every: [1, 2], gamma: [0.5, 1]}]",
			func(c train.Config) any { return [2]float64{float64(c.Schedule.Every), c.Schedule.Gamma} },
			[]any{[2]float64{1, 0.5}, [2]float64{1, 1}, [2]float64{2, 0.5}, [2]float64{2, 1}}},
	} {
		t.Run(tt.yaml, func(t *testing.T) {
			runs := MustExpand(t, MustParse(t, "name: axes\n"+tt.yaml+"\n"))
			var got []any
			for _, c := range runs {
				got = append(got, tt.get(c))
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// TestExpand_Order checks the nesting of the axes: dataset outermost, seeds
// innermost, as the package documentation says.
func TestExpand_Order(t *testing.T) {
	runs := MustExpand(t, MustParse(t, `name: order
dataset: {train_limit: [100, 200]}
model: {activation: [relu, tanh]}
train: {epochs: [1, 2], seeds: [1, 2]}
optimizers: [{name: sgd, lr: [0.1, 0.2]}]
schedules: [{name: constant}, {name: exponential, gamma: 0.5}]
`))
	var got []string
	for _, c := range runs[:6] {
		got = append(got, strings.Join([]string{
			sweep.Param(c, "train_limit"), sweep.Param(c, "activation"), sweep.Param(c, "epochs"),
			sweep.Param(c, "lr"), sweep.Param(c, "schedule"), sweep.Param(c, "seed"),
		}, " "))
	}
	want := []string{
		"100 relu 1 0.1 constant 1",
		"100 relu 1 0.1 constant 2",
		"100 relu 1 0.1 exponential 1",
		"100 relu 1 0.1 exponential 2",
		"100 relu 1 0.2 constant 1",
		"100 relu 1 0.2 constant 2",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("first runs:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(runs) != 2*2*2*2*2*2 {
		t.Errorf("%d runs, want 64", len(runs))
	}
	if last := runs[len(runs)-1]; last.Dataset.TrainLimit != 200 || last.Model.Activation != "tanh" || last.Seed != 2 {
		t.Errorf("last run %s", last.CanonicalJSON())
	}
}

func TestExpand_Deterministic(t *testing.T) {
	src := MustRead(t, "testdata/ch6.yaml")
	a := MustExpand(t, MustParse(t, src))
	s := MustParse(t, src)
	b, c := MustExpand(t, s), MustExpand(t, s)
	if !reflect.DeepEqual(a, b) || !reflect.DeepEqual(b, c) {
		t.Error("two expansions of the same file differ")
	}
	// The runs do not share memory with the spec or each other.
	b[0].Model.Hidden[0] = 1
	if d := MustExpand(t, s); d[0].Model.Hidden[0] != 100 || d[1].Model.Hidden[0] != 100 {
		t.Error("changing a run's hidden sizes changed the spec")
	}
}

func TestExpand_KeysUnique(t *testing.T) {
	for _, src := range []string{
		MustRead(t, "testdata/ch6.yaml"),
		"name: k\nmodel: {init: [0.1, 0.01], hidden: [[10], [10, 10]]}\ndataset: {validation: [0, 0.1]}",
		"name: k\noptimizers: [{name: sgd, lr: 0.1}, {name: momentum, lr: 0.1, momentum: 0}]",
		"name: k\noptimizers: [{name: adam, lr: 0.1}, {name: adam, lr: 0.1, beta1: 0.5}]",
		"name: k\nschedules: [{name: constant}, {name: constant, warmup: 1}, {name: step, every: 1, gamma: 1}]",
	} {
		runs := MustExpand(t, MustParse(t, src))
		seen := map[string]bool{}
		for _, c := range runs {
			if seen[c.Key()] {
				t.Errorf("%q: key %s twice", src, c.Key())
			}
			seen[c.Key()] = true
		}
	}
}

func TestExpand_SplitSeed(t *testing.T) {
	runs := MustExpand(t, MustParse(t, "name: s\nseed: 42\ndataset: {validation: [0, 0.2]}"))
	if runs[0].Dataset.SplitSeed != 0 || runs[1].Dataset.SplitSeed != 42 {
		t.Errorf("split seeds = %d, %d; want 0 (no validation), 42", runs[0].Dataset.SplitSeed, runs[1].Dataset.SplitSeed)
	}
}

func TestSpec_Count(t *testing.T) {
	for _, tt := range []struct {
		yaml string
		want int
	}{
		{"name: c", 1},
		{"name: c\ntrain: {seeds: [1, 2, 3, 4]}\nmodel: {dropout: [0, 0.5]}", 8},
		{"name: c\noptimizers: [{name: sgd, lr: [1, 2, 3]}, {name: adam, lr: [1, 2], beta1: [0.1, 0.2]}]\n" +
			"schedules: [{name: constant}, {name: step, every: [1, 2]}]", (3 + 4) * 3},
	} {
		s := MustParse(t, tt.yaml)
		n, err := s.Count()
		if n != tt.want || err != nil {
			t.Errorf("%q: Count() = %d, %v; want %d", tt.yaml, n, err, tt.want)
		}
		if runs := MustExpand(t, s); len(runs) != n {
			t.Errorf("%q: Expand gave %d runs, Count %d", tt.yaml, len(runs), n)
		}
	}
}

func TestSpec_Hash(t *testing.T) {
	base := MustParse(t, MustRead(t, "testdata/ch6.yaml")).Hash()
	if len(base) != 64 {
		t.Fatalf("Hash() = %q, want 64 hex digits", base)
	}
	same := map[string]string{
		"reformatted": `# the same sweep, written differently
schedules:
  - name: constant
  - {gamma: 0.5, every: 4, name: step}
  - {name: cosine, warmup: [1]}
optimizers:
  - {name: sgd, lr: [1e-1, 1e-2]}
  - {name: momentum, lr: [0.01, 0.001]}
  - {name: nesterov, lr: 0.01}
  - {name: adagrad, lr: [0.1, 0.01], eps: 1e-7}
  - {name: rmsprop, lr: 0.001}
  - {name: adam, lr: [0.001, 0.0001]}
train: {seeds: [1, 2, 3]}
description: another description
name: ch6
`,
		"explicit defaults": strings.Replace(MustRead(t, "testdata/ch6.yaml"), "  epochs: 10", "  epochs: [10]", 1),
	}
	for name, src := range same {
		if got := MustParse(t, src).Hash(); got != base {
			t.Errorf("%s: Hash() = %s, want %s", name, got, base)
		}
	}

	edit := func(old, new string) string {
		return strings.Replace(MustRead(t, "testdata/ch6.yaml"), old, new, 1)
	}
	different := map[string]string{
		"name":        edit("name: ch6", "name: ch6b"),
		"seed":        edit("seed: 1", "seed: 2"),
		"lr":          edit("lr: [0.1, 0.01]", "lr: [0.1, 0.02]"),
		"entry order": edit("lr: [0.1, 0.01]", "lr: [0.01, 0.1]"),
		"epochs":      edit("epochs: 10", "epochs: 11"),
	}
	for name, src := range different {
		if got := MustParse(t, src).Hash(); got == base {
			t.Errorf("%s changed, Hash() did not", name)
		}
	}

	// An override and the same edit in the file give the same hash.
	s, err := sweep.Parse("ch6.yaml", []byte(MustRead(t, "testdata/ch6.yaml")), []string{"train.epochs=11"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := s.Hash(), MustParse(t, different["epochs"]).Hash(); got != want {
		t.Errorf("override: Hash() = %s, want %s as for the edited file", got, want)
	}
}

func TestVarying(t *testing.T) {
	runs := MustExpand(t, MustLoad(t, "testdata/ch6.yaml"))
	got := sweep.Varying(runs)
	// momentum, beta1, eps … are each the same in every run that takes them.
	want := []string{"optimizer", "lr", "schedule", "warmup", "seed"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Varying = %v\nwant %v", got, want)
	}
	// beta1 taken by some runs only, and different between them, varies.
	spec, err := sweep.Parse("b.yaml", []byte("name: b\noptimizers:\n  - {name: sgd, lr: 0.1}\n  - {name: adam, lr: 0.001, beta1: [0.9, 0.5]}\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := sweep.Varying(MustExpand(t, spec)); !reflect.DeepEqual(got, []string{"optimizer", "lr", "beta1"}) {
		t.Errorf("Varying = %v, want [optimizer lr beta1]", got)
	}
	if got := sweep.Varying(runs[:3]); !reflect.DeepEqual(got, []string{"seed"}) {
		t.Errorf("Varying(first three) = %v, want [seed]", got)
	}
	if got := sweep.Varying(nil); got != nil {
		t.Errorf("Varying(nil) = %v, want nil", got)
	}
}

// TestVarying_Applies checks that Varying compares a hyperparameter only
// between the runs that take it, whatever its values look like.
func TestVarying_Applies(t *testing.T) {
	for _, tt := range []struct {
		name, yaml string
		want       []string
	}{
		{"no hidden layers is a value", "model: {hidden: [[], [100]]}", []string{"hidden"}},
		{"no hidden layers last", "model: {hidden: [[100], []]}", []string{"hidden"}},
		{"no hidden layers only", "model: {hidden: []}\ntrain: {seeds: [1, 2]}", []string{"seed"}},
		{"taken by some runs, the same in each",
			"optimizers: [{name: sgd, lr: 0.1}, {name: momentum, lr: 0.1}, {name: nesterov, lr: 0.1}]",
			[]string{"optimizer"}},
		{"taken by some runs, different",
			"optimizers: [{name: sgd, lr: 0.1}, {name: momentum, lr: 0.1}, {name: nesterov, lr: 0.1, momentum: 0.5}]",
			[]string{"optimizer", "momentum"}},
		{"taken by one run only",
			"schedules: [{name: constant}, {name: step, every: 2, gamma: 0.5}, {name: exponential, gamma: 0.5}, {name: cosine}]",
			[]string{"schedule"}},
		{"taken by some runs, different, in a later entry",
			"schedules: [{name: exponential, gamma: 0.5}, {name: constant}, {name: step, every: 2}]",
			[]string{"schedule", "gamma"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := sweep.Varying(MustExpand(t, MustParse(t, "name: v\n"+tt.yaml+"\n"))); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Varying = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParam_NoHiddenLayers(t *testing.T) {
	runs := MustExpand(t, MustParse(t, "name: h\nmodel: {hidden: [[], [100, 50]]}\n"))
	for i, want := range []string{"none", "100-50"} {
		if got := sweep.Param(runs[i], "hidden"); got != want {
			t.Errorf("run %d: Param(hidden) = %q, want %q", i, got, want)
		}
	}
}

func TestParam(t *testing.T) {
	runs := MustExpand(t, MustLoad(t, "testdata/ch6.yaml"))
	last := runs[len(runs)-1] // adam, lr 1e-4, cosine, seed 3
	for name, want := range map[string]string{
		"optimizer": "adam", "lr": "0.0001", "beta2": "0.999", "eps": "1e-07",
		"momentum": "", "schedule": "cosine", "min_lr": "0", "warmup": "1", "gamma": "",
		"hidden": "100-100-100-100", "seed": "3", "batchnorm": "false", "no such": "",
	} {
		if got := sweep.Param(last, name); got != want {
			t.Errorf("Param(%q) = %q, want %q", name, got, want)
		}
	}
}

// TestParse_WarmupLongerThanRun checks that a warm-up may outlast the run,
// so that --set train.epochs=1 makes a smoke run of any file.
func TestParse_WarmupLongerThanRun(t *testing.T) {
	runs := MustExpand(t, MustParse(t, "name: w\ntrain: {epochs: 1}\nschedules: [{name: cosine, warmup: 3}]\n"))
	want := train.ScheduleConfig{Name: "cosine", Warmup: 3}
	if len(runs) != 1 || runs[0].Epochs != 1 || runs[0].Schedule != want {
		t.Errorf("runs = %v, want one of 1 epoch with schedule %+v", runs, want)
	}

	s, err := sweep.Parse("ch6.yaml", []byte(MustRead(t, "testdata/ch6.yaml")), []string{"train.epochs=1"})
	if err != nil {
		t.Fatalf("ch6.yaml (warmup 1) with train.epochs=1: %v", err)
	}
	if runs := MustExpand(t, s); len(runs) != 90 {
		t.Errorf("%d runs, want 90", len(runs))
	}
}

// TestParse_TrainLimitAll checks that 60000, all the training images, is
// stored as 0, which means the same.
func TestParse_TrainLimitAll(t *testing.T) {
	s := MustParse(t, "name: minimal\ndataset: {train_limit: [60000, 500]}\n")
	if !reflect.DeepEqual(s.Dataset.TrainLimit, []int{0, 500}) {
		t.Errorf("TrainLimit = %v, want [0 500]", s.Dataset.TrainLimit)
	}
	if runs := MustExpand(t, s); runs[0].Dataset.TrainLimit != 0 {
		t.Errorf("run 0 has train_limit %d, want 0", runs[0].Dataset.TrainLimit)
	}
	all := MustParse(t, "name: minimal\ndataset: {train_limit: 60000}\n")
	if all.Hash() != MustParse(t, "name: minimal\n").Hash() {
		t.Error("train_limit 60000 and the default 0 give different hashes")
	}
}

func TestLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "exp.yaml")
	if err := os.WriteFile(path, []byte("name: tmp\ntrain: {epochs: -1}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := sweep.Load(path, nil)
	if err == nil || err.Error() != path+":2: train.epochs: must be >= 0 (got -1)" {
		t.Errorf("Load: %v", err)
	}
	s, err := sweep.Load(path, []string{"train.epochs=3"})
	if err != nil {
		t.Fatalf("Load with override: %v", err)
	}
	if s.File != path || string(s.Source) != "name: tmp\ntrain: {epochs: -1}\n" || !slices.Equal(s.Overrides, []string{"train.epochs=3"}) {
		t.Errorf("File, Source, Overrides = %q, %q, %q", s.File, s.Source, s.Overrides)
	}
	if _, err := sweep.Load(filepath.Join(t.TempDir(), "missing.yaml"), nil); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load of a missing file: %v", err)
	}
}

// TestDoc_Example checks that the example in the package documentation is
// the example file and expands to the 90 runs it promises.
func TestDoc_Example(t *testing.T) {
	doc, example := DocExample(t, "ch6")
	s := MustParse(t, example)
	if n, _ := s.Count(); n != 90 || !strings.Contains(doc, "It expands to 90 runs") {
		t.Errorf("doc example expands to %d runs", n)
	}
	if s.Hash() != MustLoad(t, "testdata/ch6.yaml").Hash() {
		t.Error("doc example differs from testdata/ch6.yaml")
	}
}

// Helpers.

func MustRead(tb testing.TB, path string) string {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// DocExample returns the package documentation and the example in it that
// begins with the line "name: NAME": its lines indented by a tab, up to the
// first line that is not.
func DocExample(tb testing.TB, name string) (doc, example string) {
	tb.Helper()
	doc = MustRead(tb, "doc.go")
	start := strings.Index(doc, "//\tname: "+name+"\n")
	if start < 0 {
		tb.Fatalf("doc.go: no example named %s", name)
	}
	var lines []string
	for _, line := range strings.Split(doc[start:], "\n") {
		text, ok := strings.CutPrefix(line, "//\t")
		if !ok {
			break
		}
		lines = append(lines, text)
	}
	return doc, strings.Join(lines, "\n")
}

func MustParse(tb testing.TB, src string) *sweep.Spec {
	tb.Helper()
	s, err := sweep.Parse("test.yaml", []byte(src), nil)
	if err != nil {
		tb.Fatalf("Parse:\n%v", err)
	}
	return s
}

func MustLoad(tb testing.TB, path string) *sweep.Spec {
	tb.Helper()
	s, err := sweep.Load(path, nil)
	if err != nil {
		tb.Fatalf("Load:\n%v", err)
	}
	return s
}

func MustExpand(tb testing.TB, s *sweep.Spec) []train.Config {
	tb.Helper()
	runs, err := s.Expand(sweep.DefaultMaxRuns)
	if err != nil {
		tb.Fatalf("Expand:\n%v", err)
	}
	return runs
}

// TestParse_LogSteps checks the logging option: carried to every run,
// outside the runs' keys and the spec's hash, and never negative.
func TestParse_LogSteps(t *testing.T) {
	plain, err := sweep.Parse("a.yaml", []byte("name: a\noptimizers: [{name: sgd, lr: [0.1, 0.01]}]\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	logged, err := sweep.Parse("a.yaml", []byte("name: a\nlog_steps: 10\noptimizers: [{name: sgd, lr: [0.1, 0.01]}]\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	a, b := MustExpand(t, plain), MustExpand(t, logged)
	for i := range b {
		if b[i].LogSteps != 10 || a[i].LogSteps != 0 || a[i].Key() != b[i].Key() {
			t.Errorf("run %d: log_steps %d and %d, keys %s and %s", i, a[i].LogSteps, b[i].LogSteps, a[i].Key(), b[i].Key())
		}
	}
	if plain.Hash() != logged.Hash() {
		t.Error("log_steps changed the spec's hash")
	}
	_, err = sweep.Parse("a.yaml", []byte("name: a\nlog_steps: -1\n"), nil)
	if err == nil || !strings.Contains(err.Error(), "a.yaml:2: log_steps: must be >= 0 (got -1)") {
		t.Errorf("negative log_steps: %v", err)
	}
}

// distinctEntries returns the distinct optimizer and schedule configs of
// runs, in the order they first appear.
func distinctEntries(runs []train.Config) ([]train.OptimizerConfig, []train.ScheduleConfig) {
	var opts []train.OptimizerConfig
	var scheds []train.ScheduleConfig
	for _, c := range runs {
		if !slices.Contains(opts, c.Optimizer) {
			opts = append(opts, c.Optimizer)
		}
		if !slices.Contains(scheds, c.Schedule) {
			scheds = append(scheds, c.Schedule)
		}
	}
	return opts, scheds
}
