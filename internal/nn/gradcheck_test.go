package nn_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"runner/internal/nn"
)

// gradTolerance is the largest relative error ‖analytic − numeric‖ / max(‖analytic‖, ‖numeric‖)
// accepted between backprop and central differences, per tensor, in float64.
const gradTolerance = 1e-6

// zeroGrad is the norm below which a gradient counts as structurally zero
// (a bias followed by batch normalisation): central differences then give
// round-off of about 1e-11, and the relative error means nothing.
const zeroGrad = 1e-8

// relErr returns ‖a − b‖ / max(‖a‖, ‖b‖), or 0 when both are (structurally) zero.
func relErr(a, b []float64) float64 {
	var d, na, nb float64
	for i := range a {
		d += (a[i] - b[i]) * (a[i] - b[i])
		na += a[i] * a[i]
		nb += b[i] * b[i]
	}
	den := math.Sqrt(max(na, nb))
	if den < zeroGrad {
		return 0
	}
	return math.Sqrt(d) / den
}

// numericGrad returns ∂f/∂x by central differences, restoring x as it goes.
func numericGrad(f func() float64, x []float64) []float64 {
	const h = 1e-5
	g := make([]float64, len(x))
	for i := range x {
		old := x[i]
		x[i] = old + h
		fp := f()
		x[i] = old - h
		fm := f()
		x[i] = old
		g[i] = (fp - fm) / (2 * h)
	}
	return g
}

func randSlice(rng *rand.Rand, n int, scale float64) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = scale * rng.NormFloat64()
	}
	return s
}

// TestLayerGradients checks each layer type on its own: the scalar
// L = Σ out ⊙ R (R fixed and random) is differentiated with respect to the
// input and to every parameter, by Backward(R) and by central differences.
func TestLayerGradients(t *testing.T) {
	const rows, width = 5, 4
	newDropout := func() nn.Layer[float64] {
		d := nn.NewDropout[float64](0.4, width, rand.New(rand.NewPCG(3, 4)))
		d.Frozen = true
		return d
	}
	tests := []struct {
		name  string
		layer func() nn.Layer[float64]
		in    int
		out   int
	}{
		{"affine", func() nn.Layer[float64] { return nn.NewAffine[float64](width, 3, true, "1") }, width, 3},
		{"relu", func() nn.Layer[float64] { return nn.NewActivation[float64](nn.ReLU, width) }, width, width},
		{"sigmoid", func() nn.Layer[float64] { return nn.NewActivation[float64](nn.Sigmoid, width) }, width, width},
		{"tanh", func() nn.Layer[float64] { return nn.NewActivation[float64](nn.Tanh, width) }, width, width},
		{"batchnorm", func() nn.Layer[float64] { return nn.NewBatchNorm[float64](width, "1") }, width, width},
		{"dropout", newDropout, width, width},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			layer := tt.layer()
			for _, p := range layer.Params() {
				copy(p.Value, randSlice(rng, len(p.Value), 1))
			}
			x := randSlice(rng, rows*tt.in, 1)
			for i, v := range x { // keep ReLU inputs away from its kink
				if math.Abs(v) < 0.05 {
					x[i] = 0.1
				}
			}
			r := randSlice(rng, rows*tt.out, 1)
			f := func() float64 {
				out := layer.Forward(x, rows, true)
				var s float64
				for i := range r {
					s += out[i] * r[i]
				}
				return s
			}
			f()
			dx := append([]float64(nil), layer.Backward(r, rows)...)
			if e := relErr(dx, numericGrad(f, x)); e > gradTolerance || math.IsNaN(e) {
				t.Errorf("input gradient: relative error %.3g > %g", e, gradTolerance)
			}
			for _, p := range layer.Params() {
				f()
				layer.Backward(r, rows)
				analytic := append([]float64(nil), p.Grad...)
				if e := relErr(analytic, numericGrad(f, p.Value)); e > gradTolerance || math.IsNaN(e) {
					t.Errorf("%s gradient: relative error %.3g > %g", p.Name, e, gradTolerance)
				}
			}
		})
	}
}

