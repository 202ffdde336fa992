// Package nn is the chapter-6 multi-layer perceptron: affine layers,
// ReLU/sigmoid/tanh activations, batch normalisation, dropout and the softmax
// cross-entropy loss, with forward and backward passes by hand as in the book.
//
// Tensors are flat row-major slices: a batch of rows examples with cols
// features is a []T of rows·cols. Every layer keeps the buffers it writes its
// output and its input gradient into and grows them only when a larger batch
// comes, so after the first step of a given size a training step allocates
// nothing. The numeric loops live in internal/kernel.
//
// Layers hold per-step state (the input they saw, masks, batch statistics):
// a network is used by one goroutine at a time.
package nn

import "runner/internal/kernel"

// Param is one trainable tensor and its gradient, both flat and of equal length.
type Param[T kernel.Float] struct {
	Name  string // e.g. "W1", "b1", "gamma2"
	Value []T
	Grad  []T
}

// Layer is one stage of the network. Forward reads rows examples from x and
// returns its output, a buffer the layer owns and overwrites on the next call.
// Backward takes the gradient of the loss with respect to that output and
// returns the gradient with respect to x (nil where the layer was told it is
// not needed), after storing the gradients of its parameters.
type Layer[T kernel.Float] interface {
	Forward(x []T, rows int, train bool) []T
	Backward(dout []T, rows int) []T
	Params() []*Param[T]
}

// grow returns buf resliced to n elements, reallocating only when its
// capacity is short. The contents are not preserved.
func grow[T kernel.Float](buf []T, n int) []T {
	if cap(buf) < n {
		return make([]T, n)
	}
	return buf[:n]
}
