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

	"runner/internal/store"
)

// errUnavailable marks an error that means the database cannot be read
// now (missing, replaced by something else, locked, corrupt): 503.
var errUnavailable = errors.New("database unavailable")

// source is the results database the server reads, opened read-only and
// reopened when the file at its path is replaced.
//
// A pool is never closed while it is in use: get hands out a lease on the
// open pool, and a pool that was replaced (or dropped) is closed only when
// its last lease is released. So no statement of the server ever runs on
// a closed pool.
type source struct {
	path string

	mu  sync.Mutex
	cur *pool       // the pool open on the file at path; nil when none is
	fi  os.FileInfo // the file cur was opened on
}

// pool is one connection pool of a source, with its count of references:
// one per lease, and one while it is the source's current pool.
type pool struct {
	db   *store.DB
	refs int // guarded by the source's mu
}

// get returns the open database and the function that releases it, to be
// called once the caller has done reading (its rows closed). It stats the
// file first: a file that is gone gives an error (an open connection
// would go on reading the deleted file), and a file that is not the one
// the pool was opened on is opened anew. Its errors wrap errUnavailable.
func (s *source) get(ctx context.Context) (*store.DB, func(), error) {
	p, err := s.acquire(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", errUnavailable, err)
	}
	var once sync.Once
	return p.db, func() { once.Do(func() { s.release(p) }) }, nil
}

// acquire is get without errUnavailable: it returns the current pool,
// opened (or reopened) as get says, with a reference taken for the caller.
func (s *source) acquire(ctx context.Context) (*pool, error) {
	fi, err := os.Stat(s.path)
	if err != nil {
		s.drop()
		if errors.Is(err, fs.ErrNotExist) {
			return nil, goneError{s.path}
		}
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur != nil && os.SameFile(fi, s.fi) {
		s.cur.refs++
		return s.cur, nil
	}
	s.retireLocked()
	db, err := store.OpenReadOnly(ctx, s.path)
	if err != nil {
		return nil, err
	}
	s.cur, s.fi = &pool{db: db, refs: 2}, fi // the source's reference and the caller's
	return s.cur, nil
}

// release gives back a reference to p, closing p if it was the last.
func (s *source) release(p *pool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.unref(p)
}

// drop retires the current pool, if any: it is closed once no lease on it
// is left. The next get opens the file anew.
func (s *source) drop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.retireLocked()
}

// retireLocked takes the source's reference off its current pool; s.mu is held.
func (s *source) retireLocked() {
	if s.cur != nil {
		s.unref(s.cur)
		s.cur, s.fi = nil, nil
	}
}

// unref drops one reference to p and closes p when none is left; s.mu is held.
func (s *source) unref(p *pool) {
	p.refs--
	if p.refs == 0 {
		p.db.Close() // read-only: closing loses nothing
	}
}

// goneError is the error of a database file that is not at its path; it
// wraps fs.ErrNotExist.
type goneError struct{ path string }

func (e goneError) Error() string { return e.path + ": the file does not exist (deleted or moved?)" }
func (e goneError) Unwrap() error { return fs.ErrNotExist }

// unavailable reports whether err means the database cannot be read now,
// rather than a bug or a bad request: the file is missing or not a
// results database (errUnavailable), or SQLite failed on it. The
// server's statements are its own constants, written for the schema it
// opens, so SQLite refusing one of them (a store.StatementError such as
// "no such table", on a file swapped for another database or changed by
// another program) means the file is not what it was, as much as a
// store.DatabaseError (cannot open, not a database, corrupt, locked,
// I/O) does.
func unavailable(err error) bool {
	if errors.Is(err, errUnavailable) {
		return true
	}
	switch store.Classify(err) {
	case store.StatementError, store.DatabaseError:
		return true
	}
	return false
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
// the source reopens the file; it holds a lease on the pool its
// connection belongs to for as long as it keeps the connection.
func (w *watcher) run(ctx context.Context) {
	var (
		conn    *sql.Conn
		db      *store.DB // the database conn belongs to
		release func()    // the lease on db
		last    int64     // the data_version last read on conn
	)
	closeConn := func() {
		if conn != nil {
			conn.Close()
			conn = nil
		}
		if release != nil {
			release()
			db, release = nil, nil
		}
	}
	defer closeConn()
	tick := time.NewTicker(w.poll)
	defer tick.Stop()
	for {
		d, rel, err := w.src.get(ctx)
		if err == nil && d != db {
			closeConn()
			db, release = d, rel
			if conn, err = d.SQLDB().Conn(ctx); err == nil {
				err = conn.QueryRowContext(ctx, `PRAGMA data_version`).Scan(&last)
			}
			if err == nil {
				w.set(true, "") // another file: everything may have changed
			}
		} else if err == nil {
			rel() // the same pool: the lease held already covers conn
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
			w.set(false, err.Error())
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
