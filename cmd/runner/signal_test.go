package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets the test binary act as the runner command: with
// RUNNER_TEST_MAIN=1 it runs main() on its arguments, so tests can start
// the real command as a subprocess and signal it.
func TestMain(m *testing.M) {
	if os.Getenv("RUNNER_TEST_MAIN") == "1" {
		if hold := os.Getenv("RUNNER_TEST_HOLD"); hold != "" {
			afterEpoch = holdRuns(hold)
		}
		main()
		return
	}
	// Run inside a Slurm array or an Indexed Job, runner would shard the
	// tests' sweeps by itself; the tests that shard set these themselves.
	for _, v := range []string{"JOB_COMPLETION_INDEX", "RUNNER_SHARDS", "RUNNER_SWEEP_UID",
		"SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT", "SLURM_ARRAY_TASK_MIN", "SLURM_ARRAY_JOB_ID"} {
		os.Unsetenv(v)
	}
	os.Exit(m.Run())
}

// holdRuns returns the hook that holds runs in flight as spec says:
// "ORDER:EPOCH" holds every run from position ORDER of its sweep on once it
// has reported epoch EPOCH, until the process is signalled;
// "ORDER:EPOCH:PATH" releases them also once a file exists at PATH. The
// tests that signal or kill a subprocess use it so that the runs they need
// unfinished cannot finish, however fast the machine.
func holdRuns(spec string) func(ctx context.Context, order, epoch int) {
	parts := strings.SplitN(spec, ":", 3)
	if len(parts) < 2 {
		panic("RUNNER_TEST_HOLD: want ORDER:EPOCH[:PATH], got " + spec)
	}
	fromOrder, err1 := strconv.Atoi(parts[0])
	atEpoch, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil {
		panic("RUNNER_TEST_HOLD: want ORDER:EPOCH[:PATH], got " + spec)
	}
	release := ""
	if len(parts) == 3 {
		release = parts[2]
	}
	return func(ctx context.Context, order, epoch int) {
		if order < fromOrder || epoch < atEpoch {
			return
		}
		for ctx.Err() == nil {
			if release != "" {
				if _, err := os.Stat(release); err == nil {
					return
				}
			}
			select {
			case <-ctx.Done():
			case <-time.After(20 * time.Millisecond):
			}
		}
	}
}

// TestRunSignals starts `runner run` as a subprocess, waits until it has
// committed an epoch, signals it, and checks the exit code (130 for SIGINT,
// 143 for SIGTERM), that the runs in flight and the sweep are recorded as
// interrupted, that every other run is still pending, and that the database
// passes an integrity check.
func TestRunSignals(t *testing.T) {
	for _, tt := range []struct {
		sig  syscall.Signal
		code int
	}{{syscall.SIGINT, exitInterrupted}, {syscall.SIGTERM, exitTerminated}} {
		t.Run(tt.sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			file := writeFile(t, dir, "long.yaml", `
name: long
dataset: {train_limit: 2000}
model: {hidden: [50]}
train: {epochs: 50, batch_size: 50, seeds: [1, 2, 3, 4]}
`)
			dbPath := filepath.Join(dir, "results.db")
			// Every run is held after its first epoch: none can finish
			// before the signal.
			cmd := startRunnerEnv(t, []string{"RUNNER_TEST_HOLD=0:1"}, "run", "-j", "2", "--db", dbPath, file)
			waitFor(t, dbPath, `SELECT count(*) FROM epochs WHERE epoch >= 1`, 1)
			if err := cmd.Process.Signal(tt.sig); err != nil {
				t.Fatal(err)
			}
			err := cmd.Wait()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != tt.code {
				t.Fatalf("exit: %v, want code %d", err, tt.code)
			}
			if n := count(t, dbPath, `SELECT count(*) FROM sweeps WHERE status = 'interrupted' AND finished_at IS NOT NULL`); n != 1 {
				t.Errorf("interrupted sweeps: %d, want 1", n)
			}
			interrupted := count(t, dbPath, `SELECT count(*) FROM runs WHERE status = 'interrupted'`)
			pending := count(t, dbPath, `SELECT count(*) FROM runs WHERE status = 'pending'`)
			if interrupted < 1 || interrupted > 2 {
				t.Errorf("runs: %d interrupted; want the 1-2 in flight", interrupted)
			}
			if interrupted+pending != 4 {
				t.Errorf("runs: %d interrupted, %d pending; want the rest of the 4 pending", interrupted, pending)
			}
			// The runs in flight stopped where they were held: no epoch
			// after the first was trained once the signal came.
			if n := count(t, dbPath, `SELECT count(*) FROM epochs WHERE epoch > 1`); n != 0 {
				t.Errorf("%d epochs after the first were recorded", n)
			}
			if n := count(t, dbPath, `SELECT count(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'`); n != 1 {
				t.Error("integrity check failed")
			}
		})
	}
}
