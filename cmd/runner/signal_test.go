package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestMain lets the test binary act as the runner command: with
// RUNNER_TEST_MAIN=1 it runs main() on its arguments, so tests can start
// the real command as a subprocess and signal it.
func TestMain(m *testing.M) {
	if os.Getenv("RUNNER_TEST_MAIN") == "1" {
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
			cmd := exec.Command(os.Args[0], "run", "-j", "2", "--db", dbPath, file)
			cmd.Env = append(os.Environ(), "RUNNER_TEST_MAIN=1")
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()
			deadline := time.Now().Add(60 * time.Second)
			for {
				if n, err := tryCount(dbPath, `SELECT count(*) FROM epochs WHERE epoch >= 1`); err == nil && n > 0 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatal("no epoch committed within 60 s")
				}
				time.Sleep(50 * time.Millisecond)
			}
			if err := cmd.Process.Signal(tt.sig); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			err := cmd.Wait()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != tt.code {
				t.Fatalf("exit: %v, want code %d", err, tt.code)
			}
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("took %v to stop after the signal", d)
			}
			if n := count(t, dbPath, `SELECT count(*) FROM sweeps WHERE status = 'interrupted' AND finished_at IS NOT NULL`); n != 1 {
				t.Errorf("interrupted sweeps: %d, want 1", n)
			}
			interrupted := count(t, dbPath, `SELECT count(*) FROM runs WHERE status = 'interrupted'`)
			pending := count(t, dbPath, `SELECT count(*) FROM runs WHERE status = 'pending'`)
			if interrupted < 1 || interrupted > 2 || interrupted+pending != 4 {
				t.Errorf("runs: %d interrupted, %d pending; want the 1-2 in flight interrupted, the rest pending", interrupted, pending)
			}
			if n := count(t, dbPath, `SELECT count(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'`); n != 1 {
				t.Error("integrity check failed")
			}
		})
	}
}
