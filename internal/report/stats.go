package report

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/mathext"
)

// DefaultAlpha is the significance level below which a difference is
// reported rather than printed as "~": the p-value threshold of benchstat.
const DefaultAlpha = 0.05

// ErrTooFewSamples is returned (wrapped) by WelchTTest when a sample has
// fewer than two values, so that its variance is unknown.
var ErrTooFewSamples = errors.New("need at least 2 values in each sample")

// Summary is the centre and spread of a sample: its size, mean and sample
// standard deviation (n − 1 in the denominator; NaN when N < 2, and the
// mean is NaN when N is 0).
type Summary struct {
	N    int
	Mean float64
	SD   float64
}

// Summarize returns the summary of xs.
func Summarize(xs []float64) Summary {
	s := Summary{N: len(xs), Mean: math.NaN(), SD: math.NaN()}
	if len(xs) == 0 {
		return s
	}
	var sum float64
	for _, x := range xs {
		sum += x
	}
	s.Mean = sum / float64(len(xs))
	if len(xs) < 2 {
		return s
	}
	var ss float64
	for _, x := range xs {
		ss += (x - s.Mean) * (x - s.Mean)
	}
	s.SD = math.Sqrt(ss / float64(len(xs)-1))
	return s
}

// TTest is the result of Welch's two-sample t-test.
type TTest struct {
	T  float64 // the t statistic of mean(b) − mean(a); ±Inf when both variances are 0
	DF float64 // the Welch–Satterthwaite degrees of freedom
	P  float64 // the two-sided p-value
}

// WelchTTest tests whether samples a and b have the same mean without
// assuming they have the same variance (Welch's unequal-variances t-test):
//
//	t = (mean(b) − mean(a)) / √(s²a/na + s²b/nb)
//	ν = (s²a/na + s²b/nb)² / ((s²a/na)²/(na−1) + (s²b/nb)²/(nb−1))
//	p = P(|T_ν| ≥ |t|) = I_{ν/(ν+t²)}(ν/2, 1/2)
//
// where I is the regularized incomplete beta function. Each sample needs at
// least two values (ErrTooFewSamples). When both samples have zero
// variance, the p-value is 1 if their means are equal and 0 otherwise.
//
// benchstat defaults to the Mann-Whitney U-test, which assumes nothing about
// the distributions; Compare uses Welch's t-test for runs it cannot pair by
// seed (see TestDiff), because sweeps repeat a configuration over few
// seeds, and with 5 values on each side the smallest two-sided p-value a
// U-test can give is 0.008 but with 3 it is 0.1. Final metrics averaged
// over thousands of test images are close to normal across seeds, which is
// what the t-test assumes.
func WelchTTest(a, b []float64) (TTest, error) {
	if len(a) < 2 || len(b) < 2 {
		return TTest{}, fmt.Errorf("welch t-test with %d and %d values: %w", len(a), len(b), ErrTooFewSamples)
	}
	sa, sb := Summarize(a), Summarize(b)
	va, vb := sa.SD*sa.SD/float64(sa.N), sb.SD*sb.SD/float64(sb.N)
	diff := sb.Mean - sa.Mean
	if va+vb == 0 {
		if diff == 0 {
			return TTest{T: 0, DF: math.NaN(), P: 1}, nil
		}
		return TTest{T: math.Copysign(math.Inf(1), diff), DF: math.NaN(), P: 0}, nil
	}
	t := diff / math.Sqrt(va+vb)
	df := (va + vb) * (va + vb) / (va*va/float64(sa.N-1) + vb*vb/float64(sb.N-1))
	p := mathext.RegIncBeta(df/2, 0.5, df/(df+t*t))
	return TTest{T: t, DF: df, P: p}, nil
}

// The smallest samples the tests are run on; with fewer, Compare and Check
// print "~" and a footnote asking for more seeds rather than a p-value.
//
// benchstat does not run a test that cannot reach its significance level
// with the samples it has. The signed-rank test's smallest two-sided
// p-value with n pairs is 2/2^n (every difference of the same sign):
// 0.0625 with 5 pairs, 0.03125 with 6, so it needs 6 to reach 0.05. A
// t-test can reach any level with 2 values, but from 2 or 3 values its
// standard deviation is a guess (with 3 values, 95% of samples give an
// estimate between 0.16σ and 1.9σ) and a p-value from it leans wholly on
// normality that so few values cannot show. runner asks for 5 values: a
// standard deviation with 4 degrees of freedom, of the differences in a
// paired test and of each side in Welch's.
const (
	MinPairedT = 5 // pairs for PairedTTest
	MinWelch   = 5 // values on each side for WelchTTest
	MinSigned  = 6 // pairs for WilcoxonSignedRank
)

// PairedTTest tests whether the differences b[i] − a[i] of paired values
// have mean zero (Student's paired t-test, scipy.stats.ttest_rel):
//
//	t = mean(d) / (sd(d)/√n),  ν = n − 1,  p = I_{ν/(ν+t²)}(ν/2, 1/2)
//
// It needs at least two pairs (ErrTooFewSamples). When the differences are
// all equal, the p-value is 1 if they are zero and 0 otherwise.
func PairedTTest(a, b []float64) (TTest, error) {
	if len(a) != len(b) {
		return TTest{}, fmt.Errorf("paired t-test of %d and %d values: the samples must pair up", len(a), len(b))
	}
	if len(a) < 2 {
		return TTest{}, fmt.Errorf("paired t-test with %d pairs: %w", len(a), ErrTooFewSamples)
	}
	d := make([]float64, len(a))
	for i := range a {
		d[i] = b[i] - a[i]
	}
	s := Summarize(d)
	df := float64(s.N - 1)
	if s.SD == 0 {
		if s.Mean == 0 {
			return TTest{T: 0, DF: df, P: 1}, nil
		}
		return TTest{T: math.Copysign(math.Inf(1), s.Mean), DF: df, P: 0}, nil
	}
	t := s.Mean / (s.SD / math.Sqrt(float64(s.N)))
	return TTest{T: t, DF: df, P: mathext.RegIncBeta(df/2, 0.5, df/(df+t*t))}, nil
}

