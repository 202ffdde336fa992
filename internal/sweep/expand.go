package sweep

import (
	"fmt"
	"math"
	"math/big"
	"slices"
	"strings"

	"runner/internal/train"
)

// axisLen is one axis of the grid, for counting and for messages.
type axisLen struct {
	path string
	n    int
}

// axes lists the grid's axes in expansion order, outermost first. The
// optimizers and schedules axes count the configurations of all their
// entries together.
func (s *Spec) axes() []axisLen {
	d, m, t := &s.Dataset, &s.Model, &s.Train
	return []axisLen{
		{"dataset.name", len(d.Name)},
		{"dataset.function", len(orZero(d.Function))},
		{"dataset.start", len(orZero(d.Start))},
		{"dataset.condition", len(orZero(d.Condition))},
		{"dataset.train_limit", len(d.TrainLimit)},
		{"dataset.validation", len(d.Validation)},
		{"model.hidden", len(m.Hidden)},
		{"model.activation", len(m.Activation)},
		{"model.init", len(m.Init)},
		{"model.batchnorm", len(m.BatchNorm)},
		{"model.dropout", len(m.Dropout)},
		{"model.weight_decay", len(m.WeightDecay)},
		{"model.precision", len(m.Precision)},
		{"train.epochs", len(t.Epochs)},
		{"train.batch_size", len(t.BatchSize)},
		{"optimizers", -1},
		{"schedules", -1},
		{"train.seeds", len(t.Seeds)},
	}
}

// entryAxis is one swept field of an optimizers or schedules entry.
type entryAxis[C any] struct {
	key string
	n   int
	str func(j int) string // value j, formatted for comparisons between entries
	set func(c *C, j int)  // sets value j in a config
}

// grid returns the axes of the entry e's grid: the fields (of
// optimizerFields or scheduleFields) that it has values for, in expansion
// order.
func grid[E, C any](fields []entryField[E, C], e *E) []entryAxis[C] {
	var g []entryAxis[C]
	for _, f := range fields {
		if f.given(e) {
			g = append(g, f.axis(e))
		}
	}
	return g
}

// expandEntry appends every config of one entry's grid to out.
func expandEntry[C any](base C, g []entryAxis[C], out []C) []C {
	lens := make([]int, len(g))
	for i, a := range g {
		lens[i] = a.n
	}
	odometer(lens, func(ix []int) {
		c := base
		for i, a := range g {
			a.set(&c, ix[i])
		}
		out = append(out, c)
	})
	return out
}

// gridSize is the number of configs of one entry's grid.
func gridSize[C any](g []entryAxis[C]) *big.Int {
	p := big.NewInt(1)
	for _, a := range g {
		p.Mul(p, big.NewInt(int64(a.n)))
	}
	return p
}

// bigCount returns the number of runs, exactly: the points of the grid,
// or the trials of a random search × the seeds.
func (s *Spec) bigCount() *big.Int {
	if s.Search.sampled() {
		return new(big.Int).Mul(bigInt(s.Search.Trials), bigInt(len(s.Train.Seeds)))
	}
	n := big.NewInt(1)
	for _, a := range s.axes() {
		switch a.path {
		case "optimizers":
			sum := new(big.Int)
			for i := range s.Optimizers {
				sum.Add(sum, gridSize(grid(optimizerFields, &s.Optimizers[i])))
			}
			n.Mul(n, sum)
		case "schedules":
			sum := new(big.Int)
			for i := range s.Schedules {
				sum.Add(sum, gridSize(grid(scheduleFields, &s.Schedules[i])))
			}
			n.Mul(n, sum)
		default:
			n.Mul(n, big.NewInt(int64(a.n)))
		}
	}
	return n
}

// Count returns the number of runs Expand would produce, without producing
// them: for a random search, search.trials × the seeds. Its error, an
// ErrorList, says the grid is too large to count in an int.
func (s *Spec) Count() (int, error) {
	n := s.bigCount()
	if !n.IsInt64() || n.Int64() > math.MaxInt {
		return 0, ErrorList{s.tooMany(n, "more than an int can count")}
	}
	return int(n.Int64()), nil
}