// TestSoftmaxLossGradient checks the gradient of the mean cross-entropy with
// respect to the scores.
func TestSoftmaxLossGradient(t *testing.T) {
	const rows, classes = 6, 5
	rng := rand.New(rand.NewPCG(5, 6))
	scores := randSlice(rng, rows*classes, 2)
	labels := []int{0, 4, 2, 2, 1, 3}
	l := nn.SoftmaxLoss[float64]{Classes: classes}
	f := func() float64 {
		l.Forward(scores, labels, rows)
		return crossEntropy(l.Probs(), labels, classes)
	}
	f()
	analytic := append([]float64(nil), l.Backward()...)
	if e := relErr(analytic, numericGrad(f, scores)); e > gradTolerance {
		t.Errorf("relative error %.3g > %g", e, gradTolerance)
	}
}

// TestNetworkGradients checks whole networks, loss through every layer to
// every parameter, with batch normalisation, dropout (fixed mask) and weight decay.
func TestNetworkGradients(t *testing.T) {
	tests := []struct {
		name string
		cfg  nn.Config
	}{
		{"relu-he", nn.Config{Activation: nn.ReLU, Init: nn.Init{Kind: nn.InitHe}}},
		{"sigmoid-xavier-decay", nn.Config{Activation: nn.Sigmoid, Init: nn.Init{Kind: nn.InitXavier}, WeightDecay: 0.1}},
		{"tanh-batchnorm", nn.Config{Activation: nn.Tanh, Init: nn.Init{Kind: nn.InitStd, Std: 0.5}, BatchNorm: true}},
		{"relu-batchnorm-dropout-decay", nn.Config{Activation: nn.ReLU, Init: nn.Init{Kind: nn.InitHe}, BatchNorm: true, Dropout: 0.3, WeightDecay: 0.05}},
		{"sigmoid-dropout", nn.Config{Activation: nn.Sigmoid, Init: nn.Init{Kind: nn.InitXavier}, Dropout: 0.5}},
	}
	const rows = 8
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			cfg.Input, cfg.Hidden, cfg.Output = 6, []int{7, 5}, 4
			net, err := nn.New[float64](cfg, rand.New(rand.NewPCG(7, 8)), rand.New(rand.NewPCG(9, 10)))
			if err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(11, 12))
			x := randSlice(rng, rows*cfg.Input, 1)
			labels := make([]int, rows)
			for i := range labels {
				labels[i] = rng.IntN(cfg.Output)
			}
			// The first training pass draws the dropout masks; freeze them.
			net.LossAndGrad(x, labels, rows)
			net.FreezeDropout(true)
			f := func() float64 {
				net.Loss.Forward(net.Forward(x, rows, true), labels, rows)
				return crossEntropy(net.Loss.Probs(), labels, cfg.Output) + net.DecayLoss()
			}
			for _, p := range net.Params() {
				net.LossAndGrad(x, labels, rows)
				analytic := append([]float64(nil), p.Grad...)
				if e := relErr(analytic, numericGrad(f, p.Value)); e > gradTolerance || math.IsNaN(e) {
					t.Errorf("%s: relative error %.3g > %g", p.Name, e, gradTolerance)
				}
			}
		})
	}
}

// crossEntropy is the mean of −log p[label] over the rows of probs, without
// the δ that the loss adds inside the log as a guard against log 0. Backward
// computes the exact gradient of this function; with δ the reported loss
// differs from it in relative terms by about δ/p, up to 1e-6 here, which
// would hide real errors of that size.
func crossEntropy(probs []float64, labels []int, classes int) float64 {
	var s float64
	for i, c := range labels {
		s -= math.Log(probs[i*classes+c])
	}
	return s / float64(len(labels))
}
