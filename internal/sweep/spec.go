package sweep

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"slices"

	"runner/internal/train"
)

// DefaultMaxRuns is the largest grid Expand materialises when it is given
// no limit of its own (maxRuns <= 0).
const DefaultMaxRuns = 10000

// Spec is a parsed, defaulted and validated experiment file. Every swept
// field is a list of values (an axis); a field given as a scalar is an axis
// of one value. Parse fills in every default, so a Spec is explicit: two
// files that mean the same runs give equal Specs and equal Hashes.
//
// In a random search (Search.Method "random") an axis is what a trial draws
// its value from: one of the values, each as likely, or, for a field named
// in Dists, a number between the axis's two values.
type Spec struct {
	Name        string // groups the sweep's runs in results.db; required
	Description string // free text; not part of Hash
	Seed        int64  // the sweep's seed: DatasetConfig.SplitSeed of runs that hold out images, and a random search's draws

	Search Search // how runs are picked from the axes: every point of the grid (the default), or random trials
	Prune  Prune  // when the runner may stop a run early; the zero value never does. It changes no run's config or key

	// LogSteps asks the trainer to record the training loss every LogSteps
	// steps in the steps table as well (0, the default: per epoch only). It
	// is a logging option: it changes no run's metrics or key, and is not
	// part of Hash.
	LogSteps int

	// LogLayers asks the trainer to record the statistics of every hidden
	// layer (activations over a fixed probe batch, weight and gradient
	// RMS) at epoch 0 and after every epoch, in the layer_stats table. A
	// logging option like LogSteps.
	LogLayers bool

	// Dists names the distribution a random search draws a field from,
	// by the field's path ("model.weight_decay", "optimizers[0].lr"):
	// "uniform", "log_uniform" or "int_uniform". The field's axis then
	// holds two values, the low and high bounds. A choice is not in Dists:
	// its values are the axis. Nil when no field has a distribution.
	Dists map[string]string

	File      string   // the file name as given to Parse, used in errors
	Source    []byte   // the file's bytes as given to Parse, before overrides
	Overrides []string // the --set overrides applied on top of Source, in order

	Dataset    DatasetAxes
	Model      ModelAxes
	Train      TrainAxes
	Optimizers []OptimizerAxes // each entry crossed with every schedule
	Schedules  []ScheduleAxes

	locs   map[string]*fieldLoc // where each field and value came from, for errors
	failed map[string]bool      // fields that failed to decode; Validate skips them
}

// Search says how the runs are picked from the axes.
type Search struct {
	Method string `json:"method"`           // "grid" (the default): every point; "random": Trials draws; "halton": Trials quasi-random points; "tpe": Trials proposals
	Trials int    `json:"trials,omitempty"` // random, halton, tpe: the number of trials, each crossed with Train.Seeds; 0 for grid
	// Batch and Startup are a tpe search's: the trials proposed together
	// from the same finished trials (DefaultBatch if not given), and the
	// start-up trials, Halton points, before the first proposal
	// (DefaultStartup, or Trials if fewer). 0 for the other methods.
	Batch   int `json:"batch,omitempty"`
	Startup int `json:"startup,omitempty"`
}

// The defaults of a tpe search.
const (
	// DefaultBatch is the number of trials a tpe search proposes at a
	// time. It is a constant, not the number of workers: the proposals
	// depend on it, and a sweep's runs must not depend on -j.
	DefaultBatch = 8
	// DefaultStartup is the number of Halton trials a tpe search begins
	// with: Optuna's n_startup_trials; TPE needs about ten trials before
	// it does better than random points.
	DefaultStartup = 10
)

// sampled reports whether the search draws its trials (random, halton,
// tpe) from the distributions and choices rather than running a grid.
func (s Search) sampled() bool {
	return s.Method == "random" || s.Method == "halton" || s.Method == "tpe"
}

// Batched reports whether the search proposes its trials batch by batch
// from the results of the earlier ones (tpe), so that Expand returns only
// the first batch and a Proposer the others.
func (s Search) Batched() bool { return s.Method == "tpe" }

