package kernel

import "math"

// The optimizers' per-element updates (package optim holds the state and
// the hyperparameters; the formulas are DESIGN.md's "Numerics"). Each
// function updates w (and the optimizer's state) in place from the gradient
// g; the state slices and g must be at least as long as w.
//
// float32 and float64 use the vector kernels of the CPU (see elemS) for the
// largest multiple of the vector width and the portable loop for the rest.
// The kernels do the same operations in the same order as the portable loop,
// so the results are bit-identical whichever runs. For that the portable
// loops round every product explicitly (T(a*b)): the Go specification lets
// a compiler fuse a*b + c into one fused multiply-add (as it does for
// GOAMD64=v3), and an explicit conversion forbids it.

// SGDStep computes w ← w − lr·g.
func SGDStep[T Float](w, g []T, lr T) {
	g = g[:len(w)]
	k, a32, a64 := vectorPrefix[T](len(w))
	switch {
	case k == 0:
	case a32 != nil:
		a32.sgdStep(k, p32(w), p32(g), float32(lr))
	case a64 != nil:
		a64.sgdStep(k, p64(w), p64(g), float64(lr))
	}
	sgdStepGo(w[k:], g[k:], lr)
}

func sgdStepGo[T Float](w, g []T, lr T) {
	g = g[:len(w)]
	for i := range w {
		w[i] -= T(lr * g[i])
	}
}

// MomentumStep computes v ← alpha·v − lr·g, then w ← w + v.
func MomentumStep[T Float](w, g, v []T, alpha, lr T) {
	g, v = g[:len(w)], v[:len(w)]
	k, a32, a64 := vectorPrefix[T](len(w))
	switch {
	case k == 0:
	case a32 != nil:
		a32.momentumStep(k, p32(w), p32(g), p32(v), float32(alpha), float32(lr))
	case a64 != nil:
		a64.momentumStep(k, p64(w), p64(g), p64(v), float64(alpha), float64(lr))
	}
	momentumStepGo(w[k:], g[k:], v[k:], alpha, lr)
}

func momentumStepGo[T Float](w, g, v []T, alpha, lr T) {
	g, v = g[:len(w)], v[:len(w)]
	for i := range w {
		v[i] = T(alpha*v[i]) - T(lr*g[i])
		w[i] += v[i]
	}
}

// NesterovStep computes w ← w + (alpha2·v − c·g) with the velocity from
// before the step, then v ← alpha·v − lr·g; alpha2 = α² and c = (1+α)·lr
// (the book's form, see optim.Nesterov).
func NesterovStep[T Float](w, g, v []T, alpha, alpha2, c, lr T) {
	g, v = g[:len(w)], v[:len(w)]
	k, a32, a64 := vectorPrefix[T](len(w))
	switch {
	case k == 0:
	case a32 != nil:
		a32.nesterovStep(k, p32(w), p32(g), p32(v), float32(alpha), float32(alpha2), float32(c), float32(lr))
	case a64 != nil:
		a64.nesterovStep(k, p64(w), p64(g), p64(v), float64(alpha), float64(alpha2), float64(c), float64(lr))
	}
	nesterovStepGo(w[k:], g[k:], v[k:], alpha, alpha2, c, lr)
}

func nesterovStepGo[T Float](w, g, v []T, alpha, alpha2, c, lr T) {
	g, v = g[:len(w)], v[:len(w)]
	for i := range w {
		w[i] += T(alpha2*v[i]) - T(c*g[i])
		v[i] = T(alpha*v[i]) - T(lr*g[i])
	}
}

// AdaGradStep computes h ← h + g·g, then w ← w − lr·g/(√h + eps).
func AdaGradStep[T Float](w, g, h []T, lr, eps T) {
	g, h = g[:len(w)], h[:len(w)]
	k, a32, a64 := vectorPrefix[T](len(w))
	switch {
	case k == 0:
	case a32 != nil:
		a32.adaGradStep(k, p32(w), p32(g), p32(h), float32(lr), float32(eps))
	case a64 != nil:
		a64.adaGradStep(k, p64(w), p64(g), p64(h), float64(lr), float64(eps))
	}
	adaGradStepGo(w[k:], g[k:], h[k:], lr, eps)
}

func adaGradStepGo[T Float](w, g, h []T, lr, eps T) {
	g, h = g[:len(w)], h[:len(w)]
	for i := range w {
		h[i] += T(g[i] * g[i])
		w[i] -= lr * g[i] / (sqrt(h[i]) + eps)
	}
}

// RMSpropStep computes h ← rho·h + c·g·g, then w ← w − lr·g/(√h + eps);
// c = 1 − ρ.
func RMSpropStep[T Float](w, g, h []T, rho, c, lr, eps T) {
	g, h = g[:len(w)], h[:len(w)]
	k, a32, a64 := vectorPrefix[T](len(w))
	switch {
	case k == 0:
	case a32 != nil:
		a32.rmspropStep(k, p32(w), p32(g), p32(h), float32(rho), float32(c), float32(lr), float32(eps))
	case a64 != nil:
		a64.rmspropStep(k, p64(w), p64(g), p64(h), float64(rho), float64(c), float64(lr), float64(eps))
	}
	rmspropStepGo(w[k:], g[k:], h[k:], rho, c, lr, eps)
}

func rmspropStepGo[T Float](w, g, h []T, rho, c, lr, eps T) {
	g, h = g[:len(w)], h[:len(w)]
	for i := range w {
		h[i] = T(rho*h[i]) + T(T(c*g[i])*g[i])
		w[i] -= lr * g[i] / (sqrt(h[i]) + eps)
	}
}

// AdamStep computes m ← m + c1·(g − m) and v ← v + c2·(g·g − v), then
// w ← w − lrt·m/(√v + eps); c1 = 1 − β1, c2 = 1 − β2 and lrt is the
// bias-corrected step size η_t (see optim.Adam).
func AdamStep[T Float](w, g, m, v []T, lrt, c1, c2, eps T) {
	g, m, v = g[:len(w)], m[:len(w)], v[:len(w)]
	k, a32, a64 := vectorPrefix[T](len(w))
	switch {
	case k == 0:
	case a32 != nil:
		a32.adamStep(k, p32(w), p32(g), p32(m), p32(v), float32(lrt), float32(c1), float32(c2), float32(eps))
	case a64 != nil:
		a64.adamStep(k, p64(w), p64(g), p64(m), p64(v), float64(lrt), float64(c1), float64(c2), float64(eps))
	}
	adamStepGo(w[k:], g[k:], m[k:], v[k:], lrt, c1, c2, eps)
}

func adamStepGo[T Float](w, g, m, v []T, lrt, c1, c2, eps T) {
	g, m, v = g[:len(w)], m[:len(w)], v[:len(w)]
	for i := range w {
		m[i] += T(c1 * (g[i] - m[i]))
		v[i] += T(c2 * (T(g[i]*g[i]) - v[i]))
		w[i] -= lrt * m[i] / (sqrt(v[i]) + eps)
	}
}

// sqrt is the square root in T. For float32 the float64 root rounded to
// float32 is the correctly rounded float32 root, as VSQRTPS computes it.
func sqrt[T Float](x T) T {
	return T(math.Sqrt(float64(x)))
}
