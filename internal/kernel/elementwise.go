package kernel

import (
	"math"
	"unsafe"
)

// BroadcastRows sets every one of the rows of dst (rows×len(v), row-major) to v.
func BroadcastRows[T Float](dst []T, rows int, v []T) {
	cols := len(v)
	for i := 0; i < rows; i++ {
		copy(dst[i*cols:(i+1)*cols], v)
	}
}

// ColSums sets dst[j] to the sum over the rows of column j of src
// (rows×len(dst)), adding the rows in order from +0. float32 and float64 use
// the vector kernels of the CPU (see elemS) for the largest multiple of the
// vector width of columns: each lane sums one column in the same order, so
// the result is bit-identical to the portable loop.
func ColSums[T Float](dst, src []T, rows int) {
	cols := len(dst)
	if rows <= 0 {
		clear(dst)
		return
	}
	src = src[:rows*cols]
	k, a32, a64 := vectorPrefix[T](cols)
	switch {
	case k == 0:
	case a32 != nil:
		a32.colSums(rows, k, cols, p32(dst), p32(src))
	case a64 != nil:
		a64.colSums(rows, k, cols, p64(dst), p64(src))
	}
	colSumsGo(dst[k:], src[k:], rows, cols)
}

// colSumsGo is the portable ColSums of the len(dst) columns at the start of
// src, whose rows are ld apart.
func colSumsGo[T Float](dst, src []T, rows, ld int) {
	cols := len(dst)
	clear(dst)
	if cols == 0 {
		return
	}
	for i := 0; i < rows; i++ {
		row := src[i*ld : i*ld+cols]
		for j, v := range row {
			dst[j] += v
		}
	}
}

// UnitBytes sets dst[i] = T(src[i])/T(255) for every byte of src: pixels
// scaled to [0, 1]. float32 and float64 use the vector kernels of the CPU
// (see elemS): they convert exactly and divide, correctly rounded as Go's
// division is, so the result is bit-identical to the portable path (a
// table of the 256 quotients; a product with 1/255 would not be).
func UnitBytes[T Float](dst []T, src []byte) {
	dst = dst[:len(src)]
	k, a32, a64 := vectorPrefix[T](len(src))
	switch {
	case k == 0:
	case a32 != nil:
		a32.unitBytes(k, p32(dst), unsafe.SliceData(src), 255)
	case a64 != nil:
		a64.unitBytes(k, p64(dst), unsafe.SliceData(src), 255)
	}
	unitBytesGo(dst[k:], src[k:])
}

// unitBytesGo is the portable UnitBytes: through the table of T's
// underlying type, so that converting an entry to T changes no bits.
func unitBytesGo[T Float](dst []T, src []byte) {
	dst = dst[:len(src)]
	if is32[T]() {
		d := s32(dst)
		for i, b := range src {
			d[i] = unit32[b]
		}
		return
	}
	d := s64(dst)
	for i, b := range src {
		d[i] = unit64[b]
	}
}

// unit32 and unit64 hold b/255 for every byte b, in each precision.
var (
	unit32 = unitTable[float32]()
	unit64 = unitTable[float64]()
)

func unitTable[U float32 | float64]() (t [256]U) {
	for i := range t {
		t[i] = U(i) / U(255)
	}
	return t
}

// Axpy computes y += alpha·x.
func Axpy[T Float](alpha T, x, y []T) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] += alpha * v
	}
}

// Scale computes y = alpha·x.
func Scale[T Float](alpha T, x, y []T) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] = alpha * v
	}
}

// Mul computes z = x⊙y element by element.
func Mul[T Float](z, x, y []T) {
	z, y = z[:len(x)], y[:len(x)]
	for i, v := range x {
		z[i] = v * y[i]
	}
}

// SumSquares returns Σ x², accumulated in float64.
func SumSquares[T Float](x []T) float64 {
	var s float64
	for _, v := range x {
		s += float64(v) * float64(v)
	}
	return s
}

// ReLU computes y = x where x > 0, else +0 (so −0 and NaN give +0).
//
// It is branch-free: the signs of activations are random, and a branch on
// them is mispredicted half the time. float32 and float64 use the vector
// kernels of the CPU (see elemS), which give bit-identical results to the
// portable loop.
func ReLU[T Float](y, x []T) {
	y = y[:len(x)]
	k, a32, a64 := vectorPrefix[T](len(x))
	switch {
	case k == 0:
	case a32 != nil:
		a32.relu(k, p32(y), p32(x))
	case a64 != nil:
		a64.relu(k, p64(y), p64(x))
	}
	reluGo(y[k:], x[k:])
}

