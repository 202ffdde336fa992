package sweep_test

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"runner/internal/sweep"
	"runner/internal/train"
)

// TestRandom_Example checks the book's §6.5 search: 100 trials of the
// 6×100 network, lr and weight decay drawn log-uniformly.
func TestRandom_Example(t *testing.T) {
	s := MustLoad(t, "testdata/ch6-hyperparams.yaml")
	if want := (sweep.Search{Method: "random", Trials: 100}); s.Search != want {
		t.Errorf("Search = %+v, want %+v", s.Search, want)
	}
	if want := (sweep.Prune{Method: "median", MinEpochs: 5}); s.Prune != want {
		t.Errorf("Prune = %+v, want %+v", s.Prune, want)
	}
	wantDists := map[string]string{"model.weight_decay": "log_uniform", "optimizers[0].lr": "log_uniform"}
	if !reflect.DeepEqual(s.Dists, wantDists) {
		t.Errorf("Dists = %v, want %v", s.Dists, wantDists)
	}
	if n, err := s.Count(); n != 100 || err != nil {
		t.Errorf("Count() = %d, %v; want 100", n, err)
	}
	runs := MustExpand(t, s)
	if len(runs) != 100 {
		t.Fatalf("Expand gave %d runs, want 100", len(runs))
	}
	seen := map[string]bool{}
	for _, c := range runs {
		if seen[c.Key()] {
			t.Errorf("key %s twice", c.Key())
		}
		seen[c.Key()] = true
		lr, wd := c.Optimizer.LR, c.Model.WeightDecay
		if !(lr >= 1e-6 && lr <= 1e-2) || !(wd >= 1e-8 && wd <= 1e-4) {
			t.Errorf("lr %v, weight decay %v out of range", lr, wd)
		}
		// All but the two drawn fields are the file's.
		c.Optimizer.LR, c.Model.WeightDecay = 0, 0
		want := train.Config{
			Dataset: train.DatasetConfig{Name: "mnist", TrainLimit: 500, Validation: 0.2, SplitSeed: 1},
			Model: train.ModelConfig{Hidden: []int{100, 100, 100, 100, 100, 100}, Activation: "relu",
				Init: "he", Precision: "float32"},
			Optimizer: train.OptimizerConfig{Name: "sgd"},
			Schedule:  train.ScheduleConfig{Name: "constant"},
			Epochs:    50, BatchSize: 100, Seed: 1,
		}
		if !reflect.DeepEqual(c, want) {
			t.Errorf("run %s\nwant %s", c.CanonicalJSON(), want.CanonicalJSON())
		}
	}
	if got := sweep.Varying(runs); !reflect.DeepEqual(got, []string{"weight_decay", "lr"}) {
		t.Errorf("Varying = %v, want [weight_decay lr]", got)
	}
}

// TestRandom_Deterministic checks that the trials depend on the file, the
// overrides and the seed alone.
func TestRandom_Deterministic(t *testing.T) {
	src := MustRead(t, "testdata/ch6-hyperparams.yaml")
	a := MustExpand(t, MustParse(t, src))
	s := MustParse(t, src)
	b, c := MustExpand(t, s), MustExpand(t, s)
	if !reflect.DeepEqual(a, b) || !reflect.DeepEqual(b, c) {
		t.Error("two expansions of the same file differ")
	}
	b[0].Model.Hidden[0] = 1
	if d := MustExpand(t, s); d[0].Model.Hidden[0] != 100 || d[1].Model.Hidden[0] != 100 {
		t.Error("changing a run's hidden sizes changed the spec or another run")
	}

	expand := func(overrides ...string) []train.Config {
		t.Helper()
		s, err := sweep.Parse("h.yaml", []byte(src), overrides)
		if err != nil {
			t.Fatal(err)
		}
		return MustExpand(t, s)
	}
	// The same overrides, and the same values written in the file, give
	// the same trials.
	if !reflect.DeepEqual(expand("seed=2"), expand("seed=2")) {
		t.Error("the same overrides give different trials")
	}
	if !reflect.DeepEqual(expand("seed=2"), MustExpand(t, MustParse(t, strings.Replace(src, "seed: 1 ", "seed: 2 ", 1)))) {
		t.Error("seed=2 as an override and in the file give different trials")
	}
	// Another seed gives other trials: no learning rate in common.
	lrs := map[float64]bool{}
	for _, c := range a {
		lrs[c.Optimizer.LR] = true
	}
	for _, seed := range []string{"seed=2", "seed=0", "seed=-1"} {
		for _, c := range expand(seed) {
			if lrs[c.Optimizer.LR] {
				t.Errorf("%s: lr %v also drawn with seed 1", seed, c.Optimizer.LR)
			}
		}
	}
	// Fewer trials are the first of the same trials.
	if first := expand("search.trials=10"); !reflect.DeepEqual(first, a[:10]) {
		t.Error("search.trials=10 does not give the first 10 trials")
	}
	// A field that draws nothing (one value) does not shift the others.
	if got := expand("train.epochs=[1]", "model.dropout=0.5"); got[7].Optimizer.LR != a[7].Optimizer.LR {
		t.Error("a fixed field changed the draws")
	}
}

