// Package kernel holds the numeric inner loops of training: the matrix
// products and element-wise passes that the layers and optimizers call.
//
// Everything above this package (internal/nn, internal/optim) works on flat,
// row-major slices and calls these functions for the heavy lifting, so that the
// loops can be replaced by faster implementations without touching the layers.
// Every function is generic over the two precisions a run can ask for.
package kernel

// Float is the element type of every tensor: float32 (the default precision)
// or float64 (on request, and for gradient checks).
type Float interface {
	~float32 | ~float64
}