// ReLUBackward computes dx = dy where the forward output y was positive,
// else +0. Like ReLU, it is branch-free and vectorised.
func ReLUBackward[T Float](dx, dy, y []T) {
	dx, dy = dx[:len(y)], dy[:len(y)]
	k, a32, a64 := vectorPrefix[T](len(y))
	switch {
	case k == 0:
	case a32 != nil:
		a32.reluBackward(k, p32(dx), p32(dy), p32(y))
	case a64 != nil:
		a64.reluBackward(k, p64(dx), p64(dy), p64(y))
	}
	reluBackwardGo(dx[k:], dy[k:], y[k:])
}

// reluGo is the portable ReLU. x > 0 exactly when the bits b of x, read as
// an unsigned integer, satisfy 0 < b ≤ the bits of +Inf: that is b−1 < Inf
// (b = 0 wraps round), which holds when (b−1)/2 − Inf/2 is negative as a
// signed integer (halving keeps the difference from overflowing). The sign
// of that difference, spread over all bits, is the mask that keeps x or
// clears it, with no branch.
func reluGo[T Float](y, x []T) {
	if is32[T]() {
		x, y := s32(x), s32(y)
		y = y[:len(x)]
		for i, v := range x {
			y[i] = math.Float32frombits(math.Float32bits(v) & positive32(v))
		}
		return
	}
	x64, y64 := s64(x), s64(y)
	y64 = y64[:len(x64)]
	for i, v := range x64 {
		y64[i] = math.Float64frombits(math.Float64bits(v) & positive64(v))
	}
}

// reluBackwardGo is the portable ReLUBackward, with reluGo's mask.
func reluBackwardGo[T Float](dx, dy, y []T) {
	if is32[T]() {
		dx, dy, y := s32(dx), s32(dy), s32(y)
		dx, dy = dx[:len(y)], dy[:len(y)]
		for i, v := range y {
			dx[i] = math.Float32frombits(math.Float32bits(dy[i]) & positive32(v))
		}
		return
	}
	dx64, dy64, y64 := s64(dx), s64(dy), s64(y)
	dx64, dy64 = dx64[:len(y64)], dy64[:len(y64)]
	for i, v := range y64 {
		dx64[i] = math.Float64frombits(math.Float64bits(dy64[i]) & positive64(v))
	}
}

// positive32 returns all ones if v > 0, else 0 (see reluGo).
func positive32(v float32) uint32 {
	const inf = 0x7f800000
	return uint32(int32((math.Float32bits(v)-1)>>1-inf>>1) >> 31)
}

// positive64 returns all ones if v > 0, else 0 (see reluGo).
func positive64(v float64) uint64 {
	const inf = 0x7ff0000000000000
	return uint64(int64((math.Float64bits(v)-1)>>1-inf>>1) >> 63)
}

// Sigmoid computes y = 1/(1+e^−x).
func Sigmoid[T Float](y, x []T) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] = T(1 / (1 + math.Exp(-float64(v))))
	}
}

// SigmoidBackward computes dx = dy·y·(1−y) from the forward output y.
func SigmoidBackward[T Float](dx, dy, y []T) {
	dx, dy = dx[:len(y)], dy[:len(y)]
	for i, v := range y {
		dx[i] = dy[i] * v * (1 - v)
	}
}

// Tanh computes y = tanh(x).
func Tanh[T Float](y, x []T) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] = T(math.Tanh(float64(v)))
	}
}

// TanhBackward computes dx = dy·(1−y²) from the forward output y.
func TanhBackward[T Float](dx, dy, y []T) {
	dx, dy = dx[:len(y)], dy[:len(y)]
	for i, v := range y {
		dx[i] = dy[i] * (1 - v*v)
	}
}

// LogDelta is the δ added inside the logarithm of the cross-entropy, as in the
// book, so that a zero probability gives a large finite loss.
const LogDelta = 1e-7

// SoftmaxCrossEntropy writes the row-wise softmax of logits (rows×cols) into
// probs and returns Σ_rows −log(p[label] + δ), accumulated in float64. Each
// row is shifted by its maximum first, so large logits do not overflow.
func SoftmaxCrossEntropy[T Float](probs, logits []T, labels []int, rows, cols int) float64 {
	var loss float64
	for i := 0; i < rows; i++ {
		x := logits[i*cols : (i+1)*cols]
		p := probs[i*cols : (i+1)*cols]
		m := x[0]
		for _, v := range x[1:] {
			if v > m {
				m = v
			}
		}
		var sum float64
		for j, v := range x {
			e := math.Exp(float64(v - m))
			p[j] = T(e)
			sum += e
		}
		inv := 1 / sum
		for j := range p {
			p[j] = T(float64(p[j]) * inv)
		}
		loss -= math.Log(float64(p[labels[i]]) + LogDelta)
	}
	return loss
}

