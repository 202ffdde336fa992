package optim_test

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"runner/internal/kernel"
	"runner/internal/optim"
)

// methods lists every optimizer; each test runs its table against all of them.
var methods = []struct {
	name      string
	stateless bool // no state, so no shape to hold later calls to
}{
	{name: "SGD", stateless: true},
	{name: "Momentum"},
	{name: "Nesterov"},
	{name: "AdaGrad"},
	{name: "RMSprop"},
	{name: "Adam"},
	{name: "AdamW"},
	{name: "AMSGrad"},
	{name: "NAdam"},
	{name: "RAdam"},
	{name: "Lion"},
	{name: "ScheduleFreeSGD"},
	{name: "ScheduleFreeAdamW"},
}

// newOptimizer returns the named optimizer with the book's defaults (for
// the later methods, their constructor's).
func newOptimizer[T kernel.Float](name string) optim.Optimizer[T] {
	switch name {
	case "SGD":
		return optim.NewSGD[T]()
	case "Momentum":
		return optim.NewMomentum[T]()
	case "Nesterov":
		return optim.NewNesterov[T]()
	case "AdaGrad":
		return optim.NewAdaGrad[T]()
	case "RMSprop":
		return optim.NewRMSprop[T]()
	case "Adam":
		return optim.NewAdam[T]()
	case "AdamW":
		return optim.NewAdamW[T]()
	case "AMSGrad":
		o := optim.NewAdamW[T]()
		o.AMSGrad = true
		return o
	case "NAdam":
		return optim.NewNAdam[T]()
	case "RAdam":
		return optim.NewRAdam[T]()
	case "Lion":
		return optim.NewLion[T]()
	case "ScheduleFreeSGD":
		return optim.NewScheduleFreeSGD[T]()
	case "ScheduleFreeAdamW":
		return optim.NewScheduleFreeAdamW[T]()
	}
	panic("unknown optimizer " + name)
}

func TestConstructors_BookDefaults(t *testing.T) {
	if o := optim.NewMomentum[float32](); o.Momentum != 0.9 {
		t.Errorf("NewMomentum: Momentum = %v, want 0.9", o.Momentum)
	}
	if o := optim.NewNesterov[float32](); o.Momentum != 0.9 {
		t.Errorf("NewNesterov: Momentum = %v, want 0.9", o.Momentum)
	}
	if o := optim.NewAdaGrad[float32](); o.Eps != 1e-7 {
		t.Errorf("NewAdaGrad: Eps = %v, want 1e-7", o.Eps)
	}
	if o := optim.NewRMSprop[float32](); o.DecayRate != 0.99 || o.Eps != 1e-7 {
		t.Errorf("NewRMSprop: DecayRate, Eps = %v, %v, want 0.99, 1e-7", o.DecayRate, o.Eps)
	}
	if o := optim.NewAdam[float32](); o.Beta1 != 0.9 || o.Beta2 != 0.999 || o.Eps != 1e-7 {
		t.Errorf("NewAdam: Beta1, Beta2, Eps = %v, %v, %v, want 0.9, 0.999, 1e-7", o.Beta1, o.Beta2, o.Eps)
	}
}

// TestConstructors_ModernDefaults checks the later methods' constructors
// against PyTorch's defaults (torch.optim.AdamW, NAdam, RAdam), the Lion
// paper's and the schedule-free reference implementation's.
func TestConstructors_ModernDefaults(t *testing.T) {
	if o, want := *optim.NewAdamW[float32](), (optim.AdamW[float32]{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 1e-2}); !sameFields(o, want) {
		t.Errorf("NewAdamW = %+v, want %+v", o, want)
	}
	if o, want := *optim.NewNAdam[float32](), (optim.NAdam[float32]{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, MomentumDecay: 0.004}); !sameFields(o, want) {
		t.Errorf("NewNAdam = %+v, want %+v", o, want)
	}
	if o, want := *optim.NewRAdam[float32](), (optim.RAdam[float32]{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}); !sameFields(o, want) {
		t.Errorf("NewRAdam = %+v, want %+v", o, want)
	}
	if o, want := *optim.NewLion[float32](), (optim.Lion[float32]{Beta1: 0.9, Beta2: 0.99}); !sameFields(o, want) {
		t.Errorf("NewLion = %+v, want %+v", o, want)
	}
	if o, want := *optim.NewScheduleFreeSGD[float32](), (optim.ScheduleFreeSGD[float32]{Momentum: 0.9}); !sameFields(o, want) {
		t.Errorf("NewScheduleFreeSGD = %+v, want %+v", o, want)
	}
	if o, want := *optim.NewScheduleFreeAdamW[float32](), (optim.ScheduleFreeAdamW[float32]{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}); !sameFields(o, want) {
		t.Errorf("NewScheduleFreeAdamW = %+v, want %+v", o, want)
	}
}

