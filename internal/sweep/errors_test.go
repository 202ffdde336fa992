package sweep_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"runner/internal/sweep"
)

// random starts a file of a valid random search of three lines.
const random = "name: x\nsearch: {method: random, trials: 5}\ndataset: {validation: 0.2}\n"

// want is one expected error: its file ("" for the test file, exp.yaml),
// line, field and a fragment of its message.
type want struct {
	file  string
	line  int
	field string
	msg   string
}

// wantErrors checks that err is a sweep.ErrorList of the wanted errors,
// in order.
func wantErrors(t *testing.T, err error, wants []want) {
	t.Helper()
	var list sweep.ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("error %v (%T), want an ErrorList", err, err)
	}
	if len(list) != len(wants) {
		t.Errorf("got %d errors, want %d:\n%v", len(list), len(wants), err)
	}
	for i, w := range wants {
		if i >= len(list) {
			break
		}
		if w.file == "" {
			w.file = "exp.yaml"
		}
		e := list[i]
		if e.File != w.file || e.Line != w.line || e.Field != w.field || !strings.Contains(e.Msg, w.msg) {
			t.Errorf("error %d = %q\n(file %q line %d field %q), want %s:%d: %s: …%s…",
				i, e, e.File, e.Line, e.Field, w.file, w.line, w.field, w.msg)
		}
	}
}

