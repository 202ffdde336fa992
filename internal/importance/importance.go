package importance

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
)

// Param is a parameter of the search space.
type Param struct {
	// Name identifies the parameter in trial values.
	Name string
	// Low and High bound a numeric parameter, both included; Low < High.
	Low, High float64
	// Log puts a numeric parameter on the logarithmic scale (Low > 0).
	Log bool
	// Int makes a numeric parameter an integer one (integer bounds).
	Int bool
	// Choices > 0 makes the parameter categorical, its values the choice
	// indices 0 to Choices−1; Low, High, Log and Int are then unused and
	// must be zero.
	Choices int
}

// Trial is a finished trial.
type Trial struct {
	// Values holds the trial's value of each parameter it set (a
	// categorical's choice index); an inactive parameter is absent. Names
	// not among the parameters are ignored, so that a subset of the
	// parameters can be analysed.
	Values map[string]float64
	// Objective is the trial's value, higher being better (a pruned
	// trial's, the value it reached). NaN ranks below every number.
	Objective float64
}

// Options are the settings of Analyze; a zero field takes its default.
type Options struct {
	// TopQuantile is γ, the share of the trials that are the top trials
	// (0.1).
	TopQuantile float64
	// RegionQuantile is γ′ > γ, the share of the best trials the top ones
	// are compared with (1, all the trials).
	RegionQuantile float64
	// MinTop is the least number of top trials (2).
	MinTop int
	// Grid is the number of grid points of a numeric parameter (50).
	Grid int
	// PriorWeight is the weight of the prior kernel, that of one trial
	// (1).
	PriorWeight float64
	// Margin is the share of the range, on the parameter's scale, within
	// which a trial lies at a bound (0.05).
	Margin float64
}

// The defaults of Options, those of Optuna's PED-ANOVA evaluator where it
// has them.
const (
	DefaultTopQuantile    = 0.1
	DefaultRegionQuantile = 1.0
	DefaultMinTop         = 2
	DefaultGrid           = 50
	DefaultPriorWeight    = 1.0
	DefaultMargin         = 0.05
)

func (o Options) withDefaults() (Options, error) {
	def := func(x *float64, d float64) {
		if *x == 0 {
			*x = d
		}
	}
	def(&o.TopQuantile, DefaultTopQuantile)
	def(&o.RegionQuantile, DefaultRegionQuantile)
	def(&o.PriorWeight, DefaultPriorWeight)
	def(&o.Margin, DefaultMargin)
	if o.MinTop == 0 {
		o.MinTop = DefaultMinTop
	}
	if o.Grid == 0 {
		o.Grid = DefaultGrid
	}
	switch {
	case !(o.TopQuantile > 0 && o.TopQuantile < o.RegionQuantile && o.RegionQuantile <= 1):
		return o, fmt.Errorf("%w: quantiles %g and %g, need 0 < top < region ≤ 1", ErrInput, o.TopQuantile, o.RegionQuantile)
	case o.MinTop < 1:
		return o, fmt.Errorf("%w: MinTop %d", ErrInput, o.MinTop)
	case o.Grid < 2:
		return o, fmt.Errorf("%w: grid of %d points", ErrInput, o.Grid)
	case !(o.PriorWeight > 0) || math.IsInf(o.PriorWeight, 1):
		return o, fmt.Errorf("%w: prior weight %g", ErrInput, o.PriorWeight)
	case !(o.Margin > 0 && o.Margin < 0.5):
		return o, fmt.Errorf("%w: margin %g, need 0 < margin < 0.5", ErrInput, o.Margin)
	}
	return o, nil
}

// Report is the analysis of a search.
type Report struct {
	// Trials, Region and Top count all the trials, those of the region
	// (the top RegionQuantile) and the top ones (ties at the cut
	// included).
	Trials, Region, Top int
	// Params are the results of the parameters, in the order given.
	Params []Result
}

// Result is the analysis of one parameter.
type Result struct {
	// Name is the parameter's.
	Name string
	// Importance is the parameter's share of the variances of all the
	// parameters, in [0, 1].
	Importance float64
	// Variance is v_d of the package documentation: the variance of the
	// probability of being a top trial that the parameter explains.
	Variance float64
	// Set and TopSet count the trials of the region and the top trials
	// that set the parameter.
	Set, TopSet int
	// Low and High are the least and the greatest value of the parameter
	// among the top trials that set it, for a numeric parameter; NaN if
	// none does.
	Low, High float64
	// Counts are the numbers of top trials per choice, for a categorical
	// parameter.
	Counts []int
	// Bounds are the bounds that the best trials sit at (at most both).
	Bounds []Bound
}

// Bound is a warning that a parameter's best trials sit at a bound of its
// range.
type Bound struct {
	// Param is the parameter's name.
	Param string
	// Upper is the upper bound rather than the lower.
	Upper bool
	// Value is the bound.
	Value float64
	// Log is whether the margin was measured on the log scale.
	Log bool
	// Margin is the share of the range within which a trial lies at the
	// bound.
	Margin float64
	// Near of the Top top trials that set the parameter lie at the
	// bound, out of Trials trials in all.
	Near, Top, Trials int
	// NearAll trials of the region lie at the bound.
	NearAll int
}