// sameFields reports whether a and b print alike with their field names
// (the exported hyperparameters; the unexported state is zero in both).
func sameFields(a, b any) bool { return fmt.Sprintf("%+v", a) == fmt.Sprintf("%+v", b) }

// The hand-computed problem: one parameter W = (1, −2) and three steps with
// fixed gradients and learning rates. The expected values were worked out
// from the formulas of DESIGN.md ("Numerics") with the book's defaults, in
// 40-digit decimal arithmetic, independently of this package.
var (
	handW0    = []float64{1, -2}
	handGrads = [3][]float64{{0.5, -1}, {0.25, 2}, {-1, 0.5}}
	handLRs   = [3]float64{0.1, 0.1, 0.05}
)

// handWant holds W after steps 1, 2 and 3.
var handWant = map[string][3][2]float64{
	// W −= η g: (1−0.05, −2+0.1); (0.95−0.025, −1.9−0.2); (0.925+0.05, −2.1−0.025).
	"SGD": {{0.95, -1.9}, {0.925, -2.1}, {0.975, -2.125}},
	// v = (−0.05, 0.1);  v = 0.9v − 0.1g2 = (−0.07, −0.11);  v = 0.9v − 0.05g3 = (−0.013, −0.124).
	"Momentum": {{0.95, -1.9}, {0.88, -2.01}, {0.867, -2.134}},
	// W += 0.81 v_old − 1.9 η g, then v as for Momentum:
	// (1−0.095, −2+0.19); (0.905−0.0405−0.0475, −1.81+0.081−0.38); (0.817−0.0567+0.095, −2.109−0.0891−0.0475).
	// The book's typo (new v in the W update) would give (0.8645, −1.729) at step 1.
	"Nesterov": {{0.905, -1.81}, {0.817, -2.109}, {0.8553, -2.2456}},
	// h = (0.25, 1): W = (1 − 0.05/(0.5+1e-7), −2 + 0.1/(1+1e-7)); then h = (0.3125, 5); h = (1.3125, 5.25).
	"AdaGrad": {
		{0.900000019999996, -1.900000009999999},
		{0.85527866844999877, -1.9894427250999908},
		{0.89892224268767377, -2.0003536191355999},
	},
	// h = 0.01 g² = (0.0025, 0.01), √h = (0.05, 0.1): W = (1 − 0.05/(0.05+1e-7), −2 + 0.1/(0.1+1e-7)).
	"RMSprop": {
		{0.000001999996000008, -1.000000999999},
		{-0.44901044862077277, -1.8953235612692667},
		{-0.011640997700131788, -2.0050602762380384},
	},
	// t = 1: η_t = 0.1·√0.001/0.1, m = 0.1 g1, v = 0.001 g1², so the step is about η sign(g):
	// W = (1 − η_t·0.05/(√0.00025+1e-7), −2 + η_t·0.1/(√0.001+1e-7)).
	"Adam": {
		{0.90000063245153206, -1.900000316226766},
		{0.80678319609889574, -1.9366106171503882},
		{0.81710101897281801, -1.9573931484458308},
	},
	// PyTorch's AdamW (λ = 0.01, ε = 1e-8 added to √v̂): W ← (1 − 0.1·0.01) W, then as for
	// Adam but with m̂ = g1 and √v̂ = |g1| at t = 1, so W = (0.999 − 0.1, −1.998 + 0.1) up to ε.
	"AdamW": {
		{0.89900000199999996, -1.8980000010000000},
		{0.80488304047546167, -1.9327123534710751},
		{0.81479845015919848, -1.9525285571316890},
	},
	// On this problem v only grows, so the maximum changes nothing (TestAMSGrad_KeepsMaximum
	// checks a problem where it does).
	"AMSGrad": {
		{0.89900000199999996, -1.8980000010000000},
		{0.80488304047546167, -1.9327123534710751},
		{0.81479845015919848, -1.9525285571316890},
	},
	// μ1 = 0.9(1 − ½·0.96^0.004), μ2, μ3 likewise; W −= η(1−μ_t)/(1−Πμ) g/(√v̂+ε) +
	// η μ_{t+1}/(1−Πμ·μ_{t+1}) m/(√v̂+ε), with √v̂ = |g1| at t = 1.
	"NAdam": {
		{0.89435482427736469, -1.8943548232209129},
		{0.84196249556593547, -1.9850105719156278},
		{0.88899316627145083, -1.9990887872362773},
	},
	// ρ_t = 1, 2, 3 (≤ 5), so W −= η m̂: m̂ = g1; m̂ = (0.07, 0.11)/0.19; m̂ = (−0.037, 0.149)/0.271.
	// (TestRAdam_Rectified checks the rectified steps.)
	"RAdam": {
		{0.95, -1.9},
		{0.91315789473684211, -1.9578947368421053},
		{0.91998446300252476, -1.9853855117498543},
	},
	// c = 0.9m + 0.1g: sign (+, −), W −= 0.1 sign; m = 0.01 g1 = (0.005, −0.01);
	// c = (0.0295, 0.191): sign (+, +); m = 0.99m + 0.01 g2 = (0.00745, 0.0101);
	// c = (−0.093295, 0.05909): sign (−, +), W −= 0.05 sign.
	"Lion": {{0.9, -1.9}, {0.8, -2.0}, {0.85, -2.05}},
	// c = 0.01/0.01 = 1: z = x = y = (0.95, −1.9); c = 0.01/0.02: z = (0.925, −2.1), x = (0.9375, −2),
	// y = 0.9x + 0.1z; γ_max stays 0.1, c = 0.01/0.03: z = (0.975, −2.125), x = (0.95, −2.041666…).
	"ScheduleFreeSGD": {{0.95, -1.9}, {0.93625, -2.01}, {0.9525, -2.05}},
	// γ_t = η √(1−β2^t); v = 0.001 g1², so z = (1, −2) − γ1 (0.5, −1)/(√0.00025 + 1e-8) ≈ (0.9, −1.9).
	"ScheduleFreeAdamW": {
		{0.90000006324551320, -1.9000000316227666},
		{0.85572788307001856, -1.9885178569383400},
		{0.88289557231393888, -2.0123911751598635},
	},
}

