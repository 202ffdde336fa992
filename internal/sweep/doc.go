// Package sweep reads experiment files: YAML documents that describe a grid
// of training runs over optimizers, learning rates, decay schedules and the
// model, as in chapter 6 of "Deep Learning from Scratch", or a random
// search over them, as in its §6.5; or the paths of optimizers on
// two-dimensional test functions, as in its figure 6-8 (see Function
// datasets). It parses a file, applies command-line
// overrides, fills in the book's defaults, validates every value, and
// expands the grid (or draws the trials) into one train.Config per run.
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
//	                         validation images), and is 0 in runs with validation 0;
//	                         a random search's trials are drawn from it
//	log_steps     0          also record the minibatch loss every N training
//	                         steps (in the steps table), as the book's figures
//	                         do per iteration; 0 = per epoch only. Not part of
//	                         any run's key, nor of the spec's hash
//	log_layers    false      also record every hidden layer's statistics at
//	                         epoch 0 and after each epoch (layer_stats):
//	                         the mean, std, zeros, saturation and a 30-bin
//	                         histogram of its activations over a fixed probe
//	                         batch of 1,000 training images, its weight and
//	                         gradient RMS and its last update's size. A
//	                         logging option like log_steps
//	search.method        grid      grid (every point of the grid) | random |
//	                               halton (quasi-random points) | tpe (model-based;
//	                               see below)
//	search.trials        none      random, halton and tpe only: the number of trials, >= 1, required
//	search.batch         8         tpe only: the trials proposed together, >= 1
//	search.startup       10        tpe only: the Halton trials it starts with, 0 to
//	                               search.trials (default 10, or search.trials if fewer)
//	prune.method         none      median | asha; leave prune out (or null) for none
//	prune.min_epochs     1         epochs every run trains before it may be stopped, >= 1
//	prune.eta            3         asha only: the reduction factor, an integer >= 2
//	dataset.name         mnist     mnist | function (see Function datasets)
//	dataset.train_limit  0         the first N training images, 0 to 60000; 0 means
//	                               all (60000 is the same as 0)
//	dataset.validation   0.0       fraction of those images held out, in [0, 1)
//	dataset.function     none      function only, required: book | rosenbrock |
//	                               beale | himmelblau | rastrigin | quadratic
//	dataset.start        none      function only, required: the start point [x, y];
//	                               a list of points sweeps them
//	dataset.condition    10        function quadratic only: its condition number κ > 0
//	model.hidden         [100, 100, 100, 100]
//	                               hidden-layer sizes, each >= 1; [] means none
//	                               (input 784 and output 10 are implied)
//	model.activation     relu      relu | sigmoid | tanh
//	model.init           he        he | xavier | a number > 0 (the weights' std)
//	model.batchnorm      false     true | false
//	model.dropout        0.0       ratio of hidden units dropped, in [0, 1)
//	model.weight_decay   0.0       the L2 coefficient λ, >= 0
//	model.precision      float32   float32 | float64
//	train.epochs         10        >= 0; 0 trains nothing (epoch 0 only); for a
//	                               function dataset, the number of optimizer steps
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
// only those the optimizer uses may be given. For the book's six, lr is
// required and the others default to the book's values:
//
//	sgd        lr > 0
//	momentum   lr, momentum in [0, 1) (0.9)
//	nesterov   lr, momentum in [0, 1) (0.9)
//	adagrad    lr, eps > 0 (1e-7)
//	rmsprop    lr, decay_rate in [0, 1) (0.99), eps (1e-7)
//	adam       lr, beta1 in [0, 1) (0.9), beta2 in [0, 1) (0.999), eps (1e-7)
//
// The others default every hyperparameter, lr included, to their documented
// values (PyTorch's; the Lion paper's lr; the schedule-free reference
// implementation's). weight_decay is the optimizer's decoupled decay, >= 0,
// beside the model's L2 term model.weight_decay; Param and Varying call it
// decoupled_wd:
//
//	adamw      lr (0.001), beta1 (0.9), beta2 (0.999), eps (1e-8),
//	           weight_decay (0.01), amsgrad true | false (false)
//	amsgrad    adamw with amsgrad true: lr, beta1, beta2, eps, weight_decay
//	nadam      lr (0.002), beta1, beta2, eps (1e-8), momentum_decay >= 0 (0.004)
//	radam      lr (0.001), beta1, beta2, eps (1e-8)
//	lion       lr (0.0001), beta1 (0.9), beta2 (0.99), weight_decay (0)
//	sf_sgd     lr (1), momentum in (0, 1) (0.9), weight_decay (0)
//	sf_adamw   lr (0.0025), beta1 in (0, 1) (0.9), beta2 (0.999), eps (1e-8),
//	           weight_decay (0)
//
// Each entry of schedules names a learning-rate schedule; all but one_cycle
// and plateau take warmup
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
//	sgdr           cosine with warm restarts: period (epochs of the first
//	               cycle, >= 1, required), mult (each cycle mult times
//	               the one before, an integer >= 1, default 1), min_lr
//	one_cycle      no warmup: pct_start (the fraction of the run rising,
//	               in (0, 1), default 0.3), div_factor (the first rate is
//	               lr/div_factor, >= 1, default 25), final_div_factor (the
//	               last lr/(div_factor·final_div_factor), >= 1, default 1e4)
//	plateau        no warmup: monitor (train_loss, the default, or
//	               val_acc, which needs dataset.validation > 0), patience
//	               (>= 0, default 10), factor (in (0, 1), default 0.1),
//	               min_lr (default 0)
//
// The formulas and PyTorch semantics of the schedules are in package
// optim (SGDR, OneCycle, Plateau).
//
// The name of an entry is a single string. Any other field of an entry may
// be a list; the lists of one entry are crossed with each other only, so
// "{name: adam, lr: [0.001, 0.0001], beta1: [0.9, 0.5]}" gives 4 settings.
// Every optimizer setting is crossed with every schedule setting. Fields
// that do not apply to an entry's optimizer or schedule are zero in its
// train.Config.
//
// # Function datasets
//
// With dataset.name function, a run minimizes a two-dimensional test
// function (package objective) instead of training a network: it starts at
// dataset.start and takes one step of its optimizer per epoch, so
// train.epochs is the number of steps, and a schedule's epochs are steps
// (step: {every: 10} decays every 10 steps). Every step is recorded with
// the position, the function's value (the epoch's train_loss) and the
// distance to the nearest minimum; the accuracies are NULL. The book's
// figure 6-8, 30 steps of four optimizers from (−7, 2) on x²/20 + y²:
//
//	name: optimizer-paths
//	dataset: {name: function, function: book, start: [-7, 2]}
//	train: {epochs: 30}
//	optimizers:
//	  - {name: sgd, lr: 0.95}
//	  - {name: momentum, lr: 0.1}
//	  - {name: adagrad, lr: 1.5}
//	  - {name: adam, lr: 0.3}
//
// The functions, each with its minimum:
//
//	book        x²/20 + y²                     0 at (0, 0)
//	rosenbrock  (1−x)² + 100(y−x²)²            0 at (1, 1)
//	beale       (1.5−x+xy)² + (2.25−x+xy²)² + (2.625−x+xy³)²
//	                                           0 at (3, 0.5)
//	himmelblau  (x²+y−11)² + (x+y²−7)²         0 at four points, (3, 2) among them
//	rastrigin   20 + Σ (xᵢ² − 10 cos(2πxᵢ))    0 at (0, 0)
//	quadratic   ½(x² + κy²)                    0 at (0, 0); κ = condition
//
// dataset.function and dataset.start are required; a start point is a
// list of two finite numbers, and a list of points ("start: [[-7, 2],
// [0, 2]]") is an axis. dataset.condition takes a number > 0 (a list is an
// axis) and applies to quadratic only: it defaults to 10 when
// dataset.function names quadratic, and is an error otherwise. Several
// condition numbers need quadratic alone in dataset.function, since the
// runs of the other functions would repeat. The functions, the start
// points and the condition numbers cross with each other and with the
// optimizers and schedules as any axes do.
//
// A function run has no images, no network, no batches and no randomness,
// so the MNIST-only keys are errors in a function sweep when given (in the
// file or with --set): dataset.train_limit, dataset.validation, every key
// of model, train.batch_size, log_steps (every step is recorded already)
// and log_layers; so are more than one train.seeds (the runs would repeat)
// and prune (it ranks runs on validation accuracy). Their defaults stay in
// the Spec, and the runs' train.Config leave them zero (no model, batch
// size 0), so that they say nothing in a run's key. dataset.function,
// dataset.start and dataset.condition are errors in an MNIST sweep, and
// function cannot be crossed with mnist in dataset.name. A function run
// always computes in float64.
//
// # Expansion
//
// The runs are the cartesian product of the axes, in this order (the first
// varies slowest, the seeds fastest):
//
//	dataset.name, dataset.function, dataset.start, dataset.condition,
//	dataset.train_limit, dataset.validation,
//	model.hidden, model.activation, model.init, model.batchnorm,
//	model.dropout, model.weight_decay, model.precision,
//	train.epochs, train.batch_size,
//	optimizers (entries in file order; within one: lr, momentum,
//	  decay_rate, beta1, beta2, eps, weight_decay, amsgrad,
//	  momentum_decay),
//	schedules (entries in file order; within one: every, gamma, k,
//	  min_lr, warmup, period, mult, pct_start, div_factor,
//	  final_div_factor, monitor, patience, factor),
//	train.seeds
//
// A random search draws its runs instead; see below. Values keep the order
// they are written in. Expansion is a pure function:
// the same Spec gives the same runs in the same order, and Spec.Hash names
// that list. Spec.Count gives the number of runs without building them;
// Spec.Expand refuses a grid of more than its limit (DefaultMaxRuns, 10000,
// by default) before building any of it, so a mistyped 10^12-run grid
// fails at once.
//
// # Random search
//
// A random search draws search.trials points of the space the file
// describes, rather than crossing its axes. The book's §6.5 search, as in
// testdata/ch6-hyperparams.yaml:
//
//	name: ch6-hyperparams
//	seed: 1
//	search: {method: random, trials: 100}
//	prune: {method: median, min_epochs: 5}
//	dataset: {train_limit: 500, validation: 0.2}
//	model:
//	  hidden: [100, 100, 100, 100, 100, 100]
//	  weight_decay: {log_uniform: [1.0e-8, 1.0e-4]}
//	train: {epochs: 50, batch_size: 100, seeds: [1]}
//	optimizers:
//	  - {name: sgd, lr: {log_uniform: [1.0e-6, 1.0e-2]}}
//
// It expands to 100 runs. Any field of dataset, model or train but the
// seeds, and any field of an optimizers or schedules entry but its name,
// may be a distribution: a mapping of one of these keys.
//
//	uniform: [a, b]        a real number in [a, b], all equally likely; a < b
//	log_uniform: [a, b]    a real number whose logarithm is uniform in
//	                       [ln a, ln b]; 0 < a < b
//	int_uniform: [a, b]    an integer from a to b, both included, each as
//	                       likely; a < b, both integers
//	choice: [v1, v2, ...]  one of the values, each as likely: numbers,
//	                       names, true or false, or for hidden lists of sizes
//
// uniform and log_uniform are for the fields that take real numbers:
// dataset.validation, dataset.condition, model.init, model.dropout,
// model.weight_decay, and
// lr, momentum, decay_rate, beta1, beta2, eps, gamma, k and min_lr.
// int_uniform is for those that take integers: dataset.train_limit (whose
// bounds must be >= 1, since 0 means all the images), train.epochs,
// train.batch_size, every and warmup. choice is for any field. Both bounds
// must be values the field accepts ({uniform: [0, 0.5]} for dropout, not
// [0, 1]), and the limits between fields apply to them (a cosine min_lr
// below every lr). A number drawn for init is kept in canonical form. In a
// random search a list is a choice and a scalar a choice of one, so
// "activation: [relu, tanh]" draws one of the two.
//
// Each trial draws one value for each field that has more than one, in
// this order: dataset.name, dataset.function, dataset.start,
// dataset.condition, dataset.train_limit, dataset.validation,
// model.hidden, model.activation, model.init, model.batchnorm,
// model.dropout, model.weight_decay, model.precision, train.epochs,
// train.batch_size; then one optimizers entry, each entry as likely (the
// entries are drawn from, not crossed, as in W&B and Optuna), and that
// entry's lr, momentum, decay_rate, beta1, beta2 and eps; then one
// schedules entry, and its every, gamma, k, min_lr and warmup. Fields the
// drawn entry does not take are zero, as in a grid.
//
// The draws come from one stream, math/rand/v2's PCG seeded with the
// sweep's seed and 0x72616e646f6d ("random"). For an output x, a uniform
// draw is a + (b−a)·u and a log_uniform one exp(ln a + (ln b − ln a)·u),
// clamped to [a, b], where u = (x >> 11)·2⁻⁵³ is in [0, 1); an index among
// n (of a choice, the entries, or int_uniform's b−a+1 integers) is the
// high word of x·n, by Lemire's method (the rare biased x is rejected and
// the next one taken). So the same file and overrides give the same trials,
// another seed other trials, and fewer trials (--set search.trials=10) the
// first of them. A drawn number is kept as drawn, at full precision, in
// the run's config. (math.Log and math.Exp may differ in the last bit
// between processor architectures, and a log_uniform draw with them.)
//
// A Halton search (search: {method: halton, trials: N}) draws from the
// same distributions and choices, in the same order, but its numbers are
// the coordinates of quasi-random points rather than random draws: trial i
// takes point i of Owen's scrambled Halton sequence, its first draw the
// point's coordinate in base 2, its second in base 3, its third in base
// 5, and so on (an index among n is ⌊n·x⌋). The digit permutations that
// scramble the sequence come from a PCG seeded with the sweep's seed and
// 0x68616c746f6e ("halton"), so the points depend on the seed alone. The
// first 2^m trials put exactly one first coordinate in each of 2^m equal
// intervals, the first 3^m one second coordinate in each of 3^m, and a few
// dozen trials cover a two- or three-dimensional space far more evenly
// than as many random ones (a star discrepancy of 0.02 where random points
// have 0.09, for 256 points in the square). (Sobol points would need a
// published table of direction numbers; Halton points need only the
// primes.)
//
// A tpe search (search: {method: tpe, trials: N, batch: B, startup: S})
// starts with the first S trials of the Halton search of the same seed,
// and then proposes B trials at a time by TPE from the results of the
// trials before (see Proposer; Expand returns the start-up trials only).
// TPE models the same fields, in the same order, each on the scale it is
// drawn on; an entry's fields are conditional on the choice of the entry.
// A tpe search needs at least one distribution: over lists alone it would
// search a finite grid, which is an error at search.method.
//
// A trial that repeats an earlier one, with the same config, is drawn
// again from the stream (a Halton search: from the next point), so that the search has search.trials distinct
// trials. A search whose space holds fewer (only a few choices, say) is
// an error at search.trials.
//
// Each trial is crossed with train.seeds, like a point of the grid: seeds
// are repeats of every trial, not a hyperparameter, and cannot be a
// distribution. The runs are the trials in the order drawn, each with the
// seeds innermost: search.trials × the seeds of them, a number that
// Expand's limit applies to.
//
// A random search ranks its trials on validation accuracy, never on test
// accuracy, so it needs dataset.validation > 0 (every value of it); a
// random search over a function dataset, which has no validation, is
// judged by its runs' final value or distance instead (runner compare
// --metric train_loss). A distribution in a grid search is an error at its
// line, and so is search.trials.
//
// # Pruning
//
// prune lets the runner stop a run that lags behind the others before
// its last epoch, in a grid search as in a random one:
//
//	prune: {method: median, min_epochs: 5}
//	prune: {method: asha, min_epochs: 1, eta: 3}
//
// median stops a run, after any epoch from min_epochs on, whose validation
// accuracy is below the median of the other runs' at that epoch (as
// Optuna's MedianPruner). asha is asynchronous successive halving: at
// min_epochs, min_epochs·eta, min_epochs·eta², ... epochs, a run goes on
// only if its validation accuracy is in the best 1/eta of the runs that
// have got that far. eta does not apply to median. A run no longer than
// min_epochs is never stopped, so --set train.epochs=1 still makes a
// smoke run. Pruning ranks runs on validation accuracy too, so it needs
// dataset.validation > 0, and does not apply to a function dataset.
//
// Pruning belongs to the sweep, not to its runs: it changes no run's
// config or key, though it changes Spec.Hash. This package reads and
// checks it into Spec.Prune; the runner applies it.
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
//	search.trials=10
//	optimizers[0].lr={log_uniform: [1e-6, 1e-2]}
//	prune=null
//
// A path is a top-level key, section.key (search, prune, dataset, model,
// train), list[i] or list[i].key (optimizers, schedules). Every key must be one the format
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
// distributions that are malformed or in a grid search, and values or
// entries that would repeat runs (two runs with the same train.Config key)
// are all errors. Anchors and aliases may be used; merge
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
