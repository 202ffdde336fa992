package sweep

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"slices"

	"runner/internal/tpe"
	"runner/internal/train"
)

// A tpe search (search: {method: tpe}) proposes its trials in batches.
// Batch 0 holds the search.startup start-up trials, the first points of
// the Halton search of the same seed; every later batch holds
// search.batch trials (the last one what is left) proposed by TPE
// (package tpe) from the finished trials of the batches before it, in
// sweep order, with the sweep's seed and the batch's number. No trial of
// a batch is proposed from another trial of the same batch, so a batch's
// trials are the same whether they train one at a time or all at once.
//
// The space TPE models is the one the random and Halton searches draw
// from, field by field, on the scale they draw on: a number drawn from
// uniform or log_uniform is the fraction u ∈ [0, 1] of the way between its
// bounds (on the log scale for log_uniform, so TPE's kernels are on that
// scale too); int_uniform draws the integer's offset from its low bound,
// an ordered integer; a list of several values is a categorical choice of
// one of them, as is the optimizers (schedules) entry when there are
// several. The fields of an entry are conditional on its choice: they
// exist only in the trials of that entry (momentum only under momentum or
// nesterov, beta1 only under adam), as tpe.Param.When says.

// A RunResult is how one run of a proposed batch ended, as a Proposer
// ranks it.
type RunResult struct {
	Status train.Status
	Epochs []train.EpochMetrics // the epochs it reported, epoch 0 first
}

// A Proposer gives the runs of a tpe search batch by batch: Next returns
// a batch's runs, and Report their results, which the next batch is
// proposed from. The same spec and the same results give the same batches.
type Proposer struct {
	spec    *Spec
	space   *tpe.Space
	halton  *haltonDrawer
	trials  []proposal
	seen    map[string]bool
	batch   int // the batches returned by Next
	waiting int // the runs of the last batch, until Report
}

// proposal is a trial of the search: the values of its fields in the
// space TPE models, and once reported, its rank key.
type proposal struct {
	values map[string]float64
	tier   int     // math.MaxInt for a finished trial, the epoch it reached for a pruned one
	value  float64 // mean of its runs' values, higher better; NaN for the worst
}

// NewProposer returns the Proposer of a tpe search. s must be valid
// (Validate).
func (s *Spec) NewProposer() (*Proposer, error) {
	if !s.Search.Batched() {
		return nil, fmt.Errorf("sweep: a %s search has no proposer", s.Search.Method)
	}
	space, err := s.tpeSpace()
	if err != nil {
		return nil, err
	}
	return &Proposer{spec: s, space: space, halton: newHaltonDrawer(s.Seed), seen: map[string]bool{}}, nil
}

// Space returns the space TPE models, for tests and analyses: each
// parameter named by its field's path.
func (p *Proposer) Space() *tpe.Space { return p.space }

// Batch returns the number of the batch Next returns next.
func (p *Proposer) Batch() int { return p.batch }

// Next returns the runs of the next batch, each trial crossed with the
// seeds (seeds innermost), or nil when every trial has been proposed. The
// results of the batch before must have been reported.
func (p *Proposer) Next() ([]train.Config, error) {
	if p.waiting > 0 {
		return nil, errors.New("sweep: Next before the results of the last batch were reported")
	}
	s := p.spec
	left := s.Search.Trials - len(p.trials)
	if left <= 0 {
		return nil, nil
	}
	var configs []train.Config
	var err error
	if p.batch == 0 && s.Search.Startup > 0 {
		configs, err = p.startup(min(s.Search.Startup, left))
	} else {
		configs, err = p.propose(min(s.Search.Batch, left))
	}
	if err != nil {
		return nil, err
	}
	p.batch++
	var runs []train.Config
	for _, c := range configs {
		for _, seed := range s.Train.Seeds {
			run := c
			run.Model.Hidden = slices.Clone(c.Model.Hidden)
			run.Dataset.Start = slices.Clone(c.Dataset.Start)
			run.Seed = seed
			runs = append(runs, run)
		}
	}
	p.waiting = len(runs)
	return s.withLogging(runs), nil
}

// startup draws the first n distinct trials of the Halton search.
func (p *Proposer) startup(n int) ([]train.Config, error) {
	var out []train.Config
	for draws := 0; len(out) < n; draws++ {
		if draws == maxDraws(n) {
			return nil, p.tooFew(len(out), n)
		}
		p.halton.nextTrial()
		rec := &recorder{drawer: p.halton, values: map[string]float64{}}
		c := p.spec.drawTrial(rec)
		if p.add(c, rec.values) {
			out = append(out, c)
		}
	}
	return out, nil
}

