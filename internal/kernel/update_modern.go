package kernel

import "math"

// The per-element updates of the optimizers that came after the book: AdamW
// and AMSGrad, NAdam, RAdam, Lion and the schedule-free methods (package
// optim holds the state and the hyperparameters and folds every per-step
// scalar — bias corrections, schedules, powers — into the arguments, so
// that the loops here need only +, −, ·, /, √, max and sign). As in
// update.go, the vector kernels do the operations of the portable loops in
// the same order, every product is rounded explicitly (T(a*b)) so that no
// compiler fuses it into a multiply-add, and the results are bit-identical
// whichever implementation runs. The state slices and g must be at least as
// long as w (or y).

// AdamWStep computes m ← m + c1·(g − m) and v ← v + c2·(g·g − v), then
// w ← decay·w − lrt·m/(√v + eps): Adam with the decoupled weight decay
// decay = 1 − η·λ applied to the weights from before the step.
func AdamWStep[T Float](w, g, m, v []T, decay, lrt, c1, c2, eps T) {
	g, m, v = g[:len(w)], m[:len(w)], v[:len(w)]
	k, a32, a64 := vectorPrefix[T](len(w))
	switch {
	case k == 0:
	case a32 != nil:
		a32.adamWStep(k, p32(w), p32(g), p32(m), p32(v), float32(decay), float32(lrt), float32(c1), float32(c2), float32(eps))
	case a64 != nil:
		a64.adamWStep(k, p64(w), p64(g), p64(m), p64(v), float64(decay), float64(lrt), float64(c1), float64(c2), float64(eps))
	}
	adamWStepGo(w[k:], g[k:], m[k:], v[k:], decay, lrt, c1, c2, eps)
}

func adamWStepGo[T Float](w, g, m, v []T, decay, lrt, c1, c2, eps T) {
	g, m, v = g[:len(w)], m[:len(w)], v[:len(w)]
	for i := range w {
		m[i] += T(c1 * (g[i] - m[i]))
		v[i] += T(c2 * (T(g[i]*g[i]) - v[i]))
		w[i] = T(decay*w[i]) - lrt*m[i]/(sqrt(v[i])+eps)
	}
}

// AMSGradStep is AdamWStep with the denominator taken from the running
// maximum of v: after v is updated, vmax ← max(vmax, v) (vmax kept where v
// is NaN), then w ← decay·w − lrt·m/(√vmax + eps).
func AMSGradStep[T Float](w, g, m, v, vmax []T, decay, lrt, c1, c2, eps T) {
	g, m, v, vmax = g[:len(w)], m[:len(w)], v[:len(w)], vmax[:len(w)]
	k, a32, a64 := vectorPrefix[T](len(w))
	switch {
	case k == 0:
	case a32 != nil:
		a32.amsGradStep(k, p32(w), p32(g), p32(m), p32(v), p32(vmax), float32(decay), float32(lrt), float32(c1), float32(c2), float32(eps))
	case a64 != nil:
		a64.amsGradStep(k, p64(w), p64(g), p64(m), p64(v), p64(vmax), float64(decay), float64(lrt), float64(c1), float64(c2), float64(eps))
	}
	amsGradStepGo(w[k:], g[k:], m[k:], v[k:], vmax[k:], decay, lrt, c1, c2, eps)
}

func amsGradStepGo[T Float](w, g, m, v, vmax []T, decay, lrt, c1, c2, eps T) {
	g, m, v, vmax = g[:len(w)], m[:len(w)], v[:len(w)], vmax[:len(w)]
	for i := range w {
		m[i] += T(c1 * (g[i] - m[i]))
		v[i] += T(c2 * (T(g[i]*g[i]) - v[i]))
		if v[i] > vmax[i] {
			vmax[i] = v[i]
		}
		w[i] = T(decay*w[i]) - lrt*m[i]/(sqrt(vmax[i])+eps)
	}
}

