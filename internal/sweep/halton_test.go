package sweep_test

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"runner/internal/sweep"
	"runner/internal/train"
)

// haltonSpec is a Halton search over two uniform fields on [0, 1].
func haltonSearch(t *testing.T, method string, seed, trials int) []train.Config {
	t.Helper()
	text := fmt.Sprintf(`
name: q
seed: %d
search: {method: %s, trials: %d}
dataset: {validation: 0.2}
model: {dropout: {uniform: [0, 0.5]}}
optimizers:
  - {name: sgd, lr: {uniform: [0.5, 1.5]}}
`, seed, method, trials)
	s, err := sweep.Parse("q.yaml", []byte(text), nil)
	if err != nil {
		t.Fatal(err)
	}
	runs, err := s.Expand(10000)
	if err != nil {
		t.Fatal(err)
	}
	return runs
}

// units returns the two drawn coordinates of each run, scaled back to [0, 1).
func units(runs []train.Config) (u, v []float64) {
	for _, r := range runs {
		u = append(u, r.Model.Dropout/0.5)
		v = append(v, r.Optimizer.LR-0.5)
	}
	return u, v
}

// TestHalton_Stratified checks the property that sets quasi-random points
// apart from random draws: the first 2^m points put exactly one first
// coordinate (base 2) in each interval [k/2^m, (k+1)/2^m), the first 3^m
// one second coordinate (base 3) in each third, and the first 6 points one
// pair in each cell of the 2 × 3 grid. Random draws of the same number
// fail it almost surely.
func TestHalton_Stratified(t *testing.T) {
	for _, seed := range []int{1, 2, 7} {
		u, v := units(haltonSearch(t, "halton", seed, 729))
		strata := func(xs []float64, n int) bool {
			seen := make([]bool, n)
			for _, x := range xs[:n] {
				k := int(x * float64(n))
				if k < 0 || k >= n || seen[k] {
					return false
				}
				seen[k] = true
			}
			return true
		}
		for _, n := range []int{2, 4, 64, 512} {
			if !strata(u, n) {
				t.Errorf("seed %d: the first %d points do not stratify coordinate 0 into %d intervals", seed, n, n)
			}
		}
		for _, n := range []int{3, 27, 729} {
			if !strata(v, n) {
				t.Errorf("seed %d: the first %d points do not stratify coordinate 1 into %d intervals", seed, n, n)
			}
		}
		cells := map[[2]int]bool{}
		for i := range 6 {
			cells[[2]int{int(u[i] * 2), int(v[i] * 3)}] = true
		}
		if len(cells) != 6 {
			t.Errorf("seed %d: the first 6 points fill %d of the 2 × 3 cells, want 6", seed, len(cells))
		}
	}
	u, _ := units(haltonSearch(t, "random", 1, 64))
	seen := map[int]bool{}
	for _, x := range u {
		seen[int(x*64)] = true
	}
	if len(seen) == 64 {
		t.Errorf("64 random draws stratify into 64 intervals: the check cannot tell quasi-random points from random ones")
	}
}

// TestHalton_Discrepancy compares the star discrepancy of 256 Halton
// points in the unit square with that of 256 random draws: the points
// must be markedly more even (the discrepancy of random points is about
// N^−½ ≈ 0.06; that of Halton points about (log N)²/N).
func TestHalton_Discrepancy(t *testing.T) {
	qu, qv := units(haltonSearch(t, "halton", 3, 256))
	ru, rv := units(haltonSearch(t, "random", 3, 256))
	dq, dr := starDiscrepancy(qu, qv), starDiscrepancy(ru, rv)
	t.Logf("star discrepancy of 256 points: halton %.4f, random %.4f", dq, dr)
	if dq > 0.03 {
		t.Errorf("halton star discrepancy %.4f, want ≤ 0.03", dq)
	}
	if dq*2 > dr {
		t.Errorf("halton %.4f is not half of random's %.4f", dq, dr)
	}
}

// starDiscrepancy is the 2-D star discrepancy of the points, computed over
// the boxes [0, a) × [0, b) with corners at the points' coordinates (and
// 1), counting points inside and on the closed box.
func starDiscrepancy(u, v []float64) float64 {
	n := float64(len(u))
	as, bs := append(slices.Clone(u), 1), append(slices.Clone(v), 1)
	d := 0.0
	for _, a := range as {
		for _, b := range bs {
			open, closed := 0, 0
			for i := range u {
				if u[i] < a && v[i] < b {
					open++
				}
				if u[i] <= a && v[i] <= b {
					closed++
				}
			}
			d = max(d, math.Abs(float64(open)/n-a*b), math.Abs(float64(closed)/n-a*b))
		}
	}
	return d
}

// TestHalton_Deterministic checks that the points depend on the seed
// alone: the same seed gives the same trials, another seed others, and a
// longer search begins with the shorter one's trials.
func TestHalton_Deterministic(t *testing.T) {
	a, b := haltonSearch(t, "halton", 5, 40), haltonSearch(t, "halton", 5, 40)
	for i := range a {
		if a[i].Key() != b[i].Key() {
			t.Fatalf("trial %d differs between two expansions of the same file", i)
		}
	}
	c := haltonSearch(t, "halton", 6, 40)
	same := 0
	for i := range a {
		if a[i].Key() == c[i].Key() {
			same++
		}
	}
	if same > 0 {
		t.Errorf("seeds 5 and 6 share %d of 40 trials", same)
	}
	long := haltonSearch(t, "halton", 5, 80)
	for i := range a {
		if a[i].Key() != long[i].Key() {
			t.Fatalf("trial %d of 40 is not trial %d of 80", i, i)
		}
	}
}
