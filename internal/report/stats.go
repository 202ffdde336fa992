package report

import (
	"errors"
	"fmt"
	"math"

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
// the distributions; runner uses Welch's t-test because sweeps repeat a
// configuration over few seeds (often 3), and with 3 values on each side
// the smallest two-sided p-value a U-test can give is 0.1: it could never
// tell a difference at the 0.05 level. Final metrics averaged over
// thousands of test images are close to normal across seeds, which is what
// the t-test assumes.
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
