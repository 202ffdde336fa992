package sweep

import (
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"math/rand/v2"
	"slices"
	"strconv"

	"runner/internal/train"
)

// searchStream is the second half of the seed of a random search's PCG,
// the first being the sweep's seed: "random" in ASCII.
const searchStream = 0x72616e646f6d

// drawer is where a search's trials draw their numbers from: the
// pseudo-random stream of a random search (pcgDrawer) or the
// quasi-random points of a Halton search (haltonDrawer).
//
// Each draw names the field it is for (its path, such as
// optimizers[1].lr, or optimizers for the choice of entry), so that the
// proposals of a tpe search (valueDrawer) can give each field its value;
// the other drawers ignore the name.
type drawer interface {
	unit(path string) float64           // a number in [0, 1)
	index(path string, n uint64) uint64 // an integer in [0, n)
	nextTrial()                         // the draws that follow are the next trial's
}

// pcgDrawer is the random stream of a random search. Its numbers are
// derived from the PCG's 64-bit outputs by the formulas below, not by the
// methods of math/rand/v2's Rand, so that they are fixed by this package
// alone.
type pcgDrawer struct{ src *rand.PCG }

func newDrawer(seed int64) *pcgDrawer {
	return &pcgDrawer{rand.NewPCG(uint64(seed), searchStream)}
}

// nextTrial does nothing: a random search's trials take the stream's
// numbers one after the other.
func (r *pcgDrawer) nextTrial() {}

// unit returns a number in [0, 1): the output's top 53 bits × 2⁻⁵³.
func (r *pcgDrawer) unit(string) float64 {
	return float64(r.src.Uint64()>>11) * 0x1p-53
}

// index returns an integer in [0, n), each as likely, by Lemire's
// multiply-and-reject method: the high word of output × n, drawing again
// in the rare case (probability < n/2⁶⁴) that the low word falls below
// 2⁶⁴ mod n.
func (r *pcgDrawer) index(_ string, n uint64) uint64 {
	hi, lo := bits.Mul64(r.src.Uint64(), n)
	if lo < n {
		for threshold := -n % n; lo < threshold; {
			hi, lo = bits.Mul64(r.src.Uint64(), n)
		}
	}
	return hi
}

// pick draws a value of a field whose axis is vals: a number between the
// bounds vals[0] and vals[1] for a distribution (dist non-empty), or else
// one of vals, each as likely. A field of one value draws nothing.
func pick[T any](r drawer, path, dist string, vals []T) T {
	if dist != "" {
		return between(r, path, dist, vals[0], vals[1])
	}
	if len(vals) == 1 {
		return vals[0]
	}
	return vals[r.index(path, uint64(len(vals)))]
}

// between draws a number from dist with the bounds lo and hi (an int for
// int_uniform; a float64, or a number in a string for model.init, for the
// others).
func between[T any](r drawer, path, dist string, lo, hi T) T {
	var out any
	switch l := any(lo).(type) {
	case int:
		h := any(hi).(int)
		out = l + int(r.index(path, uint64(h)-uint64(l)+1))
	case float64:
		out = drawReal(r, path, dist, l, any(hi).(float64))
	case string:
		l64, _ := strconv.ParseFloat(l, 64)
		h64, _ := strconv.ParseFloat(any(hi).(string), 64)
		out = strconv.FormatFloat(drawReal(r, path, dist, l64, h64), 'g', -1, 64)
	}
	return out.(T)
}

// drawReal draws a real number from uniform or log_uniform over [lo, hi]:
// lo + (hi−lo)·u, or exp(ln lo + (ln hi − ln lo)·u), for u = unit(),
// clamped to [lo, hi] against rounding.
func drawReal(r drawer, path, dist string, lo, hi float64) float64 {
	u := r.unit(path)
	var x float64
	if dist == "log_uniform" {
		a, b := math.Log(lo), math.Log(hi)
		x = math.Exp(a + float64((b-a)*u)) // float64() forbids a fused multiply-add
	} else {
		x = lo + float64((hi-lo)*u)
	}
	return min(max(x, lo), hi) + 0
}

