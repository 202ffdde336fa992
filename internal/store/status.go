package store

// SweepStatus is where a sweep stands: running while it trains (or while a
// merged sweep lacks shards), then done, failed or interrupted.
type SweepStatus string

// The statuses of a sweep.
const (
	// SweepRunning: training, or stopped without a word (kill -9, a crash);
	// --resume continues it.
	SweepRunning SweepStatus = "running"
	// SweepDone: every run ended and none failed (runs may have diverged
	// or been pruned: those are results).
	SweepDone SweepStatus = "done"
	// SweepFailed: every run ended and one failed. Final, like done.
	SweepFailed SweepStatus = "failed"
	// SweepInterrupted: stopped by a signal or a failed write before every
	// run ended; --resume continues it.
	SweepInterrupted SweepStatus = "interrupted"
)

// Final reports whether FinishSweep may record s: done, failed or
// interrupted.
func (s SweepStatus) Final() bool {
	return s == SweepDone || s == SweepFailed || s == SweepInterrupted
}

// Resumable reports whether a sweep with status s did not finish, so that
// run --resume continues it: running or interrupted.
func (s SweepStatus) Resumable() bool { return s == SweepRunning || s == SweepInterrupted }
