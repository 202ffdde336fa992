package sweep_test

import (
	"errors"
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
	} {
		f.Add(src, "")
	}
	f.Add("name: x\n", "model.hidden=[[50],[100,100]]\ntrain.seeds=[1,2]\nschedules[0]={name: step, every: 1}")
	f.Add("name: x\n", "optimizers=[{name: adam, lr: 0.1}]\noptimizers[0].eps=1e-8\ndataset.validation=0.1")
	f.Add("name: x\n", "train.epoch=1\nmodel.hidden=[[1],[\nfoo")

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
		// Parsing is deterministic.
		again, err := sweep.Parse("fuzz.yaml", []byte(src), ovs)
		if err != nil || again.Hash() != s.Hash() {
			t.Fatalf("second Parse: %v, or another hash", err)
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
