package lockfile_test

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
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
	defer l.Release() // on failure; Release is called again below
	type result struct {
		l   *lockfile.Lock
		err error
	}
	ctx := newWaitCounter()
	got := make(chan result, 1)
	go func() {
		l2, err := lockfile.Acquire(ctx, db, true)
		got <- result{l2, err}
	}()
	// Two waits: the waiter has tried again after its first wait, and
	// found the lock still held.
	select {
	case <-ctx.second:
	case r := <-got:
		t.Fatalf("waiting Acquire returned (%v, %v) while the lock was held", r.l, r.err)
	case <-time.After(time.Minute):
		t.Fatal("gave up waiting for the waiting Acquire to find the lock held twice")
	}
	select {
	case r := <-got:
		t.Fatalf("waiting Acquire returned (%v, %v) while the lock was held", r.l, r.err)
	default:
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	r := await(t, got, "the waiting Acquire to return after Release")
	if r.err != nil {
		t.Fatalf("waiting Acquire: %v", r.err)
	}
	defer r.l.Release()
	if _, err := lockfile.Acquire(context.Background(), db, false); !errors.Is(err, lockfile.ErrLocked) {
		t.Errorf("Acquire while the waiter holds the lock: %v, want ErrLocked", err)
	}
}

// waitCounter is a live context that counts the calls of its Done method
// and closes second at the second. Acquire asks for Done only when it has
// found the lock held and waits to try again.
type waitCounter struct {
	context.Context
	mu     sync.Mutex
	n      int
	second chan struct{}
}

func newWaitCounter() *waitCounter {
	return &waitCounter{Context: context.Background(), second: make(chan struct{})}
}

func (c *waitCounter) Done() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	if c.n == 2 {
		close(c.second)
	}
	return c.Context.Done()
}

// await returns the next value from ch, failing the test after a minute.
func await[T any](tb testing.TB, ch <-chan T, what string) T {
	tb.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(time.Minute):
		tb.Fatalf("gave up waiting for %s", what)
		panic("unreachable")
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
		// Hold the lock until killed (or until the test closes stdin).
		io.Copy(io.Discard, os.Stdin)
		return
	}
	db := filepath.Join(t.TempDir(), "results.db")
	cmd := exec.Command(os.Args[0], "-test.run", "^TestKilledHolderReleases$")
	cmd.Env = append(os.Environ(), "LOCKFILE_HOLD="+db)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close(); cmd.Process.Kill(); cmd.Wait() })
	buf := make([]byte, 7)
	if _, err := io.ReadFull(out, buf); err != nil || string(buf) != "locked\n" {
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

// Release leaves no lock file behind, and a process that opened the file
// before it was removed does not lock the removed file: it locks a new one,
// so that a third process cannot hold the lock beside it.
func TestReleaseRemovesTheFile(t *testing.T) {
	db := filepath.Join(t.TempDir(), "results.db")
	l, err := lockfile.Acquire(context.Background(), db, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(lockfile.Path(db)); err != nil {
		t.Fatalf("while held: %v", err)
	}
	ctx := newWaitCounter()
	got := make(chan *lockfile.Lock, 1)
	go func() {
		l2, err := lockfile.Acquire(ctx, db, true)
		if err != nil {
			t.Error(err)
		}
		got <- l2
	}()
	await(t, ctx.second, "the waiter to find the lock held")
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	l2 := await(t, got, "the waiter to get the lock")
	if _, err := lockfile.Acquire(context.Background(), db, false); !errors.Is(err, lockfile.ErrLocked) {
		t.Fatalf("Acquire while the waiter holds the lock: %v, want ErrLocked", err)
	}
	if err := l2.Release(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(lockfile.Path(db)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("after Release: %v, want no lock file", err)
	}
}
