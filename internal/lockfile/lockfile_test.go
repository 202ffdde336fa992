package lockfile_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"runner/internal/lockfile"
)

func TestSecondLockerIsRefused(t *testing.T) {
	db := filepath.Join(t.TempDir(), "results.db")
	l, err := lockfile.Acquire(context.Background(), db, false)
	if err != nil {
		t.Fatal(err)
	}
	_, err = lockfile.Acquire(context.Background(), db, false)
	if !errors.Is(err, lockfile.ErrLocked) || !strings.Contains(err.Error(), "pid ") || !strings.Contains(err.Error(), db) {
		t.Fatalf("second Acquire: %v; want ErrLocked naming the database and the holder's pid", err)
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	l2, err := lockfile.Acquire(context.Background(), db, false)
	if err != nil {
		t.Fatalf("Acquire after Release: %v", err)
	}
	l2.Release()
}

func TestWaitGetsTheLockWhenFreed(t *testing.T) {
	db := filepath.Join(t.TempDir(), "results.db")
	l, err := lockfile.Acquire(context.Background(), db, false)
	if err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(300*time.Millisecond, func() { l.Release() })
	start := time.Now()
	l2, err := lockfile.Acquire(context.Background(), db, true)
	if err != nil {
		t.Fatalf("waiting Acquire: %v", err)
	}
	defer l2.Release()
	if d := time.Since(start); d < 250*time.Millisecond {
		t.Errorf("got the lock after %v, before it was released", d)
	}
}

func TestWaitStopsWithContext(t *testing.T) {
	db := filepath.Join(t.TempDir(), "results.db")
	l, err := lockfile.Acquire(context.Background(), db, false)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if _, err := lockfile.Acquire(ctx, db, true); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Acquire with a deadline: %v, want DeadlineExceeded", err)
	}
}

// TestKilledHolderReleases checks that a lock held by a process that is
// killed with SIGKILL is free at once: the kernel drops it with the process.
func TestKilledHolderReleases(t *testing.T) {
	if os.Getenv("LOCKFILE_HOLD") != "" {
		if _, err := lockfile.Acquire(context.Background(), os.Getenv("LOCKFILE_HOLD"), false); err != nil {
			os.Exit(3)
		}
		os.Stdout.WriteString("locked\n")
		time.Sleep(time.Minute)
		return
	}
	db := filepath.Join(t.TempDir(), "results.db")
	cmd := exec.Command(os.Args[0], "-test.run", "^TestKilledHolderReleases$")
	cmd.Env = append(os.Environ(), "LOCKFILE_HOLD="+db)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 7)
	if _, err := out.Read(buf); err != nil || string(buf) != "locked\n" {
		t.Fatalf("holder did not lock: %q %v", buf, err)
	}
	if _, err := lockfile.Acquire(context.Background(), db, false); !errors.Is(err, lockfile.ErrLocked) {
		t.Fatalf("while the holder runs: %v, want ErrLocked", err)
	}
	cmd.Process.Kill()
	cmd.Wait()
	l, err := lockfile.Acquire(context.Background(), db, false)
	if err != nil {
		t.Fatalf("after SIGKILL of the holder: %v", err)
	}
	l.Release()
}
