package kernel

import (
	"math"
	"testing"
)

func TestSoftmaxCrossEntropy(t *testing.T) {
	// Two rows of three classes; the second has huge logits that would
	// overflow exp without the shift by the row maximum.
	logits := []float64{1, 2, 3, 1000, 1000, 999}
	labels := []int{2, 0}
	probs := make([]float64, 6)
	loss := SoftmaxCrossEntropy(probs, logits, labels, 2, 3)
	e := []float64{math.Exp(-2), math.Exp(-1), 1}
	s := e[0] + e[1] + e[2]
	p2 := 1 / (2 + math.Exp(-1))
	want := -math.Log(1/s+LogDelta) - math.Log(p2+LogDelta)
	if math.Abs(loss-want) > 1e-12 {
		t.Errorf("loss = %v, want %v", loss, want)
	}
	if math.Abs(probs[0]-e[0]/s) > 1e-15 || math.Abs(probs[3]-p2) > 1e-15 {
		t.Errorf("probs = %v", probs)
	}
	dx := make([]float64, 6)
	SoftmaxCrossEntropyBackward(dx, probs, labels, 2, 3, 0.5)
	if math.Abs(dx[2]-(probs[2]-1)*0.5) > 1e-15 || math.Abs(dx[1]-probs[1]*0.5) > 1e-15 {
		t.Errorf("dx = %v", dx)
	}
}

func TestCountCorrect(t *testing.T) {
	x := []float32{0, 1, 0, 5, 5, 1, -1, -2, -3}
	// Row 2 ties between columns 0 and 1: the first wins.
	if got := CountCorrect(x, []int{1, 0, 0}, 3, 3); got != 3 {
		t.Errorf("CountCorrect = %d, want 3", got)
	}
	if got := CountCorrect(x, []int{1, 1, 2}, 3, 3); got != 1 {
		t.Errorf("CountCorrect = %d, want 1", got)
	}
}

func TestActivations(t *testing.T) {
	x := []float64{-2, -0.5, 0, 0.5, 2}
	y := make([]float64, 5)
	ReLU(y, x)
	for i, v := range x {
		if y[i] != math.Max(v, 0) {
			t.Errorf("ReLU(%v) = %v", v, y[i])
		}
	}
	Sigmoid(y, x)
	for i, v := range x {
		if math.Abs(y[i]-1/(1+math.Exp(-v))) > 1e-15 {
			t.Errorf("Sigmoid(%v) = %v", v, y[i])
		}
	}
	Tanh(y, x)
	for i, v := range x {
		if y[i] != math.Tanh(v) {
			t.Errorf("Tanh(%v) = %v", v, y[i])
		}
	}
}

func TestBatchNormTrainNormalises(t *testing.T) {
	const rows, cols = 4, 2
	x := []float64{1, 10, 2, 20, 3, 30, 4, 40}
	y, xn := make([]float64, 8), make([]float64, 8)
	gamma, beta := []float64{2, 1}, []float64{0.5, 0}
	mean, variance, invStd := make([]float64, 2), make([]float64, 2), make([]float64, 2)
	BatchNormTrain(y, xn, x, rows, gamma, beta, mean, variance, invStd, 1e-6)
	if mean[0] != 2.5 || mean[1] != 25 || variance[0] != 1.25 || variance[1] != 125 {
		t.Fatalf("mean %v variance %v", mean, variance)
	}
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			want := gamma[j]*(x[i*cols+j]-mean[j])/math.Sqrt(variance[j]+1e-6) + beta[j]
			if math.Abs(y[i*cols+j]-want) > 1e-12 {
				t.Errorf("y[%d,%d] = %v, want %v", i, j, y[i*cols+j], want)
			}
		}
	}
}
