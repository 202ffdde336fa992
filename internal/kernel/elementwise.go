package kernel

import "math"

// BroadcastRows sets every one of the rows of dst (rows×len(v), row-major) to v.
func BroadcastRows[T Float](dst []T, rows int, v []T) {
	cols := len(v)
	for i := 0; i < rows; i++ {
		copy(dst[i*cols:(i+1)*cols], v)
	}
}

// ColSums sets dst[j] to the sum over the rows of column j of src (rows×len(dst)).
func ColSums[T Float](dst, src []T, rows int) {
	cols := len(dst)
	clear(dst)
	for i := 0; i < rows; i++ {
		row := src[i*cols : (i+1)*cols]
		for j, v := range row {
			dst[j] += v
		}
	}
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

// ReLU computes y = max(x, 0).
func ReLU[T Float](y, x []T) {
	y = y[:len(x)]
	for i, v := range x {
		if v > 0 {
			y[i] = v
		} else {
			y[i] = 0
		}
	}
}

// ReLUBackward computes dx = dy where the forward output y was positive, else 0.
func ReLUBackward[T Float](dx, dy, y []T) {
	dx, dy = dx[:len(y)], dy[:len(y)]
	for i, v := range y {
		if v > 0 {
			dx[i] = dy[i]
		} else {
			dx[i] = 0
		}
	}
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
