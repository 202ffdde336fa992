package nn_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"runner/internal/nn"
)

// TestBatchNormRunningStatistics feeds two known batches in training mode
// and checks the running averages (momentum 0.9, starting from zero) and the
// evaluation-mode output computed from them.
func TestBatchNormRunningStatistics(t *testing.T) {
	l := nn.NewBatchNorm[float64](2, "1")
	copy(l.Gamma.Value, []float64{2, 0.5})
	copy(l.Beta.Value, []float64{1, -1})
	// Batch 1: column means (2, 10), variances (1, 4).
	l.Forward([]float64{1, 8, 3, 12}, 2, true)
	// Batch 2: column means (4, 0), variances (4, 1).
	l.Forward([]float64{2, -1, 6, 1}, 2, true)
	wantMean := []float64{0.9*0.1*2 + 0.1*4, 0.9*0.1*10 + 0.1*0}
	wantVar := []float64{0.9*0.1*1 + 0.1*4, 0.9*0.1*4 + 0.1*1}
	for j := 0; j < 2; j++ {
		if math.Abs(l.RunningMean[j]-wantMean[j]) > 1e-15 || math.Abs(l.RunningVar[j]-wantVar[j]) > 1e-15 {
			t.Errorf("column %d: running mean %v var %v, want %v %v", j, l.RunningMean[j], l.RunningVar[j], wantMean[j], wantVar[j])
		}
	}
	x := []float64{5, -3, 0.5, 7}
	got := l.Forward(x, 2, false)
	for i := 0; i < 2; i++ {
		for j := 0; j < 2; j++ {
			want := l.Gamma.Value[j]*(x[i*2+j]-wantMean[j])/math.Sqrt(wantVar[j]+nn.BatchNormEps) + l.Beta.Value[j]
			if math.Abs(got[i*2+j]-want) > 1e-12 {
				t.Errorf("eval output [%d,%d] = %v, want %v", i, j, got[i*2+j], want)
			}
		}
	}
	// Evaluation does not move the running averages.
	if math.Abs(l.RunningMean[0]-wantMean[0]) > 1e-15 {
		t.Error("an evaluation-mode forward changed the running mean")
	}
}

// TestDropoutModes checks that training keeps about 1 − ratio of the units,
// each passed unscaled, with a fresh mask every step, and that evaluation
// scales every unit by 1 − ratio.
func TestDropoutModes(t *testing.T) {
	const ratio, width, rows = 0.3, 100, 50
	d := nn.NewDropout[float64](ratio, width, rand.New(rand.NewPCG(1, 2)))
	x := make([]float64, rows*width)
	for i := range x {
		x[i] = float64(i%7) + 1
	}
	first := append([]float64(nil), d.Forward(x, rows, true)...)
	kept := 0
	for i, v := range first {
		switch v {
		case x[i]:
			kept++
		case 0:
		default:
			t.Fatalf("unit %d: %v is neither kept (%v) nor dropped", i, v, x[i])
		}
	}
	if frac := float64(kept) / float64(len(x)); math.Abs(frac-(1-ratio)) > 0.03 {
		t.Errorf("kept %.3f of the units, want about %.2f", frac, 1-ratio)
	}
	second := d.Forward(x, rows, true)
	same := 0
	for i := range first {
		if first[i] == second[i] {
			same++
		}
	}
	if same == len(x) {
		t.Error("two training steps drew the same mask")
	}
	for i, v := range d.Forward(x, rows, false) {
		if math.Abs(v-x[i]*(1-ratio)) > 1e-15 {
			t.Fatalf("eval unit %d = %v, want %v", i, v, x[i]*(1-ratio))
		}
	}
}