func TestOptimizer_HandComputedSteps(t *testing.T) {
	for _, m := range methods {
		t.Run(m.name+"/float64", func(t *testing.T) { testHandSteps[float64](t, m.name, 1e-13) })
		t.Run(m.name+"/float32", func(t *testing.T) { testHandSteps[float32](t, m.name, 2e-6) })
	}
}

func testHandSteps[T kernel.Float](t *testing.T, name string, tol float64) {
	want, ok := handWant[name]
	if !ok {
		t.Fatalf("no hand-computed values for %s", name)
	}
	opt := newOptimizer[T](name)
	w := convert[T](handW0)
	for k := range handGrads {
		opt.Update(handLRs[k], [][]T{w}, [][]T{convert[T](handGrads[k])})
		for i := range w {
			if !near(float64(w[i]), want[k][i], tol) {
				t.Errorf("step %d: W[%d] = %.17g, want %.17g", k+1, i, w[i], want[k][i])
			}
		}
	}
}

// A quadratic is f(x) = Σ ½ c_j (x_j − x*_j)², summed over every element of
// every parameter tensor, with gradient c_j (x_j − x*_j) and minimum 0 at x*.
type quadratic struct {
	name  string
	c     [][]float64
	min   [][]float64 // x*
	x0    [][]float64
	iters int
	ratio float64 // f after iters steps must be at most ratio·f(x0)
	// ratioFor overrides ratio for the methods named, with the reason in
	// reason.
	ratioFor map[string]float64
	lr       map[string]float64 // the learning rate for each method
	reason   string             // why the ratio
}

