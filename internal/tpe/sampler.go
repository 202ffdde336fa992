package tpe

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
)

// Trial is a finished trial of the history.
type Trial struct {
	// Values holds the trial's value of each parameter it set: a Float's
	// number, an Int's integer, a Categorical's choice index. A parameter
	// inactive in the trial is absent; names not in the space are ignored.
	Values map[string]float64
	// Objective is the trial's value, higher being better: the value it
	// reached, for a trial stopped early. NaN ranks below every number.
	Objective float64
}

// The defaults of a Sampler, those of Optuna's TPESampler.
const (
	// DefaultCandidates is the number of candidates a proposal draws
	// from l for each parameter.
	DefaultCandidates = 24
	// DefaultPriorWeight is the weight of the prior kernel, that of one
	// trial.
	DefaultPriorWeight = 1.0
)

// DefaultGamma returns the size of the good group among n trials: 10 %,
// rounded up, and at most 25.
func DefaultGamma(n int) int { return min((n+9)/10, 25) }

// DefaultWeights returns the weights of the kernels of m trials, oldest
// first: 1 for m < 25; else a linear ramp from 1/m to 1 over the m − 25
// oldest, and 1 for the 25 newest.
func DefaultWeights(m int) []float64 {
	w := make([]float64, m)
	ramp := m - 25
	if m < 25 {
		ramp = 0
	}
	for i := range w {
		switch {
		case i >= ramp:
			w[i] = 1
		case ramp == 1:
			w[i] = 1 / float64(m)
		default:
			lo := 1 / float64(m)
			w[i] = lo + (1-lo)*float64(i)/float64(ramp-1)
		}
	}
	return w
}

// Sampler proposes trials by TPE. Its zero value has Optuna's defaults.
type Sampler struct {
	// Gamma returns the number of trials in the good group from the
	// number n of trials of the history; the result is clamped to [0, n].
	// Nil means DefaultGamma.
	Gamma func(n int) int
	// Weights returns the m mixture weights of the kernels of the m
	// trials of a group that set a parameter, in the order of the history:
	// non-negative, finite, not all zero. Nil means DefaultWeights.
	Weights func(m int) []float64
	// Candidates is the number of values a proposal draws from l for each
	// parameter. Zero means DefaultCandidates.
	Candidates int
	// PriorWeight is the mixture weight of the prior kernel, relative to
	// the trials' weights. Zero means DefaultPriorWeight.
	PriorWeight float64
	// ConsiderEndpoints lets the outermost kernels' bandwidths take their
	// distance to the interval's end when it is larger, as Optuna's option
	// of the name (off by default). It applies to univariate densities
	// only.
	ConsiderEndpoints bool
	// Univariate fits the densities of each parameter alone, as Optuna's
	// default does; by default (as Optuna's multivariate option) the
	// parameters that exist together are fitted jointly.
	Univariate bool
	// NoMagicClip turns off the floor of the bandwidths, the interval's
	// width / min(100, kernels + 1), which is on by default.
	NoMagicClip bool
}

// settings are a Sampler's, defaults filled in.
type settings struct {
	gamma             func(int) int
	weights           func(int) []float64
	candidates        int
	priorWeight       float64
	considerEndpoints bool
	magicClip         bool
	univariate        bool
}

func (s Sampler) settings() (*settings, error) {
	out := &settings{gamma: s.Gamma, weights: s.Weights, candidates: s.Candidates,
		priorWeight: s.PriorWeight, considerEndpoints: s.ConsiderEndpoints, magicClip: !s.NoMagicClip,
		univariate: s.Univariate}
	if out.gamma == nil {
		out.gamma = DefaultGamma
	}
	if out.weights == nil {
		out.weights = DefaultWeights
	}
	if out.candidates == 0 {
		out.candidates = DefaultCandidates
	}
	if out.priorWeight == 0 {
		out.priorWeight = DefaultPriorWeight
	}
	if out.candidates < 0 {
		return nil, fmt.Errorf("tpe: %d candidates", s.Candidates)
	}
	if !(out.priorWeight > 0) || math.IsInf(out.priorWeight, 1) {
		return nil, fmt.Errorf("tpe: prior weight %g, need a finite positive number", s.PriorWeight)
	}
	return out, nil
}