// TestRandom_Seeds checks that every trial is repeated with each seed,
// the seeds innermost.
func TestRandom_Seeds(t *testing.T) {
	s, err := sweep.Parse("h.yaml", []byte(MustRead(t, "testdata/ch6-hyperparams.yaml")), []string{"train.seeds=[3, 1, 2]"})
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := s.Count(); n != 300 {
		t.Errorf("Count = %d, want 300", n)
	}
	runs := MustExpand(t, s)
	if len(runs) != 300 {
		t.Fatalf("%d runs, want 300", len(runs))
	}
	plain := MustExpand(t, MustLoad(t, "testdata/ch6-hyperparams.yaml"))
	for i, c := range runs {
		want := plain[i/3]
		want.Seed = []int64{3, 1, 2}[i%3]
		if !reflect.DeepEqual(c, want) {
			t.Fatalf("run %d = %s, want %s", i, c.CanonicalJSON(), want.CanonicalJSON())
		}
	}
}

// TestRandom_Fields draws every kind of field and checks that each run's
// value is one the file allows, and that every choice is drawn.
func TestRandom_Fields(t *testing.T) {
	s := MustParse(t, `name: fields
search: {method: random, trials: 400}
dataset:
  train_limit: {int_uniform: [1000, 60000]}
  validation: {uniform: [0.1, 0.3]}
model:
  hidden: {choice: [[50], [100, 100], []]}
  activation: [relu, tanh]
  init: {log_uniform: [0.001, 0.1]}
  batchnorm: {choice: [true, false]}
  dropout: {uniform: [0, 0.5]}
  precision: {choice: [float64]}
train:
  epochs: {int_uniform: [1, 3]}
  batch_size: {choice: [32, 64, 128]}
optimizers:
  - {name: sgd, lr: {log_uniform: [1.0e-4, 1.0e-1]}}
  - {name: adam, lr: 0.001, beta1: {uniform: [0.5, 0.95]}, beta2: [0.99, 0.999]}
schedules:
  - {name: constant}
  - {name: step, every: {int_uniform: [1, 4]}, gamma: {log_uniform: [0.1, 1]}}
`)
	runs := MustExpand(t, s)
	if len(runs) != 400 {
		t.Fatalf("%d runs, want 400", len(runs))
	}
	seen := map[string]map[string]bool{}
	note := func(field string, v any) {
		if seen[field] == nil {
			seen[field] = map[string]bool{}
		}
		seen[field][fmt.Sprint(v)] = true
	}
	in := func(x, lo, hi float64) bool { return x >= lo && x <= hi }
	for _, c := range runs {
		bad := []string{}
		check := func(ok bool, what string) {
			if !ok {
				bad = append(bad, what)
			}
		}
		check(c.Dataset.TrainLimit == 0 || c.Dataset.TrainLimit >= 1000 && c.Dataset.TrainLimit < 60000, "train_limit")
		check(in(c.Dataset.Validation, 0.1, 0.3) && c.Dataset.SplitSeed == 1, "validation")
		var init float64
		_, err := fmt.Sscan(c.Model.Init, &init)
		check(err == nil && in(init, 0.001, 0.1) && fmt.Sprint(init) == c.Model.Init, "init")
		check(in(c.Model.Dropout, 0, 0.5), "dropout")
		check(c.Model.Precision == "float64", "precision")
		check(in(float64(c.Epochs), 1, 3), "epochs")
		switch o := c.Optimizer; o.Name {
		case "sgd":
			check(in(o.LR, 1e-4, 0.1) && o.Beta1 == 0 && o.Beta2 == 0 && o.Eps == 0, "sgd")
		case "adam":
			check(o.LR == 0.001 && in(o.Beta1, 0.5, 0.95) && o.Eps == 1e-7, "adam")
			note("beta2", o.Beta2)
		}
		switch sc := c.Schedule; sc.Name {
		case "constant":
			check(sc == train.ScheduleConfig{Name: "constant"}, "constant")
		case "step":
			check(in(float64(sc.Every), 1, 4) && in(sc.Gamma, 0.1, 1), "step")
			note("every", sc.Every)
		}
		if len(bad) > 0 {
			t.Errorf("run %s: bad %v", c.CanonicalJSON(), bad)
		}
		note("hidden", c.Model.HiddenString())
		note("activation", c.Model.Activation)
		note("batchnorm", c.Model.BatchNorm)
		note("epochs", c.Epochs)
		note("batch_size", c.BatchSize)
		note("optimizer", c.Optimizer.Name)
		note("schedule", c.Schedule.Name)
	}
	for field, want := range map[string]int{
		"hidden": 3, "activation": 2, "batchnorm": 2, "epochs": 3, "batch_size": 3,
		"optimizer": 2, "schedule": 2, "beta2": 2, "every": 4,
	} {
		if len(seen[field]) != want {
			t.Errorf("%s: drew %v, want %d values", field, slices.Sorted(maps.Keys(seen[field])), want)
		}
	}
	if !seen["hidden"][""] {
		t.Error("hidden [] (no hidden layers) never drawn")
	}
}

