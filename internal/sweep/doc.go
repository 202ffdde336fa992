// Package sweep reads experiment files: YAML documents that describe a grid
// of training runs over optimizers, learning rates, decay schedules and the
// model, as in chapter 6 of "Deep Learning from Scratch". It parses a file,
// applies command-line overrides, fills in the book's defaults, validates
// every value, and expands the grid into one train.Config per run.
//
//	spec, err := sweep.Load("experiments/ch6.yaml", []string{"train.epochs=1"})
//	if err != nil {
//		return err // every problem, one per line: file:line: field: message
//	}
//	runs, err := spec.Expand(sweep.DefaultMaxRuns)
//
// # The format
//
// A complete file, with the defaults of the fields it leaves out noted:
//
//	name: ch6
//	description: optimizers × learning rates × decay schedules, book chapter 6
//	seed: 1
//	dataset:
//	  name: mnist
//	  train_limit: 0
//	  validation: 0.0
//	model:
//	  hidden: [100, 100, 100, 100]
//	  activation: relu
//	  init: he
//	  batchnorm: false
//	  dropout: 0.0
//	  weight_decay: 0.0
//	  precision: float32
//	train:
//	  epochs: 10
//	  batch_size: 100
//	  seeds: [1, 2, 3]
//	optimizers:
//	  - {name: sgd,      lr: [0.1, 0.01]}
//	  - {name: momentum, lr: [0.01, 0.001], momentum: 0.9}
//	  - {name: nesterov, lr: [0.01], momentum: 0.9}
//	  - {name: adagrad,  lr: [0.1, 0.01]}
//	  - {name: rmsprop,  lr: [0.001], decay_rate: 0.99}
//	  - {name: adam,     lr: [0.001, 0.0001], beta1: 0.9, beta2: 0.999}
//	schedules:
//	  - {name: constant}
//	  - {name: step, every: 4, gamma: 0.5}
//	  - {name: cosine, min_lr: 0.0, warmup: 1}
//
// It expands to 90 runs: 10 optimizer settings (2+2+1+2+1+2 learning rates)
// × 3 schedules × 3 seeds.
//
// The keys, their defaults (the book's) and their rules:
//
//	name          required   any non-empty text; groups the sweep's runs in results.db
//	description   ""         free text
//	seed          1          an integer: the sweep's seed. It becomes the runs'
//	                         dataset split_seed (the shuffle that picks the
//	                         validation images), and is 0 in runs with validation 0
//	dataset.name         mnist     mnist (the only dataset for now)
//	dataset.train_limit  0         the first N training images, 0 to 60000; 0 means
//	                               all (60000 is the same as 0)
//	dataset.validation   0.0       fraction of those images held out, in [0, 1)
//	model.hidden         [100, 100, 100, 100]
//	                               hidden-layer sizes, each >= 1; [] means none
//	                               (input 784 and output 10 are implied)
//	model.activation     relu      relu | sigmoid | tanh
//	model.init           he        he | xavier | a number > 0 (the weights' std)
//	model.batchnorm      false     true | false
//	model.dropout        0.0       ratio of hidden units dropped, in [0, 1)
//	model.weight_decay   0.0       the L2 coefficient λ, >= 0
//	model.precision      float32   float32 | float64
//	train.epochs         10        >= 1
//	train.batch_size     100       >= 1
//	train.seeds          [1]       one run per seed; any integers
//	optimizers           [{name: sgd, lr: 0.01}]
//	schedules            [{name: constant}]
//
// Any scalar under dataset, model or train may be given as a list, which
// makes it an axis of the grid: "epochs: [5, 10]" sweeps both. Since hidden
// is itself a list, a list of lists sweeps it: "hidden: [[50], [100, 100]]".
// A number written for init is kept in canonical form (1e-2 and 0.01 both
// become "0.01"). The top-level name, description and seed are not axes.
//
// Each entry of optimizers names an optimizer and gives its hyperparameters;
// lr is required, the others default to the book's values and only those
// the optimizer uses may be given:
//
//	sgd        lr > 0
//	momentum   lr, momentum in [0, 1) (0.9)
//	nesterov   lr, momentum in [0, 1) (0.9)
//	adagrad    lr, eps > 0 (1e-7)
//	rmsprop    lr, decay_rate in [0, 1) (0.99), eps (1e-7)
//	adam       lr, beta1 in [0, 1) (0.9), beta2 in [0, 1) (0.999), eps (1e-7)
//
// Each entry of schedules names a learning-rate schedule; all take warmup
// (epochs of linear warm-up before the schedule starts, an integer >= 0,
// default 0; a run no longer than its warm-up warms up throughout, so that
// --set train.epochs=1 still makes a quick smoke run):
//
//	constant       the rate stays lr
//	step           every (epochs between decays, >= 1, required),
//	               gamma (factor per decay, in (0, 1], default 0.1)
//	exponential    gamma (factor per epoch, in (0, 1], required)
//	inverse_time   k (lr/(1 + k·epoch), >= 0, required)
//	cosine         min_lr (the floor, >= 0 and below every lr in the
//	               file, default 0)
//
// The name of an entry is a single string. Any other field of an entry may
// be a list; the lists of one entry are crossed with each other only, so
// "{name: adam, lr: [0.001, 0.0001], beta1: [0.9, 0.5]}" gives 4 settings.
// Every optimizer setting is crossed with every schedule setting. Fields
// that do not apply to an entry's optimizer or schedule are zero in its
// train.Config.
//
// # Expansion
//
// The runs are the cartesian product of the axes, in this order (the first
// varies slowest, the seeds fastest):
//
//	dataset.name, dataset.train_limit, dataset.validation,
//	model.hidden, model.activation, model.init, model.batchnorm,
//	model.dropout, model.weight_decay, model.precision,
//	train.epochs, train.batch_size,
//	optimizers (entries in file order; within one: lr, momentum,
//	  decay_rate, beta1, beta2, eps),
//	schedules (entries in file order; within one: every, gamma, k,
//	  min_lr, warmup),
//	train.seeds
//
// Values keep the order they are written in. Expansion is a pure function:
// the same Spec gives the same runs in the same order, and Spec.Hash names
// that list. Spec.Count gives the number of runs without building them;
// Spec.Expand refuses a grid of more than its limit (DefaultMaxRuns, 10000,
// by default) before building any of it, so a mistyped 10^12-run grid
// fails at once.
//
// # Overrides
//
// An override, from the command line's --set, is path=value, with the value
// parsed as YAML and put in the file's place before the file is validated:
//
//	train.epochs=1
//	dataset.train_limit=500
//	train.seeds=[1,2]
//	model.hidden=[[50],[100,100]]
//	optimizers[0].lr=0.05
//	optimizers=[{name: adam, lr: 0.001}]
//	schedules[1]={name: exponential, gamma: 0.9}
//
// A path is a top-level key, section.key (dataset, model, train), list[i]
// or list[i].key (optimizers, schedules). Every key must be one the format
// knows; a known key the file leaves out is added, and naming an entry of
// a list the file leaves out starts from the list's default. The index
// must name an existing entry. Overrides apply in order; a later one wins.
//
// # Errors
//
// The file is decoded from the YAML node tree, so that every error has a
// line: keys that are not in the format (at any level), values of the
// wrong type, keys given twice, unknown names, values out of range, empty
// lists, a field that does not apply to an entry's optimizer or schedule,
// and values or entries that would repeat runs (two runs with the same
// train.Config key) are all errors. Anchors and aliases may be used; merge
// keys (<<) may not. Parse collects every error it finds into an
// ErrorList, printed one per line:
//
//	experiments/ch6.yaml:14: optimizers[2].lr: must be > 0 (got -0.1)
//	experiments/ch6.yaml:20: schedules[1].gamma: does not apply to cosine, which takes min_lr, warmup
//	--set:1: train.epoch: unknown key "epoch" (the keys of train are epochs, batch_size, seeds)
//
// A YAML syntax error has the line yaml.v3 gives it. For some errors that
// is the line where the mapping, list or string that holds the problem
// starts, and the message then says so:
//
//	experiments/ch6.yaml:3: yaml: did not find expected key (in the mapping starting at line 3)
//
// An error in an override has File "--set" and, for Line, the override's
// position (1 for the first). Each Error has File, Line, Field and Msg for
// callers that want them.
package sweep
