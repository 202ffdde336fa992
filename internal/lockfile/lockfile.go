// Package lockfile keeps two runner processes from writing one results.db at
// the same time. A writer holds an exclusive advisory lock (flock) on a file
// beside the database, PATH.lock, for as long as it runs; the kernel releases
// it when the process exits, however it exits (kill -9 included), so a lock
// is never left stale. The file itself is left in place: removing it would
// let two processes lock two different files of the same name.
//
// Readers (runner query, sqlite3) take no lock: SQLite's WAL mode lets them
// read while a sweep writes.
package lockfile

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"
)

// ErrLocked is returned (wrapped, with who holds the lock) when another
// process holds the lock and the caller did not ask to wait.
var ErrLocked = errors.New("locked by another process")

// pollInterval is how often Acquire retries while waiting.
var pollInterval = 200 * time.Millisecond

// Lock is a held lock; Release gives it up.
type Lock struct {
	f *os.File
}

// Path returns the lock file of the database at dbPath.
func Path(dbPath string) string { return dbPath + ".lock" }

// Acquire takes the lock of the database at dbPath. When another process
// holds it, Acquire returns an error wrapping ErrLocked that says who holds
// it, or, with wait, retries until the lock is free or ctx is done.
func Acquire(ctx context.Context, dbPath string, wait bool) (*Lock, error) {
	path := Path(dbPath)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", dbPath, err)
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if !wait {
			holder := readHolder(path)
			f.Close()
			return nil, fmt.Errorf("%s is being written by another runner%s: %w", dbPath, holder, ErrLocked)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(pollInterval):
		}
	}
	// Say who holds the lock, for the message a second process prints.
	host, _ := os.Hostname()
	info := fmt.Sprintf("pid %d on %s since %s\n", os.Getpid(), host, time.Now().UTC().Format(time.RFC3339))
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(info), 0)
	}
	return &Lock{f: f}, nil
}

// readHolder returns " (pid … on … since …)" from the lock file, or "".
func readHolder(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	s := strings.TrimSpace(string(b))
	if s == "" {
		return ""
	}
	return " (" + s + ")"
}

// Release gives up the lock. The lock file stays.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Close() // closing the descriptor releases the flock
	l.f = nil
	return err
}