func TestParse_Errors(t *testing.T) {
	for _, tt := range []struct {
		name      string
		yaml      string
		overrides []string
		want      []want
	}{
		{"unknown top-level key", "name: x\nepochs: 3\n",
			nil, []want{{"", 2, "epochs", "unknown key (at the top level the keys are name,"}}},
		{"unknown nested key", "name: x\nmodel:\n  hiden: [10]\n",
			nil, []want{{"", 3, "model.hiden", "unknown key (in model the keys are hidden,"}}},
		{"unknown key in an optimizer", "name: x\noptimizers:\n  - {name: sgd, lr: 0.1, lr_decay: 2}\n",
			nil, []want{{"", 3, "optimizers[0].lr_decay", "unknown key"}}},
		{"duplicate key", "name: x\ntrain:\n  epochs: 1\n  epochs: 2\n",
			nil, []want{{"", 4, "train.epochs", "duplicate key (first at line 3)"}}},
		{"wrong type: string for int", "name: x\ntrain:\n  epochs: ten\n",
			nil, []want{{"", 3, "train.epochs", `want an integer (got "ten")`}}},
		{"wrong type: float for int", "name: x\ntrain:\n  batch_size: 1.5\n",
			nil, []want{{"", 3, "train.batch_size", "want an integer (got 1.5)"}}},
		{"wrong type: string in a list", "name: x\noptimizers:\n  - name: sgd\n    lr:\n      - 0.1\n      - fast\n",
			nil, []want{{"", 6, "optimizers[0].lr", `want a number (got "fast")`}}},
		{"wrong type: mapping for section", "name: x\nmodel: [relu]\n",
			nil, []want{{"", 2, "model", "want a mapping with keys hidden,"}}},
		{"wrong type: bool", "name: x\nmodel: {batchnorm: yes}\n",
			nil, []want{{"", 2, "model.batchnorm", `want true or false (got "yes")`}}},
		{"wrong type: hidden", "name: x\nmodel: {hidden: 100}\n",
			nil, []want{{"", 2, "model.hidden", "want a list of layer sizes"}}},
		{"wrong type: hidden mixed", "name: x\nmodel:\n  hidden:\n    - [10]\n    - 20\n",
			nil, []want{{"", 5, "model.hidden", "want a list of layer sizes such as [100, 100] (got 20)"}}},
		{"not finite", "name: x\nmodel: {dropout: .nan}\n",
			nil, []want{{"", 2, "model.dropout", "want a finite number (got .nan)"}}},
		{"missing name", "train: {epochs: 1}\n",
			nil, []want{{"", 1, "name", "required"}}},
		{"top level not a mapping", "- name: x\n",
			nil, []want{{"", 1, "", "want a mapping"}}},
		{"syntax error", "name: x\nmodel: {hidden: [10}\n",
			nil, []want{{"", 2, "", "yaml: did not find expected"}}},
		{"two documents", "name: x\n---\nname: y\n",
			nil, []want{{"", 2, "", "more than one YAML document"}}},
		{"syntax error on line 1", "name: x: y\n",
			nil, []want{{"", 1, "", "yaml: mapping values are not allowed in this context"}}},
		{"scanner error", "name: x\nmodel:\n  hidden: [1]\n\tdropout: 0.5\n",
			nil, []want{{"", 4, "", "yaml: found character that cannot start any token"}}},
		{"parser error in a block", "name: x\nmodel:\n  hidden: [1]\n dropout: 0.5\n",
			nil, []want{{"", 4, "", "yaml: did not find expected key"}}},
		{"merge key", "name: x\nmodel:\n  <<: {dropout: 0.5}\n",
			nil, []want{{"", 3, "model.<<", "merge keys are not supported"}}},
		{"unknown optimizer", "name: x\noptimizers:\n  - {name: sgd, lr: 0.1}\n  - {name: lbfgs, lr: 0.1}\n",
			nil, []want{{"", 4, "optimizers[1].name", `unknown optimizer "lbfgs" (want sgd, momentum, nesterov, adagrad, rmsprop, adam, adamw, amsgrad, nadam, radam, lion, sf_sgd or sf_adamw)`}}},
		{"optimizer without name", "name: x\noptimizers:\n  - {lr: 0.1}\n",
			nil, []want{{"", 3, "optimizers[0].name", "required"}}},
		{"optimizer not a mapping", "name: x\noptimizers: [sgd]\n",
			nil, []want{{"", 2, "optimizers[0]", `want a mapping such as {name: sgd, lr: 0.01} (got "sgd")`}}},
		{"unknown schedule", "name: x\nschedules:\n  - {name: linear}\n",
			nil, []want{{"", 3, "schedules[0].name", `unknown schedule "linear" (want constant, step,`}}},
		{"lr negative", "name: x\noptimizers:\n  - {name: sgd, lr: 0.1}\n  - {name: momentum, lr: 0.1}\n  - name: nesterov\n    lr: -0.1\n",
			nil, []want{{"", 6, "optimizers[2].lr", "must be > 0 (got -0.1)"}}},
		{"lr zero in a list", "name: x\noptimizers:\n  - name: adam\n    lr:\n      - 0.1\n      - 0\n",
			nil, []want{{"", 6, "optimizers[0].lr", "must be > 0 (got 0)"}}},
		{"lr missing", "name: x\noptimizers:\n  - {name: adam}\n",
			nil, []want{{"", 3, "optimizers[0].lr", "required"}}},
		{"empty lr list", "name: x\noptimizers:\n  - {name: sgd, lr: []}\n",
			nil, []want{{"", 3, "optimizers[0].lr", "empty list"}}},
		{"empty optimizers list", "name: x\noptimizers: []\n",
			nil, []want{{"", 2, "optimizers", "empty list: give at least one entry"}}},
		{"empty schedules list", "name: x\nschedules:\n",
			nil, []want{{"", 2, "schedules", "want a list of entries"}}},
		{"empty grid", "name: x\ntrain: {seeds: []}\n",
			nil, []want{{"", 2, "train.seeds", "empty list"}}},
		{"empty grid of hidden", "name: x\nmodel: {hidden: [[10], []]}\nmodel: {}\n",
			nil, []want{{"", 3, "model", "duplicate key"}}},
		{"field not applicable to optimizer", "name: x\noptimizers:\n  - {name: sgd, lr: 0.1, beta1: 0.9}\n",
			nil, []want{{"", 3, "optimizers[0].beta1", "does not apply to sgd, which takes lr"}}},
		{"field not applicable to schedule", "name: x\nschedules:\n  - {name: cosine, gamma: 0.5}\n",
			nil, []want{{"", 3, "schedules[0].gamma", "does not apply to cosine, which takes min_lr, warmup"}}},
		{"momentum out of range", "name: x\noptimizers: [{name: momentum, lr: 0.1, momentum: 1}]\n",
			nil, []want{{"", 2, "optimizers[0].momentum", "must be in [0, 1) (got 1)"}}},
		// The optimizers and schedules beyond the book's.
		{"momentum on adamw", "name: x\noptimizers:\n  - {name: adamw, momentum: 0.9}\n",
			nil, []want{{"", 3, "optimizers[0].momentum", "does not apply to adamw, which takes lr, beta1, beta2, eps, weight_decay, amsgrad"}}},
		{"amsgrad on lion", "name: x\noptimizers:\n  - name: lion\n    amsgrad: true\n",
			nil, []want{{"", 4, "optimizers[0].amsgrad", "does not apply to lion, which takes lr, beta1, beta2, weight_decay"}}},
		{"weight_decay on adam", "name: x\noptimizers:\n  - {name: adam, lr: 0.001, weight_decay: 0.01}\n",
			nil, []want{{"", 3, "optimizers[0].weight_decay", "does not apply to adam, which takes lr, beta1, beta2, eps"}}},
		{"amsgrad not a bool", "name: x\noptimizers:\n  - {name: adamw, amsgrad: [false, yes]}\n",
			nil, []want{{"", 3, "optimizers[0].amsgrad", `want true or false (got "yes")`}}},
		{"negative decoupled weight decay", "name: x\noptimizers:\n  - {name: sf_adamw, weight_decay: -0.1}\n",
			nil, []want{{"", 3, "optimizers[0].weight_decay", "must be >= 0 (got -0.1)"}}},
		{"negative momentum_decay", "name: x\noptimizers:\n  - {name: nadam, momentum_decay: -1}\n",
			nil, []want{{"", 3, "optimizers[0].momentum_decay", "must be >= 0 (got -1)"}}},
		{"schedule-free momentum 0", "name: x\noptimizers:\n  - name: sf_sgd\n    momentum: [0.9, 0]\n",
			nil, []want{{"", 4, "optimizers[0].momentum", "must be in (0, 1) for sf_sgd, whose evaluation point divides by it (got 0)"}}},
		{"schedule-free beta1 0", "name: x\noptimizers:\n  - {name: sf_adamw, beta1: 0}\n",
			nil, []want{{"", 3, "optimizers[0].beta1", "must be in (0, 1) for sf_adamw"}}},
		{"sgdr without period", "name: x\nschedules:\n  - {name: sgdr}\n",
			nil, []want{{"", 3, "schedules[0].period", "required"}}},
		{"sgdr period 0", "name: x\nschedules:\n  - {name: sgdr, period: 0}\n",
			nil, []want{{"", 3, "schedules[0].period", "must be >= 1 (got 0)"}}},
		{"sgdr negative period", "name: x\nschedules:\n  - {name: sgdr, period: -2}\n",
			nil, []want{{"", 3, "schedules[0].period", "must be >= 1 (got -2)"}}},
		{"sgdr mult below 1", "name: x\nschedules:\n  - name: sgdr\n    period: 2\n    mult: 0\n",
			nil, []want{{"", 5, "schedules[0].mult", "must be >= 1 (got 0)"}}},
		{"sgdr mult not an integer", "name: x\nschedules:\n  - {name: sgdr, period: 2, mult: 1.5}\n",
			nil, []want{{"", 3, "schedules[0].mult", "want an integer (got 1.5)"}}},
		{"sgdr min_lr not below lr", "name: x\noptimizers: [{name: sgd, lr: 0.01}]\nschedules:\n  - {name: sgdr, period: 2, min_lr: 0.1}\n",
			nil, []want{{"", 4, "schedules[0].min_lr", "must be < every lr it is crossed with (got 0.1, but optimizers[0].lr has 0.01)"}}},
		{"one_cycle pct_start 1", "name: x\nschedules:\n  - {name: one_cycle, pct_start: 1}\n",
			nil, []want{{"", 3, "schedules[0].pct_start", "must be in (0, 1) (got 1)"}}},
		{"one_cycle div_factor below 1", "name: x\nschedules:\n  - {name: one_cycle, div_factor: 0.5}\n",
			nil, []want{{"", 3, "schedules[0].div_factor", "must be >= 1 (got 0.5)"}}},
		{"one_cycle takes no warmup", "name: x\nschedules:\n  - {name: one_cycle, warmup: 2}\n",
			nil, []want{{"", 3, "schedules[0].warmup", "does not apply to one_cycle, which takes pct_start, div_factor, final_div_factor"}}},
		{"plateau factor 1", "name: x\nschedules:\n  - {name: plateau, factor: 1}\n",
			nil, []want{{"", 3, "schedules[0].factor", "must be in (0, 1) (got 1)"}}},
		{"plateau factor 0", "name: x\nschedules:\n  - {name: plateau, factor: [0.5, 0]}\n",
			nil, []want{{"", 3, "schedules[0].factor", "must be in (0, 1) (got 0)"}}},
		{"plateau negative patience", "name: x\nschedules:\n  - {name: plateau, patience: -1}\n",
			nil, []want{{"", 3, "schedules[0].patience", "must be >= 0 (got -1)"}}},
		{"plateau unknown monitor", "name: x\nschedules:\n  - {name: plateau, monitor: val_loss}\n",
			nil, []want{{"", 3, "schedules[0].monitor", `unknown monitor "val_loss" (want val_acc or train_loss)`}}},
		{"plateau on val_acc without validation", "name: x\nschedules:\n  - name: plateau\n    monitor: val_acc\n",
			nil, []want{{"", 4, "schedules[0].monitor", "val_acc needs a validation split: dataset.validation must be > 0 (got 0), or monitor train_loss"}}},
		{"plateau on val_acc crossed with no validation", "name: x\ndataset: {validation: [0.1, 0]}\nschedules:\n  - {name: plateau, monitor: [train_loss, val_acc]}\n",
			nil, []want{{"", 4, "schedules[0].monitor", "val_acc needs a validation split"}}},
		{"plateau on val_acc of a function", "name: x\ndataset: {name: function, function: book, start: [-7, 2]}\nschedules:\n  - {name: plateau, monitor: val_acc}\n",
			nil, []want{{"", 4, "schedules[0].monitor", "dataset function has no images: monitor train_loss"}}},
		{"min_lr below the default lr of lion", "name: x\noptimizers: [{name: lion}]\nschedules:\n  - {name: plateau, min_lr: 1e-3}\n",
			nil, []want{{"", 4, "schedules[0].min_lr", "must be < every lr it is crossed with (got 0.001, but optimizers[0].lr has 0.0001)"}}},
		{"optimizers entries that repeat runs", "name: x\noptimizers:\n  - {name: adamw}\n  - {name: adamw, lr: [0.001, 0.003]}\n",
			nil, []want{{"", 4, "optimizers[1]", "repeats runs of optimizers[0]"}}},
		{"batch_size 0", "name: x\ntrain:\n  batch_size: 0\n",
			nil, []want{{"", 3, "train.batch_size", "must be >= 1 (got 0)"}}},
		{"epochs -1", "name: x\ntrain: {epochs: [3, -1]}\n",
			nil, []want{{"", 2, "train.epochs", "must be >= 0 (got -1)"}}},
		{"validation 1", "name: x\ndataset:\n  validation: 1.0\n",
			nil, []want{{"", 3, "dataset.validation", "must be in [0, 1) (got 1)"}}},
		{"train_limit too large", "name: x\ndataset: {train_limit: 70000}\n",
			nil, []want{{"", 2, "dataset.train_limit", "must be in [0, 60000]"}}},
		{"unknown dataset", "name: x\ndataset: {name: cifar10}\n",
			nil, []want{{"", 2, "dataset.name", `unknown dataset "cifar10" (want mnist or function)`}}},
		{"bad activation", "name: x\nmodel: {activation: [relu, gelu]}\n",
			nil, []want{{"", 2, "model.activation", `unknown activation "gelu" (want relu, sigmoid or tanh)`}}},
		{"bad init", "name: x\nmodel:\n  init: [he, -0.1, lecun]\n",
			nil, []want{
				{"", 3, "model.init", `want he, xavier or a number > 0 (got "-0.1")`},
				{"", 3, "model.init", `want he, xavier or a number > 0 (got "lecun")`},
			}},
		{"init infinite", "name: x\nmodel: {init: inf}\n",
			nil, []want{{"", 2, "model.init", `want he, xavier or a number > 0 (got "inf")`}}},
		{"hidden layer 0", "name: x\nmodel: {hidden: [[10], [10, 0]]}\n",
			nil, []want{{"", 2, "model.hidden", "layer sizes must be >= 1 (got [10 0])"}}},
		{"step without every", "name: x\nschedules: [{name: step}]\n",
			nil, []want{{"", 2, "schedules[0].every", "required"}}},
		{"exponential gamma 0", "name: x\nschedules: [{name: exponential, gamma: 0}]\n",
			nil, []want{{"", 2, "schedules[0].gamma", "must be in (0, 1] (got 0)"}}},
		{"validation leaves no images", "name: x\ndataset: {train_limit: 10, validation: 0.01}\n",
			nil, []want{{"", 2, "dataset.validation", "validation part would be empty: 0.01 of 10 examples (train_limit 10)"}}},
		{"validation takes every image", "name: x\ndataset:\n  train_limit: [500, 0]\n  validation: 0.999\n",
			nil, []want{{"", 4, "dataset.validation", "training part would be empty: 0.999 of 500 examples (train_limit 500)"}}},
		{"negative warmup", "name: x\nschedules:\n  - {name: constant, warmup: -1}\n",
			nil, []want{{"", 3, "schedules[0].warmup", "must be >= 0 (got -1)"}}},
		{"min_lr not below lr", "name: x\noptimizers:\n  - {name: sgd, lr: [0.1, 0.001]}\nschedules:\n  - {name: cosine, min_lr: 0.001}\n",
			nil, []want{{"", 5, "schedules[0].min_lr", "must be < every lr it is crossed with (got 0.001, but optimizers[0].lr has 0.001)"}}},
		{"duplicate value", "name: x\ntrain:\n  seeds: [1, 2, 1]\n",
			nil, []want{{"", 3, "train.seeds", "1 repeats the value at line 3"}}},
		{"duplicate train_limit: 60000 is 0", "name: x\ndataset:\n  train_limit: [0, 60000]\n",
			nil, []want{{"", 3, "dataset.train_limit", "0 (all the images, also written 60000) repeats the value at line 3: every run would be repeated"}}},
		{"duplicate train_limit: 0 is 60000", "name: x\ndataset:\n  train_limit:\n    - 60000\n    - 500\n    - 0\n",
			nil, []want{{"", 6, "dataset.train_limit", "0 (all the images, also written 60000) repeats the value at line 4"}}},
		{"duplicate init", "name: x\nmodel:\n  init:\n    - 0.01\n    - 1e-2\n",
			nil, []want{{"", 5, "model.init", "repeats the value at line 4"}}},
		{"duplicate runs across entries", "name: x\noptimizers:\n  - {name: momentum, lr: [0.1, 0.01]}\n  - {name: momentum, lr: 0.01, momentum: 0.9}\n",
			nil, []want{{"", 4, "optimizers[1]", "repeats runs of optimizers[0]"}}},
		{"duplicate schedules", "name: x\nschedules:\n  - {name: step, every: 2}\n  - {name: step, every: [1, 2], gamma: 0.1}\n",
			nil, []want{{"", 4, "schedules[1]", "repeats runs of schedules[0]"}}},
		{"several errors, all reported", "name: x\ntrain: {epochs: -2, batch_size: -1}\noptimizers: [{name: sgd, lr: -1}]\nextra: 1\n",
			nil, []want{
				{"", 2, "train.epochs", "must be >= 0"},
				{"", 2, "train.batch_size", "must be >= 1"},
				{"", 3, "optimizers[0].lr", "must be > 0"},
				{"", 4, "extra", "unknown key"},
			}},
		{"bad override path", "name: x\n", []string{"train.epoch=1"},
			[]want{{"--set", 1, "train.epoch", `unknown key "epoch" (the keys of train are epochs, batch_size, seeds)`}}},
		{"bad override top-level key", "name: x\n", []string{"train.epochs=2", "optimizer[0].lr=1"},
			[]want{{"--set", 2, "optimizer[0].lr", "only optimizers[i] and schedules[i] take an index"}}},
		{"bad override path, too deep", "name: x\n", []string{"model.hidden.size=1"},
			[]want{{"--set", 1, "model.hidden.size", "unknown path"}}},
		{"override without =", "name: x\n", []string{"train.epochs"},
			[]want{{"--set", 1, "train.epochs", "want path=value"}}},
		{"override index out of range", "name: x\n", []string{"optimizers[1].lr=0.1"},
			[]want{{"--set", 1, "optimizers[1].lr", "index out of range: optimizers has 1 entry"}}},
		{"override of a list without an index", "name: x\n", []string{"optimizers.lr=0.1"},
			[]want{{"--set", 1, "optimizers.lr", "optimizers is a list: name an entry, as in optimizers[0].lr"}}},
		{"bad override value: syntax", "name: x\n", []string{"model.hidden=[[1],["},
			[]want{{"--set", 1, "model.hidden", "bad value"}}},
		{"bad override value: type", "name: x\n", []string{"train.epochs=ten"},
			[]want{{"--set", 1, "train.epochs", `want an integer (got "ten")`}}},
		{"bad override value: range", "name: x\noptimizers:\n  - {name: sgd, lr: 0.1}\n", []string{"optimizers[0].lr=-0.5"},
			[]want{{"--set", 1, "optimizers[0].lr", "must be > 0 (got -0.5)"}}},
		{"bad override value: nested", "name: x\n", []string{"optimizers=[{name: adam, lr: 0.1, momentum: 0.9}]"},
			[]want{{"--set", 1, "optimizers[0].momentum", "does not apply to adam"}}},
		{"bad override value: empty", "name: x\n", []string{"train.seeds="},
			[]want{{"--set", 1, "train.seeds", "missing value"}}},
		// Random search and pruning.
		{"distribution in a grid", "name: x\nmodel:\n  weight_decay:\n    log_uniform: [1.0e-8, 1.0e-4]\n",
			nil, []want{{"", 4, "model.weight_decay", "log_uniform is for a random search (search: {method: random, trials: N}); a grid search takes a value or a list"}}},
		{"choice in a grid", "name: x\noptimizers:\n  - {name: sgd, lr: {choice: [0.1, 0.01]}}\n",
			nil, []want{{"", 3, "optimizers[0].lr", "choice is for a random search"}}},
		{"distribution in a grid, from --set", "name: x\n", []string{"model.dropout={uniform: [0, 0.5]}"},
			[]want{{"--set", 1, "model.dropout", "uniform is for a random search"}}},
		{"uniform bounds equal", random + "model: {dropout: {uniform: [0.5, 0.5]}}\n",
			nil, []want{{"", 4, "model.dropout", "the low bound must be below the high bound (got [0.5, 0.5])"}}},
		{"int_uniform bounds reversed", random + "train:\n  epochs: {int_uniform: [5, 2]}\n",
			nil, []want{{"", 5, "train.epochs", "the low bound must be below the high bound (got [5, 2])"}}},
		{"log_uniform from 0", random + "optimizers:\n  - name: sgd\n    lr:\n      log_uniform:\n        - 0\n        - 0.1\n",
			nil, []want{{"", 8, "optimizers[0].lr", "log_uniform bounds must be > 0 (got 0)"}}},
		{"log_uniform from below 0", random + "model: {weight_decay: {log_uniform: [-1, 1]}}\n",
			nil, []want{{"", 4, "model.weight_decay", "log_uniform bounds must be > 0 (got -1)"}}},
		{"int_uniform on non-integers", random + "train: {batch_size: {int_uniform: [16, 64.5]}}\n",
			nil, []want{{"", 4, "train.batch_size", "int_uniform bounds must be integers (got 64.5)"}}},
		{"int_uniform of a real field", random + "model: {dropout: {int_uniform: [0, 1]}}\n",
			nil, []want{{"", 4, "model.dropout", "int_uniform draws integers, and this field takes real numbers: use uniform, log_uniform or choice"}}},
		{"uniform of an integer field", random + "schedules: [{name: step, every: {uniform: [1, 4]}}]\n",
			nil, []want{{"", 4, "schedules[0].every", "uniform draws real numbers, and this field takes integers: use int_uniform or choice"}}},
		{"uniform of a name", random + "model: {activation: {uniform: [0, 1]}}\n",
			nil, []want{{"", 4, "model.activation", "uniform draws numbers, and this field is not a number: use choice"}}},
		{"empty choice", random + "model:\n  hidden: {choice: []}\n",
			nil, []want{{"", 5, "model.hidden", "empty choice: give at least one value"}}},
		{"choice not a list", random + "model: {activation: {choice: relu}}\n",
			nil, []want{{"", 4, "model.activation", `want a list of values to choose from (got "relu")`}}},
		{"unknown distribution key", random + "model:\n  weight_decay: {normal: [0, 1]}\n",
			nil, []want{{"", 5, "model.weight_decay.normal", "unknown key (in model.weight_decay the keys are uniform, log_uniform, int_uniform, choice)"}}},
		{"two distribution keys", random + "model: {dropout: {uniform: [0, 0.5], choice: [0.1]}}\n",
			nil, []want{{"", 4, "model.dropout", "a distribution has one key (got uniform and choice)"}}},
		{"empty distribution", random + "model: {dropout: {}}\n",
			nil, []want{{"", 4, "model.dropout", "(got an empty mapping)"}}},
		{"bounds not a pair", random + "model: {dropout: {uniform: [0, 0.2, 0.5]}}\n",
			nil, []want{{"", 4, "model.dropout", "want [low, high], two numbers (got a list of 3)"}}},
		{"bound outside the field's range", random + "model:\n  dropout:\n    uniform:\n      - 0\n      - 1\n",
			nil, []want{{"", 8, "model.dropout", "must be in [0, 1) (got 1)"}}},
		{"distribution of the seeds", random + "train: {seeds: {choice: [1, 2]}}\n",
			nil, []want{{"", 4, "train.seeds", "the seeds repeat every run and are not drawn: give a value or a list"}}},
		{"repeated choice", random + "model: {activation: {choice: [relu, tanh, relu]}}\n",
			nil, []want{{"", 4, "model.activation", `"relu" repeats the value at line 4: a choice lists each value once`}}},
		{"train_limit drawn from 0", "name: x\nsearch: {method: random, trials: 5}\ndataset:\n  validation: 0.2\n  train_limit: {int_uniform: [0, 500]}\n",
			nil, []want{{"", 5, "dataset.train_limit", "the bounds of int_uniform must be >= 1: 0 means all the images"}}},
		{"trials 0", "name: x\nsearch: {method: random, trials: 0}\ndataset: {validation: 0.2}\n",
			nil, []want{{"", 2, "search.trials", "must be >= 1 (got 0)"}}},
		{"trials missing", "name: x\nsearch:\n  method: random\ndataset: {validation: 0.2}\n",
			nil, []want{{"", 2, "search.trials", "required for a random search: the number of trials to draw, >= 1"}}},
		{"trials in a grid", "name: x\nsearch:\n  method: grid\n  trials: 10\n",
			nil, []want{{"", 4, "search.trials", "applies to a random search only (method: random); a grid search runs every point of its grid"}}},
		{"trials without a method", "name: x\nsearch: {trials: 10}\n",
			nil, []want{{"", 2, "search.trials", "applies to a random search only"}}},
		{"trials not a number", "name: x\nsearch: {method: random, trials: many}\ndataset: {validation: 0.2}\n",
			nil, []want{{"", 2, "search.trials", `want an integer (got "many")`}}},
		{"unknown search method", "name: x\nsearch: {method: bayes}\n",
			nil, []want{{"", 2, "search.method", `unknown search method "bayes" (want grid, random, halton or tpe)`}}},
		{"tpe over lists alone", "name: x\ndataset: {validation: 0.2}\nmodel: {dropout: [0, 0.5], batchnorm: [true, false]}\nsearch: {method: tpe, trials: 3}\n",
			nil, []want{{"", 4, "search.method", "tpe models distributions, and this space has none"}}},
		{"tpe batch 0", "name: x\ndataset: {validation: 0.2}\noptimizers: [{name: sgd, lr: {log_uniform: [1.0e-4, 1]}}]\nsearch: {method: tpe, trials: 10, batch: 0}\n",
			nil, []want{{"", 4, "search.batch", "must be >= 1 (got 0)"}}},
		{"tpe batch negative", "name: x\ndataset: {validation: 0.2}\noptimizers: [{name: sgd, lr: {log_uniform: [1.0e-4, 1]}}]\nsearch: \n  method: tpe\n  trials: 10\n  batch: -2\n",
			nil, []want{{"", 7, "search.batch", "must be >= 1 (got -2)"}}},
		{"tpe startup negative", "name: x\ndataset: {validation: 0.2}\noptimizers: [{name: sgd, lr: {log_uniform: [1.0e-4, 1]}}]\nsearch: {method: tpe, trials: 10, startup: -1}\n",
			nil, []want{{"", 4, "search.startup", "must be >= 0 (got -1)"}}},
		{"tpe startup above trials", "name: x\ndataset: {validation: 0.2}\noptimizers: [{name: sgd, lr: {log_uniform: [1.0e-4, 1]}}]\nsearch: {method: tpe, trials: 10, startup: 11}\n",
			nil, []want{{"", 4, "search.startup", "must be at most search.trials, 10 (got 11)"}}},
		{"tpe trials 0", "name: x\ndataset: {validation: 0.2}\noptimizers: [{name: sgd, lr: {log_uniform: [1.0e-4, 1]}}]\nsearch: {method: tpe, trials: 0}\n",
			nil, []want{{"", 4, "search.trials", "must be >= 1 (got 0)"}}},
		{"tpe without trials", "name: x\ndataset: {validation: 0.2}\noptimizers: [{name: sgd, lr: {log_uniform: [1.0e-4, 1]}}]\nsearch: {method: tpe}\n",
			nil, []want{{"", 4, "search.trials", "required for a random search"}}},
		{"batch in a random search", "name: x\ndataset: {validation: 0.2}\noptimizers: [{name: sgd, lr: {log_uniform: [1.0e-4, 1]}}]\nsearch: {method: random, trials: 10, batch: 4}\n",
			nil, []want{{"", 4, "search.batch", "applies to a tpe search only (method: tpe)"}}},
		{"startup in a grid search", "name: x\nsearch: {startup: 4}\n",
			nil, []want{{"", 2, "search.startup", "applies to a tpe search only (method: tpe)"}}},
		{"random search without validation", "name: x\ndataset: {train_limit: 500}\nsearch:\n  method: random\n  trials: 10\n",
			nil, []want{{"", 4, "search.method", "a random search needs dataset.validation > 0: it ranks trials on validation accuracy, never test accuracy (dataset.validation has 0)"}}},
		{"random search with a validation of 0 among others", "name: x\nsearch: {method: random, trials: 2}\ndataset: {validation: [0.2, 0]}\n",
			nil, []want{{"", 2, "search.method", "a random search needs dataset.validation > 0"}}},
		{"tpe search without validation", "name: x\nsearch: {method: tpe, trials: 10}\noptimizers: [{name: sgd, lr: {log_uniform: [1.0e-4, 1]}}]\n",
			nil, []want{{"", 2, "search.method", "a tpe search needs dataset.validation > 0"}}},
		{"more trials than the space holds", "name: x\nsearch: {method: random, trials: 3}\ndataset: {validation: 0.2}\nmodel: {batchnorm: [true, false]}\n",
			nil, []want{{"", 2, "search.trials", "must be at most 2, the number of distinct trials in the search space (got 3)"}}},
		{"too many runs: random", "name: x\nsearch:\n  method: random\n  trials: 20000\ndataset: {validation: 0.2}\nmodel: {dropout: {uniform: [0, 0.5]}}\n",
			nil, []want{{"", 4, "search.trials", "the search expands to 20000 runs, more than the limit of 10000: search.trials 20000 × train.seeds 1"}}},
		{"unknown pruning method", "name: x\ndataset: {validation: 0.2}\nprune: {method: hyperband}\n",
			nil, []want{{"", 3, "prune.method", `unknown pruning method "hyperband" (want median or asha)`}}},
		{"pruning without a method", "name: x\ndataset: {validation: 0.2}\nprune:\n  min_epochs: 3\n",
			nil, []want{{"", 3, "prune.method", "required: median or asha (or leave prune out)"}}},
		{"pruning min_epochs 0", "name: x\ndataset: {validation: 0.2}\nprune: {method: median, min_epochs: 0}\n",
			nil, []want{{"", 3, "prune.min_epochs", "must be >= 1 (got 0)"}}},
		{"asha eta 1", "name: x\ndataset: {validation: 0.2}\nprune:\n  method: asha\n  eta: 1\n",
			nil, []want{{"", 5, "prune.eta", "must be >= 2 (got 1)"}}},
		{"eta for median", "name: x\ndataset: {validation: 0.2}\nprune: {method: median, eta: 3}\n",
			nil, []want{{"", 3, "prune.eta", "does not apply to median, which takes min_epochs"}}},
		{"pruning without validation", "name: x\nprune: {method: median, min_epochs: 5}\n",
			nil, []want{{"", 2, "prune.method", "pruning needs dataset.validation > 0: it ranks runs on validation accuracy, never test accuracy"}}},
		{"prune not a mapping", "name: x\nprune: median\n",
			nil, []want{{"", 2, "prune", `want a mapping with keys method, min_epochs, eta (got "median")`}}},
		{"unknown prune key", "name: x\ndataset: {validation: 0.2}\nprune: {method: median, patience: 3}\n",
			nil, []want{{"", 3, "prune.patience", "unknown key (in prune the keys are method, min_epochs, eta)"}}},
		{"bad override: search key", "name: x\n", []string{"search.trial=3"},
			[]want{{"--set", 1, "search.trial", `unknown key "trial" (the keys of search are method, trials, batch, startup)`}}},
		{"bad override: trials", random, []string{"search.trials=0"},
			[]want{{"--set", 1, "search.trials", "must be >= 1 (got 0)"}}},
		{"bad override: distribution", "name: x\n", []string{"search={method: random, trials: 2}", "dataset.validation=0.1", "optimizers[0].lr={log_uniform: [0, 1e-2]}"},
			[]want{{"--set", 3, "optimizers[0].lr", "log_uniform bounds must be > 0 (got 0)"}}},
		{"too many runs", hugeGrid(10), nil,
			[]want{{"", 12, "train.seeds", "the grid expands to 1100000000000 runs, more than the limit of 10000"}}},
		{"too many runs to count", hugeGrid(200), nil,
			[]want{{"", 12, "train.seeds", "runs, more than an int can count"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			wantErrors(t, parseAndExpand(tt.yaml, tt.overrides), tt.want)
		})
	}
}

// TestParse_SyntaxErrorLines checks the lines of YAML syntax errors.
// yaml.v3 gives some of them the line where the mapping, list or string
// that holds the problem starts; the message must then say so.
func TestParse_SyntaxErrorLines(t *testing.T) {
	for _, tt := range []struct {
		name, yaml string
		want       string
	}{
		{"bad indent on line 6, in a mapping from line 3",
			"name: x\ntrain:\n  epochs: 1\n  seeds:\n    - 1\n   - 2\n",
			"exp.yaml:3: yaml: did not find expected key (in the mapping starting at line 3)"},
		{"key on line 4, in a list from line 3",
			"name: x\noptimizers:\n  - {name: sgd, lr: 0.1}\n  foo: 1\n",
			"exp.yaml:3: yaml: did not find expected '-' indicator (in the list starting at line 3)"},
		{"unclosed flow list",
			"name: x\ntrain:\n  seeds: [1, 2\n  batch_size: 3\n",
			"exp.yaml:3: yaml: did not find expected ',' or ']' (in the list starting at line 3)"},
		{"unclosed quoted string",
			"name: x\ndescription: \"abc\n\nfoo: 1\n",
			"exp.yaml:2: yaml: found unexpected end of stream (in the quoted string starting at line 2)"},
		{"after a byte order mark",
			"\ufeffname: x\ntrain:\n  epochs: 1\n  seeds:\n    - 1\n   - 2\n",
			"exp.yaml:3: yaml: did not find expected key (in the mapping starting at line 3)"},
		{"in the second document",
			"name: x\n---\ntrain:\n  epochs: 1\n  - 2\n",
			"exp.yaml:4: yaml: did not find expected key (in the mapping starting at line 4)"},
		// The top-level mapping starts on line 1: yaml.v3 gives the
		// problem's own line.
		{"bad indent in the top-level mapping",
			"name: x\nmodel:\n  hidden: [1]\n dropout: 0.5\n",
			"exp.yaml:4: yaml: did not find expected key"},
		{"bad end of a flow list from line 1",
			"seeds: [1, 2,\n  3}\n",
			"exp.yaml:2: yaml: did not find expected ',' or ']'"},
		{"problem at the start of a line",
			"name: x\nmodel:\n  hidden: [1]\n\tdropout: 0.5\n",
			"exp.yaml:4: yaml: found character that cannot start any token"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := sweep.Parse("exp.yaml", []byte(tt.yaml), nil)
			var list sweep.ErrorList
			if !errors.As(err, &list) || len(list) != 1 {
				t.Fatalf("error %v, want one", err)
			}
			if e := list[0]; e.Error() != tt.want || e.File != "exp.yaml" || e.Line < 1 || e.Field != "" {
				t.Errorf("error %q (file %q line %d field %q)\nwant %q", e, e.File, e.Line, e.Field, tt.want)
			}
		})
	}
}

