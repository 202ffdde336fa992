package tpe

import (
	"math"
	"slices"
	"sort"
)

// tinySigma is the floor of a bandwidth, as a fraction of the interval's
// width, when the magic clip is off.
const tinySigma = 1e-12

// The axis of a numeric parameter: its value, or the value's logarithm.

// interval returns the interval [a, b] of p's kernels on its axis.
func interval(p *Param) (a, b float64) {
	lo, hi := p.Low, p.High
	if p.Kind == Int {
		lo, hi = lo-0.5, hi+0.5
	}
	if p.Log {
		return math.Log(lo), math.Log(hi)
	}
	return lo, hi
}

// toAxis returns the position of value v of p on p's axis.
func toAxis(p *Param, v float64) float64 {
	if p.Log {
		return math.Log(v)
	}
	return v
}

// fromAxis returns the value of p at position y of its axis: the real
// number, or the integer whose cell holds y, within p's bounds.
func fromAxis(p *Param, y float64) float64 {
	x := y
	if p.Log {
		x = math.Exp(y)
	}
	if p.Kind == Int {
		x = math.Round(x)
	}
	return min(max(x, p.Low), p.High)
}

// cell returns the cell of integer k of p on p's axis.
func cell(p *Param, k float64) (l, r float64) {
	l, r = k-0.5, k+0.5
	if p.Log {
		return math.Log(l), math.Log(r)
	}
	return l, r
}

// phi is the standard normal distribution function, accurate in both
// tails as 1 − phi(−x) is not.
func phi(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }

// massBetween is phi(hi) − phi(lo) for lo ≤ hi, computed on the tail
// where the difference does not cancel.
func massBetween(lo, hi float64) float64 {
	if lo >= 0 {
		return phi(-lo) - phi(-hi)
	}
	return phi(hi) - phi(lo)
}

// logSumExp returns log Σ exp(xs[i]), −Inf for none or all −Inf.
func logSumExp(xs []float64) float64 {
	m := math.Inf(-1)
	for _, x := range xs {
		m = max(m, x)
	}
	if math.IsInf(m, -1) {
		return m
	}
	var s float64
	for _, x := range xs {
		s += math.Exp(x - m)
	}
	return m + math.Log(s)
}

// unit is a uniform number in [0, 1) from a 64-bit random word: its top
// 53 bits × 2⁻⁵³.
func unit(x uint64) float64 { return float64(x>>11) * 0x1p-53 }

// pickIndex returns the index of the component that u ∈ [0, 1) selects
// among the cumulative weights cum (the last one being the total).
func pickIndex(cum []float64, u float64) int {
	t := u * cum[len(cum)-1]
	i := sort.Search(len(cum), func(i int) bool { return t < cum[i] })
	return min(i, len(cum)-1)
}

// mixtureWeights returns the normalised weights w of the observations
// followed by the prior weight, and their cumulative sums.
func mixtureWeights(w []float64, prior float64) (norm, cum []float64) {
	norm = append(slices.Clone(w), prior)
	var total float64
	for _, x := range norm {
		total += x
	}
	cum = make([]float64, len(norm))
	var c float64
	for i := range norm {
		norm[i] /= total
		c += norm[i]
		cum[i] = c
	}
	return norm, cum
}

// mixture is a Parzen estimator of a group of parameters: a mixture of
// kernels, one per observed trial and the prior last, each a product of
// one factor per parameter. A numeric factor is a Gaussian truncated to
// the parameter's interval on its axis; a categorical one, the choices'
// probabilities.
type mixture struct {
	params []*Param
	m      int       // the observations, the kernels but the prior
	logW   []float64 // log mixture weights of the kernels
	cum    []float64 // their cumulative sums
	dims   []factors
	terms  []float64 // scratch: one log term per kernel
}

// factors are the factors of one parameter in every kernel.
type factors struct {
	// A numeric parameter's: interval [a, b], centres and bandwidths, the
	// standardised interval [alpha, beta] and log of the mass on it.
	a, b                      float64
	mu, sigma, alpha, beta, z []float64
	// A categorical parameter's: the observed choice of each kernel (the
	// prior's being −1), and the probabilities base/rowSum of every
	// choice, (base + 1)/rowSum of a kernel's own.
	choice       []int
	base, rowSum float64
}