// propose returns n distinct trials proposed by TPE from the reported
// ones. A proposal that repeats a trial is passed over for the next one
// of the batch's stream; if TPE keeps repeating itself (a small space
// it has converged on), the trials are drawn from the prior instead.
func (p *Proposer) propose(n int) ([]train.Config, error) {
	history := p.history()
	var out []train.Config
	for _, hist := range [][]tpe.Trial{history, nil} {
		batch := p.batch
		if hist == nil {
			batch = -1 - p.batch // another stream than the model's
		}
		m := n
		for i := 0; len(out) < n && i < maxDraws(n); m *= 2 {
			props, err := tpe.Propose(p.space, hist, min(m, maxDraws(n)), p.spec.Seed, batch)
			if err != nil {
				return nil, fmt.Errorf("sweep: tpe batch %d: %w", p.batch, err)
			}
			for ; i < len(props) && len(out) < n; i++ {
				c := p.spec.drawTrial(valueDrawer(props[i]))
				if p.add(c, props[i]) {
					out = append(out, c)
				}
			}
		}
		if len(out) == n {
			return out, nil
		}
	}
	return nil, p.tooFew(len(p.trials), p.spec.Search.Trials)
}

func (p *Proposer) tooFew(found, want int) error {
	var errs ErrorList
	errs.add(p.spec.where("search.trials", 0), "search.trials",
		"found only %d distinct trials: the search space is too small for %d", found, want)
	return errs
}

// add records the trial c of the given values unless it repeats one.
func (p *Proposer) add(c train.Config, values map[string]float64) bool {
	key := c.Key()
	if p.seen[key] {
		return false
	}
	p.seen[key] = true
	p.trials = append(p.trials, proposal{values: values, value: math.NaN()})
	return true
}

// Report gives the results of the runs of the batch Next returned last,
// in its order.
func (p *Proposer) Report(results []RunResult) error {
	if len(results) != p.waiting {
		return fmt.Errorf("sweep: %d results reported for a batch of %d runs", len(results), p.waiting)
	}
	seeds := len(p.spec.Train.Seeds)
	first := len(p.trials) - p.waiting/seeds
	fn := p.spec.functionSweep()
	for t := range p.waiting / seeds {
		tr := &p.trials[first+t]
		tr.tier, tr.value = math.MaxInt, 0
		for _, r := range results[t*seeds : (t+1)*seeds] {
			tier, v := runScore(r, fn)
			tr.tier = min(tr.tier, tier)
			tr.value += v / float64(seeds)
		}
	}
	p.waiting = 0
	return nil
}

// runScore ranks a run: a run that trained all its epochs is in the top
// tier, a pruned run in the tier of the last epoch it reached (below the
// runs that went further, as ASHA promotes them and the median rule
// stopped it for being behind), and its value is, on MNIST, its best
// validation accuracy after an epoch of training (what analyze ranks on),
// on a function the final value, negated (lower is better). A failed or
// diverged run, or one without a value, is the worst: NaN.
func runScore(r RunResult, function bool) (tier int, value float64) {
	value = math.NaN()
	switch r.Status {
	case train.Done:
		tier = math.MaxInt
	case train.Pruned:
		if len(r.Epochs) > 0 {
			tier = r.Epochs[len(r.Epochs)-1].Epoch
		}
	default:
		return 0, value
	}
	for _, e := range r.Epochs {
		switch {
		case function:
			value = -e.TrainLoss
		case e.Epoch > 0 && (math.IsNaN(value) || e.ValAcc > value):
			value = e.ValAcc
		}
	}
	if math.IsInf(value, 0) {
		value = math.NaN()
	}
	return tier, value
}

// history returns the reported trials as TPE's history, in sweep order,
// each trial's objective its rank: by tier, then value, the worst (NaN)
// below all.
func (p *Proposer) history() []tpe.Trial {
	order := make([]int, len(p.trials))
	for i := range order {
		order[i] = i
	}
	cmp := func(a, b *proposal) int {
		switch an, bn := math.IsNaN(a.value), math.IsNaN(b.value); {
		case an || bn:
			if an && bn {
				return 0
			} else if an {
				return -1
			}
			return 1
		case a.tier != b.tier:
			return compare(a.tier, b.tier)
		}
		return compare(a.value, b.value)
	}
	slices.SortStableFunc(order, func(i, j int) int { return cmp(&p.trials[i], &p.trials[j]) })
	out := make([]tpe.Trial, len(p.trials))
	rank := 0
	for k, i := range order {
		if k > 0 && cmp(&p.trials[order[k-1]], &p.trials[i]) != 0 {
			rank = k
		}
		out[i] = tpe.Trial{Values: p.trials[i].values, Objective: float64(rank)}
		if math.IsNaN(p.trials[i].value) {
			out[i].Objective = math.NaN()
		}
	}
	return out
}

