package nn

import "runner/internal/kernel"

// Batch normalisation constants, as in the book.
const (
	// BatchNormEps is added to the variance before the square root (the
	// book's code writes it as 10e-7).
	BatchNormEps = 1e-6
	// BatchNormMomentum weighs the old running averages against the batch's.
	BatchNormMomentum = 0.9
)

// BatchNorm normalises each of Width features over the batch and applies a
// learned scale Gamma and shift Beta. In training mode it uses the batch's
// mean and variance and folds them into running averages; in evaluation mode
// it uses the running averages. Both start at zero, as in the book.
type BatchNorm[T kernel.Float] struct {
	Width       int
	Gamma, Beta Param[T]
	RunningMean []T
	RunningVar  []T

	out, xn, dx            []T
	mean, variance, invStd []T
	inferInvStd            []T // evaluation's own, so it never clobbers what Backward needs
	sumD, sumDX            []T
}

// NewBatchNorm returns a batch-normalisation layer with γ = 1 and β = 0.
func NewBatchNorm[T kernel.Float](width int, index string) *BatchNorm[T] {
	l := &BatchNorm[T]{
		Width:       width,
		Gamma:       Param[T]{Name: "gamma" + index, Value: make([]T, width), Grad: make([]T, width)},
		Beta:        Param[T]{Name: "beta" + index, Value: make([]T, width), Grad: make([]T, width)},
		RunningMean: make([]T, width),
		RunningVar:  make([]T, width),
		mean:        make([]T, width),
		variance:    make([]T, width),
		invStd:      make([]T, width),
		inferInvStd: make([]T, width),
		sumD:        make([]T, width),
		sumDX:       make([]T, width),
	}
	for i := range l.Gamma.Value {
		l.Gamma.Value[i] = 1
	}
	return l
}

// Forward normalises x; in training mode it also updates the running averages.
func (l *BatchNorm[T]) Forward(x []T, rows int, train bool) []T {
	n := rows * l.Width
	l.out = grow(l.out, n)
	if !train {
		kernel.BatchNormInfer(l.out, x[:n], rows, l.Gamma.Value, l.Beta.Value, l.RunningMean, l.RunningVar, l.inferInvStd, BatchNormEps)
		return l.out
	}
	l.xn = grow(l.xn, n)
	kernel.BatchNormTrain(l.out, l.xn, x[:n], rows, l.Gamma.Value, l.Beta.Value, l.mean, l.variance, l.invStd, BatchNormEps)
	const m = BatchNormMomentum
	for j := range l.RunningMean {
		l.RunningMean[j] = m*l.RunningMean[j] + (1-m)*l.mean[j]
		l.RunningVar[j] = m*l.RunningVar[j] + (1-m)*l.variance[j]
	}
	return l.out
}

// Backward stores dγ and dβ and returns the input gradient of the last
// training-mode Forward.
func (l *BatchNorm[T]) Backward(dout []T, rows int) []T {
	l.dx = grow(l.dx, rows*l.Width)
	kernel.BatchNormBackward(l.dx, l.Gamma.Grad, l.Beta.Grad, dout, l.xn, rows, l.Gamma.Value, l.invStd, l.sumD, l.sumDX)
	return l.dx
}

// Params returns γ and β.
func (l *BatchNorm[T]) Params() []*Param[T] { return []*Param[T]{&l.Gamma, &l.Beta} }
