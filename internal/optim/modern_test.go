package optim_test

import (
	"math"
	"slices"
	"strings"
	"testing"

	"runner/internal/kernel"
	"runner/internal/optim"
)

// TestAMSGrad_KeepsMaximum checks AMSGrad on one weight with gradients
// 1, 0, 0 (so v falls after the first step and the maximum matters),
// lr = 0.1 and λ = 0, against values worked out in 40-digit decimal
// arithmetic from PyTorch's documented formula (the maximum of the
// uncorrected v, divided by 1 − β2^t), and checks that plain AdamW, which
// uses the smaller v, ends elsewhere.
func TestAMSGrad_KeepsMaximum(t *testing.T) {
	// t = 1: m̂ = 1, v̂_max = 1, W = −0.1/(1+1e-8); t = 2: m = 0.09, v = 0.000999 but
	// v_max = 0.001, W −= 0.1·(0.09/0.19)/(√(0.001/0.001999) + 1e-8); t = 3 likewise.
	want := []float64{-0.099999999000000010, -0.16697231217413415, -0.21871621282963134}
	adamW := []float64{-0.099999999000000010, -0.16700582346581179, -0.21880151981676326}
	for _, ams := range []bool{true, false} {
		o := &optim.AdamW[float64]{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, AMSGrad: ams}
		w := []float64{0}
		for k, g := range []float64{1, 0, 0} {
			o.Update(0.1, [][]float64{w}, [][]float64{{g}})
			exp := adamW[k]
			if ams {
				exp = want[k]
			}
			if !near(w[0], exp, 1e-14) {
				t.Errorf("AMSGrad %v, step %d: W = %.17g, want %.17g", ams, k+1, w[0], exp)
			}
		}
	}
}

// TestRAdam_Rectified checks RAdam past its 5 plain steps: with a constant
// gradient 2 and lr 0.01, m̂ = 2 exactly, so steps 1–5 (ρ_t ≤ 5) move W by
// 0.02 each, and steps 6 and 7 (ρ_6 = 5.994, ρ_7 = 6.992) by about
// 0.01·r_t with r_6 = 0.02582111280, r_7 = 0.03273881441 (values in
// 40-digit decimal arithmetic from PyTorch's documented formula).
func TestRAdam_Rectified(t *testing.T) {
	want := []float64{-0.02, -0.04, -0.06, -0.08, -0.10, -0.10025821111133035, -0.10058559923583640}
	o := optim.NewRAdam[float64]()
	w := []float64{0}
	for k := range want {
		o.Update(0.01, [][]float64{w}, [][]float64{{2}})
		if !near(w[0], want[k], 1e-14) {
			t.Errorf("step %d: W = %.17g, want %.17g", k+1, w[0], want[k])
		}
	}
}

// TestLion_WeightDecay checks Lion's decoupled decay by hand: with λ = 0.5,
// lr 0.1 and gradient 1 on W = 2, each step is W ← 0.95 W − 0.1 (c > 0
// throughout), and a zero c leaves only the decay.
func TestLion_WeightDecay(t *testing.T) {
	o := optim.NewLion[float64]()
	o.WeightDecay = 0.5
	w := []float64{2, 2}
	o.Update(0.1, [][]float64{w}, [][]float64{{1, 0}})
	if !near(w[0], 1.8, 1e-15) || !near(w[1], 1.9, 1e-15) {
		t.Errorf("step 1: W = %v, want [1.8 1.9] (sign(0) = 0: only the decay)", w)
	}
	o.Update(0.1, [][]float64{w}, [][]float64{{1, 0}})
	if !near(w[0], 0.95*1.8-0.1, 1e-15) || !near(w[1], 0.95*1.9, 1e-15) {
		t.Errorf("step 2: W = %v, want [%v %v]", w, 0.95*1.8-0.1, 0.95*1.9)
	}
}

// schedule-free methods, with their optimizers as EvalPoint.
var scheduleFree = []string{"ScheduleFreeSGD", "ScheduleFreeAdamW"}

func newEvalPoint[T kernel.Float](t *testing.T, name string) (optim.Optimizer[T], optim.EvalPoint[T]) {
	o := newOptimizer[T](name)
	ep, ok := o.(optim.EvalPoint[T])
	if !ok {
		t.Fatalf("%s is not an EvalPoint", name)
	}
	return o, ep
}

