package train

import (
	"math/rand/v2"

	"runner/internal/data"
	"runner/internal/kernel"
	"runner/internal/nn"
)

// Batch normalisation at a schedule-free evaluation point.
//
// A network with batch normalisation evaluates with the running averages
// of the batch means and variances it saw in training, at the training
// point y. A schedule-free optimizer evaluates at another point, x, where
// those statistics are not the network's: its authors recompute them
// there before evaluating, with forward passes in training mode over
// training batches and fresh averages. toEval does so after every move to
// x: it forwards bnBatches batches of the run's batch size through the
// network at x, each batch-normalisation layer normalising with the
// batch's own statistics, and sets each layer's running mean and variance
// to the plain average of its batches' means and (population) variances.
//
// The batches are fixed for the run: the first bnBatches·batch_size
// examples of a permutation of the training set drawn once from the run's
// seed on a stream of its own (all the examples when there are fewer,
// in whole batches). Dropout layers scale as in evaluation and draw no
// mask, so the next batch-normalisation layer sees what it sees when the
// network is evaluated. The passes touch no other random stream and no
// parameter or gradient, so they change nothing of the training; the
// training-mode running averages they replace are never read by a
// schedule-free run, which always evaluates after a refresh.

// bnBatches is the number of batches that re-estimate the statistics, as
// the schedule-free authors' example takes (50 batches of the training
// loader).
const bnBatches = 50

// bnStats re-estimates the batch-normalisation statistics of a network.
type bnStats[T kernel.Float] struct {
	net       *nn.MLP[T]
	idx       []int // the fixed examples, in batches of batch
	batch     int
	mean, vr  [][]float64 // the sums of the batch means and variances, one per batch-normalisation layer
	batchMean []float64   // one batch's column means
}

// newBNStats picks the fixed batches of a training set of n examples.
func newBNStats[T kernel.Float](net *nn.MLP[T], n, batch int, rng *rand.Rand) *bnStats[T] {
	k := min(bnBatches*batch, n)
	if k >= batch {
		k -= k % batch
	}
	b := &bnStats[T]{net: net, idx: rng.Perm(n)[:k], batch: min(batch, k)}
	for _, l := range net.Layers {
		if bn, ok := l.(*nn.BatchNorm[T]); ok {
			b.mean = append(b.mean, make([]float64, bn.Width))
			b.vr = append(b.vr, make([]float64, bn.Width))
			b.batchMean = make([]float64, max(len(b.batchMean), bn.Width))
		}
	}
	return b
}

// refresh sets the running statistics of every batch-normalisation layer
// of the network at its current parameters, using t's buffers.
func (b *bnStats[T]) refresh(t *trainer[T]) {
	for i := range b.mean {
		clear(b.mean[i])
		clear(b.vr[i])
	}
	batches := 0
	for lo := 0; lo < len(b.idx); lo += b.batch {
		idx := b.idx[lo:min(lo+b.batch, len(b.idx))]
		rows := len(idx)
		data.Gather(t.data.Train, idx, t.x, nil)
		x, k := t.x, 0
		for _, l := range b.net.Layers {
			bn, ok := l.(*nn.BatchNorm[T])
			if !ok {
				x = l.Forward(x, rows, false)
				continue
			}
			b.add(k, x, rows, bn.Width)
			x = bn.Forward(x, rows, true)
			k++
		}
		batches++
	}
	k := 0
	for _, l := range b.net.Layers {
		if bn, ok := l.(*nn.BatchNorm[T]); ok {
			for j := range bn.RunningMean {
				bn.RunningMean[j] = T(b.mean[k][j] / float64(batches))
				bn.RunningVar[j] = T(b.vr[k][j] / float64(batches))
			}
			k++
		}
	}
}

// add sums the column means and population variances of the rows × width
// input x of batch-normalisation layer k.
func (b *bnStats[T]) add(k int, x []T, rows, width int) {
	mean := b.batchMean[:width]
	clear(mean)
	for i := range rows {
		for j, v := range x[i*width : (i+1)*width] {
			mean[j] += float64(v)
		}
	}
	for j := range mean {
		mean[j] /= float64(rows)
		b.mean[k][j] += mean[j]
	}
	for j := range mean {
		var ss float64
		for i := range rows {
			d := float64(x[i*width+j]) - mean[j]
			ss += d * d
		}
		b.vr[k][j] += ss / float64(rows)
	}
}