// TestRandom_Duplicates checks that a trial is never repeated: a space of
// exactly as many trials as asked gives every one of them once, and one
// trial fewer than asked is an error.
func TestRandom_Duplicates(t *testing.T) {
	const src = `name: dup
search: {method: random, trials: 12}
dataset: {validation: 0.1}
model: {activation: [relu, tanh, sigmoid]}
optimizers:
  - {name: sgd, lr: [0.1, 0.01]}
  - {name: adam, lr: {choice: [0.001, 0.0001]}}
`
	runs := MustExpand(t, MustParse(t, src))
	got := map[string]bool{}
	for _, c := range runs {
		got[fmt.Sprintf("%s %s %v", c.Model.Activation, c.Optimizer.Name, c.Optimizer.LR)] = true
	}
	if len(runs) != 12 || len(got) != 12 {
		t.Errorf("%d runs, %d distinct, want 12 of each: %v", len(runs), len(got), got)
	}
	_, err := sweep.Parse("dup.yaml", []byte(src), []string{"search.trials=13"})
	if err == nil || err.Error() != "--set:1: search.trials: must be at most 12, the number of distinct trials in the search space (got 13)" {
		t.Errorf("13 trials of 12: %v", err)
	}
	// Two bounds one float64 apart hold two numbers.
	_, err = sweep.Parse("dup.yaml", []byte("name: d\nsearch: {method: random, trials: 3}\ndataset: {validation: 0.1}\n"+
		"model: {dropout: {uniform: [0.1, 0.10000000000000002]}}\n"), nil)
	if err == nil || !strings.Contains(err.Error(), "search.trials: must be at most 2,") {
		t.Errorf("3 trials of 2 numbers: %v", err)
	}
}