// fitMixture fits the estimator of params on the observations obs (one
// row per trial, each a value per parameter: positions on the axis for
// numeric parameters, choice indices for categorical ones) of weights w.
// Bandwidths follow Optuna's univariate rule for a single parameter and
// its multivariate one, 0.2 · R · max(m, 1)^(−1/(d+4)) for m observations
// of d parameters, for a group.
func fitMixture(params []*Param, obs [][]float64, w []float64, s *settings) *mixture {
	m := len(obs)
	norm, cum := mixtureWeights(w, s.priorWeight)
	mx := &mixture{params: params, m: m, logW: make([]float64, m+1), cum: cum,
		dims: make([]factors, len(params)), terms: make([]float64, m+1)}
	for k, x := range norm {
		mx.logW[k] = math.Log(x)
	}
	col := make([]float64, m)
	for d, p := range params {
		for k := range obs {
			col[k] = obs[k][d]
		}
		if p.Kind == Categorical {
			mx.dims[d] = categoricalFactors(p, col, s)
			continue
		}
		var sigma []float64
		if len(params) == 1 {
			sigma = neighbourSigmas(p, col, s)
		} else {
			a, b := interval(p)
			sigma = make([]float64, m+1)
			for k := range sigma {
				sigma[k] = 0.2 * (b - a) * math.Pow(float64(max(m, 1)), -1/float64(len(params)+4))
			}
			clip(p, sigma, m, s)
		}
		mx.dims[d] = numericFactors(p, col, sigma)
	}
	return mx
}

// neighbourSigmas returns the bandwidths of the kernels centred on obs and
// of the prior, by Optuna's univariate rule: each the larger distance to a
// neighbour among the sorted centres (the prior's included) and the
// interval's ends; unless considerEndpoints, the outermost centres take
// the distance to their inner neighbour.
func neighbourSigmas(p *Param, obs []float64, s *settings) []float64 {
	a, b := interval(p)
	mus := append(slices.Clone(obs), 0.5*(a+b))
	m := len(mus)
	order := make([]int, m)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(i, j int) int {
		switch {
		case mus[i] < mus[j]:
			return -1
		case mus[i] > mus[j]:
			return 1
		}
		return 0
	})
	ends := make([]float64, m+2)
	ends[0], ends[m+1] = a, b
	for k, i := range order {
		ends[k+1] = mus[i]
	}
	sorted := make([]float64, m)
	for k := 1; k <= m; k++ {
		sorted[k-1] = max(ends[k]-ends[k-1], ends[k+1]-ends[k])
	}
	if !s.considerEndpoints && m >= 2 {
		sorted[0] = ends[2] - ends[1]
		sorted[m-1] = ends[m] - ends[m-1]
	}
	sigma := make([]float64, m)
	for k, i := range order {
		sigma[i] = sorted[k]
	}
	clip(p, sigma, len(obs), s)
	return sigma
}

// clip clips the bandwidths of the m observations' kernels to
// [R/min(100, m+2), R] (the magic clip; its floor is tiny without it), R
// the width of p's interval, and sets the last one, the prior's, to R.
func clip(p *Param, sigma []float64, m int, s *settings) {
	a, b := interval(p)
	width := b - a
	floor := width * tinySigma
	if s.magicClip {
		floor = width / min(100, float64(m+2))
	}
	for k := range sigma {
		sigma[k] = min(max(sigma[k], floor), width)
	}
	sigma[len(sigma)-1] = width
}

// numericFactors returns the factors of p for kernels centred on obs and
// the prior, of bandwidths sigma.
func numericFactors(p *Param, obs, sigma []float64) factors {
	a, b := interval(p)
	f := factors{a: a, b: b, mu: append(slices.Clone(obs), 0.5*(a+b)), sigma: sigma}
	n := len(f.mu)
	f.alpha, f.beta, f.z = make([]float64, n), make([]float64, n), make([]float64, n)
	for k, mu := range f.mu {
		f.alpha[k] = (a - mu) / sigma[k]
		f.beta[k] = (b - mu) / sigma[k]
		f.z[k] = math.Log(massBetween(f.alpha[k], f.beta[k]))
	}
	return f
}