// SoftmaxCrossEntropyBackward writes the gradient of the mean loss with
// respect to the logits, (p − onehot(label))·scale with scale = 1/rows for a
// mean, into dx.
func SoftmaxCrossEntropyBackward[T Float](dx, probs []T, labels []int, rows, cols int, scale T) {
	for i := 0; i < rows; i++ {
		d := dx[i*cols : (i+1)*cols]
		p := probs[i*cols : (i+1)*cols]
		for j, v := range p {
			d[j] = v * scale
		}
		d[labels[i]] -= scale
	}
}

// CountCorrect returns how many rows of x (rows×cols) have their largest
// entry (the first, on ties) at the column given by labels.
func CountCorrect[T Float](x []T, labels []int, rows, cols int) int {
	n := 0
	for i := 0; i < rows; i++ {
		row := x[i*cols : (i+1)*cols]
		best := 0
		for j, v := range row {
			if v > row[best] {
				best = j
			}
		}
		if best == labels[i] {
			n++
		}
	}
	return n
}

// BatchNormTrain normalises x (rows×cols) per column with the batch's own
// statistics: y = gamma·xn + beta with xn = (x − mean)/√(var + eps). It
// stores xn and 1/√(var + eps) (per column) for the backward pass, and
// returns the batch mean and (biased) variance in mean and variance.
func BatchNormTrain[T Float](y, xn, x []T, rows int, gamma, beta, mean, variance, invStd []T, eps float64) {
	cols := len(gamma)
	clear(mean)
	for i := 0; i < rows; i++ {
		for j, v := range x[i*cols : (i+1)*cols] {
			mean[j] += v
		}
	}
	invRows := 1 / T(rows)
	for j := range mean {
		mean[j] *= invRows
	}
	clear(variance)
	for i := 0; i < rows; i++ {
		row := x[i*cols : (i+1)*cols]
		c := xn[i*cols : (i+1)*cols]
		for j, v := range row {
			d := v - mean[j]
			c[j] = d
			variance[j] += d * d
		}
	}
	for j := range variance {
		variance[j] *= invRows
		invStd[j] = T(1 / math.Sqrt(float64(variance[j])+eps))
	}
	for i := 0; i < rows; i++ {
		c := xn[i*cols : (i+1)*cols]
		out := y[i*cols : (i+1)*cols]
		for j := range c {
			c[j] *= invStd[j]
			out[j] = gamma[j]*c[j] + beta[j]
		}
	}
}

// BatchNormInfer normalises x per column with fixed statistics (the running
// averages at evaluation time): y = gamma·(x − mean)/√(var + eps) + beta.
// invStd is scratch of one entry per column.
func BatchNormInfer[T Float](y, x []T, rows int, gamma, beta, mean, variance, invStd []T, eps float64) {
	cols := len(gamma)
	for j := range invStd {
		invStd[j] = T(1 / math.Sqrt(float64(variance[j])+eps))
	}
	for i := 0; i < rows; i++ {
		row := x[i*cols : (i+1)*cols]
		out := y[i*cols : (i+1)*cols]
		for j, v := range row {
			out[j] = gamma[j]*(v-mean[j])*invStd[j] + beta[j]
		}
	}
}

// BatchNormBackward computes, from dy and what BatchNormTrain stored, the
// gradients of gamma and beta (overwritten) and of the input:
//
//	dx = invStd/rows · (rows·dxn − Σdxn − xn·Σ(dxn·xn)),  dxn = gamma·dy
//
// which is the book's chain of steps (through xc, std and var) collapsed.
// sumD and sumDX are scratch of one entry per column.
func BatchNormBackward[T Float](dx, dgamma, dbeta, dy, xn []T, rows int, gamma, invStd, sumD, sumDX []T) {
	cols := len(gamma)
	clear(dgamma)
	clear(dbeta)
	for i := 0; i < rows; i++ {
		d := dy[i*cols : (i+1)*cols]
		c := xn[i*cols : (i+1)*cols]
		for j, v := range d {
			dbeta[j] += v
			dgamma[j] += v * c[j]
		}
	}
	// Σdxn = gamma·Σdy and Σ(dxn·xn) = gamma·Σ(dy·xn).
	for j := range sumD {
		sumD[j] = gamma[j] * dbeta[j]
		sumDX[j] = gamma[j] * dgamma[j]
	}
	n := T(rows)
	for i := 0; i < rows; i++ {
		d := dy[i*cols : (i+1)*cols]
		c := xn[i*cols : (i+1)*cols]
		out := dx[i*cols : (i+1)*cols]
		for j := range d {
			out[j] = invStd[j] / n * (n*gamma[j]*d[j] - sumD[j] - c[j]*sumDX[j])
		}
	}
}
