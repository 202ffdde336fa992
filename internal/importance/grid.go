package importance

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/stat"
)

// grid is the grid of a parameter on which its densities are estimated.
type grid struct {
	p      *Param
	points int
}

// newGrid returns p's grid of at most n points on a numeric parameter's
// scale: one per integer of an Int of at most n values, one per choice of
// a categorical.
func newGrid(p *Param, n int) grid {
	switch {
	case p.Choices > 0:
		n = p.Choices
	case p.Int:
		n = min(n, int(p.High-p.Low)+1)
	}
	return grid{p: p, points: n}
}

// index returns the grid point nearest to value v.
func (g grid) index(v float64) int {
	if g.p.Choices > 0 {
		return int(v)
	}
	i := int(math.Round(position(g.p, v) * float64(g.points-1)))
	return min(max(i, 0), g.points-1)
}

// density returns the probabilities of the grid points under the kernel
// density estimate of values, with a prior kernel of weight prior.
func (g grid) density(values []float64, prior float64) []float64 {
	counts := make([]float64, g.points)
	idx := make([]float64, len(values))
	for i, v := range values {
		k := g.index(v)
		counts[k]++
		idx[i] = float64(k)
	}
	total := float64(len(values)) + prior
	p := make([]float64, g.points)
	if g.p.Choices > 0 {
		// One kernel per trial on its choice, the prior uniform.
		for j, c := range counts {
			p[j] = (c + prior/float64(g.points)) / total
		}
		return p
	}
	sigma := scott(idx)
	for k, c := range counts {
		if c > 0 {
			addKernel(p, float64(k), sigma, c/total)
		}
	}
	addKernel(p, float64(g.points-1)/2, float64(g.points), prior/total)
	return p
}

// scott returns the bandwidth of Scott's rule for points x on the grid's
// index: 1.059·min(sd, IQR/1.34)·n^(−1/5), sd alone if the IQR is 0, and
// at least 0.5/1.64, so that 90 % of a kernel's mass stays within its
// cell.
func scott(x []float64) float64 {
	const floor = 0.5 / 1.64
	n := float64(len(x))
	if len(x) < 2 {
		return floor
	}
	s := slices.Clone(x)
	slices.Sort(s)
	sd := stat.StdDev(s, nil)
	iqr := stat.Quantile(0.75, stat.Empirical, s, nil) - stat.Quantile(0.25, stat.Empirical, s, nil)
	spread := sd
	if iqr > 0 {
		spread = min(sd, iqr/1.34)
	}
	return max(1.059*spread*math.Pow(n, -0.2), floor)
}

// addKernel adds to p, the probabilities of the grid points 0 to
// len(p)−1, weight w times the probabilities of a Gaussian of centre mu
// and bandwidth sigma discretised to the cells [j−½, j+½] of the points
// and truncated to the grid.
func addKernel(p []float64, mu, sigma, w float64) {
	mass := make([]float64, len(p))
	for j := range mass {
		mass[j] = massBetween((float64(j)-0.5-mu)/sigma, (float64(j)+0.5-mu)/sigma)
	}
	floats.AddScaled(p, w/floats.Sum(mass), mass)
}

// phi is the standard normal distribution function.
func phi(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }

// massBetween is phi(hi) − phi(lo) for lo ≤ hi, computed on the tail
// where the difference does not cancel.
func massBetween(lo, hi float64) float64 {
	if lo >= 0 {
		return phi(-lo) - phi(-hi)
	}
	return phi(hi) - phi(lo)
}