// String describes the warning, such as "lr: 6 of the best 10 of 100
// trials lie within 5% of the upper bound 0.01 (on the log scale), 6 of
// the 7 trials there; widen the range above 0.01".
func (b Bound) String() string {
	side, dir := "lower", "below"
	if b.Upper {
		side, dir = "upper", "above"
	}
	scale := ""
	if b.Log {
		scale = " (on the log scale)"
	}
	v := strconv.FormatFloat(b.Value, 'g', -1, 64)
	return fmt.Sprintf("%s: %d of the best %d of %d trials lie within %s%% of the %s bound %s%s, %d of the %d trials there; widen the range %s %s",
		b.Param, b.Near, b.Top, b.Trials, strconv.FormatFloat(100*b.Margin, 'g', -1, 64), side, v, scale,
		b.Near, b.NearAll, dir, v)
}

// Ranked returns the results from the most important parameter to the
// least, the earlier given first among equals.
func (r *Report) Ranked() []Result {
	out := slices.Clone(r.Params)
	slices.SortStableFunc(out, func(a, b Result) int { return cmp.Compare(b.Importance, a.Importance) })
	return out
}

// Warnings returns the bound warnings of all the parameters, in order.
func (r *Report) Warnings() []Bound {
	var out []Bound
	for _, p := range r.Params {
		out = append(out, p.Bounds...)
	}
	return out
}

var (
	// ErrInput is wrapped by the errors of Analyze about its arguments.
	ErrInput = errors.New("importance: invalid input")
	// ErrTooFewTrials is wrapped by the error of Analyze when there are
	// no more trials than MinTop.
	ErrTooFewTrials = errors.New("importance: too few trials")
)

// Analyze returns the importance, best range and bound warnings of each
// of params from trials, as the package documentation describes. Values
// must lie within their parameters' bounds (integers for an Int, choice
// indices for a categorical); there must be more trials than
// Options.MinTop.
func Analyze(params []Param, trials []Trial, opt Options) (*Report, error) {
	opt, err := opt.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := checkParams(params); err != nil {
		return nil, err
	}
	if err := checkTrials(params, trials); err != nil {
		return nil, err
	}
	n := len(trials)
	if n <= opt.MinTop {
		return nil, fmt.Errorf("%w: %d trials, need more than %d", ErrTooFewTrials, n, opt.MinTop)
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(i, j int) int { return better(trials[i].Objective, trials[j].Objective) })
	nTop := best(trials, order, max(opt.MinTop, ceil(opt.TopQuantile*float64(n))))
	nRegion := best(trials, order, max(nTop, ceil(opt.RegionQuantile*float64(n))))
	top, region := order[:nTop], order[:nRegion]

	rep := &Report{Trials: n, Region: nRegion, Top: nTop, Params: make([]Result, len(params))}
	var total float64
	for i := range params {
		rep.Params[i] = analyze(&params[i], trials, top, region, &opt)
		total += rep.Params[i].Variance
	}
	for i := range rep.Params {
		if total > 0 {
			rep.Params[i].Importance = rep.Params[i].Variance / total
		} else {
			rep.Params[i].Importance = 1 / float64(len(params))
		}
	}
	return rep, nil
}

// ceil is ⌈x⌉ for a number of trials, with a tolerance for the rounding
// of quantile × n.
func ceil(x float64) int { return int(math.Ceil(x - 1e-9)) }

// best returns k, or more to include the trials tied with the kth best:
// the number of trials of order (best first) that are kept.
func best(trials []Trial, order []int, k int) int {
	k = min(k, len(order))
	for k < len(order) && better(trials[order[k]].Objective, trials[order[k-1]].Objective) == 0 {
		k++
	}
	return k
}

// better orders objectives best first: −1 if x is better than y, 1 if
// worse, 0 if equal (NaN equals NaN and is worse than any number).
func better(x, y float64) int {
	switch xn, yn := math.IsNaN(x), math.IsNaN(y); {
	case xn && yn:
		return 0
	case xn:
		return 1
	case yn:
		return -1
	}
	return cmp.Compare(y, x)
}

func checkParams(params []Param) error {
	seen := map[string]bool{}
	for i, p := range params {
		var err error
		switch {
		case p.Name == "":
			err = errors.New("no name")
		case seen[p.Name]:
			err = errors.New("name used twice")
		case p.Choices < 0:
			err = fmt.Errorf("%d choices", p.Choices)
		case p.Choices > 0 && (p.Low != 0 || p.High != 0 || p.Log || p.Int):
			err = errors.New("a categorical has no bounds, scale or Int")
		case p.Choices > 0:
		case math.IsInf(p.Low, 0) || math.IsInf(p.High, 0) || !(p.Low < p.High):
			err = fmt.Errorf("bounds [%g, %g]: need finite Low < High", p.Low, p.High)
		case p.Log && p.Low <= 0:
			err = fmt.Errorf("log scale needs Low > 0, not %g", p.Low)
		case p.Int && (p.Low != math.Trunc(p.Low) || p.High != math.Trunc(p.High)):
			err = fmt.Errorf("bounds [%g, %g] of an int are not integers", p.Low, p.High)
		}
		if err != nil {
			return fmt.Errorf("%w: parameter %d %q: %v", ErrInput, i, p.Name, err)
		}
		seen[p.Name] = true
	}
	return nil
}

