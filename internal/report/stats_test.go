package report_test

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"

	"runner/internal/report"
)

func seq(from, to float64) []float64 {
	var xs []float64
	for x := from; x <= to; x++ {
		xs = append(xs, x)
	}
	return xs
}

// TestWelchTTest checks the test against values published by R's t.test
// (Welch is its default): the sleep data set and the examples of ?t.test.
func TestWelchTTest(t *testing.T) {
	sleep1 := []float64{0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0}
	sleep2 := []float64{1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4}
	tests := []struct {
		name     string
		a, b     []float64
		t, df, p float64
		tol      float64 // relative: half a unit in the last digit R prints
	}{
		// t.test(extra ~ group, data = sleep): t = -1.8608, df = 17.776, p-value = 0.07939
		// (R's t is group 1 − group 2; WelchTTest's is b − a.)
		{"sleep", sleep1, sleep2, 1.8608, 17.776, 0.07939, 5e-4},
		// t.test(1:10, y = c(7:20)): t = -5.4349, df = 21.982, p-value = 1.855e-05
		{"R example", seq(1, 10), seq(7, 20), 5.4349, 21.982, 1.855e-05, 5e-4},
		// t.test(1:10, y = c(7:20, 200)): t = -1.6329, df = 14.165, p-value = 0.1245
		{"R example with outlier", seq(1, 10), append(seq(7, 20), 200), 1.6329, 14.165, 0.1245, 5e-4},
		// Swapping the samples flips the sign of t only.
		{"swapped", sleep2, sleep1, -1.8608, 17.776, 0.07939, 5e-4},
		// Three seeds a side, as sweeps have; checked by numerical integration
		// of the t density.
		{"three seeds", []float64{0.97, 0.972, 0.971}, []float64{0.975, 0.976, 0.9745}, 5.7354, 3.7409, 0.0056017, 1e-4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := report.WelchTTest(tt.a, tt.b)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				name      string
				got, want float64
			}{{"t", got.T, tt.t}, {"df", got.DF, tt.df}, {"p", got.P, tt.p}} {
				if math.Abs(c.got-c.want) > tt.tol*math.Abs(c.want)+1e-12 {
					t.Errorf("%s = %.6g, want %.6g", c.name, c.got, c.want)
				}
			}
		})
	}
}

// TestWelchTTestEdges checks the degenerate cases: too few values, zero
// variance on both sides.
func TestWelchTTestEdges(t *testing.T) {
	tests := []struct {
		name    string
		a, b    []float64
		p       float64
		wantErr error
	}{
		{"one value", []float64{1}, []float64{1, 2}, 0, report.ErrTooFewSamples},
		{"empty", nil, []float64{1, 2}, 0, report.ErrTooFewSamples},
		{"identical constants", []float64{0.9, 0.9}, []float64{0.9, 0.9, 0.9}, 1, nil},
		{"different constants", []float64{0.9, 0.9}, []float64{0.8, 0.8}, 0, nil},
		{"identical samples", []float64{1, 2, 3}, []float64{1, 2, 3}, 1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := report.WelchTTest(tt.a, tt.b)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error %v, want %v", err, tt.wantErr)
			}
			if err == nil && math.Abs(got.P-tt.p) > 1e-12 {
				t.Errorf("p = %v, want %v", got.P, tt.p)
			}
		})
	}
}

func TestSummarize(t *testing.T) {
	tests := []struct {
		xs       []float64
		n        int
		mean, sd float64
	}{
		{nil, 0, math.NaN(), math.NaN()},
		{[]float64{0.5}, 1, 0.5, math.NaN()},
		{[]float64{1, 2, 3, 4}, 4, 2.5, math.Sqrt(5.0 / 3)},
	}
	same := func(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) || math.Abs(a-b) < 1e-15 }
	for _, tt := range tests {
		got := report.Summarize(tt.xs)
		if got.N != tt.n || !same(got.Mean, tt.mean) || !same(got.SD, tt.sd) {
			t.Errorf("Summarize(%v) = %+v, want {%d %v %v}", tt.xs, got, tt.n, tt.mean, tt.sd)
		}
	}
}

// pairedCase is one case of testdata/paired.json, which
// scripts/paired-reference.py writes with scipy.
type pairedCase struct {
	Name  string    `json:"name"`
	A     []float64 `json:"a"`
	B     []float64 `json:"b"`
	T     float64   `json:"t"`
	DF    float64   `json:"df"`
	TP    float64   `json:"t_p"`
	W     float64   `json:"w"`
	WP    float64   `json:"w_p"`
	Exact bool      `json:"exact"`
	Zeros int       `json:"zeros"`
	Z     *float64  `json:"z"`
}

