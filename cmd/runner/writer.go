package main

import (
	"context"
	"errors"
	"fmt"

	"runner/internal/lockfile"
	"runner/internal/store"
)

// openWriter takes the writer lock of the database at path and opens it for
// writing; close releases both. When another runner holds the lock it
// returns exit code 5 at once, or, with wait, says so through logf (when not
// nil) and waits. Every command that writes a database goes through here.
func openWriter(ctx context.Context, path string, wait bool, logf func(format string, args ...any)) (db *store.DB, close func(), err error) {
	lock, err := lockfile.Acquire(ctx, path, false)
	if errors.Is(err, lockfile.ErrLocked) && wait {
		if logf != nil {
			logf("waiting: %v", err)
		}
		lock, err = lockfile.Acquire(ctx, path, true)
	}
	switch {
	case errors.Is(err, lockfile.ErrLocked):
		return nil, nil, withCode(exitLocked, fmt.Errorf("%w; wait for it with --wait", err))
	case err != nil && ctx.Err() != nil:
		return nil, nil, ctx.Err()
	case err != nil:
		return nil, nil, withCode(exitDatabase, err)
	}
	db, err = store.Open(ctx, path)
	if err != nil {
		lock.Release()
		return nil, nil, withCode(exitDatabase, err)
	}
	return db, func() { db.Close(); lock.Release() }, nil
}