// TestScheduleFree_EvalPoint checks Eval and Train on the hand-computed
// problem of TestOptimizer_HandComputedSteps: after the three steps Eval
// gives the average x (worked out by hand for SGD: x = (0.95, −2.0416…);
// in 40-digit decimal arithmetic for AdamW), Train gives back y, and each
// is a no-op when repeated or before the first Update.
func TestScheduleFree_EvalPoint(t *testing.T) {
	wantX := map[string][2]float64{
		"ScheduleFreeSGD":   {0.95, -2.0 - 1.0/24},
		"ScheduleFreeAdamW": {0.87962660024337215, -2.0087266707312354},
	}
	for _, name := range scheduleFree {
		t.Run(name, func(t *testing.T) {
			opt, ep := newEvalPoint[float64](t, name)
			w := slices.Clone(handW0)
			params := [][]float64{w}
			ep.Eval(params)
			ep.Train(params)
			ep.Eval(params)
			if !slices.Equal(w, handW0) {
				t.Fatalf("Eval/Train before the first Update moved W to %v", w)
			}
			ep.Train(params)
			for k := range handGrads {
				opt.Update(handLRs[k], params, [][]float64{slices.Clone(handGrads[k])})
			}
			y := slices.Clone(w)
			for range 2 {
				ep.Eval(params)
				for i := range w {
					if !near(w[i], wantX[name][i], 1e-13) {
						t.Errorf("after Eval: W[%d] = %.17g, want x = %.17g", i, w[i], wantX[name][i])
					}
				}
			}
			msg := panicMessage(func() { opt.Update(0.1, params, [][]float64{{1, 1}}) })
			if !strings.HasPrefix(msg, "optim: ") || !strings.Contains(msg, "Train") {
				t.Errorf("Update at the evaluation point: panic %q, want an \"optim: \" one naming Train", msg)
			}
			for range 2 {
				ep.Train(params)
				for i := range w {
					if !near(w[i], y[i], 1e-15) {
						t.Errorf("after Train: W[%d] = %.17g, want y = %.17g", i, w[i], y[i])
					}
				}
			}
			opt.Update(0.1, params, [][]float64{{1, 1}}) // allowed again
		})
	}
}

// TestScheduleFree_WeightsUseRunningMaxLR checks the averaging weights on
// schedule-free SGD with β = 1 (y = x, so W is the average itself): with lr
// 0.1, 0.2 and then 0.1, the weights are γ_max² = 0.01, 0.04, 0.04, so
// c = 1, 0.8, 4/9 and, for the gradient 1 on W = 0, z = −0.1, −0.3, −0.4
// and x = −0.1, −0.26, −0.32222…. (Weights from the lr itself, 0.01, 0.04,
// 0.01, would give c = 1/6 and x = −0.28333… at the third step.)
func TestScheduleFree_WeightsUseRunningMaxLR(t *testing.T) {
	o := optim.NewScheduleFreeSGD[float64]()
	o.Momentum = 1
	w := []float64{0}
	for k, want := range []float64{-0.1, -0.26, -0.26*5/9 - 0.4*4/9} {
		o.Update([]float64{0.1, 0.2, 0.1}[k], [][]float64{w}, [][]float64{{1}})
		if !near(w[0], want, 1e-15) {
			t.Errorf("step %d: x = %.17g, want %v", k+1, w[0], want)
		}
	}
}

// TestScheduleFree_EvalTrainFloat32 bounds the drift of a float32 training
// point through Eval and Train: x and y are recovered from each other and
// z, each rounding once, so a round trip moves y by a few ulps at most.
func TestScheduleFree_EvalTrainFloat32(t *testing.T) {
	for _, name := range scheduleFree {
		t.Run(name, func(t *testing.T) {
			opt, ep := newEvalPoint[float32](t, name)
			w := make([]float32, 100)
			g := make([]float32, 100)
			for i := range g {
				w[i] = float32(math.Sin(float64(i)))
				g[i] = float32(math.Cos(float64(3 * i)))
			}
			params, grads := [][]float32{w}, [][]float32{g}
			for range 5 {
				opt.Update(0.01, params, grads)
			}
			y := slices.Clone(w)
			ep.Eval(params)
			ep.Train(params)
			for i := range w {
				if d := math.Abs(float64(w[i] - y[i])); d > 4*ulp32(y[i]) {
					t.Errorf("W[%d] = %v after Eval and Train, was %v (%.2g ulps)", i, w[i], y[i], d/ulp32(y[i]))
				}
			}
		})
	}
}

// ulp32 is the spacing of float32 numbers at x.
func ulp32(x float32) float64 {
	a := math.Abs(float64(x))
	return float64(math.Nextafter32(float32(a), float32(math.Inf(1)))) - a
}

// TestScheduleFree_EvalShapeMismatchPanics checks that Eval and Train
// refuse parameters of another shape than Update's, leaving them unchanged.
func TestScheduleFree_EvalShapeMismatchPanics(t *testing.T) {
	for _, name := range scheduleFree {
		t.Run(name, func(t *testing.T) {
			opt, ep := newEvalPoint[float64](t, name)
			opt.Update(0.1, [][]float64{{1, 2}}, [][]float64{{1, 1}})
			opt.Update(0.1, [][]float64{{1, 2}}, [][]float64{{1, -1}})
			for _, move := range []func([][]float64){ep.Eval, ep.Train} {
				other := [][]float64{{1, 2, 3}}
				msg := panicMessage(func() { move(other) })
				if !strings.HasPrefix(msg, "optim: ") {
					t.Errorf("panic = %q, want one starting with \"optim: \"", msg)
				}
				if !slices.Equal(other[0], []float64{1, 2, 3}) {
					t.Errorf("params changed to %v", other[0])
				}
				ep.Eval([][]float64{{1, 2}}) // so that Train has something to do
			}
		})
	}
}
