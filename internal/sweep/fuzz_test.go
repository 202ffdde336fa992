package sweep_test

import (
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"runner/internal/sweep"
	"runner/internal/train"
)

// FuzzParse feeds arbitrary files and overrides (one per line) to Parse
// and, when they parse, to Count, Expand and Hash. None may panic; errors
// must be a well-formed ErrorList; runs must be valid and unique.
func FuzzParse(f *testing.F) {
	f.Add(MustRead(f, "testdata/ch6.yaml"), "train.epochs=2\noptimizers[0].lr=0.05")
	f.Add(MustRead(f, "testdata/ch6-hyperparams.yaml"), "")
	f.Add(MustRead(f, "testdata/ch6-hyperparams.yaml"), "search.trials=10\noptimizers[0].lr={log_uniform: [1e-6, 1e-2]}\nprune=null")
	f.Add(MustRead(f, "testdata/ch6-hyperparams.yaml"), "search.method=grid\nprune.eta=2\ntrain.seeds=[1,2]")
	for _, src := range []string{
		"",
		"name: x\n",
		"name: x\nmodel: {hidden: [[10], [20, 20]], init: [he, 0.01]}\n",
		"name: x\noptimizers: [{name: adam, lr: [0.1, 0.01], beta1: [0.9, 0.5]}]\nschedules: [{name: step, every: 2}, {name: cosine, min_lr: 0.001, warmup: 1}]\n",
		"name: &n x\nmodel: {hidden: &h [1, 2], dropout: *n}\noptimizers: [&o {name: sgd, lr: 0.1}, *o]\n",
		"name: x\nmodel:\n  <<: {dropout: 0.5}\n",
		"name: x\ntrain: {seeds: [1, 2, 1], epochs: .nan}\n",
		"a: &x [*x]\n",
		"name: x\n---\nname: y\n",
		"name: x\nschedules:\n  - {name: inverse_time, k: 0.5, warmup: [0, 1]}\n  - {name: exponential, gamma: 1}\n",
		"name: x\ntrain: {epochs: 1}\nschedules: [{name: cosine, warmup: 3}]\n",
		"name: x\ndataset: {train_limit: [60000, 500]}\nmodel: {hidden: [[], [10]], init: ['1e-2', 0x10]}\n",
		"name: x\ntrain:\n  epochs: 1\n  seeds:\n    - 1\n   - 2\n",
		"name: x\noptimizers:\n  - {name: sgd, lr: 0.1}\n  foo: 1\n",
		"name: x\nsearch: {method: random, trials: 20}\ndataset: {validation: {uniform: [0.1, 0.3]}, train_limit: {int_uniform: [500, 60000]}}\n" +
			"model: {hidden: {choice: [[10], [], [5, 5]]}, init: {log_uniform: [0.001, 0.1]}, dropout: [0, 0.5], batchnorm: {choice: [true, false]}}\n" +
			"train: {epochs: {int_uniform: [1, 3]}, seeds: [1, 2]}\n" +
			"optimizers: [{name: adam, lr: {log_uniform: [1.0e-4, 1.0e-2]}, beta1: {uniform: [0.5, 0.9]}}, {name: sgd, lr: [0.1, 0.01]}]\n" +
			"schedules: [{name: step, every: {int_uniform: [1, 4]}, gamma: {choice: [0.5, 0.1]}}, {name: cosine, min_lr: {uniform: [0, 1.0e-5]}}]\n",
		"name: x\nsearch: {method: random, trials: 4}\ndataset: {validation: 0.1}\nmodel: {activation: [relu, tanh], batchnorm: [true, false]}\nprune: {method: asha}\n",
		"name: x\nsearch: {method: random, trials: 5}\ndataset: {validation: 0.1}\nmodel: {activation: [relu, tanh], batchnorm: [true, false]}\n",
		"name: x\nsearch: {method: random, trials: 3}\ndataset: {validation: 0.1}\nmodel: {dropout: {uniform: [0.1, 0.10000000000000003]}}\n",
		"name: x\nsearch: {method: random, trials: 0}\nmodel: {dropout: {uniform: [0.5, 0.1], choice: []}, weight_decay: {normal: 1}}\ntrain: {seeds: {int_uniform: [1, 2]}}\n",
		"name: x\nmodel:\n  weight_decay: {log_uniform: [0, 1]}\n  init: {int_uniform: [1.5, 2]}\nprune: {method: median, eta: 1, min_epochs: 0}\n",
	} {
		f.Add(src, "")
	}
	f.Add("name: x\n", "model.hidden=[[50],[100,100]]\ntrain.seeds=[1,2]\nschedules[0]={name: step, every: 1}")
	f.Add("name: x\n", "optimizers=[{name: adam, lr: 0.1}]\noptimizers[0].eps=1e-8\ndataset.validation=0.1")
	f.Add("name: x\n", "train.epoch=1\nmodel.hidden=[[1],[\nfoo")
	f.Add("name: x\ndataset: {name: function, function: [book, quadratic], start: [[-7, 2], [1, 1]], condition: 100}\ntrain: {epochs: 30}\n",
		"dataset.condition=[1, 10]\nmodel.hidden=[5]")
	f.Add("name: x\nsearch: {method: random, trials: 3}\ndataset: {name: function, function: quadratic, start: {choice: [[1, 2], [3]]}, condition: {log_uniform: [1, 100]}}\n", "")
	f.Add("name: x\ndataset: {name: [function, mnist], function: rastrigin, start: [a, .nan]}\nprune: {method: median}\n", "dataset.start=7")

	f.Fuzz(func(t *testing.T, src, overrides string) {
		var ovs []string
		if overrides != "" {
			ovs = strings.Split(overrides, "\n")
		}
		s, err := sweep.Parse("fuzz.yaml", []byte(src), ovs)
		if err != nil {
			checkErrorList(t, err)
			return
		}
		n, err := s.Count()
		if err != nil {
			checkErrorList(t, err)
			return
		}
		runs, err := s.Expand(1000)
		if err != nil {
			checkErrorList(t, err)
			if n <= 1000 {
				t.Fatalf("Expand failed for %d runs: %v", n, err)
			}
			return
		}
		if len(runs) != n {
			t.Fatalf("Expand gave %d runs, Count %d", len(runs), n)
		}
		seen := map[string]bool{}
		for _, c := range runs {
			if seen[c.Key()] {
				t.Fatalf("run %s twice", c.CanonicalJSON())
			}
			seen[c.Key()] = true
			if _, _, err := train.ParseInit(c.Model.Init); err != nil {
				t.Fatalf("run with %v", err)
			}
			if v, err := strconv.ParseFloat(c.Model.Init, 64); err == nil && strconv.FormatFloat(v, 'g', -1, 64) != c.Model.Init {
				t.Fatalf("run with init %q, not in canonical form", c.Model.Init)
			}
			if c.Dataset.TrainLimit == 60000 {
				t.Fatalf("run with train_limit 60000, not 0")
			}
			// A warm-up may be longer than the run: it then lasts the whole run.
			if !(c.Optimizer.LR > 0) || c.Epochs < 1 || c.BatchSize < 1 || c.Schedule.Warmup < 0 {
				t.Fatalf("invalid run %s", c.CanonicalJSON())
			}
		}
		// Parsing and expanding are deterministic.
		again, err := sweep.Parse("fuzz.yaml", []byte(src), ovs)
		if err != nil || again.Hash() != s.Hash() {
			t.Fatalf("second Parse: %v, or another hash", err)
		}
		if s.Search.Method == "random" {
			if runs2, err := again.Expand(1000); err != nil || !reflect.DeepEqual(runs, runs2) {
				t.Fatalf("second Expand of a random search: %v, or other runs", err)
			}
		}
	})
}

// checkErrorList checks that err is a non-empty ErrorList of complete
// errors that prints one line per error.
func checkErrorList(t *testing.T, err error) {
	t.Helper()
	var list sweep.ErrorList
	if !errors.As(err, &list) || len(list) == 0 {
		t.Fatalf("error %v (%T), want a non-empty ErrorList", err, err)
	}
	for _, e := range list {
		if e == nil || (e.File != "fuzz.yaml" && e.File != sweep.OverrideFile) || e.Msg == "" || e.Line < 0 {
			t.Fatalf("incomplete error %#v", e)
		}
	}
	if lines := strings.Count(err.Error(), "\n") + 1; lines != len(list) {
		t.Fatalf("%d errors print as %d lines:\n%s", len(list), lines, err)
	}
}