// ErrHistory is wrapped by the errors of Propose about the history.
var ErrHistory = errors.New("tpe: invalid history")

// Propose returns n proposals with the default Sampler.
func Propose(space *Space, history []Trial, n int, seed int64, batch int) ([]map[string]float64, error) {
	return Sampler{}.Propose(space, history, n, seed, batch)
}

// Propose returns n proposals, the trials TPE would run next, from the
// finished trials of history (in the order they were started, which
// orders the kernels' weights) for batch number batch of a search of the
// given seed. A proposal holds a value of every parameter active in it, in
// the encoding of Trial.Values, and none of the others. Proposal i is the
// same whatever n, and the same inputs give the same proposals.
//
// Every trial must set exactly the parameters of the space active in it,
// each to a valid value; the error otherwise wraps ErrHistory. An empty
// history gives draws from the prior.
func (s Sampler) Propose(space *Space, history []Trial, n int, seed int64, batch int) ([]map[string]float64, error) {
	if space == nil {
		panic("tpe: Propose with a nil space")
	}
	if n < 0 {
		return nil, fmt.Errorf("tpe: %d proposals", n)
	}
	set, err := s.settings()
	if err != nil {
		return nil, err
	}
	if err := space.checkHistory(history); err != nil {
		return nil, err
	}
	good := goodTrials(history, set.gamma)
	groups := space.groups(set.univariate)
	for _, g := range groups {
		if err := g.fit(history, good, set); err != nil {
			return nil, err
		}
	}
	out := make([]map[string]float64, n)
	for i := range out {
		out[i] = propose(space, groups, set.candidates, seed, batch, i)
	}
	return out, nil
}

// checkHistory checks that each trial sets exactly its active parameters,
// to valid values.
func (s *Space) checkHistory(history []Trial) error {
	for t, tr := range history {
		for i := range s.params {
			p := &s.params[i]
			v, set := tr.Values[p.Name]
			active := s.active(i, func(j int) (float64, bool) {
				v, ok := tr.Values[s.params[j].Name]
				return v, ok
			})
			switch {
			case active && !set:
				return fmt.Errorf("%w: trial %d: no value of %q", ErrHistory, t, p.Name)
			case !active && set:
				return fmt.Errorf("%w: trial %d: %q is set but inactive", ErrHistory, t, p.Name)
			case set:
				if err := checkValue(p, v); err != nil {
					return fmt.Errorf("%w: trial %d: %q: %v", ErrHistory, t, p.Name, err)
				}
			}
		}
	}
	return nil
}

// goodTrials marks the best gamma(n) of the n trials of history: highest
// objective first, NaN last, the earlier trial first among equals.
func goodTrials(history []Trial, gamma func(int) int) []bool {
	n := len(history)
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(i, j int) int {
		return better(history[i].Objective, history[j].Objective)
	})
	good := make([]bool, n)
	for _, i := range order[:min(max(gamma(n), 0), n)] {
		good[i] = true
	}
	return good
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
	case x > y:
		return -1
	case x < y:
		return 1
	}
	return 0
}

// group is a set of parameters that exist together, with their
// densities l and g.
type group struct {
	members []int    // indices in the space
	params  []*Param // the members
	name    string   // the members' names joined by NUL, naming the stream
	l, g    *mixture
}

// groups partitions the space's parameters: each alone if univariate,
// else by condition (the unconditional ones together, and those of the
// same parent and choices together), in the order of their first members.
func (s *Space) groups(univariate bool) []*group {
	var out []*group
	byKey := map[string]*group{}
	for i := range s.params {
		p := &s.params[i]
		key := fmt.Sprint(s.parent[i], p.In)
		if univariate {
			key = p.Name
		}
		g := byKey[key]
		if g == nil {
			g = &group{}
			byKey[key] = g
			out = append(out, g)
		}
		g.members = append(g.members, i)
		g.params = append(g.params, p)
	}
	for _, g := range out {
		names := make([]string, len(g.params))
		for d, p := range g.params {
			names[d] = p.Name
		}
		g.name = strings.Join(names, "\x00")
	}
	return out
}

