package nn

import "runner/internal/kernel"

// SoftmaxLoss is the output stage: the softmax of the last layer's scores and
// the cross-entropy against the labels, averaged over the batch.
type SoftmaxLoss[T kernel.Float] struct {
	Classes int

	probs, dx []T
	labels    []int
	rows      int
}

// Forward returns the mean cross-entropy of rows examples' scores against their labels.
func (l *SoftmaxLoss[T]) Forward(scores []T, labels []int, rows int) float64 {
	l.probs = grow(l.probs, rows*l.Classes)
	l.labels, l.rows = labels, rows
	return kernel.SoftmaxCrossEntropy(l.probs, scores, labels, rows, l.Classes) / float64(rows)
}

// Backward returns the gradient of the mean loss with respect to the scores.
func (l *SoftmaxLoss[T]) Backward() []T {
	l.dx = grow(l.dx, l.rows*l.Classes)
	kernel.SoftmaxCrossEntropyBackward(l.dx, l.probs, l.labels, l.rows, l.Classes, 1/T(l.rows))
	return l.dx
}

// Probs returns the softmax probabilities of the last Forward.
func (l *SoftmaxLoss[T]) Probs() []T { return l.probs[:l.rows*l.Classes] }