// spaceOf is the number of values pick may draw from vals and dist: the
// values, the integers between int bounds, or the float64 numbers between
// real bounds (a finite number, for all that the distribution is
// continuous).
func spaceOf[T any](dist string, vals []T) *big.Int {
	if dist == "" {
		return bigInt(len(vals))
	}
	switch l := any(vals[0]).(type) {
	case int:
		return bigInt(any(vals[1]).(int) - l + 1)
	case float64:
		return floatsBetween(l, any(vals[1]).(float64))
	case string:
		l64, _ := strconv.ParseFloat(l, 64)
		h64, _ := strconv.ParseFloat(any(vals[1]).(string), 64)
		return floatsBetween(l64, h64)
	}
	panic(fmt.Sprintf("sweep: %s of %T", dist, vals[0]))
}

// floatsBetween counts the float64 numbers in [lo, hi], with 0 once.
func floatsBetween(lo, hi float64) *big.Int {
	ord := func(x float64) *big.Int {
		n := new(big.Int).SetUint64(math.Float64bits(math.Abs(x)))
		if x < 0 {
			n.Neg(n)
		}
		return n
	}
	n := ord(hi)
	n.Sub(n, ord(lo))
	return n.Add(n, big.NewInt(1))
}

func bigInt(n int) *big.Int { return big.NewInt(int64(n)) }

// space returns the number of distinct trials a random search may draw:
// the product, over the fields of dataset, model and train but the seeds
// (one value each for the fields that do not apply to the sweep),
// of their numbers of values, × the sum over the optimizers entries of
// the product of theirs, × the same sum for schedules. Validate has made
// sure that no two of these give the same config.
func (s *Spec) space() *big.Int {
	n := big.NewInt(1)
	d, m, t := &s.Dataset, &s.Model, &s.Train
	for _, f := range []*big.Int{
		spaceOf(s.Dists["dataset.name"], d.Name),
		spaceOf(s.Dists["dataset.function"], orZero(d.Function)),
		spaceOf(s.Dists["dataset.start"], orZero(d.Start)),
		spaceOf(s.Dists["dataset.condition"], orZero(d.Condition)),
		spaceOf(s.Dists["dataset.train_limit"], d.TrainLimit),
		spaceOf(s.Dists["dataset.validation"], d.Validation),
		spaceOf(s.Dists["model.hidden"], m.Hidden),
		spaceOf(s.Dists["model.activation"], m.Activation),
		spaceOf(s.Dists["model.init"], m.Init),
		spaceOf(s.Dists["model.batchnorm"], m.BatchNorm),
		spaceOf(s.Dists["model.dropout"], m.Dropout),
		spaceOf(s.Dists["model.weight_decay"], m.WeightDecay),
		spaceOf(s.Dists["model.precision"], m.Precision),
		spaceOf(s.Dists["train.epochs"], t.Epochs),
		spaceOf(s.Dists["train.batch_size"], t.BatchSize),
		entriesSpace(s, "optimizers", optimizerFields, s.Optimizers),
		entriesSpace(s, "schedules", scheduleFields, s.Schedules),
	} {
		n.Mul(n, f)
	}
	return n
}

func entriesSpace[E, C any](s *Spec, list string, fields []entryField[E, C], entries []E) *big.Int {
	sum := new(big.Int)
	for i := range entries {
		p := big.NewInt(1)
		for _, f := range fields {
			if f.given(&entries[i]) {
				p.Mul(p, f.space(s.Dists[fmt.Sprintf("%s[%d].%s", list, i, f.key())], &entries[i]))
			}
		}
		sum.Add(sum, p)
	}
	return sum
}