// Prune is the rule by which the runner stops unpromising runs early,
// ranking them on validation accuracy. It belongs to the sweep, not to its
// runs: it changes no run's config or key. This package only reads and
// checks it.
type Prune struct {
	Method    string `json:"method"`        // "" (none, the default), "median" or "asha"
	MinEpochs int    `json:"min_epochs"`    // epochs every run trains before it may be stopped, >= 1 (1)
	Eta       int    `json:"eta,omitempty"` // asha: the reduction factor, >= 2 (3); 0 for median
}

// DatasetAxes are the values swept for train.DatasetConfig. TrainLimit
// holds 0 for all the training images, which Parse also stores for 60000.
//
// Function, Start and Condition are the axes of a function dataset (Name
// ["function"]): the objective functions, the start points [x, y] and the
// condition numbers of quadratic (Parse gives it [10] when Function holds
// quadratic and the file gives none). They are nil for MNIST, and
// Condition is nil when no function takes it; a function sweep keeps the
// defaults of the MNIST-only axes (train_limit, validation, the model,
// batch_size), which its runs leave zero.
type DatasetAxes struct {
	Name       []string  `json:"name"`
	TrainLimit []int     `json:"train_limit"`
	Validation []float64 `json:"validation"`

	Function  []string    `json:"function,omitempty"`
	Start     [][]float64 `json:"start,omitempty"`
	Condition []float64   `json:"condition,omitempty"`
}

// functionSweep reports whether s minimizes objective functions rather
// than training on MNIST: its dataset.name is function (Validate refuses
// function crossed with another dataset).
func (s *Spec) functionSweep() bool {
	return slices.Contains(s.Dataset.Name, train.FunctionDataset)
}

// ModelAxes are the values swept for train.ModelConfig. Init holds
// canonical strings: "he", "xavier" or a number as formatted by
// strconv.FormatFloat(v, 'g', -1, 64). Parse stores them so; Validate,
// Expand and Hash take them as they are.
type ModelAxes struct {
	Hidden      [][]int   `json:"hidden"`
	Activation  []string  `json:"activation"`
	Init        []string  `json:"init"`
	BatchNorm   []bool    `json:"batchnorm"`
	Dropout     []float64 `json:"dropout"`
	WeightDecay []float64 `json:"weight_decay"`
	Precision   []string  `json:"precision"`
}

// TrainAxes are the values swept for the epochs, the batch size and the
// seed of train.Config. Seeds are the innermost axis of the grid.
type TrainAxes struct {
	Epochs    []int   `json:"epochs"`
	BatchSize []int   `json:"batch_size"`
	Seeds     []int64 `json:"seeds"`
}

// OptimizerAxes is one entry of the optimizers list: an optimizer and the
// values swept for its hyperparameters, crossed with each other only. The
// fields that do not apply to Name are nil.
type OptimizerAxes struct {
	Name      string    `json:"name"`
	LR        []float64 `json:"lr"`
	Momentum  []float64 `json:"momentum,omitempty"`
	DecayRate []float64 `json:"decay_rate,omitempty"`
	Beta1     []float64 `json:"beta1,omitempty"`
	Beta2     []float64 `json:"beta2,omitempty"`
	Eps       []float64 `json:"eps,omitempty"`

	WeightDecay   []float64 `json:"weight_decay,omitempty"`
	AMSGrad       []bool    `json:"amsgrad,omitempty"`
	MomentumDecay []float64 `json:"momentum_decay,omitempty"`
}

// ScheduleAxes is one entry of the schedules list: a learning-rate schedule
// and the values swept for its parameters, crossed with each other only.
// The fields that do not apply to Name are nil.
type ScheduleAxes struct {
	Name   string    `json:"name"`
	Every  []int     `json:"every,omitempty"`
	Gamma  []float64 `json:"gamma,omitempty"`
	K      []float64 `json:"k,omitempty"`
	MinLR  []float64 `json:"min_lr,omitempty"`
	Warmup []int     `json:"warmup,omitempty"`

	Period         []int     `json:"period,omitempty"`
	Mult           []int     `json:"mult,omitempty"`
	PctStart       []float64 `json:"pct_start,omitempty"`
	DivFactor      []float64 `json:"div_factor,omitempty"`
	FinalDivFactor []float64 `json:"final_div_factor,omitempty"`
	Monitor        []string  `json:"monitor,omitempty"`
	Patience       []int     `json:"patience,omitempty"`
	Factor         []float64 `json:"factor,omitempty"`
}

