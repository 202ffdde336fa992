package nn_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"runner/internal/nn"
)

// hiddenNet returns a network with every layer type (batch normalisation,
// dropout) and three hidden layers of different widths, built from fixed
// seeds, so that two calls give identical networks.
func hiddenNet(t *testing.T, act nn.ActivationKind) *nn.MLP[float64] {
	t.Helper()
	cfg := nn.Config{Input: 6, Hidden: []int{7, 5, 4}, Output: 3, Activation: act,
		Init: nn.Init{Kind: nn.InitStd, Std: 0.8}, BatchNorm: true, Dropout: 0.3, WeightDecay: 1e-3}
	m, err := nn.New[float64](cfg, rand.New(rand.NewPCG(1, 2)), rand.New(rand.NewPCG(3, 4)))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// sgdStep trains m one step on (x, labels) with plain SGD.
func sgdStep(m *nn.MLP[float64], x []float64, labels []int, rows int) float64 {
	loss := m.LossAndGrad(x, labels, rows)
	for i, v := range m.Values() {
		for j := range v {
			v[j] -= 0.1 * m.Grads()[i][j]
		}
	}
	return loss
}

// TestForwardHidden checks that ForwardHidden visits every hidden layer in
// order with its evaluation-mode activations (those an evaluation Forward
// computes, before dropout scaling), and that it changes nothing a later
// training step or evaluation depends on: a twin network that never ran it
// gives bit-identical losses, gradients, running averages and outputs.
func TestForwardHidden(t *testing.T) {
	const rows = 9
	rng := rand.New(rand.NewPCG(5, 6))
	x := randSlice(rng, rows*6, 1)
	labels := make([]int, rows)
	for i := range labels {
		labels[i] = rng.IntN(3)
	}
	for _, act := range []nn.ActivationKind{nn.ReLU, nn.Sigmoid, nn.Tanh} {
		t.Run(act.String(), func(t *testing.T) {
			probed, twin := hiddenNet(t, act), hiddenNet(t, act)
			sgdStep(probed, x, labels, rows)
			sgdStep(twin, x, labels, rows)

			// What each hidden layer's activation computes in an evaluation
			// Forward of the twin, layer by layer.
			var want [][]float64
			y := x
			for _, l := range twin.Layers {
				y = l.Forward(y, rows, false)
				if _, ok := l.(*nn.Activation[float64]); ok {
					want = append(want, slices.Clone(y))
				}
			}
			var got [][]float64
			var order []int
			probed.ForwardHidden(x, rows, func(i int, a []float64) {
				order = append(order, i)
				got = append(got, slices.Clone(a))
			})
			if !slices.Equal(order, []int{0, 1, 2}) {
				t.Fatalf("visited layers %v, want [0 1 2]", order)
			}
			for i, h := range probed.Config.Hidden {
				if len(got[i]) != rows*h {
					t.Errorf("layer %d: %d activations, want %d", i, len(got[i]), rows*h)
				}
				if !bitsEqual(got[i], want[i]) {
					t.Errorf("layer %d: activations differ from an evaluation forward's", i)
				}
			}

			// Training and evaluation go on exactly as in the twin.
			for step := 0; step < 3; step++ {
				lp, lt := sgdStep(probed, x, labels, rows), sgdStep(twin, x, labels, rows)
				if math.Float64bits(lp) != math.Float64bits(lt) {
					t.Errorf("step %d: loss %v after ForwardHidden, %v without", step, lp, lt)
				}
				for i, p := range probed.Params() {
					if !bitsEqual(p.Grad, twin.Params()[i].Grad) {
						t.Errorf("step %d: gradient of %s differs", step, p.Name)
					}
				}
				probed.ForwardHidden(x, rows, func(int, []float64) {})
			}
			for i, l := range probed.Layers {
				if bn, ok := l.(*nn.BatchNorm[float64]); ok {
					tbn := twin.Layers[i].(*nn.BatchNorm[float64])
					if !bitsEqual(bn.RunningMean, tbn.RunningMean) || !bitsEqual(bn.RunningVar, tbn.RunningVar) {
						t.Errorf("layer %d: batch norm running averages differ", i)
					}
				}
			}
			if !bitsEqual(probed.Forward(x, rows, false), twin.Forward(x, rows, false)) {
				t.Error("evaluation outputs differ")
			}
		})
	}
}

// TestForwardHiddenAllocatesNothing checks that a probe pass over a batch
// size the network has seen allocates nothing.
func TestForwardHiddenAllocatesNothing(t *testing.T) {
	const rows = 8
	m := hiddenNet(t, nn.Tanh)
	x := randSlice(rand.New(rand.NewPCG(7, 8)), rows*6, 1)
	var sum float64
	visit := func(_ int, a []float64) { sum += a[0] }
	m.ForwardHidden(x, rows, visit)
	if allocs := testing.AllocsPerRun(10, func() { m.ForwardHidden(x, rows, visit) }); allocs != 0 {
		t.Errorf("ForwardHidden allocated %v times", allocs)
	}
}

// TestHiddenWeights checks that HiddenWeights names the weight matrices of
// the hidden layers only, in order, and that they are the network's own
// parameters (their values and the gradients LossAndGrad leaves).
func TestHiddenWeights(t *testing.T) {
	tests := []struct {
		hidden []int
		want   []string
	}{
		{nil, nil},
		{[]int{5}, []string{"W1"}},
		{[]int{5, 4, 3}, []string{"W1", "W2", "W3"}},
	}
	for _, tt := range tests {
		cfg := nn.Config{Input: 6, Hidden: tt.hidden, Output: 3, Activation: nn.ReLU, Init: nn.Init{Kind: nn.InitHe}, BatchNorm: true}
		m, err := nn.New[float64](cfg, rand.New(rand.NewPCG(1, 2)), nil)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, p := range m.HiddenWeights() {
			names = append(names, p.Name)
		}
		if !slices.Equal(names, tt.want) {
			t.Errorf("hidden %v: weights %v, want %v", tt.hidden, names, tt.want)
		}
		byName := map[string]*nn.Param[float64]{}
		for _, p := range m.Params() {
			byName[p.Name] = p
		}
		fanIn := append([]int{cfg.Input}, tt.hidden...)
		for i, p := range m.HiddenWeights() {
			if byName[p.Name] != p {
				t.Errorf("hidden %v: weights %d (%s) are not the network's parameter", tt.hidden, i, p.Name)
			}
			if len(p.Value) != len(p.Grad) || len(p.Value) != fanIn[i]*tt.hidden[i] {
				t.Errorf("hidden %v: %s holds %d values and %d gradients", tt.hidden, p.Name, len(p.Value), len(p.Grad))
			}
		}
		// m.ForwardHidden visits nothing when there is no hidden layer.
		visited := 0
		m.ForwardHidden(make([]float64, 2*6), 2, func(int, []float64) { visited++ })
		if visited != len(tt.hidden) {
			t.Errorf("hidden %v: ForwardHidden visited %d layers", tt.hidden, visited)
		}
	}
}

// bitsEqual reports whether a and b hold the same float64 bit patterns.
func bitsEqual(a, b []float64) bool {
	return slices.EqualFunc(a, b, func(x, y float64) bool { return math.Float64bits(x) == math.Float64bits(y) })
}