// fit fits the group's densities l and g on the good and the bad trials
// that set its parameters.
func (g *group) fit(history []Trial, good []bool, set *settings) error {
	var obs [2][][]float64 // good, bad
	for t, tr := range history {
		if _, ok := tr.Values[g.params[0].Name]; !ok {
			continue
		}
		row := make([]float64, len(g.params))
		for d, p := range g.params {
			row[d] = tr.Values[p.Name]
			if p.Kind != Categorical {
				row[d] = toAxis(p, row[d])
			}
		}
		i := 1
		if good[t] {
			i = 0
		}
		obs[i] = append(obs[i], row)
	}
	var w [2][]float64
	for i := range obs {
		m := len(obs[i])
		w[i] = set.weights(m)
		if err := checkWeights(w[i], m); err != nil {
			return err
		}
	}
	g.l = fitMixture(g.params, obs[0], w[0], set)
	g.g = fitMixture(g.params, obs[1], w[1], set)
	return nil
}

func checkWeights(w []float64, m int) error {
	if len(w) != m {
		return fmt.Errorf("tpe: Weights(%d) returned %d weights", m, len(w))
	}
	var sum float64
	for _, x := range w {
		if !(x >= 0) || math.IsInf(x, 1) {
			return fmt.Errorf("tpe: Weights(%d) returned weight %g", m, x)
		}
		sum += x
	}
	if m > 0 && sum == 0 {
		return fmt.Errorf("tpe: Weights(%d) returned only zeros", m)
	}
	return nil
}

// propose returns proposal i of batch for seed: for each group of
// active parameters, in order, the best of its candidates.
func propose(space *Space, groups []*group, candidates int, seed int64, batch, i int) map[string]float64 {
	values := make(map[string]float64)
	for _, g := range groups {
		if !space.active(g.members[0], func(k int) (float64, bool) {
			v, ok := values[space.params[k].Name]
			return v, ok
		}) {
			continue
		}
		src := stream(seed, batch, i, g.name)
		n := len(g.params)
		x, y := make([]float64, n), make([]float64, n)
		best, bestScore := make([]float64, n), math.Inf(-1)
		if g.l.m == 0 && g.g.m == 0 {
			// No trial set the group: l = g, a uniform draw instead.
			for _, p := range g.params {
				values[p.Name] = uniformValue(p, unit(src.Uint64()))
			}
			continue
		}
		for c := range max(candidates, 1) {
			g.l.sample(src.Uint64, x, y)
			score := g.l.logDensity(x, y) - g.g.logDensity(x, y)
			if c == 0 || score > bestScore {
				copy(best, x)
				bestScore = score
			}
		}
		for d, p := range g.params {
			values[p.Name] = best[d]
		}
	}
	return values
}

// uniformValue returns the value of p at u ∈ [0, 1) of the uniform
// distribution on p's axis: uniform or log-uniform on [Low, High], on the
// integers' cells for an Int, on the choices for a Categorical.
func uniformValue(p *Param, u float64) float64 {
	if p.Kind == Categorical {
		return float64(min(int(u*float64(p.Choices)), p.Choices-1))
	}
	a, b := interval(p)
	return fromAxis(p, a+(b-a)*u)
}

// streamKey is the second PCG seed's constant, "tpe" in ASCII.
const streamKey = 0x747065

// stream returns the random source of parameter name in proposal i of
// batch for seed: a PCG seeded by the FNV-1a hash of the four, mixed.
func stream(seed int64, batch, i int, name string) *rand.PCG {
	h := fnv.New64a()
	var buf [24]byte
	binary.LittleEndian.PutUint64(buf[0:], uint64(seed))
	binary.LittleEndian.PutUint64(buf[8:], uint64(batch))
	binary.LittleEndian.PutUint64(buf[16:], uint64(i))
	h.Write(buf[:])
	h.Write([]byte(name))
	k := h.Sum64()
	return rand.NewPCG(splitmix(k), splitmix(k^streamKey))
}

// splitmix is the finaliser of SplitMix64, a bijective mixing of 64 bits.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