// problems are the known problems run against every optimizer.
var problems = []quadratic{
	{
		// The book's comparison function x²/20 + y² (figure 6-8), from (−7, 2), f = 6.45,
		// 30 steps as the book plots, with its learning rates for SGD, Momentum, AdaGrad and
		// Adam. Nesterov uses Momentum's rate; RMSprop's 0.1 is a tenth of AdaGrad's range,
		// since its early √h is ~10× smaller.
		name: "book x²/20+y²", c: [][]float64{{0.1, 2}}, min: [][]float64{{0, 0}}, x0: [][]float64{{-7, 2}},
		iters: 30, ratio: 1.0 / 20,
		lr: map[string]float64{"SGD": 0.95, "Momentum": 0.1, "Nesterov": 0.1, "AdaGrad": 1.5, "RMSprop": 0.1, "Adam": 0.3,
			"AdamW": 0.3, "AMSGrad": 0.3, "NAdam": 0.3, "RAdam": 1, "Lion": 0.2, "ScheduleFreeSGD": 1, "ScheduleFreeAdamW": 0.3},
		ratioFor: map[string]float64{"RAdam": 1.0 / 10},
		reason: "30 correct steps end at f = 0.0007 (AdaGrad) to 0.10 (Adam), ≥ 3× below f0/20 = 0.32; a sign error ends above f0. " +
			"RAdam takes 5 momentum-SGD steps, then rectified ones scaled by r_t ≈ 0.03…0.3, and ends at f = 0.27 (f0/24), " +
			"so its bound is f0/10",
	},
	{
		// An ill-conditioned bowl (curvatures 0.25 to 4) over two tensors, with its minimum
		// away from 0, so that shrinking the parameters towards zero does not pass.
		name:  "shifted bowl, two tensors",
		c:     [][]float64{{1, 0.5, 2}, {0.25, 4}},
		min:   [][]float64{{1, -2, 0.5}, {3, -1}},
		x0:    [][]float64{{0, 0, 0}, {0, 0}},
		iters: 100, ratio: 1e-3,
		lr: map[string]float64{"SGD": 0.2, "Momentum": 0.05, "Nesterov": 0.05, "AdaGrad": 0.5, "RMSprop": 0.03, "Adam": 0.1,
			"AdamW": 0.1, "AMSGrad": 0.1, "NAdam": 0.1, "RAdam": 0.3, "Lion": 0.1, "ScheduleFreeSGD": 0.5, "ScheduleFreeAdamW": 0.1},
		ratioFor: map[string]float64{"Lion": 1e-2},
		reason: "100 correct steps end at f/f0 ≤ 3e-5, ≥ 30× below the threshold; a sign error ends above f0. " +
			"Lion moves every weight by exactly η a step, so with a constant η it ends oscillating within η of the " +
			"minimum, f ≤ ½Σc η² = 0.04 (f/f0 ≤ 8e-3); it ends at f/f0 = 2e-3, so its bound is 1e-2",
	},
}

func TestOptimizer_Minimize(t *testing.T) {
	for _, p := range problems {
		for _, m := range methods {
			lr, ok := p.lr[m.name]
			if !ok {
				t.Fatalf("%s: no learning rate for %s", p.name, m.name)
			}
			t.Run(p.name+"/"+m.name+"/float64", func(t *testing.T) { testMinimize[float64](t, p, m.name, lr) })
			t.Run(p.name+"/"+m.name+"/float32", func(t *testing.T) { testMinimize[float32](t, p, m.name, lr) })
		}
	}
}

func testMinimize[T kernel.Float](t *testing.T, p quadratic, name string, lr float64) {
	opt := newOptimizer[T](name)
	x := make([][]T, len(p.x0))
	grad := make([][]T, len(p.x0))
	for i, x0 := range p.x0 {
		x[i] = convert[T](x0)
		grad[i] = make([]T, len(x0))
	}
	f0 := value(p, x)
	for range p.iters {
		gradient(p, grad, x)
		opt.Update(lr, x, grad)
	}
	f := value(p, x)
	ratio := p.ratio
	if r, ok := p.ratioFor[name]; ok {
		ratio = r
	}
	if math.IsNaN(f) || f > ratio*f0 {
		t.Errorf("f = %.3g after %d steps from f0 = %.3g, want ≤ %.3g (%s)", f, p.iters, f0, ratio*f0, p.reason)
	}
}