// SignedRankTest is the result of the Wilcoxon signed-rank test.
type SignedRankTest struct {
	W     float64 // the smaller of the sums of the ranks of the positive and the negative differences
	N     int     // the differences ranked: the nonzero ones
	Zeros int     // the zero differences, dropped before ranking
	Exact bool    // P is from the exact distribution; otherwise from the normal approximation
	Z     float64 // with the normal approximation, the z statistic; NaN when Exact
	P     float64 // the two-sided p-value
}

// maxExactSigned is the largest number of differences whose p-value
// WilcoxonSignedRank takes from the exact distribution, as scipy does.
const maxExactSigned = 50

// WilcoxonSignedRank tests whether the differences b[i] − a[i] of paired
// values are symmetric about zero, assuming nothing else of their
// distribution (scipy.stats.wilcoxon, two-sided, zero_method "wilcox").
//
// Zero differences are dropped, as zero_method "wilcox" does, and the rest
// ranked by their absolute values, ties given their mean rank. W is the
// smaller of the positive and the negative rank sums. When no difference
// was zero, none are tied and there are at most 50, the p-value is exact:
// twice the probability, under the null, that a sum of ranks of random
// signs is at most W (at most 1). Otherwise it is the normal
// approximation with the variance reduced for ties and a continuity
// correction (scipy's method "approx" with correction=True):
//
//	z = (W − n(n+1)/4 + ½) / √(n(n+1)(2n+1)/24 − Σ(t³−t)/48),  p = 2Φ(−|z|)
//
// where t runs over the sizes of the groups of tied ranks. When every
// difference is zero, which scipy refuses, the p-value is 1: nothing
// changed. It needs at least one pair (ErrTooFewSamples).
func WilcoxonSignedRank(a, b []float64) (SignedRankTest, error) {
	if len(a) != len(b) {
		return SignedRankTest{}, fmt.Errorf("signed-rank test of %d and %d values: the samples must pair up", len(a), len(b))
	}
	if len(a) == 0 {
		return SignedRankTest{}, fmt.Errorf("signed-rank test with no pairs: %w", ErrTooFewSamples)
	}
	var d []float64
	for i := range a {
		if x := b[i] - a[i]; x != 0 {
			d = append(d, x)
		}
	}
	r := SignedRankTest{N: len(d), Zeros: len(a) - len(d), Z: math.NaN(), P: 1}
	if r.N == 0 {
		r.Exact = true
		return r, nil
	}
	ranks, ties := rankAbs(d)
	var plus, minus float64
	for i, x := range d {
		if x > 0 {
			plus += ranks[i]
		} else {
			minus += ranks[i]
		}
	}
	r.W = min(plus, minus)
	n := float64(r.N)
	if r.Zeros == 0 && len(ties) == 0 && r.N <= maxExactSigned {
		r.Exact = true
		r.P = min(1, 2*signedRankCDF(r.N, int(r.W)))
		return r, nil
	}
	mean := n * (n + 1) / 4
	variance := n * (n + 1) * (2*n + 1) / 24
	for _, t := range ties {
		variance -= float64(t*t*t-t) / 48
	}
	if variance <= 0 {
		return r, nil
	}
	// The continuity correction moves W half a unit towards the mean.
	cc := 0.0
	switch {
	case r.W < mean:
		cc = 0.5
	case r.W > mean:
		cc = -0.5
	}
	r.Z = (r.W - mean + cc) / math.Sqrt(variance)
	r.P = math.Erfc(math.Abs(r.Z) / math.Sqrt2)
	return r, nil
}

// rankAbs returns the ranks of the absolute values of d, 1 for the
// smallest, ties given their mean rank, and the sizes of the groups of
// ties (those of two or more).
func rankAbs(d []float64) (ranks []float64, ties []int) {
	order := make([]int, len(d))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(i, j int) int { return cmp.Compare(math.Abs(d[i]), math.Abs(d[j])) })
	ranks = make([]float64, len(d))
	for lo := 0; lo < len(order); {
		hi := lo + 1
		for hi < len(order) && math.Abs(d[order[hi]]) == math.Abs(d[order[lo]]) {
			hi++
		}
		// Positions lo…hi−1 share the mean of the ranks lo+1…hi.
		for _, i := range order[lo:hi] {
			ranks[i] = float64(lo+1+hi) / 2
		}
		if hi-lo > 1 {
			ties = append(ties, hi-lo)
		}
		lo = hi
	}
	return ranks, ties
}

// signedRankCDF returns P(W⁺ ≤ w) for the sum W⁺ of the ranks 1…n that
// get a positive sign, each sign positive with probability ½
// independently: the number of subsets of {1, …, n} whose sum is at most
// w, over 2^n.
func signedRankCDF(n, w int) float64 {
	// count[s] is the number of subsets of {1, …, k} summing to s; exact
	// in float64 while n ≤ 52.
	top := n * (n + 1) / 2
	count := make([]float64, top+1)
	count[0] = 1
	for k := 1; k <= n; k++ {
		for s := k * (k + 1) / 2; s >= k; s-- {
			count[s] += count[s-k]
		}
	}
	var below float64
	for s := 0; s <= w && s <= top; s++ {
		below += count[s]
	}
	return below / math.Exp2(float64(n))
}
