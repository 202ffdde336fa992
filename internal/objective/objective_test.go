package objective_test

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"runner/internal/objective"
	"runner/internal/optim"
)

// every returns every function, the quadratic with two condition numbers.
func every(t *testing.T) []objective.Function {
	t.Helper()
	var fs []objective.Function
	for _, name := range objective.Names {
		f, err := objective.Lookup(name, 0)
		if err != nil {
			t.Fatalf("Lookup(%q, 0): %v", name, err)
		}
		fs = append(fs, f)
	}
	return append(fs, objective.Quadratic{Condition: 1000})
}

// points are where the gradients are checked: inside and at the edges of
// every window, on the axes and off them.
var points = [][]float64{
	{-7, 2}, {-1.5, 2}, {0.3, -0.7}, {1.2, 1.1}, {2.5, -0.4}, {-3.1, 4.2}, {4.4, 3.3}, {0, 1}, {1, 0}, {-0.25, -0.75},
}

// centralDiff returns the central-difference gradient of f at x, with a
// step scaled to the coordinate.
func centralDiff(f objective.Function, x []float64) []float64 {
	g := make([]float64, len(x))
	for i := range x {
		h := 1e-6 * max(1, math.Abs(x[i]))
		p, m := slices.Clone(x), slices.Clone(x)
		p[i] += h
		m[i] -= h
		g[i] = (f.Value(p) - f.Value(m)) / (p[i] - m[i])
	}
	return g
}

func TestGradMatchesCentralDifferences(t *testing.T) {
	for _, f := range every(t) {
		for _, x := range points {
			got := make([]float64, 2)
			f.Grad(got, x)
			want := centralDiff(f, x)
			for i := range got {
				// Central differences are accurate to O(h²) relative to
				// the function's size, so the tolerance follows the
				// value and the gradient.
				tol := 1e-6 * max(1, math.Abs(want[i]), math.Abs(f.Value(x)))
				if math.Abs(got[i]-want[i]) > tol {
					t.Errorf("%s: ∂f/∂x%d at %v = %.10g; central difference %.10g", name(f), i, x, got[i], want[i])
				}
			}
		}
	}
}

// name tells the quadratics apart.
func name(f objective.Function) string {
	if q, ok := f.(objective.Quadratic); ok {
		return fmt.Sprintf("quadratic κ=%g", q.Condition)
	}
	return f.Name()
}

func TestValues(t *testing.T) {
	tests := []struct {
		f    objective.Function
		x    []float64
		want float64
	}{
		{objective.Book{}, []float64{-7, 2}, 49.0/20 + 4},
		{objective.Book{}, []float64{10, 0}, 5},
		{objective.Rosenbrock{}, []float64{0, 0}, 1},
		{objective.Rosenbrock{}, []float64{-1.5, 2}, 2.5*2.5 + 100*0.25*0.25},
		{objective.Beale{}, []float64{0, 0}, 1.5*1.5 + 2.25*2.25 + 2.625*2.625},
		{objective.Beale{}, []float64{1, 1}, 1.5*1.5 + 2.25*2.25 + 2.625*2.625},
		{objective.Himmelblau{}, []float64{0, 0}, 121 + 49},
		{objective.Rastrigin{}, []float64{1, 1}, 2},
		{objective.Rastrigin{}, []float64{0.5, 0}, 0.25 + 20},
		{objective.Quadratic{Condition: 10}, []float64{2, 1}, 7},
		{objective.Quadratic{Condition: 100}, []float64{-1, 0.5}, 13},
	}
	for _, tt := range tests {
		if got := tt.f.Value(tt.x); math.Abs(got-tt.want) > 1e-12*max(1, tt.want) {
			t.Errorf("%s%v = %.15g; want %.15g", name(tt.f), tt.x, got, tt.want)
		}
	}
}

func TestMinima(t *testing.T) {
	counts := map[string]int{"book": 1, "rosenbrock": 1, "beale": 1, "himmelblau": 4, "rastrigin": 1, "quadratic": 1}
	for _, f := range every(t) {
		ms := f.Minima()
		if len(ms) != counts[f.Name()] {
			t.Errorf("%s: %d minima; want %d", name(f), len(ms), counts[f.Name()])
		}
		lo, hi := f.Window()
		for _, m := range ms {
			if v := f.Value(m); math.Abs(v) > 1e-24 {
				t.Errorf("%s: value %g at the minimum %v; want 0", name(f), v, m)
			}
			g := make([]float64, 2)
			f.Grad(g, m)
			if math.Hypot(g[0], g[1]) > 1e-12 {
				t.Errorf("%s: gradient %v at the minimum %v; want 0", name(f), g, m)
			}
			if d := objective.Distance(f, m); d != 0 {
				t.Errorf("%s: Distance at the minimum %v = %g; want 0", name(f), m, d)
			}
			for i := range 2 {
				if !(lo[i] < m[i] && m[i] < hi[i]) {
					t.Errorf("%s: minimum %v outside the window %v–%v", name(f), m, lo, hi)
				}
			}
			// A minimum: every point around it is higher.
			for _, step := range [][]float64{{1e-3, 0}, {-1e-3, 0}, {0, 1e-3}, {0, -1e-3}, {1e-3, 1e-3}, {-1e-3, 1e-3}} {
				p := []float64{m[0] + step[0], m[1] + step[1]}
				if !(f.Value(p) > f.Value(m)) {
					t.Errorf("%s: f%v = %g is not above f%v = %g", name(f), p, f.Value(p), m, f.Value(m))
				}
			}
		}
	}
}