// value returns f(x).
func value[T kernel.Float](p quadratic, x [][]T) float64 {
	var f float64
	for i, c := range p.c {
		for j := range c {
			d := float64(x[i][j]) - p.min[i][j]
			f += c[j] * d * d / 2
		}
	}
	return f
}

// gradient writes ∇f(x) into grad.
func gradient[T kernel.Float](p quadratic, grad, x [][]T) {
	for i, c := range p.c {
		for j := range c {
			grad[i][j] = T(c[j] * (float64(x[i][j]) - p.min[i][j]))
		}
	}
}

// TestOptimizer_StatePerPosition checks that the state of position i depends
// only on grads[i]: updating three tensors together, one by one with three
// optimizers, or together in another order gives the same values, bit for bit.
func TestOptimizer_StatePerPosition(t *testing.T) {
	sizes := []int{3, 1, 4}
	for _, m := range methods {
		t.Run(m.name, func(t *testing.T) {
			joint := newOptimizer[float64](m.name)
			reversed := newOptimizer[float64](m.name)
			var alone []optim.Optimizer[float64]
			var xj, xr, xa [][]float64
			for _, n := range sizes {
				alone = append(alone, newOptimizer[float64](m.name))
				xj, xr, xa = append(xj, make([]float64, n)), append(xr, make([]float64, n)), append(xa, make([]float64, n))
			}
			for step := range 5 {
				grads := make([][]float64, len(sizes))
				for i, n := range sizes {
					grads[i] = make([]float64, n)
					for j := range grads[i] {
						grads[i][j] = math.Sin(float64(1 + 7*step + 3*i + j)) // different at every step and place
					}
				}
				lr := 0.1 / float64(step+1)
				joint.Update(lr, xj, grads)
				reversed.Update(lr, reverse(xr), reverse(grads))
				for i := range sizes {
					alone[i].Update(lr, xa[i:i+1], grads[i:i+1])
				}
			}
			for i := range sizes {
				if !slices.Equal(xj[i], xa[i]) {
					t.Errorf("params[%d]: together %v, alone %v", i, xj[i], xa[i])
				}
				if !slices.Equal(xj[i], xr[i]) {
					t.Errorf("params[%d]: in order %v, reversed %v", i, xj[i], xr[i])
				}
				if slices.Equal(xj[i], make([]float64, sizes[i])) {
					t.Errorf("params[%d] did not move", i)
				}
			}
		})
	}
}

// TestOptimizer_Reset checks that after Reset an optimizer behaves as a new
// one, including on parameters of another shape.
func TestOptimizer_Reset(t *testing.T) {
	for _, m := range methods {
		t.Run(m.name, func(t *testing.T) {
			used := newOptimizer[float64](m.name)
			a := [][]float64{{1, 2}, {3, 4, 5}}
			for range 3 {
				used.Update(0.1, a, [][]float64{{1, -1}, {0.5, 0.5, 2}})
			}
			used.Reset()

			fresh := newOptimizer[float64](m.name)
			b1, b2 := [][]float64{{1, -1, 2, -2}}, [][]float64{{1, -1, 2, -2}}
			for step := range 3 {
				g := [][]float64{{0.3, float64(step), -1, 2}}
				used.Update(0.05, b1, g)
				fresh.Update(0.05, b2, g)
			}
			if !slices.Equal(b1[0], b2[0]) {
				t.Errorf("after Reset: %v, new optimizer: %v", b1[0], b2[0])
			}
		})
	}
}

