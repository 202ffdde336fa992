// Package lockfile keeps two runner processes from writing one results.db at
// the same time. A writer holds an exclusive advisory lock (flock) on a file
// beside the database, PATH.lock, for as long as it runs; the kernel releases
// it when the process exits, however it exits (kill -9 included), so a lock
// is never left stale. Release removes the file while it still holds the
// lock, and Acquire, once it has the lock, checks that the file it locked is
// still the one at PATH.lock (and opens it anew if not), so two processes
// never hold locks on two different files of the same name. Only a process
// that dies holding the lock leaves the file behind, unlocked.
//
// Readers (runner query, sqlite3) take no lock: SQLite's WAL mode lets them
// read while a sweep writes.
package lockfile

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
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
	var f *os.File
	for f == nil {
		var err error
		if f, err = lockOpen(path); err != nil {
			return nil, fmt.Errorf("lock %s: %w", dbPath, err)
		}
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		switch {
		case err == nil:
			if !current(f, path) {
				// The holder released it and removed the file after we
				// opened it: lock the file now at path.
				f.Close()
				f = nil
			}
			continue
		case !errors.Is(err, syscall.EWOULDBLOCK):
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		case !wait:
			holder := readHolder(path)
			f.Close()
			return nil, fmt.Errorf("%s is being written by another runner%s: %w", dbPath, holder, ErrLocked)
		}
		f.Close()
		f = nil
		select {
		case <-ctx.Done():
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

// lockOpen opens (creating it if needed) the lock file at path.
func lockOpen(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
}

// current reports whether f is still the file at path: not removed, nor
// replaced by another, since it was opened.
func current(f *os.File, path string) bool {
	held, err := f.Stat()
	if err != nil {
		return false
	}
	now, err := os.Stat(path)
	return err == nil && os.SameFile(held, now)
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

// Release removes the lock file and gives up the lock. The file is removed
// while the lock is still held, so a process waiting on it finds it gone
// and locks a new one (see Acquire).
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	var err error
	if current(l.f, l.f.Name()) { // not another process's file put in its place
		if err = os.Remove(l.f.Name()); errors.Is(err, fs.ErrNotExist) {
			err = nil
		}
	}
	if cerr := l.f.Close(); err == nil { // closing the descriptor releases the flock
		err = cerr
	}
	l.f = nil
	return err
}