// TestPairedReference checks PairedTTest and WilcoxonSignedRank against
// scipy.stats.ttest_rel and scipy.stats.wilcoxon on the samples of
// testdata/paired.json: exact and approximate p-values, ties, zeros.
func TestPairedReference(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "paired.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Scipy string       `json:"scipy"`
		Cases []pairedCase `json:"cases"`
	}
	if err := json.Unmarshal(raw, &ref); err != nil {
		t.Fatal(err)
	}
	if len(ref.Cases) < 6 {
		t.Fatalf("%d cases in testdata/paired.json, want at least 6", len(ref.Cases))
	}
	var exact, approx, zeros int
	for _, c := range ref.Cases {
		t.Run(c.Name, func(t *testing.T) {
			close := func(what string, got, want float64) {
				t.Helper()
				if math.Abs(got-want) > 1e-9*math.Abs(want)+1e-12 {
					t.Errorf("%s = %.12g, scipy %s gives %.12g", what, got, ref.Scipy, want)
				}
			}
			tt, err := report.PairedTTest(c.A, c.B)
			if err != nil {
				t.Fatal(err)
			}
			close("t", tt.T, c.T)
			close("df", tt.DF, c.DF)
			close("t-test p", tt.P, c.TP)
			w, err := report.WilcoxonSignedRank(c.A, c.B)
			if err != nil {
				t.Fatal(err)
			}
			if w.Exact != c.Exact || w.Zeros != c.Zeros || w.N != len(c.A)-c.Zeros {
				t.Errorf("exact %v, %d zeros of %d pairs; want exact %v, %d zeros", w.Exact, w.Zeros, w.N+w.Zeros, c.Exact, c.Zeros)
			}
			close("W", w.W, c.W)
			close("signed-rank p", w.P, c.WP)
			if c.Z != nil {
				close("z", w.Z, *c.Z)
			}
		})
		if c.Exact {
			exact++
		} else {
			approx++
		}
		if c.Zeros > 0 {
			zeros++
		}
	}
	if exact == 0 || approx == 0 || zeros == 0 {
		t.Errorf("testdata/paired.json has %d exact, %d approximate, %d with zeros: want some of each", exact, approx, zeros)
	}
}

// TestPairedEdges checks the degenerate cases of the paired tests.
func TestPairedEdges(t *testing.T) {
	tests := []struct {
		name     string
		a, b     []float64
		tp, wp   float64 // tp −1: not checked
		exact    bool
		tErr     error
		wErr     error
		mismatch bool
	}{
		{"no pairs", nil, nil, 0, 0, false, report.ErrTooFewSamples, report.ErrTooFewSamples, false},
		{"one pair", []float64{1}, []float64{2}, 0, 1, true, report.ErrTooFewSamples, nil, false},
		{"all equal", []float64{0.9, 0.8, 0.7}, []float64{0.9, 0.8, 0.7}, 1, 1, true, nil, nil, false},
		{"constant shift", []float64{1, 2, 3}, []float64{3, 4, 5}, 0, 0, false, nil, nil, false},
		{"three pairs, one sign", []float64{0, 0, 0}, []float64{1, 2, 3}, -1, 0.25, true, nil, nil, false},
		{"one sign, six pairs", seq(1, 6), seq(2, 7), 0, 0, false, nil, nil, false}, // all tied: approximate
		{"unpaired", []float64{1, 2}, []float64{1, 2, 3}, 0, 0, false, nil, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pt, err := report.PairedTTest(tt.a, tt.b)
			switch {
			case tt.mismatch && err == nil:
				t.Errorf("paired t-test of unpaired samples: no error")
			case !tt.mismatch && !errors.Is(err, tt.tErr):
				t.Errorf("paired t-test: error %v, want %v", err, tt.tErr)
			case err == nil && tt.tp >= 0 && pt.P != tt.tp:
				t.Errorf("paired t-test: p = %v, want %v", pt.P, tt.tp)
			}
			w, err := report.WilcoxonSignedRank(tt.a, tt.b)
			switch {
			case tt.mismatch && err == nil:
				t.Errorf("signed-rank test of unpaired samples: no error")
			case !tt.mismatch && !errors.Is(err, tt.wErr):
				t.Errorf("signed-rank test: error %v, want %v", err, tt.wErr)
			case err == nil && tt.exact && (!w.Exact || math.Abs(w.P-tt.wp) > 1e-15):
				t.Errorf("signed-rank test: p = %v (exact %v), want %v exact", w.P, w.Exact, tt.wp)
			case err == nil && !tt.exact && w.Exact:
				t.Errorf("signed-rank test of tied differences: exact, want the normal approximation")
			}
		})
	}
}