// NAdamStep computes m ← m + c1·(g − m) and v ← v + c2·(g·g − v), then
// w ← w − (a·g + b·m)/(√v + eps): the Nesterov-style mix of the current
// gradient (weight a) and the new average (weight b), see optim.NAdam.
func NAdamStep[T Float](w, g, m, v []T, c1, c2, a, b, eps T) {
	g, m, v = g[:len(w)], m[:len(w)], v[:len(w)]
	k, a32, a64 := vectorPrefix[T](len(w))
	switch {
	case k == 0:
	case a32 != nil:
		a32.nAdamStep(k, p32(w), p32(g), p32(m), p32(v), float32(c1), float32(c2), float32(a), float32(b), float32(eps))
	case a64 != nil:
		a64.nAdamStep(k, p64(w), p64(g), p64(m), p64(v), float64(c1), float64(c2), float64(a), float64(b), float64(eps))
	}
	nAdamStepGo(w[k:], g[k:], m[k:], v[k:], c1, c2, a, b, eps)
}

func nAdamStepGo[T Float](w, g, m, v []T, c1, c2, a, b, eps T) {
	g, m, v = g[:len(w)], m[:len(w)], v[:len(w)]
	for i := range w {
		m[i] += T(c1 * (g[i] - m[i]))
		v[i] += T(c2 * (T(g[i]*g[i]) - v[i]))
		w[i] -= (T(a*g[i]) + T(b*m[i])) / (sqrt(v[i]) + eps)
	}
}

// AdamMomentStep computes m ← m + c1·(g − m) and v ← v + c2·(g·g − v), then
// w ← w − lrt·m: RAdam's step while the variance of the adaptive rate is
// not yet tractable (v is kept up to date for the later steps).
func AdamMomentStep[T Float](w, g, m, v []T, lrt, c1, c2 T) {
	g, m, v = g[:len(w)], m[:len(w)], v[:len(w)]
	k, a32, a64 := vectorPrefix[T](len(w))
	switch {
	case k == 0:
	case a32 != nil:
		a32.adamMomentStep(k, p32(w), p32(g), p32(m), p32(v), float32(lrt), float32(c1), float32(c2))
	case a64 != nil:
		a64.adamMomentStep(k, p64(w), p64(g), p64(m), p64(v), float64(lrt), float64(c1), float64(c2))
	}
	adamMomentStepGo(w[k:], g[k:], m[k:], v[k:], lrt, c1, c2)
}

func adamMomentStepGo[T Float](w, g, m, v []T, lrt, c1, c2 T) {
	g, m, v = g[:len(w)], m[:len(w)], v[:len(w)]
	for i := range w {
		m[i] += T(c1 * (g[i] - m[i]))
		v[i] += T(c2 * (T(g[i]*g[i]) - v[i]))
		w[i] -= T(lrt * m[i])
	}
}

// LionStep computes c = b1·m + c1·g, then w ← decay·w − lr·sign(c) and
// m ← b2·m + c2·g; c1 = 1 − β1, c2 = 1 − β2 and decay = 1 − η·λ. sign is
// lionSign's: ±1, +0 for ±0, and c itself for NaN.
func LionStep[T Float](w, g, m []T, decay, lr, b1, c1, b2, c2 T) {
	g, m = g[:len(w)], m[:len(w)]
	k, a32, a64 := vectorPrefix[T](len(w))
	switch {
	case k == 0:
	case a32 != nil:
		a32.lionStep(k, p32(w), p32(g), p32(m), float32(decay), float32(lr), float32(b1), float32(c1), float32(b2), float32(c2), 1, float32(math.Copysign(0, -1)))
	case a64 != nil:
		a64.lionStep(k, p64(w), p64(g), p64(m), float64(decay), float64(lr), float64(b1), float64(c1), float64(b2), float64(c2), 1, math.Copysign(0, -1))
	}
	lionStepGo(w[k:], g[k:], m[k:], decay, lr, b1, c1, b2, c2)
}

func lionStepGo[T Float](w, g, m []T, decay, lr, b1, c1, b2, c2 T) {
	g, m = g[:len(w)], m[:len(w)]
	for i := range w {
		c := T(b1*m[i]) + T(c1*g[i])
		w[i] = T(decay*w[i]) - T(lr*lionSign(c))
		m[i] = T(b2*m[i]) + T(c2*g[i])
	}
}