func TestOptimizer_LengthMismatchPanics(t *testing.T) {
	first := func() ([][]float64, [][]float64) {
		return [][]float64{{1, 2}, {3, 4, 5}}, [][]float64{{1, 1}, {1, 1, 1}}
	}
	tests := []struct {
		name     string
		stateful bool // needs an earlier call to set the shape
		params   [][]float64
		grads    [][]float64
	}{
		{name: "fewer grads than params", params: [][]float64{{1, 2}, {3}}, grads: [][]float64{{1, 1}}},
		{name: "more grads than params", params: [][]float64{{1, 2}}, grads: [][]float64{{1, 1}, {1}}},
		{name: "short grad", params: [][]float64{{1, 2}, {3, 4, 5}}, grads: [][]float64{{1, 1}, {1, 1}}},
		{name: "long grad", params: [][]float64{{1, 2}}, grads: [][]float64{{1, 1, 1}}},
		{name: "more positions than the state", stateful: true,
			params: [][]float64{{1, 2}, {3, 4, 5}, {6}}, grads: [][]float64{{1, 1}, {1, 1, 1}, {1}}},
		{name: "fewer positions than the state", stateful: true,
			params: [][]float64{{1, 2}}, grads: [][]float64{{1, 1}}},
		{name: "longer tensor than its state", stateful: true,
			params: [][]float64{{1, 2}, {3, 4, 5, 6}}, grads: [][]float64{{1, 1}, {1, 1, 1, 1}}},
		{name: "shorter tensor than its state", stateful: true,
			params: [][]float64{{1, 2}, {3, 4}}, grads: [][]float64{{1, 1}, {1, 1}}},
	}
	for _, m := range methods {
		for _, tt := range tests {
			if tt.stateful && m.stateless {
				continue
			}
			t.Run(m.name+"/"+tt.name, func(t *testing.T) {
				opt := newOptimizer[float64](m.name)
				if tt.stateful {
					p, g := first()
					opt.Update(0.1, p, g)
				}
				before := clone(tt.params)
				msg := panicMessage(func() { opt.Update(0.1, tt.params, tt.grads) })
				if !strings.HasPrefix(msg, "optim: ") {
					t.Fatalf("panic = %q, want one starting with \"optim: \"", msg)
				}
				for i := range before {
					if !slices.Equal(before[i], tt.params[i]) {
						t.Errorf("params[%d] changed by the failed Update: %v, was %v", i, tt.params[i], before[i])
					}
				}
			})
		}
	}
}

func TestOptimizer_UpdateDoesNotAllocate(t *testing.T) {
	for _, m := range methods {
		t.Run(m.name+"/float64", func(t *testing.T) { testNoAllocs[float64](t, m.name) })
		t.Run(m.name+"/float32", func(t *testing.T) { testNoAllocs[float32](t, m.name) })
	}
}

func testNoAllocs[T kernel.Float](t *testing.T, name string) {
	opt := newOptimizer[T](name)
	params := [][]T{make([]T, 100), make([]T, 10), make([]T, 1)}
	grads := [][]T{make([]T, 100), make([]T, 10), make([]T, 1)}
	for _, g := range grads {
		for j := range g {
			g[j] = T(j%7) - 3
		}
	}
	opt.Update(0.01, params, grads) // allocates the state
	if n := testing.AllocsPerRun(100, func() { opt.Update(0.01, params, grads) }); n != 0 {
		t.Errorf("Update allocates %v times per call after the first", n)
	}
}

// BenchmarkUpdate times one step over the parameters of the book's
// 784-100-100-100-100-10 network.
func BenchmarkUpdate(b *testing.B) {
	sizes := []int{784 * 100, 100, 100 * 100, 100, 100 * 100, 100, 100 * 100, 100, 100 * 10, 10}
	for _, m := range methods {
		b.Run(m.name, func(b *testing.B) {
			opt := newOptimizer[float32](m.name)
			var params, grads [][]float32
			for _, n := range sizes {
				params, grads = append(params, make([]float32, n)), append(grads, make([]float32, n))
				for j := range grads[len(grads)-1] {
					grads[len(grads)-1][j] = float32(j%5) - 2
				}
			}
			b.ReportAllocs()
			for b.Loop() {
				opt.Update(1e-3, params, grads)
			}
		})
	}
}

func convert[T kernel.Float](x []float64) []T {
	y := make([]T, len(x))
	for i, v := range x {
		y[i] = T(v)
	}
	return y
}

func clone(x [][]float64) [][]float64 {
	y := make([][]float64, len(x))
	for i := range x {
		y[i] = slices.Clone(x[i])
	}
	return y
}

func reverse[S ~[]E, E any](s S) S {
	r := slices.Clone(s)
	slices.Reverse(r)
	return r
}

// near reports whether got is within tol of want, relative to |want| above 1.
func near(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))
}

// panicMessage runs f and returns what it panicked with, as a string, or ""
// if it did not panic.
func panicMessage(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
			if msg == "" {
				msg = "(empty panic)"
			}
		}
	}()
	f()
	return ""
}
