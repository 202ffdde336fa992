package nn

import (
	"fmt"

	"runner/internal/kernel"
)

// ActivationKind names an element-wise non-linearity.
type ActivationKind int

// The activations a hidden layer can use.
const (
	ReLU ActivationKind = iota
	Sigmoid
	Tanh
)

var activationNames = [...]string{ReLU: "relu", Sigmoid: "sigmoid", Tanh: "tanh"}

// String returns the name used in experiment files: relu, sigmoid or tanh.
func (k ActivationKind) String() string {
	if int(k) < len(activationNames) {
		return activationNames[k]
	}
	return fmt.Sprintf("ActivationKind(%d)", int(k))
}

// ParseActivation maps relu, sigmoid or tanh to its kind.
func ParseActivation(s string) (ActivationKind, error) {
	for k, name := range activationNames {
		if name == s {
			return ActivationKind(k), nil
		}
	}
	return 0, fmt.Errorf("unknown activation %q (want relu, sigmoid or tanh)", s)
}

// Activation applies an element-wise non-linearity to Width features.
type Activation[T kernel.Float] struct {
	Kind  ActivationKind
	Width int

	out, dx []T
}

// NewActivation returns an activation layer of the given kind and width.
func NewActivation[T kernel.Float](kind ActivationKind, width int) *Activation[T] {
	return &Activation[T]{Kind: kind, Width: width}
}

// Forward applies the non-linearity.
func (l *Activation[T]) Forward(x []T, rows int, train bool) []T {
	n := rows * l.Width
	l.out = grow(l.out, n)
	switch l.Kind {
	case ReLU:
		kernel.ReLU(l.out, x[:n])
	case Sigmoid:
		kernel.Sigmoid(l.out, x[:n])
	case Tanh:
		kernel.Tanh(l.out, x[:n])
	}
	return l.out
}

// Backward multiplies dout by the derivative, taken from the forward output.
func (l *Activation[T]) Backward(dout []T, rows int) []T {
	n := rows * l.Width
	l.dx = grow(l.dx, n)
	switch l.Kind {
	case ReLU:
		kernel.ReLUBackward(l.dx, dout, l.out[:n])
	case Sigmoid:
		kernel.SigmoidBackward(l.dx, dout, l.out[:n])
	case Tanh:
		kernel.TanhBackward(l.dx, dout, l.out[:n])
	}
	return l.dx
}

// Params returns nil: activations have no parameters.
func (l *Activation[T]) Params() []*Param[T] { return nil }