func TestRandom_Overrides(t *testing.T) {
	const grid = "name: g\ndataset: {validation: 0.2}\noptimizers: [{name: sgd, lr: 0.1}]\n"
	hyper := MustRead(t, "testdata/ch6-hyperparams.yaml")
	for _, tt := range []struct {
		name, yaml string
		overrides  []string
		check      func(*sweep.Spec, []train.Config) string
	}{
		{"trials", hyper, []string{"search.trials=10"}, func(s *sweep.Spec, runs []train.Config) string {
			return expect(len(runs) == 10 && s.Search.Trials == 10, "%d runs", len(runs))
		}},
		{"a grid made a random search", grid, []string{"search={method: random, trials: 5}", "optimizers[0].lr={log_uniform: [1e-6, 1e-2]}"},
			func(s *sweep.Spec, runs []train.Config) string {
				distinct := map[float64]bool{}
				for _, c := range runs {
					distinct[c.Optimizer.LR] = c.Optimizer.LR >= 1e-6 && c.Optimizer.LR <= 1e-2
				}
				return expect(len(runs) == 5 && len(distinct) == 5 && !distinct[0.1], "lrs %v", distinct)
			}},
		{"search.method alone", grid, []string{"search.method=random", "search.trials=2", "model.activation=[relu, tanh]"},
			func(s *sweep.Spec, runs []train.Config) string {
				return expect(len(runs) == 2 && runs[0].Model.Activation != runs[1].Model.Activation, "%d runs", len(runs))
			}},
		{"distribution replaced by a value", hyper, []string{"optimizers[0].lr=0.01"},
			func(s *sweep.Spec, runs []train.Config) string {
				_, drawn := s.Dists["optimizers[0].lr"]
				return expect(!drawn && runs[0].Optimizer.LR == 0.01 && runs[99].Optimizer.LR == 0.01, "lr %v", runs[0].Optimizer.LR)
			}},
		{"distribution of a whole entry", hyper, []string{"optimizers[0]={name: momentum, lr: 0.01, momentum: {uniform: [0.5, 0.99]}}"},
			func(s *sweep.Spec, runs []train.Config) string {
				m := runs[0].Optimizer.Momentum
				return expect(m >= 0.5 && m <= 0.99 && s.Dists["optimizers[0].momentum"] == "uniform", "momentum %v", m)
			}},
		{"back to a grid", hyper, []string{"search={method: grid}", "model.weight_decay=0", "optimizers[0].lr=[0.1, 0.01]"},
			func(s *sweep.Spec, runs []train.Config) string {
				return expect(len(runs) == 2 && s.Dists == nil && s.Search.Method == "grid", "%d runs, dists %v", len(runs), s.Dists)
			}},
		{"no pruning", hyper, []string{"prune=null"},
			func(s *sweep.Spec, runs []train.Config) string {
				return expect(s.Prune == sweep.Prune{}, "%+v", s.Prune)
			}},
		{"asha", hyper, []string{"prune.method=asha"},
			func(s *sweep.Spec, runs []train.Config) string {
				return expect(s.Prune == sweep.Prune{Method: "asha", MinEpochs: 5, Eta: 3}, "%+v", s.Prune)
			}},
		{"prune added", grid, []string{"prune.method=median"},
			func(s *sweep.Spec, runs []train.Config) string {
				return expect(s.Prune == sweep.Prune{Method: "median", MinEpochs: 1}, "%+v", s.Prune)
			}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, err := sweep.Parse("o.yaml", []byte(tt.yaml), tt.overrides)
			if err != nil {
				t.Fatalf("Parse:\n%v", err)
			}
			runs := MustExpand(t, s)
			if n, _ := s.Count(); n != len(runs) {
				t.Errorf("Count = %d, Expand gave %d", n, len(runs))
			}
			if msg := tt.check(s, runs); msg != "" {
				t.Error(msg)
			}
		})
	}
}

// expect returns "" if ok, and otherwise the message.
func expect(ok bool, format string, args ...any) string {
	if ok {
		return ""
	}
	return fmt.Sprintf(format, args...)
}

