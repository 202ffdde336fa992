package web

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
	"time"

	"github.com/mattn/go-sqlite3"

	"runner/internal/store"
)

// errUnavailable marks an error that means the database cannot be read
// now (missing, replaced by something else, locked, corrupt): 503.
var errUnavailable = errors.New("database unavailable")

// source is the results database the server reads, opened read-only and
// reopened when the file at its path is replaced.
type source struct {
	path string

	mu sync.Mutex
	db *store.DB
	fi os.FileInfo // the file db was opened on
}

// get returns the open database. It stats the file first: a file that is
// gone gives an error (an open connection would go on reading the deleted
// file), and a file that is not the one db was opened on is opened anew.
// Its errors wrap errUnavailable.
func (s *source) get(ctx context.Context) (*store.DB, error) {
	db, err := s.open(ctx)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errUnavailable, err)
	}
	return db, nil
}

// open is get without errUnavailable.
func (s *source) open(ctx context.Context) (*store.DB, error) {
	fi, err := os.Stat(s.path)
	if err != nil {
		s.drop()
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s: the file does not exist (deleted or moved?)", s.path)
		}
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.db != nil && os.SameFile(fi, s.fi) {
		return s.db, nil
	}
	if s.db != nil {
		s.db.Close()
		s.db = nil
	}
	db, err := store.OpenReadOnly(ctx, s.path)
	if err != nil {
		return nil, err
	}
	s.db, s.fi = db, fi
	return db, nil
}

// drop closes the database, if open.
func (s *source) drop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.db != nil {
		s.db.Close()
		s.db = nil
	}
}

// unavailable reports whether err means the database cannot be read now,
// rather than a bug or a bad request: the file is missing or not a
// results database, SQLite cannot open, read or lock it, or the
// connection pool was closed under the request by a reopen.
func unavailable(err error) bool {
	if errors.Is(err, errUnavailable) || errors.Is(err, sql.ErrConnDone) {
		return true
	}
	var serr sqlite3.Error
	if errors.As(err, &serr) {
		switch serr.Code {
		case sqlite3.ErrCantOpen, sqlite3.ErrIoErr, sqlite3.ErrCorrupt, sqlite3.ErrNotADB,
			sqlite3.ErrBusy, sqlite3.ErrLocked, sqlite3.ErrSchema, sqlite3.ErrError:
			// ErrError is also "no such table": a file swapped for another database.
			return true
		}
	}
	return err != nil && err.Error() == "sql: database is closed"
}

// watcher follows the database for changes: see the package comment.
type watcher struct {
	src  *source
	poll time.Duration

	mu      sync.Mutex
	version int64         // bumped at every change seen; starts at 1
	errText string        // why the database is unavailable; "" when it is fine
	wake    chan struct{} // closed and replaced at every change
}

func newWatcher(src *source, poll time.Duration) *watcher {
	return &watcher{src: src, poll: poll, version: 1, wake: make(chan struct{})}
}

// state returns the change counter, the reason the database is unavailable
// ("" if it is not), and a channel closed at the next change.
func (w *watcher) state() (int64, string, <-chan struct{}) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.version, w.errText, w.wake
}

// set records a new state and wakes the streams if anything changed.
func (w *watcher) set(changed bool, errText string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !changed && errText == w.errText {
		return
	}
	w.version++
	w.errText = errText
	close(w.wake)
	w.wake = make(chan struct{})
}

// run polls until ctx is done. It keeps one connection of its own, since
// data_version is a property of a connection, and takes a new one when
// the source reopens the file.
func (w *watcher) run(ctx context.Context) {
	var (
		conn *sql.Conn
		db   *store.DB // the database conn belongs to
		last int64     // the data_version last read on conn
	)
	closeConn := func() {
		if conn != nil {
			conn.Close()
			conn = nil
		}
	}
	defer closeConn()
	tick := time.NewTicker(w.poll)
	defer tick.Stop()
	for {
		d, err := w.src.get(ctx)
		if err == nil && d != db {
			closeConn()
			db = d
			if conn, err = d.SQLDB().Conn(ctx); err == nil {
				err = conn.QueryRowContext(ctx, `PRAGMA data_version`).Scan(&last)
			}
			if err == nil {
				w.set(true, "") // another file: everything may have changed
			}
		} else if err == nil {
			var v int64
			if err = conn.QueryRowContext(ctx, `PRAGMA data_version`).Scan(&v); err == nil {
				w.set(v != last, "")
				last = v
			}
		}
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			closeConn()
			db = nil
			w.set(false, err.Error())
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
