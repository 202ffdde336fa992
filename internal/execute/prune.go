package execute

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sync"

	"runner/internal/train"
)

// PruneRule stops hopeless runs early. Runs are judged on their best
// validation accuracy so far.
//
// Decisions must not depend on -j, on scheduling or on a resume, so a run is
// only ever compared with the runs before it in the sweep's order: at epoch
// e, run i waits until every earlier run has reached epoch e or ended, then
// compares itself with those that reached e. Earlier runs started earlier and
// never wait for later ones, so the wait ends; with -j 1 it never waits.
type PruneRule struct {
	// Method is "median" (the median stopping rule) or "asha" (asynchronous
	// successive halving).
	Method string
	// MinEpochs is the first epoch at which a run may be stopped; for asha
	// the first rung. Rungs follow at MinEpochs·Eta^k.
	MinEpochs int
	// Eta is asha's reduction factor: at each rung a run goes on only if it
	// is in the top 1/Eta of the runs that reached the rung.
	Eta int
}

// medianMinPeers is how many earlier runs must have reached an epoch before
// the median rule judges a run there: the median of one or two runs says
// little.
const medianMinPeers = 3

// Validate reports a rule that cannot be applied.
func (r PruneRule) Validate() error {
	switch {
	case r.Method != "median" && r.Method != "asha":
		return fmt.Errorf("prune: unknown method %q (want median or asha)", r.Method)
	case r.MinEpochs < 1:
		return fmt.Errorf("prune: min_epochs must be >= 1 (got %d)", r.MinEpochs)
	case r.Method == "asha" && r.Eta < 2:
		return fmt.Errorf("prune: eta must be >= 2 (got %d)", r.Eta)
	}
	return nil
}

// EndedRun is the history of a run that ended before Execute was called (a
// run kept on resume), which later runs are compared with.
type EndedRun struct {
	Order  int       // the run's position in the sweep
	ValAcc []float64 // validation accuracy per epoch, epoch 0 first
}

// pruner holds what the runs of one Execute have reported, by position in
// the sweep, and makes the pruning decisions. It is shared by the workers.
type pruner struct {
	rule PruneRule
	mu   sync.Mutex
	cond *sync.Cond
	best map[int][]float64 // best validation accuracy up to each epoch
	done map[int]bool      // the run has ended: it will report no more epochs
}

func newPruner(ctx context.Context, rule PruneRule, ended []EndedRun) *pruner {
	p := &pruner{rule: rule, best: map[int][]float64{}, done: map[int]bool{}}
	p.cond = sync.NewCond(&p.mu)
	for _, r := range ended {
		for _, v := range r.ValAcc {
			p.add(r.Order, v)
		}
		p.done[r.Order] = true
	}
	// Waiters give up when the sweep is cancelled.
	context.AfterFunc(ctx, func() {
		p.mu.Lock()
		p.cond.Broadcast()
		p.mu.Unlock()
	})
	return p
}

// add records run i's validation accuracy for its next epoch. mu is held.
func (p *pruner) add(i int, v float64) {
	b := p.best[i]
	if n := len(b); n > 0 && !(v > b[n-1]) { // NaN never improves
		v = b[n-1]
	}
	p.best[i] = append(b, v)
}

// end records that run i reports no more epochs.
func (p *pruner) end(i int) {
	p.mu.Lock()
	p.done[i] = true
	p.cond.Broadcast()
	p.mu.Unlock()
}

// report records epoch m of run i (at position i in the sweep) and, when
// judge is set, says whether the run should stop: nil to go on, an error
// wrapping train.ErrPruned to stop. When the sweep is cancelled while the
// run waits for earlier ones, it returns the context's error: the run is
// interrupted, undecided, and a resume decides it again.
func (p *pruner) report(ctx context.Context, i int, m train.EpochMetrics, judge bool) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.add(i, m.ValAcc)
	p.cond.Broadcast()
	e := m.Epoch
	if !judge || !p.judges(e) {
		return nil
	}
	// Wait for every earlier run to reach epoch e or end.
	for j := 0; j < i; j++ {
		for len(p.best[j]) <= e && !p.done[j] {
			if err := ctx.Err(); err != nil {
				return err
			}
			p.cond.Wait()
		}
	}
	var peers []float64
	for j := 0; j < i; j++ {
		if b := p.best[j]; len(b) > e && !math.IsNaN(b[e]) {
			peers = append(peers, b[e])
		}
	}
	mine := p.best[i][e]
	switch p.rule.Method {
	case "median":
		if len(peers) < medianMinPeers {
			return nil
		}
		if med := median(peers); mine < med || math.IsNaN(mine) {
			return fmt.Errorf("epoch %d: best validation accuracy %.4f below the median %.4f of %d earlier runs: %w",
				e, mine, med, len(peers), train.ErrPruned)
		}
	case "asha":
		n := len(peers) + 1
		if n < p.rule.Eta {
			return nil
		}
		keep := (n + p.rule.Eta - 1) / p.rule.Eta // the top ⌈n/η⌉ go on
		better := 0
		for _, v := range peers {
			if v > mine || (math.IsNaN(mine) && !math.IsNaN(v)) {
				better++
			}
		}
		if better >= keep {
			return fmt.Errorf("epoch %d: best validation accuracy %.4f not in the top %d of %d runs at this rung: %w",
				e, mine, keep, n, train.ErrPruned)
		}
	}
	return nil
}

// judges reports whether the rule makes a decision at epoch e.
func (p *pruner) judges(e int) bool {
	if e < p.rule.MinEpochs {
		return false
	}
	if p.rule.Method == "median" {
		return true
	}
	rung := p.rule.MinEpochs
	for rung < e {
		rung *= p.rule.Eta
	}
	return rung == e
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