func TestPrune(t *testing.T) {
	base := "name: p\ndataset: {validation: 0.2}\noptimizers: [{name: sgd, lr: [0.1, 0.01]}]\n"
	keys := func(src string) []string {
		var out []string
		for _, c := range MustExpand(t, MustParse(t, src)) {
			out = append(out, c.Key())
		}
		return out
	}
	for _, tt := range []struct {
		yaml string
		want sweep.Prune
	}{
		{"", sweep.Prune{}},
		{"prune:", sweep.Prune{}},
		{"prune: {method: median}", sweep.Prune{Method: "median", MinEpochs: 1}},
		{"prune: {method: median, min_epochs: 5}", sweep.Prune{Method: "median", MinEpochs: 5}},
		{"prune: {method: asha}", sweep.Prune{Method: "asha", MinEpochs: 1, Eta: 3}},
		{"prune:\n  method: asha\n  min_epochs: 2\n  eta: 4", sweep.Prune{Method: "asha", MinEpochs: 2, Eta: 4}},
	} {
		src := base + tt.yaml + "\n"
		s := MustParse(t, src)
		if s.Prune != tt.want {
			t.Errorf("%q: Prune = %+v, want %+v", tt.yaml, s.Prune, tt.want)
		}
		// Pruning is the sweep's: the runs, and their keys, are the same.
		if !reflect.DeepEqual(keys(src), keys(base)) {
			t.Errorf("%q changed the runs' keys", tt.yaml)
		}
		if same := s.Hash() == MustParse(t, base).Hash(); same != (tt.want == sweep.Prune{}) {
			t.Errorf("%q: hash the same as without prune: %v", tt.yaml, same)
		}
	}
}

func TestRandom_Hash(t *testing.T) {
	src := MustRead(t, "testdata/ch6-hyperparams.yaml")
	base := MustParse(t, src).Hash()
	same := map[string]string{
		"reformatted": `optimizers:
  - name: sgd
    lr:
      log_uniform: [1e-6, 0.01]
train: {seeds: 1, batch_size: 100, epochs: 50}
model:
  weight_decay: {log_uniform: [1.0e-8, 1.0e-4]}
  hidden: [100, 100, 100, 100, 100, 100]
dataset: {validation: 0.2, train_limit: 500}
prune: {min_epochs: 5, method: median}
search: {trials: 100, method: random}
name: ch6-hyperparams
`,
	}
	for name, src := range same {
		if got := MustParse(t, src).Hash(); got != base {
			t.Errorf("%s: Hash() = %s, want %s", name, got, base)
		}
	}
	edit := func(old, new string) string {
		if !strings.Contains(src, old) {
			t.Fatalf("%q not in the file", old)
		}
		return strings.Replace(src, old, new, 1)
	}
	for name, src := range map[string]string{
		"trials":       edit("trials: 100", "trials: 99"),
		"seed":         edit("seed: 1 ", "seed: 2 "),
		"bound":        edit("[1.0e-6, 1.0e-2]", "[1.0e-6, 1.0e-3]"),
		"distribution": edit("{log_uniform: [1.0e-6, 1.0e-2]}", "{uniform: [1.0e-6, 1.0e-2]}"),
		"prune":        edit("min_epochs: 5", "min_epochs: 6"),
	} {
		if got := MustParse(t, src).Hash(); got == base {
			t.Errorf("%s changed, Hash() did not", name)
		}
	}
	// A list and a choice of the same values are the same.
	list := "name: c\nsearch: {method: random, trials: 2}\ndataset: {validation: 0.1}\nmodel: {activation: [relu, tanh]}\n"
	choice := strings.Replace(list, "[relu, tanh]", "{choice: [relu, tanh]}", 1)
	if MustParse(t, list).Hash() != MustParse(t, choice).Hash() {
		t.Error("a list and a choice of the same values hash differently")
	}
}