// TestExpand_RefusesWithoutBuilding checks that Validate, Count and Expand
// size a grid or a random search from its axes, and that Expand refuses
// one of more runs than its limit before building or drawing any of them.
// Building the runs costs at least one allocation per run, so each of the
// three must make fewer allocations than the runs of the smallest of these
// files; the larger ones could not be built at all.
func TestExpand_RefusesWithoutBuilding(t *testing.T) {
	// maxAllocs is far fewer than the DefaultMaxRuns runs that each file
	// has at least, and about twice what validating the file of the most
	// values, hugeGrid(40), needs.
	const maxAllocs = sweep.DefaultMaxRuns / 4
	for _, tt := range []struct {
		name  string
		yaml  string
		count int // -1: more than an int can count
	}{
		{"grid just over the limit", "name: x\n" +
			"model: {dropout: [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]}\n" +
			"train: {epochs: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], seeds: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]}\n" +
			"optimizers: [{name: sgd, lr: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]}]\n", 11000},
		{"grid of 3 values an axis", hugeGrid(3), 708588},
		{"grid of 10 values an axis", hugeGrid(10), 1100000000000},
		{"grid too large to count", hugeGrid(40), -1},
		{"random search just over the limit", fmt.Sprintf("name: x\nsearch: {method: random, trials: %d}\n"+
			"dataset: {validation: 0.2}\nmodel: {dropout: {uniform: [0, 0.5]}}\n", sweep.DefaultMaxRuns+1), sweep.DefaultMaxRuns + 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, err := sweep.Parse("exp.yaml", []byte(tt.yaml), nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Validate(); err != nil {
				t.Fatalf("Validate() = %v", err)
			}
			n, err := s.Count()
			switch {
			case tt.count < 0 && err == nil:
				t.Errorf("Count() = %d, want an error", n)
			case tt.count >= 0 && (n != tt.count || err != nil):
				t.Errorf("Count() = %d, %v; want %d", n, err, tt.count)
			}
			runs, err := s.Expand(sweep.DefaultMaxRuns)
			var list sweep.ErrorList
			if !errors.As(err, &list) || len(list) != 1 || !strings.Contains(list[0].Msg, "runs, more than the limit of") {
				t.Fatalf("Expand() = %d runs, error %v; want one error of too many runs", len(runs), err)
			}

			if allocs := testing.AllocsPerRun(3, func() { _ = s.Validate() }); allocs > maxAllocs {
				t.Errorf("Validate() made %v allocations, want at most %d", allocs, maxAllocs)
			}
			if allocs := testing.AllocsPerRun(3, func() { _, _ = s.Count() }); allocs > maxAllocs {
				t.Errorf("Count() made %v allocations, want at most %d", allocs, maxAllocs)
			}
			if allocs := testing.AllocsPerRun(3, func() { _, _ = s.Expand(sweep.DefaultMaxRuns) }); allocs > maxAllocs {
				t.Errorf("Expand() made %v allocations to refuse the file, want at most %d", allocs, maxAllocs)
			}
		})
	}
}