// drawTrial draws one trial's config, with seed 0, in the documented
// order: dataset.name, dataset.function, dataset.start,
// dataset.condition, dataset.train_limit, dataset.validation,
// model.hidden, model.activation, model.init, model.batchnorm,
// model.dropout, model.weight_decay, model.precision, train.epochs,
// train.batch_size, the optimizers entry and then its lr, momentum,
// decay_rate, beta1, beta2 and eps, the schedules entry and then its
// every, gamma, k, min_lr and warmup.
func (s *Spec) drawTrial(r drawer) train.Config {
	d, m, t := &s.Dataset, &s.Model, &s.Train
	var c train.Config
	c.Dataset.Name = pick(r, "dataset.name", s.Dists["dataset.name"], d.Name)
	c.Dataset.Function = pick(r, "dataset.function", s.Dists["dataset.function"], orZero(d.Function))
	c.Dataset.Start = slices.Clone(pick(r, "dataset.start", s.Dists["dataset.start"], orZero(d.Start)))
	c.Dataset.Condition = pick(r, "dataset.condition", s.Dists["dataset.condition"], orZero(d.Condition))
	c.Dataset.TrainLimit = pick(r, "dataset.train_limit", s.Dists["dataset.train_limit"], d.TrainLimit)
	if c.Dataset.TrainLimit == mnistTrainImages {
		c.Dataset.TrainLimit = 0 // as Parse stores it: all the images
	}
	c.Dataset.Validation = pick(r, "dataset.validation", s.Dists["dataset.validation"], d.Validation)
	if c.Dataset.Validation > 0 {
		c.Dataset.SplitSeed = s.Seed
	}
	c.Model.Hidden = append([]int{}, pick(r, "model.hidden", s.Dists["model.hidden"], m.Hidden)...)
	c.Model.Activation = pick(r, "model.activation", s.Dists["model.activation"], m.Activation)
	c.Model.Init = pick(r, "model.init", s.Dists["model.init"], m.Init)
	c.Model.BatchNorm = pick(r, "model.batchnorm", s.Dists["model.batchnorm"], m.BatchNorm)
	c.Model.Dropout = pick(r, "model.dropout", s.Dists["model.dropout"], m.Dropout)
	c.Model.WeightDecay = pick(r, "model.weight_decay", s.Dists["model.weight_decay"], m.WeightDecay)
	c.Model.Precision = pick(r, "model.precision", s.Dists["model.precision"], m.Precision)
	c.Epochs = pick(r, "train.epochs", s.Dists["train.epochs"], t.Epochs)
	c.BatchSize = pick(r, "train.batch_size", s.Dists["train.batch_size"], t.BatchSize)
	c.Optimizer = drawEntry(s, r, "optimizers", optimizerFields, s.Optimizers,
		func(o *OptimizerAxes) train.OptimizerConfig { return train.OptimizerConfig{Name: o.Name} })
	c.Schedule = drawEntry(s, r, "schedules", scheduleFields, s.Schedules,
		func(sc *ScheduleAxes) train.ScheduleConfig { return train.ScheduleConfig{Name: sc.Name} })
	functionRun(&c)
	return c
}

// drawEntry draws an entry of list, each as likely, and then each of its
// fields in the table's order.
func drawEntry[E, C any](s *Spec, r drawer, list string, fields []entryField[E, C], entries []E, base func(*E) C) C {
	i := 0
	if len(entries) > 1 {
		i = int(r.index(list, uint64(len(entries))))
	}
	e := &entries[i]
	c := base(e)
	for _, f := range fields {
		path := fmt.Sprintf("%s[%d].%s", list, i, f.key())
		f.draw(r, path, s.Dists[path], e, &c)
	}
	return c
}

// maxDraws is the number of draws after which a random search of n trials
// gives up finding distinct ones: far more than the n·ln n or so that the
// smallest space Validate allows (exactly n distinct trials) needs.
func maxDraws(n int) int { return 100*n + 1000 }

// expandRandom draws the trials of a random search, each crossed with the
// seeds. A trial that repeats an earlier one is drawn again, from the
// stream's next numbers.
func (s *Spec) expandRandom() ([]train.Config, error) {
	var r drawer = newDrawer(s.Seed)
	if s.Search.Method == "halton" {
		r = newHaltonDrawer(s.Seed)
	}
	n, seeds := s.Search.Trials, s.Train.Seeds
	runs := make([]train.Config, 0, n*len(seeds))
	seen := make(map[string]bool, n)
	for draws := 0; len(seen) < n; draws++ {
		if draws == maxDraws(n) {
			var errs ErrorList
			errs.add(s.where("search.trials", 0), "search.trials",
				"found only %d distinct trials in %d draws: the search space is too small for %d", len(seen), draws, n)
			return nil, errs
		}
		r.nextTrial()
		c := s.drawTrial(r)
		key := c.Key()
		if seen[key] {
			continue
		}
		seen[key] = true
		for _, seed := range seeds {
			run := c
			run.Model.Hidden = slices.Clone(c.Model.Hidden) // nil stays nil: a function run has no model
			run.Dataset.Start = slices.Clone(c.Dataset.Start)
			run.Seed = seed
			runs = append(runs, run)
		}
	}
	return runs, nil
}