// tooMany reports a grid that is too large, at its largest axis, listing
// every axis of more than one value; or a random search, at its trials.
func (s *Spec) tooMany(n *big.Int, why string) *Error {
	if s.Search.sampled() {
		at := s.where("search.trials", 0)
		return &Error{File: at.file, Line: at.line, Field: "search.trials",
			Msg: fmt.Sprintf("the search expands to %s runs, %s: search.trials %d × train.seeds %d",
				n, why, s.Search.Trials, len(s.Train.Seeds))}
	}
	var parts []string
	largest := axisLen{"", 0}
	add := func(path string, n int) {
		if n > 1 {
			parts = append(parts, fmt.Sprintf("%s %d", path, n))
		}
		if n > largest.n {
			largest = axisLen{path, n}
		}
	}
	for _, a := range s.axes() {
		switch a.path {
		case "optimizers":
			add(a.path, len(s.Optimizers))
			for i := range s.Optimizers {
				for _, e := range grid(optimizerFields, &s.Optimizers[i]) {
					add(fmt.Sprintf("optimizers[%d].%s", i, e.key), e.n)
				}
			}
		case "schedules":
			add(a.path, len(s.Schedules))
			for i := range s.Schedules {
				for _, e := range grid(scheduleFields, &s.Schedules[i]) {
					add(fmt.Sprintf("schedules[%d].%s", i, e.key), e.n)
				}
			}
		default:
			add(a.path, a.n)
		}
	}
	at := s.where(largest.path, -1)
	return &Error{File: at.file, Line: at.line, Field: largest.path,
		Msg: fmt.Sprintf("the grid expands to %s runs, %s; this is its largest axis, and the axes of more than one value are %s",
			n, why, strings.Join(parts, " × "))}
}

// Expand returns one train.Config per run of the grid: the cartesian
// product of the axes in this order, outermost first: dataset.name,
// dataset.function, dataset.start, dataset.condition (those three for a
// function dataset only), dataset.train_limit, dataset.validation,
// model.hidden, model.activation,
// model.init, model.batchnorm, model.dropout, model.weight_decay,
// model.precision, train.epochs, train.batch_size, the optimizers entries
// (in file order, each one's lr, momentum, decay_rate, beta1, beta2, eps),
// the schedules entries (in file order, each one's every, gamma, k,
// min_lr, warmup), and train.seeds innermost.
//
// In a random search, Expand draws search.trials distinct trials from the
// stream seeded by the sweep's seed, in the order the package
// documentation gives, and crosses each with train.seeds (the seeds
// innermost). A tpe search's later trials depend on the results of the
// earlier ones: Expand returns its first batch only, the start-up trials,
// and a Proposer (NewProposer) gives every batch, the first one included.
//
// Expand is a pure function of s: the same Spec gives the same configs in
// the same order. It validates s first, and refuses a grid or search of
// more than maxRuns runs (DefaultMaxRuns if maxRuns <= 0) before building
// any of it. A non-nil error is an ErrorList.
func (s *Spec) Expand(maxRuns int) ([]train.Config, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if maxRuns <= 0 {
		maxRuns = DefaultMaxRuns
	}
	n := s.bigCount()
	if n.Cmp(big.NewInt(int64(maxRuns))) > 0 {
		return nil, ErrorList{s.tooMany(n, fmt.Sprintf("more than the limit of %d", maxRuns))}
	}
	if s.Search.Batched() {
		p, err := s.NewProposer()
		if err != nil {
			return nil, err
		}
		return p.Next()
	}
	if s.Search.sampled() {
		runs, err := s.expandRandom()
		return s.withLogging(runs), err
	}

	var opts []train.OptimizerConfig
	for i := range s.Optimizers {
		o := &s.Optimizers[i]
		opts = expandEntry(train.OptimizerConfig{Name: o.Name}, grid(optimizerFields, o), opts)
	}
	var scheds []train.ScheduleConfig
	for i := range s.Schedules {
		sc := &s.Schedules[i]
		scheds = expandEntry(train.ScheduleConfig{Name: sc.Name}, grid(scheduleFields, sc), scheds)
	}

	d, m, t := &s.Dataset, &s.Model, &s.Train
	functions, starts, conditions := orZero(d.Function), orZero(d.Start), orZero(d.Condition)
	lens := []int{
		len(d.Name), len(functions), len(starts), len(conditions), len(d.TrainLimit), len(d.Validation),
		len(m.Hidden), len(m.Activation), len(m.Init), len(m.BatchNorm), len(m.Dropout), len(m.WeightDecay), len(m.Precision),
		len(t.Epochs), len(t.BatchSize), len(opts), len(scheds), len(t.Seeds),
	}
	runs := make([]train.Config, 0, n.Int64())
	seen := make(map[string]int, n.Int64())
	var errs ErrorList
	odometer(lens, func(ix []int) {
		c := train.Config{
			Dataset: train.DatasetConfig{
				Name:       d.Name[ix[0]],
				Function:   functions[ix[1]],
				Start:      slices.Clone(starts[ix[2]]),
				Condition:  conditions[ix[3]],
				TrainLimit: d.TrainLimit[ix[4]],
				Validation: d.Validation[ix[5]],
			},
			Model: train.ModelConfig{
				Hidden:      append([]int{}, m.Hidden[ix[6]]...),
				Activation:  m.Activation[ix[7]],
				Init:        m.Init[ix[8]],
				BatchNorm:   m.BatchNorm[ix[9]],
				Dropout:     m.Dropout[ix[10]],
				WeightDecay: m.WeightDecay[ix[11]],
				Precision:   m.Precision[ix[12]],
			},
			Epochs:    t.Epochs[ix[13]],
			BatchSize: t.BatchSize[ix[14]],
			Optimizer: opts[ix[15]],
			Schedule:  scheds[ix[16]],
			Seed:      t.Seeds[ix[17]],
		}
		if c.Dataset.Validation > 0 {
			// The split seed only matters when images are held out; left
			// at zero otherwise, so the sweep's seed does not change the
			// keys of runs it cannot affect.
			c.Dataset.SplitSeed = s.Seed
		}
		functionRun(&c)
		key := c.Key()
		if j, dup := seen[key]; dup {
			// Validate rejects repeated values, so this is a bug.
			errs.add(s.where("", -1), "", "runs %d and %d have the same config %s", j, len(runs), c.CanonicalJSON())
			return
		}
		seen[key] = len(runs)
		runs = append(runs, c)
	})
	if err := errs.err(); err != nil {
		return nil, err
	}
	return s.withLogging(runs), nil
}