// parseAndExpand parses src as exp.yaml and expands it, returning the first error.
func parseAndExpand(src string, overrides []string) error {
	s, err := sweep.Parse("exp.yaml", []byte(src), overrides)
	if err != nil {
		return err
	}
	if _, err := s.Count(); err != nil {
		return err
	}
	_, err = s.Expand(sweep.DefaultMaxRuns)
	return err
}

// hugeGrid returns a file whose grid has 12 axes of v values, but v+1
// seeds (on line 12), so that the error names the seeds as the largest axis.
func hugeGrid(v int) string {
	f := func(format string, scale float64) string {
		parts := make([]string, v)
		for i := range parts {
			parts[i] = fmt.Sprintf(format, float64(i)*scale)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	seeds := f("%g", 1)
	seeds = seeds[:len(seeds)-1] + fmt.Sprintf(", %d]", v)
	return "name: huge\n" +
		"dataset:\n" +
		"  train_limit: " + f("1%03g", 1) + "\n" +
		"  validation: " + f("%g", 0.001) + "\n" +
		"model:\n" +
		"  dropout: " + f("%g", 0.001) + "\n" +
		"  weight_decay: " + f("%g", 0.001) + "\n" +
		"  init: " + f("1%03g", 1) + "\n" +
		"train:\n" +
		"  epochs: " + f("1%03g", 1) + "\n" +
		"  batch_size: " + f("1%03g", 1) + "\n" +
		"  seeds: " + seeds + "\n" +
		"optimizers:\n" +
		"  - {name: momentum, lr: " + f("0.1%03g", 1) + ", momentum: " + f("%g", 0.001) + "}\n" +
		"schedules:\n" +
		"  - {name: step, every: " + f("1%03g", 1) + ", gamma: " + f("0.1%03g", 1) + "}\n"
}