// categoricalFactors returns the factors of p for kernels on the observed
// choices obs and the prior: 1 + w/k on a kernel's choice and w/k on
// every choice, normalised, for w the prior weight and k the kernels; the
// prior's is uniform.
func categoricalFactors(p *Param, obs []float64, s *settings) factors {
	f := factors{choice: make([]int, len(obs)+1)}
	for k, o := range obs {
		f.choice[k] = int(o)
	}
	f.choice[len(obs)] = -1
	f.base = s.priorWeight / float64(len(obs)+1)
	f.rowSum = float64(p.Choices)*f.base + 1
	return f
}

// sample draws a point from the mixture: values of the parameters in the
// encoding of Trial.Values, and positions on the axes, words giving the
// random 64-bit words, one for the kernel and one per parameter.
func (mx *mixture) sample(words func() uint64, x, y []float64) {
	k := pickIndex(mx.cum, unit(words()))
	for d, p := range mx.params {
		f := &mx.dims[d]
		u := unit(words())
		if p.Kind == Categorical {
			x[d] = float64(f.sampleChoice(p, k, u))
			y[d] = x[d]
			continue
		}
		y[d] = f.sampleAxis(k, u)
		x[d] = fromAxis(p, y[d])
	}
}

// sampleAxis draws a position from kernel k's truncated Gaussian by
// inverting its distribution function at u ∈ [0, 1).
func (f *factors) sampleAxis(k int, u float64) float64 {
	al, be := f.alpha[k], f.beta[k]
	// The quantile of phi(al) + u·(phi(be) − phi(al)), computed on the
	// tail it lies in; a centre is inside [a, b], so al ≤ 0 ≤ be.
	var z float64
	if pl, pu := phi(al), phi(be); pl+u*(pu-pl) < 0.5 {
		z = -math.Sqrt2 * math.Erfcinv(2*(pl+u*(pu-pl)))
	} else {
		ql, qu := phi(-al), phi(-be)
		z = math.Sqrt2 * math.Erfcinv(2*(ql-u*(ql-qu)))
	}
	return min(max(f.mu[k]+f.sigma[k]*z, f.a), f.b)
}

// sampleChoice draws a choice of p from kernel k at u ∈ [0, 1).
func (f *factors) sampleChoice(p *Param, k int, u float64) int {
	n := p.Choices
	if f.choice[k] < 0 {
		return min(int(u*float64(n)), n-1)
	}
	t := u * f.rowSum
	if t < 1 {
		return f.choice[k]
	}
	return min(int((t-1)/f.base), n-1)
}

// logDensity returns the log of the mixture's density at the point of
// values x and axis positions y: for an Int, the mass of its integer's
// cell; for a Categorical, the choice's probability. The factor 1/√(2π)
// of each Float's density is left out: common to l and g, it cancels in
// their ratio.
func (mx *mixture) logDensity(x, y []float64) float64 {
	copy(mx.terms, mx.logW)
	for d, p := range mx.params {
		f := &mx.dims[d]
		switch p.Kind {
		case Categorical:
			c := int(x[d])
			other, own := math.Log(f.base/f.rowSum), math.Log((f.base+1)/f.rowSum)
			uniform := -math.Log(float64(p.Choices))
			for k, o := range f.choice {
				switch o {
				case -1:
					mx.terms[k] += uniform
				case c:
					mx.terms[k] += own
				default:
					mx.terms[k] += other
				}
			}
		case Int:
			l, r := cell(p, x[d])
			for k := range f.mu {
				mass := massBetween((l-f.mu[k])/f.sigma[k], (r-f.mu[k])/f.sigma[k])
				mx.terms[k] += math.Log(mass) - f.z[k]
			}
		default:
			for k := range f.mu {
				z := (y[d] - f.mu[k]) / f.sigma[k]
				mx.terms[k] += -0.5*z*z - math.Log(f.sigma[k]) - f.z[k]
			}
		}
	}
	return logSumExp(mx.terms)
}