// orZero returns vals, or for no values one zero value: the one value of
// an axis that does not apply to the sweep (a function's start for MNIST).
func orZero[T any](vals []T) []T {
	if len(vals) == 0 {
		return make([]T, 1)
	}
	return vals
}

// functionRun clears, in the config of a function run, what does not
// apply to it: the images, the model and the batch size (their defaults
// in the Spec), and the condition of a function other than quadratic. An
// MNIST run is left alone.
func functionRun(c *train.Config) {
	if c.Dataset.Name != train.FunctionDataset {
		return
	}
	c.Dataset = train.DatasetConfig{Name: c.Dataset.Name, Function: c.Dataset.Function, Start: c.Dataset.Start,
		Condition: c.Dataset.Condition}
	if c.Dataset.Function != "quadratic" {
		c.Dataset.Condition = 0
	}
	c.Model = train.ModelConfig{}
	c.BatchSize = 0
}

// odometer calls fn with every index vector of a grid with the given axis
// lengths, in row-major order (the last index varying fastest). It calls
// fn once for no axes and never if an axis is empty. fn must not keep ix.
func odometer(lens []int, fn func(ix []int)) {
	for _, n := range lens {
		if n == 0 {
			return
		}
	}
	ix := make([]int, len(lens))
	for {
		fn(ix)
		k := len(ix) - 1
		for ; k >= 0; k-- {
			ix[k]++
			if ix[k] < lens[k] {
				break
			}
			ix[k] = 0
		}
		if k < 0 {
			return
		}
	}
}

// withLogging sets the sweep's logging options on its runs. They are not
// part of a run's key.
func (s *Spec) withLogging(runs []train.Config) []train.Config {
	for i := range runs {
		runs[i].LogSteps = s.LogSteps
		runs[i].LogLayers = s.LogLayers
	}
	return runs
}