func compare[T int | float64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// tpeSpace is the space TPE models, each field named by its path: the
// fields drawTrial draws, in its order, those of an entry conditional on
// its choice when there are several entries.
func (s *Spec) tpeSpace() (*tpe.Space, error) {
	var params []tpe.Param
	add := func(path string, n *big.Int) {
		if p, ok := fieldParam(path, s.Dists[path], n); ok {
			params = append(params, p)
		}
	}
	d, m, t := &s.Dataset, &s.Model, &s.Train
	add("dataset.name", spaceOf(s.Dists["dataset.name"], d.Name))
	add("dataset.function", spaceOf(s.Dists["dataset.function"], orZero(d.Function)))
	add("dataset.start", spaceOf(s.Dists["dataset.start"], orZero(d.Start)))
	add("dataset.condition", spaceOf(s.Dists["dataset.condition"], orZero(d.Condition)))
	add("dataset.train_limit", spaceOf(s.Dists["dataset.train_limit"], d.TrainLimit))
	add("dataset.validation", spaceOf(s.Dists["dataset.validation"], d.Validation))
	add("model.hidden", spaceOf(s.Dists["model.hidden"], m.Hidden))
	add("model.activation", spaceOf(s.Dists["model.activation"], m.Activation))
	add("model.init", spaceOf(s.Dists["model.init"], m.Init))
	add("model.batchnorm", spaceOf(s.Dists["model.batchnorm"], m.BatchNorm))
	add("model.dropout", spaceOf(s.Dists["model.dropout"], m.Dropout))
	add("model.weight_decay", spaceOf(s.Dists["model.weight_decay"], m.WeightDecay))
	add("model.precision", spaceOf(s.Dists["model.precision"], m.Precision))
	add("train.epochs", spaceOf(s.Dists["train.epochs"], t.Epochs))
	add("train.batch_size", spaceOf(s.Dists["train.batch_size"], t.BatchSize))
	params = append(params, entryParams(s, "optimizers", optimizerFields, s.Optimizers)...)
	params = append(params, entryParams(s, "schedules", scheduleFields, s.Schedules)...)
	space, err := tpe.NewSpace(params...)
	if err != nil {
		return nil, fmt.Errorf("sweep: the space of the tpe search: %w", err)
	}
	return space, nil
}

// entryParams are the parameters of list: the choice of entry when there
// are several, and the drawn fields of each entry, conditional on it.
func entryParams[E, C any](s *Spec, list string, fields []entryField[E, C], entries []E) []tpe.Param {
	var params []tpe.Param
	if len(entries) > 1 {
		params = append(params, tpe.Choice(list, len(entries)))
	}
	for i := range entries {
		for _, f := range fields {
			if !f.given(&entries[i]) {
				continue
			}
			path := fmt.Sprintf("%s[%d].%s", list, i, f.key())
			p, ok := fieldParam(path, s.Dists[path], f.space(s.Dists[path], &entries[i]))
			if !ok {
				continue
			}
			if len(entries) > 1 {
				p = p.When(list, i)
			}
			params = append(params, p)
		}
	}
	return params
}

// fieldParam is the parameter of the field at path, drawn from dist with n
// possible values, and false for a field of one value, which draws
// nothing.
func fieldParam(path, dist string, n *big.Int) (tpe.Param, bool) {
	switch dist {
	case "uniform", "log_uniform":
		return tpe.Uniform(path, 0, 1), true
	case "int_uniform":
		return tpe.IntUniform(path, 0, int(n.Int64())-1), true
	}
	if n.Cmp(big.NewInt(1)) > 0 {
		return tpe.Choice(path, int(n.Int64())), true
	}
	return tpe.Param{}, false
}

// recorder passes on the draws of a drawer and records each by its path:
// a unit's number, an index's integer.
type recorder struct {
	drawer
	values map[string]float64
}

func (r *recorder) unit(path string) float64 {
	u := r.drawer.unit(path)
	r.values[path] = u
	return u
}

func (r *recorder) index(path string, n uint64) uint64 {
	i := r.drawer.index(path, n)
	r.values[path] = float64(i)
	return i
}

// valueDrawer gives the draws of a TPE proposal: each path's value, a
// number in [0, 1] or an index.
type valueDrawer map[string]float64

func (v valueDrawer) nextTrial() {}

func (v valueDrawer) unit(path string) float64 { return v[path] }

func (v valueDrawer) index(path string, n uint64) uint64 {
	return min(uint64(max(v[path], 0)), n-1)
}