func checkTrials(params []Param, trials []Trial) error {
	for t, tr := range trials {
		for i := range params {
			p := &params[i]
			v, ok := tr.Values[p.Name]
			if !ok {
				continue
			}
			var err error
			switch {
			case p.Choices > 0:
				if v != math.Trunc(v) || v < 0 || v >= float64(p.Choices) {
					err = fmt.Errorf("%g is not a choice in [0, %d)", v, p.Choices)
				}
			case !(v >= p.Low && v <= p.High):
				err = fmt.Errorf("%g is out of [%g, %g]", v, p.Low, p.High)
			case p.Int && v != math.Trunc(v):
				err = fmt.Errorf("%g is not an integer", v)
			}
			if err != nil {
				return fmt.Errorf("%w: trial %d: %q: %v", ErrInput, t, p.Name, err)
			}
		}
	}
	return nil
}

// analyze returns the result of p, top and region being the indices of
// the top trials and of the region's.
func analyze(p *Param, trials []Trial, top, region []int, opt *Options) Result {
	res := Result{Name: p.Name, Low: math.NaN(), High: math.NaN()}
	values := func(idx []int) []float64 {
		var out []float64
		for _, i := range idx {
			if v, ok := trials[i].Values[p.Name]; ok {
				out = append(out, v)
			}
		}
		return out
	}
	inTop, inRegion := values(top), values(region)
	res.Set, res.TopSet = len(inRegion), len(inTop)
	if p.Choices > 0 {
		res.Counts = make([]int, p.Choices)
		for _, v := range inTop {
			res.Counts[int(v)]++
		}
	} else if len(inTop) > 0 {
		res.Low, res.High = slices.Min(inTop), slices.Max(inTop)
		res.Bounds = bounds(p, inTop, inRegion, len(trials), opt)
	}
	if len(inTop) == 0 {
		return res
	}
	g := newGrid(p, opt.Grid)
	pTop := g.density(inTop, opt.PriorWeight)
	pRegion := g.density(inRegion, opt.PriorWeight)
	var d float64
	for j := range pTop {
		q, r := pRegion[j]+1e-12, pTop[j]+1e-12
		d += q * (r/q - 1) * (r/q - 1)
	}
	share := float64(len(inTop)) / float64(len(inRegion))
	res.Variance = float64(len(inRegion)) / float64(len(region)) * share * share * d
	return res
}

// significance is the level of the exact test of the bound warnings.
const significance = 0.01

// fisher returns the one-sided p-value of Fisher's exact test: the
// probability that k or more of n trials drawn at random from a
// population of size pop holding good good ones are good (the
// hypergeometric distribution's upper tail).
func fisher(pop, good, n, k int) float64 {
	lchoose := func(n, k int) float64 {
		a, _ := math.Lgamma(float64(n + 1))
		b, _ := math.Lgamma(float64(k + 1))
		c, _ := math.Lgamma(float64(n - k + 1))
		return a - b - c
	}
	total := lchoose(pop, n)
	var p float64
	for x := k; x <= min(n, good); x++ {
		if n-x <= pop-good {
			p += math.Exp(lchoose(good, x) + lchoose(pop-good, n-x) - total)
		}
	}
	return min(p, 1)
}

// position returns where v lies in p's range on p's scale, from 0 at Low
// to 1 at High.
func position(p *Param, v float64) float64 {
	if p.Log {
		return (math.Log(v) - math.Log(p.Low)) / (math.Log(p.High) - math.Log(p.Low))
	}
	return (v - p.Low) / (p.High - p.Low)
}

// bounds returns the bounds of numeric p at which its top values sit,
// among the region's.
func bounds(p *Param, inTop, inRegion []float64, trials int, opt *Options) []Bound {
	var out []Bound
	for _, upper := range []bool{false, true} {
		at := func(v float64) bool {
			u := position(p, v)
			if upper {
				return u >= 1-opt.Margin
			}
			return u <= opt.Margin
		}
		near, nearAll := 0, 0
		for _, v := range inTop {
			if at(v) {
				near++
			}
		}
		for _, v := range inRegion {
			if at(v) {
				nearAll++
			}
		}
		if near >= 2 && (2*near >= len(inTop) || fisher(len(inRegion), len(inTop), nearAll, near) <= significance) {
			b := Bound{Param: p.Name, Upper: upper, Value: p.Low, Log: p.Log, Margin: opt.Margin,
				Near: near, Top: len(inTop), Trials: trials, NearAll: nearAll}
			if upper {
				b.Value = p.High
			}
			out = append(out, b)
		}
	}
	return out
}