func TestRandom_MaxRuns(t *testing.T) {
	s, err := sweep.Parse("h.yaml", []byte(MustRead(t, "testdata/ch6-hyperparams.yaml")), []string{"train.seeds=[1, 2, 3]"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Expand(299)
	var list sweep.ErrorList
	if !errors.As(err, &list) || len(list) != 1 || list[0].Error() !=
		"h.yaml:9: search.trials: the search expands to 300 runs, more than the limit of 299: search.trials 100 × train.seeds 3" {
		t.Errorf("Expand(299): %v", err)
	}
	if runs, err := s.Expand(300); err != nil || len(runs) != 300 {
		t.Errorf("Expand(300): %d runs, %v", len(runs), err)
	}
}

// TestDoc_RandomExample checks that the random search in the package
// documentation is testdata/ch6-hyperparams.yaml and expands to the 100
// runs it promises.
func TestDoc_RandomExample(t *testing.T) {
	doc, example := DocExample(t, "ch6-hyperparams")
	s := MustParse(t, example)
	if n, _ := s.Count(); n != 100 || !strings.Contains(doc, "It expands to 100 runs") {
		t.Errorf("doc example expands to %d runs", n)
	}
	if s.Hash() != MustLoad(t, "testdata/ch6-hyperparams.yaml").Hash() {
		t.Error("doc example differs from testdata/ch6-hyperparams.yaml")
	}
}

// The statistical tests draw 10,000 trials and test the values against
// their distributions at α = 0.001, for several sweep seeds. With a fixed
// seed each test is deterministic: it fails only if the draws are wrong
// (or, once in a thousand seeds, by chance, which a new seed would show).

// drawn expands a random search of n trials of the given fields and
// returns the runs.
func drawn(t *testing.T, seed int64, n int, fields string) []train.Config {
	t.Helper()
	s := MustParse(t, fmt.Sprintf("name: stat\nseed: %d\nsearch: {method: random, trials: %d}\ndataset: {validation: 0.1}\n%s\n", seed, n, fields))
	runs, err := s.Expand(n)
	if err != nil {
		t.Fatal(err)
	}
	return runs
}

// ksUniform returns the Kolmogorov–Smirnov statistic of xs against the
// uniform distribution on [0, 1].
func ksUniform(xs []float64) float64 {
	xs = slices.Clone(xs)
	sort.Float64s(xs)
	n := float64(len(xs))
	d := 0.0
	for i, x := range xs {
		d = max(d, float64(i+1)/n-x, x-float64(i)/n)
	}
	return d
}

// ksCritical is the critical value of the Kolmogorov–Smirnov statistic
// for n samples at α = 0.001: √(−ln(α/2)/2)/√n ≈ 1.95/√n.
func ksCritical(n int) float64 {
	return math.Sqrt(-math.Log(0.001/2)/2) / math.Sqrt(float64(n))
}

func TestRandom_LogUniformKS(t *testing.T) {
	const n = 10000
	for _, seed := range []int64{1, 2, 3} {
		runs := drawn(t, seed, n, "optimizers: [{name: sgd, lr: {log_uniform: [1.0e-6, 1.0e-2]}}]")
		us := make([]float64, n)
		for i, c := range runs {
			us[i] = (math.Log10(c.Optimizer.LR) + 6) / 4 // log10 spread over [-6, -2]
		}
		if d, crit := ksUniform(us), ksCritical(n); d > crit {
			t.Errorf("seed %d: log10(lr) not uniform: D = %.4f > %.4f", seed, d, crit)
		}
		// And the draws themselves are not uniform: most are small.
		lrs := make([]float64, n)
		for i, c := range runs {
			lrs[i] = (c.Optimizer.LR - 1e-6) / (1e-2 - 1e-6)
		}
		if d := ksUniform(lrs); d < 0.5 {
			t.Errorf("seed %d: lr itself looks uniform (D = %.4f)", seed, d)
		}
	}
}

func TestRandom_UniformKS(t *testing.T) {
	const n = 10000
	for _, seed := range []int64{1, 2, 3} {
		runs := drawn(t, seed, n, "model: {dropout: {uniform: [0.1, 0.6]}}")
		us := make([]float64, n)
		for i, c := range runs {
			us[i] = (c.Model.Dropout - 0.1) / 0.5
		}
		if d, crit := ksUniform(us), ksCritical(n); d > crit {
			t.Errorf("seed %d: dropout not uniform: D = %.4f > %.4f", seed, d, crit)
		}
	}
}

// chiSquare001 holds the critical values of the χ² statistic at α = 0.001,
// by degrees of freedom.
var chiSquare001 = map[int]float64{1: 10.828, 2: 13.816, 3: 16.266, 5: 20.515, 9: 27.877}

// chiSquare returns the χ² statistic of counts against equal frequencies.
func chiSquare(counts map[string]int, k, n int) float64 {
	expect := float64(n) / float64(k)
	x := 0.0
	for _, c := range counts {
		x += (float64(c) - expect) * (float64(c) - expect) / expect
	}
	return x + float64(k-len(counts))*expect // categories never drawn
}

func TestRandom_IntUniformChiSquare(t *testing.T) {
	const n = 10000
	for _, seed := range []int64{1, 2, 3} {
		// Each run draws epochs from 10 integers, and the optimizer from
		// 2 entries; the dropout draw makes every trial distinct.
		runs := drawn(t, seed, n, "train: {epochs: {int_uniform: [3, 12]}}\nmodel: {dropout: {uniform: [0, 0.5]}}\n"+
			"optimizers: [{name: sgd, lr: 0.1}, {name: adam, lr: 0.001}]")
		epochs, optimizers := map[string]int{}, map[string]int{}
		for _, c := range runs {
			if c.Epochs < 3 || c.Epochs > 12 {
				t.Fatalf("epochs %d outside [3, 12]", c.Epochs)
			}
			epochs[fmt.Sprint(c.Epochs)]++
			optimizers[c.Optimizer.Name]++
		}
		if x := chiSquare(epochs, 10, n); x > chiSquare001[9] {
			t.Errorf("seed %d: epochs not uniform over 3..12: χ² = %.2f > %.3f (%v)", seed, x, chiSquare001[9], epochs)
		}
		if x := chiSquare(optimizers, 2, n); x > chiSquare001[1] {
			t.Errorf("seed %d: optimizer entries not equally likely: χ² = %.2f > %.3f (%v)", seed, x, chiSquare001[1], optimizers)
		}
	}
}

// TestValidate_RandomByHand checks that Validate catches what Parse would
// in a Spec changed by hand.
func TestValidate_RandomByHand(t *testing.T) {
	for _, tt := range []struct {
		name string
		edit func(s *sweep.Spec)
		msg  string
	}{
		{"bounds reversed", func(s *sweep.Spec) {
			s.Dists["model.dropout"], s.Model.Dropout = "uniform", []float64{0.5, 0.1}
		}, "model.dropout: the low bound must be below the high bound (got [0.5 0.1])"},
		{"one bound", func(s *sweep.Spec) { s.Model.WeightDecay = []float64{0.1} },
			"model.weight_decay: log_uniform takes two bounds (got 1 values)"},
		{"log_uniform from 0", func(s *sweep.Spec) { s.Optimizers[0].LR = []float64{0, 0.1} },
			"optimizers[0].lr: log_uniform bounds must be > 0 (got 0)"},
		{"init bounds not numbers", func(s *sweep.Spec) {
			s.Dists["model.init"], s.Model.Init = "uniform", []string{"he", "xavier"}
		}, "model.init: uniform takes two numbers (got [he xavier])"},
		{"choice in Dists", func(s *sweep.Spec) { s.Dists["model.activation"] = "choice" },
			`model.activation: unknown distribution "choice" in Dists`},
		{"wrong kind", func(s *sweep.Spec) { s.Dists["train.epochs"], s.Train.Epochs = "uniform", []int{1, 3} },
			"train.epochs: uniform draws real numbers, and this field takes integers"},
		{"grid", func(s *sweep.Spec) { s.Search = sweep.Search{Method: "grid"} },
			"model.weight_decay: log_uniform is for a random search"},
		{"no trials", func(s *sweep.Spec) { s.Search.Trials = 0 }, "search.trials: must be >= 1 (got 0)"},
		{"prune without a method", func(s *sweep.Spec) { s.Prune = sweep.Prune{MinEpochs: 3} },
			"prune.method: required: median or asha"},
		{"asha without eta", func(s *sweep.Spec) { s.Prune.Method = "asha" }, "prune.eta: must be >= 2 (got 0)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := MustLoad(t, "testdata/ch6-hyperparams.yaml")
			tt.edit(s)
			err := s.Validate()
			if err == nil || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("Validate: %v\nwant …%s…", err, tt.msg)
			}
			if _, err := s.Expand(0); err == nil {
				t.Error("Expand of an invalid spec succeeded")
			}
		})
	}
}
