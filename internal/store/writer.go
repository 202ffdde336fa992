package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"runner/internal/lockfile"
)

// ErrLocked is returned (wrapped, naming the holder) by OpenWriter when
// another runner is writing the database.
var ErrLocked = lockfile.ErrLocked

// OpenWriter takes the writer lock of the database at path (see package
// lockfile) and opens it for writing with Open; close closes both. When
// another runner holds the lock it fails at once with an error wrapping
// ErrLocked or, with wait, calls log (when not nil) to say so and waits.
// Every command that writes a database goes through here. A cancelled wait
// returns the context's cause. A file at path that is not an SQLite
// database, or is another program's or a newer runner's, is refused before
// the lock file is created beside it, so a wrong --db leaves nothing behind.
func OpenWriter(ctx context.Context, path string, wait bool, log func(format string, args ...any)) (db *DB, close func(), err error) {
	if _, err := checkFile(ctx, path); errors.Is(err, ErrNotSQLite) || errors.Is(err, ErrNotRunnerDB) || errors.Is(err, ErrNewerSchema) {
		return nil, nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	lock, err := lockfile.Acquire(ctx, path, false)
	if errors.Is(err, lockfile.ErrLocked) && wait {
		if log != nil {
			log("waiting: %v", err)
		}
		lock, err = lockfile.Acquire(ctx, path, true)
	}
	switch {
	case errors.Is(err, lockfile.ErrLocked):
		return nil, nil, fmt.Errorf("%w; wait for it with --wait", err)
	case err != nil && ctx.Err() != nil:
		return nil, nil, context.Cause(ctx)
	case err != nil:
		return nil, nil, fmt.Errorf("store: lock %s: %w", path, err)
	}
	if db, err = Open(ctx, path); err != nil {
		lock.Release()
		return nil, nil, err
	}
	return db, func() { db.Close(); lock.Release() }, nil
}

// Exists reports whether there is a file at path; a database the commands
// only read must exist (they never create one). Its error names the path.
func Exists(path string) error {
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("no results database at %s (runner run creates one; --db names another): %w", path, err)
		}
		return fmt.Errorf("database %s: %w", path, err)
	}
	return nil
}
