package execute

import (
	"context"
	"errors"
	"testing"
	"time"

	"runner/internal/train"
)

// TestPrunerDecisions feeds histories of validation accuracy to the pruner,
// runs in order, and checks which it stops and when.
func TestPrunerDecisions(t *testing.T) {
	tests := []struct {
		name    string
		rule    PruneRule
		runs    [][]float64 // validation accuracy per epoch, epoch 0 first, of runs 0, 1, …
		stopped []int       // the epoch each run is stopped at, -1 for never
	}{
		{
			name: "median needs three earlier runs",
			rule: PruneRule{Method: "median", MinEpochs: 1},
			runs: [][]float64{
				{0.1, 0.5, 0.6}, {0.1, 0.4, 0.5}, {0.1, 0.3, 0.4}, {0.1, 0.2, 0.3},
			},
			stopped: []int{-1, -1, -1, 1},
		},
		{
			name: "median compares best so far, not the last value",
			rule: PruneRule{Method: "median", MinEpochs: 2},
			runs: [][]float64{
				{0.1, 0.5, 0.6}, {0.1, 0.5, 0.6}, {0.1, 0.5, 0.6}, {0.1, 0.7, 0.55}, {0.1, 0.2, 0.59},
			},
			stopped: []int{-1, -1, -1, -1, 2},
		},
		{
			name: "median ignores epochs before min_epochs",
			rule: PruneRule{Method: "median", MinEpochs: 3},
			runs: [][]float64{
				{0.1, 0.5, 0.6, 0.7}, {0.1, 0.5, 0.6, 0.7}, {0.1, 0.5, 0.6, 0.7}, {0.1, 0.1, 0.1, 0.9},
			},
			stopped: []int{-1, -1, -1, -1},
		},
		{
			name: "asha keeps the top third at rungs 1 and 3",
			rule: PruneRule{Method: "asha", MinEpochs: 1, Eta: 3},
			runs: [][]float64{
				{0, 0.5, 0.5, 0.5}, {0, 0.6, 0.6, 0.6}, {0, 0.4, 0.4, 0.4}, {0, 0.7, 0.7, 0.7}, {0, 0.9, 0.9, 0.8},
			},
			// Rung 1: run 2 is last of three (the top ⌈3/3⌉ = 1 goes on);
			// runs 3 and 4 are first of four and five. Rung 3: runs 3 and 4
			// lead the earlier runs that reached it.
			stopped: []int{-1, -1, 1, -1, -1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPruner(context.Background(), tt.rule, nil)
			for i, accs := range tt.runs {
				stoppedAt := -1
				for e, v := range accs {
					err := p.report(context.Background(), i, train.EpochMetrics{Epoch: e, ValAcc: v}, true)
					if errors.Is(err, train.ErrPruned) {
						stoppedAt = e
						break
					} else if err != nil {
						t.Fatal(err)
					}
				}
				p.end(i)
				if stoppedAt != tt.stopped[i] {
					t.Errorf("run %d stopped at epoch %d, want %d", i, stoppedAt, tt.stopped[i])
				}
			}
		})
	}
}

// TestPrunerWaitInterrupted cancels the sweep while a run waits for an
// earlier one: the run gets the context's error (it is interrupted,
// undecided), not a decision to go on.
func TestPrunerWaitInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	p := newPruner(ctx, PruneRule{Method: "median", MinEpochs: 1}, nil)
	done := make(chan error, 1)
	go func() { done <- p.report(ctx, 3, train.EpochMetrics{Epoch: 1, ValAcc: 0.5}, true) }()
	// report records the epoch and then waits for the earlier runs, p.mu
	// released; once the epoch shows, the run waits (or has returned, which
	// the checks below catch), and the cancellation reaches it waiting.
	awaitRecorded(t, p, 3)
	select {
	case err := <-done:
		t.Fatalf("report returned %v before the earlier runs reported", err)
	default:
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("report after cancel: %v, want context.Canceled", err)
	}
	// Not judging (the run's last epoch) never waits.
	if err := p.report(context.Background(), 4, train.EpochMetrics{Epoch: 1, ValAcc: 0.5}, false); err != nil {
		t.Fatalf("unjudged report: %v", err)
	}
}

// awaitRecorded waits until the pruner holds an epoch of run i, failing the
// test after a minute.
func awaitRecorded(t *testing.T, p *pruner, i int) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		p.mu.Lock()
		n := len(p.best[i])
		p.mu.Unlock()
		if n > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("run %d's report was not recorded within a minute", i)
		}
		time.Sleep(time.Millisecond)
	}
}