// lionSign is 1 for x > 0, −1 for x < 0, +0 for ±0 and x itself for NaN
// (so that a NaN update reaches the weights, as torch.sign passes it on).
func lionSign[T Float](x T) T {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	case x == 0:
		return 0
	}
	return x
}

// ScheduleFreeSGDStep computes d = g + wd·y, then y ← y + ck·(z − y),
// y ← y + a·d and z ← z − lr·d: one step of schedule-free SGD on the
// training point y and the base sequence z (see optim.ScheduleFreeSGD;
// ck is the averaging weight c_{t+1} and a = η(β(1 − ck) − 1)).
func ScheduleFreeSGDStep[T Float](y, g, z []T, wd, ck, a, lr T) {
	g, z = g[:len(y)], z[:len(y)]
	k, a32, a64 := vectorPrefix[T](len(y))
	switch {
	case k == 0:
	case a32 != nil:
		a32.sfSGDStep(k, p32(y), p32(g), p32(z), float32(wd), float32(ck), float32(a), float32(lr))
	case a64 != nil:
		a64.sfSGDStep(k, p64(y), p64(g), p64(z), float64(wd), float64(ck), float64(a), float64(lr))
	}
	sfSGDStepGo(y[k:], g[k:], z[k:], wd, ck, a, lr)
}

func sfSGDStepGo[T Float](y, g, z []T, wd, ck, a, lr T) {
	g, z = g[:len(y)], z[:len(y)]
	for i := range y {
		d := g[i] + T(wd*y[i])
		y[i] += T(ck * (z[i] - y[i]))
		y[i] += T(a * d)
		z[i] -= T(lr * d)
	}
}

// ScheduleFreeAdamWStep computes v ← v + c2·(g·g − v) and
// d = g/(√v + eps) + wd·y, then y ← y + ck·(z − y), y ← y + a·d and
// z ← z − lr·d: one step of schedule-free AdamW (see optim.ScheduleFreeAdamW;
// lr already carries the bias correction √(1−β2^t)).
func ScheduleFreeAdamWStep[T Float](y, g, z, v []T, c2, eps, wd, ck, a, lr T) {
	g, z, v = g[:len(y)], z[:len(y)], v[:len(y)]
	k, a32, a64 := vectorPrefix[T](len(y))
	switch {
	case k == 0:
	case a32 != nil:
		a32.sfAdamWStep(k, p32(y), p32(g), p32(z), p32(v), float32(c2), float32(eps), float32(wd), float32(ck), float32(a), float32(lr))
	case a64 != nil:
		a64.sfAdamWStep(k, p64(y), p64(g), p64(z), p64(v), float64(c2), float64(eps), float64(wd), float64(ck), float64(a), float64(lr))
	}
	sfAdamWStepGo(y[k:], g[k:], z[k:], v[k:], c2, eps, wd, ck, a, lr)
}

func sfAdamWStepGo[T Float](y, g, z, v []T, c2, eps, wd, ck, a, lr T) {
	g, z, v = g[:len(y)], z[:len(y)], v[:len(y)]
	for i := range y {
		v[i] += T(c2 * (T(g[i]*g[i]) - v[i]))
		d := g[i]/(sqrt(v[i])+eps) + T(wd*y[i])
		y[i] += T(ck * (z[i] - y[i]))
		y[i] += T(a * d)
		z[i] -= T(lr * d)
	}
}

// Lerp computes y ← y + c·(z − y), the schedule-free methods' move between
// the training point and the evaluation point.
func Lerp[T Float](y, z []T, c T) {
	z = z[:len(y)]
	k, a32, a64 := vectorPrefix[T](len(y))
	switch {
	case k == 0:
	case a32 != nil:
		a32.lerp(k, p32(y), p32(z), float32(c))
	case a64 != nil:
		a64.lerp(k, p64(y), p64(z), float64(c))
	}
	lerpGo(y[k:], z[k:], c)
}

func lerpGo[T Float](y, z []T, c T) {
	z = z[:len(y)]
	for i := range y {
		y[i] += T(c * (z[i] - y[i]))
	}
}