// defaultSpec returns the book's defaults: a Spec as if every key but name
// were left out of the file.
func defaultSpec() Spec {
	return Spec{
		Seed:   1,
		Search: Search{Method: "grid"},
		Dataset: DatasetAxes{
			Name:       []string{"mnist"},
			TrainLimit: []int{0},
			Validation: []float64{0},
		},
		Model: ModelAxes{
			Hidden:      [][]int{{100, 100, 100, 100}},
			Activation:  []string{"relu"},
			Init:        []string{"he"},
			BatchNorm:   []bool{false},
			Dropout:     []float64{0},
			WeightDecay: []float64{0},
			Precision:   []string{"float32"},
		},
		Train: TrainAxes{
			Epochs:    []int{10},
			BatchSize: []int{100},
			Seeds:     []int64{1},
		},
		Optimizers: []OptimizerAxes{{Name: "sgd", LR: []float64{0.01}}},
		Schedules:  []ScheduleAxes{{Name: "constant", Warmup: []int{0}}},
	}
}

// Parse reads an experiment file: the defaults, then the YAML in src (file
// names it in errors), then the overrides ("path=value", see the package
// documentation), then Validate. A non-nil error is an ErrorList holding
// every problem found, each with its file, line and field.
func Parse(file string, src []byte, overrides []string) (*Spec, error) {
	s := defaultSpec()
	s.File = file
	s.Source = bytes.Clone(src)
	s.Overrides = slices.Clone(overrides)

	d := newDecoder(file)
	root := d.parse(src)
	if root != nil {
		d.override(root, overrides)
		d.spec(root, &s)
	}
	s.locs, s.failed = d.locs, d.failed
	if len(d.dists) > 0 {
		s.Dists = d.dists
	}
	if root == nil {
		// A syntax error: nothing was decoded, so there is nothing to validate.
		return nil, d.errs.err()
	}
	errs := append(d.errs, s.validate()...)
	if err := errs.err(); err != nil {
		return nil, err
	}
	return &s, nil
}

// Load reads the experiment file at path and parses it with Parse.
func Load(path string, overrides []string) (*Spec, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read experiment file: %w", err)
	}
	return Parse(path, src, overrides)
}

// hashVersion starts the hashed form, so that a change to it changes every hash.
const hashVersion = "runner/sweep.Spec v1\n"

// Hash returns the hex SHA-256 of the spec's canonical JSON: its name, seed
// and every axis with the defaults filled in, and, when they are not the
// defaults, its search (with its distributions) and its pruning rule.
// Comments, layout, key order, a scalar written as a one-element list, a
// list written as a choice, a default written out or left implicit, and
// the description do not change it; the overrides do (they change the
// axes). Reordering list entries changes it, since it changes the order of
// the runs (or, in a random search, the trials drawn). A grid file hashes
// as it did before random search existed.
func (s *Spec) Hash() string {
	form := struct {
		Name       string            `json:"name"`
		Seed       int64             `json:"seed"`
		Search     *Search           `json:"search,omitempty"`
		Dists      map[string]string `json:"distributions,omitempty"`
		Prune      *Prune            `json:"prune,omitempty"`
		Dataset    DatasetAxes       `json:"dataset"`
		Model      ModelAxes         `json:"model"`
		Train      TrainAxes         `json:"train"`
		Optimizers []OptimizerAxes   `json:"optimizers"`
		Schedules  []ScheduleAxes    `json:"schedules"`
	}{Name: s.Name, Seed: s.Seed, Dists: s.Dists, Dataset: s.Dataset, Model: s.Model, Train: s.Train,
		Optimizers: s.Optimizers, Schedules: s.Schedules}
	if s.Search.Method != "grid" {
		form.Search = &s.Search
	}
	if s.Prune != (Prune{}) {
		form.Prune = &s.Prune
	}
	form.Model.Hidden = make([][]int, len(s.Model.Hidden))
	for i, h := range s.Model.Hidden {
		form.Model.Hidden[i] = append([]int{}, h...) // [] rather than null for no hidden layers
	}
	b, err := json.Marshal(form)
	if err != nil {
		// Only NaN or Inf can fail, and Validate rejects them; a Spec
		// built by hand may still hold one.
		panic("sweep: hash spec: " + err.Error())
	}
	sum := sha256.Sum256(append([]byte(hashVersion), b...))
	return hex.EncodeToString(sum[:])
}