func TestBookWindow(t *testing.T) {
	lo, hi := objective.Book{}.Window()
	if lo != [2]float64{-10, -5} || hi != [2]float64{10, 5} {
		t.Errorf("book window %v–%v; want the figure's [-10, 10] × [-5, 5]", lo, hi)
	}
}

func TestDistance(t *testing.T) {
	tests := []struct {
		f    objective.Function
		x    []float64
		want float64
	}{
		{objective.Book{}, []float64{3, 4}, 5},
		{objective.Rosenbrock{}, []float64{1, 4}, 3},
		{objective.Beale{}, []float64{3, -0.5}, 1},
		{objective.Himmelblau{}, []float64{3, 2.5}, 0.5},                                // near (3, 2)
		{objective.Himmelblau{}, []float64{-3.779310253377747, -2.2831859912861696}, 1}, // near the third
		{objective.Himmelblau{}, []float64{0, 0}, math.Sqrt(13)},
	}
	for _, tt := range tests {
		if got := objective.Distance(tt.f, tt.x); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("Distance(%s, %v) = %.15g; want %.15g", name(tt.f), tt.x, got, tt.want)
		}
	}
	if d := objective.Distance(objective.Book{}, []float64{math.NaN(), 0}); !math.IsNaN(d) {
		t.Errorf("Distance at NaN = %g; want NaN", d)
	}
}

func TestLookup(t *testing.T) {
	for _, name := range objective.Names {
		f, err := objective.Lookup(name, 0)
		if err != nil || f.Name() != name {
			t.Errorf("Lookup(%q) = %v, %v", name, f, err)
		}
	}
	if f, err := objective.Lookup("quadratic", 0); err != nil || f.(objective.Quadratic).Condition != objective.DefaultCondition {
		t.Errorf("Lookup(quadratic, 0) = %v, %v; want the default condition %v", f, err, objective.DefaultCondition)
	}
	if f, err := objective.Lookup("quadratic", 250); err != nil || f.(objective.Quadratic).Condition != 250 {
		t.Errorf("Lookup(quadratic, 250) = %v, %v", f, err)
	}
	for _, bad := range []struct {
		name      string
		condition float64
		want      string
	}{
		{"booth", 0, `unknown function "booth" (want book, rosenbrock, beale, himmelblau, rastrigin, quadratic)`},
		{"", 0, "unknown function"},
		{"quadratic", -1, "condition must be a finite number > 0 (got -1)"},
		{"quadratic", math.NaN(), "condition must be"},
		{"quadratic", math.Inf(1), "condition must be"},
	} {
		f, err := objective.Lookup(bad.name, bad.condition)
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("Lookup(%q, %v) = %v, %v; want an error with %q", bad.name, bad.condition, f, err, bad.want)
		}
	}
}

func TestGradAllocatesNothing(t *testing.T) {
	x, g := []float64{0.3, -0.7}, make([]float64, 2)
	for _, f := range every(t) {
		if n := testing.AllocsPerRun(100, func() { f.Grad(g, x) }); n != 0 {
			t.Errorf("%s: Grad allocates %v times", name(f), n)
		}
	}
}

func TestWrongDimensionPanics(t *testing.T) {
	for _, f := range every(t) {
		for _, call := range []func(){
			func() { f.Value([]float64{1}) },
			func() { f.Grad(make([]float64, 3), []float64{1, 2, 3}) },
			func() { f.Grad(make([]float64, 1), []float64{1, 2}) },
		} {
			func() {
				defer func() {
					if r := recover(); r == nil || !strings.HasPrefix(fmt.Sprint(r), "objective: ") {
						t.Errorf("%s: recovered %v; want an objective: panic", name(f), r)
					}
				}()
				call()
			}()
		}
	}
}

// TestAdamReachesRosenbrockMinimum is the package documentation's claim:
// Adam, with the book's β1, β2 and ε and a constant rate of 0.002, from
// (−1.5, 2) comes within 1e-3 of (1, 1) by step 8,000 and stays there, and
// is within 1e-10 at step 10,000.
func TestAdamReachesRosenbrockMinimum(t *testing.T) {
	const lr, steps, settled = 0.002, 10000, 8000
	f := objective.Rosenbrock{}
	x, g := []float64{-1.5, 2}, make([]float64, 2)
	opt := optim.NewAdam[float64]()
	for s := 1; s <= steps; s++ {
		f.Grad(g, x)
		opt.Update(lr, [][]float64{x}, [][]float64{g})
		if d := objective.Distance(f, x); s >= settled && !(d < 1e-3) {
			t.Fatalf("step %d: at %v, %g from (1, 1); want within 1e-3 from step %d on", s, x, d, settled)
		}
	}
	if d := objective.Distance(f, x); !(d < 1e-10) {
		t.Errorf("after %d steps at %v, %g from (1, 1); want within 1e-10", steps, x, d)
	}
}
