package nn

import (
	"math/rand/v2"

	"runner/internal/kernel"
)

// Dropout zeroes a random fraction Ratio of its inputs at every training
// step, with a fresh mask each time (a unit is kept where u > Ratio, u uniform
// in [0, 1)). At evaluation time every activation is scaled by 1 − Ratio
// instead, as the book does.
type Dropout[T kernel.Float] struct {
	Ratio float64
	Width int
	// Frozen keeps the current mask for later training steps instead of
	// drawing a new one: for gradient checks, which need a fixed function.
	Frozen bool

	rng      *rand.Rand
	mask     []T
	maskRows int
	out, dx  []T
}

// NewDropout returns a dropout layer that draws its masks from rng.
func NewDropout[T kernel.Float](ratio float64, width int, rng *rand.Rand) *Dropout[T] {
	return &Dropout[T]{Ratio: ratio, Width: width, rng: rng}
}

// Forward applies a fresh mask (training) or the 1 − Ratio scale (evaluation).
func (l *Dropout[T]) Forward(x []T, rows int, train bool) []T {
	n := rows * l.Width
	l.out = grow(l.out, n)
	if !train {
		kernel.Scale(T(1-l.Ratio), x[:n], l.out)
		return l.out
	}
	if !l.Frozen || l.maskRows != rows {
		l.mask = grow(l.mask, n)
		for i := range l.mask {
			if l.rng.Float64() > l.Ratio {
				l.mask[i] = 1
			} else {
				l.mask[i] = 0
			}
		}
		l.maskRows = rows
	}
	kernel.Mul(l.out, x[:n], l.mask)
	return l.out
}

// Backward passes the gradient through the units the mask kept.
func (l *Dropout[T]) Backward(dout []T, rows int) []T {
	n := rows * l.Width
	l.dx = grow(l.dx, n)
	kernel.Mul(l.dx, dout[:n], l.mask)
	return l.dx
}

// Params returns nil: dropout has no parameters.
func (l *Dropout[T]) Params() []*Param[T] { return nil }
