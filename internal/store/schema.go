package store

import (
	"context"
	"database/sql"
	"fmt"
)

// SchemaVersion is the schema version this package reads and writes, kept
// in PRAGMA user_version.
const SchemaVersion = 1

// applicationID marks a results database, in PRAGMA application_id (bytes
// 68 to 71 of the file): "RUNR" in ASCII. Migration 1 sets it; every later
// schema keeps it.
const applicationID = 0x52554E52

// migrations[i] takes a database from user_version i to i+1. Append to it,
// never edit an entry: databases in the wild have already applied it. The
// array length makes forgetting to bump SchemaVersion a compile error.
var migrations = [SchemaVersion]string{
	// 1: sweeps, runs, epochs.
	`
PRAGMA application_id = 1381322322; -- applicationID

CREATE TABLE sweeps (
	id             INTEGER PRIMARY KEY,
	name           TEXT NOT NULL,
	description    TEXT,
	file           TEXT,
	spec           TEXT,
	overrides      TEXT,
	spec_hash      TEXT,
	seed           INTEGER,
	status         TEXT,
	host           TEXT,
	runner_version TEXT,
	started_at     TEXT,
	finished_at    TEXT,
	runs_total     INTEGER
);
CREATE INDEX sweeps_name_id ON sweeps (name, id);

CREATE TABLE runs (
	id           INTEGER PRIMARY KEY,
	sweep_id     INTEGER NOT NULL REFERENCES sweeps (id) ON DELETE CASCADE,
	run_key      TEXT NOT NULL,
	config       TEXT NOT NULL,
	optimizer    TEXT,
	lr           REAL,
	momentum     REAL,
	decay_rate   REAL,
	beta1        REAL,
	beta2        REAL,
	eps          REAL,
	schedule     TEXT,
	step_every   INTEGER,
	gamma        REAL,
	decay_k      REAL,
	min_lr       REAL,
	warmup       INTEGER,
	hidden       TEXT,
	activation   TEXT,
	init         TEXT,
	batchnorm    INTEGER,
	dropout      REAL,
	weight_decay REAL,
	precision    TEXT,
	epochs       INTEGER,
	batch_size   INTEGER,
	seed         INTEGER,
	train_limit  INTEGER,
	validation   REAL,
	status       TEXT NOT NULL,
	error        TEXT,
	started_at   TEXT,
	finished_at  TEXT,
	UNIQUE (sweep_id, run_key) -- its index also serves lookups and cascades by sweep_id
);

CREATE TABLE epochs (
	run_id       INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
	epoch        INTEGER NOT NULL CHECK (epoch >= 0),
	lr           REAL,
	train_loss   REAL,
	train_acc    REAL,
	val_acc      REAL,
	test_acc     REAL,
	seconds      REAL,
	eval_seconds REAL,
	PRIMARY KEY (run_id, epoch)
);
`,
}

// queryRower is what checkSchema reads through: a *sql.DB or a *sql.Tx.
type queryRower interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// checkSchema reads the schema version of the database and checks that it
// is one Open may write to: a results database of SchemaVersion or older,
// or an SQLite database that is still blank (user_version 0, no schema
// objects, no other program's application_id). Otherwise it returns an
// error wrapping ErrNotRunnerDB or ErrNewerSchema. It only reads.
func checkSchema(ctx context.Context, q queryRower) (int, error) {
	var version, appID, objects, tables int
	err := q.QueryRowContext(ctx, `SELECT
		(SELECT user_version FROM pragma_user_version),
		(SELECT application_id FROM pragma_application_id),
		(SELECT count(*) FROM sqlite_schema),
		(SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN ('sweeps', 'runs', 'epochs'))`,
	).Scan(&version, &appID, &objects, &tables)
	if err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	switch {
	case version < 0:
		return 0, fmt.Errorf("%w: its user_version is %d", ErrNotRunnerDB, version)
	case version == 0 && appID != 0 && appID != applicationID:
		return 0, fmt.Errorf("%w: its application_id is 0x%08x, another program's", ErrNotRunnerDB, uint32(appID))
	case version == 0 && objects > 0:
		return 0, fmt.Errorf("%w: its user_version is 0 but it holds %d schema objects of another program", ErrNotRunnerDB, objects)
	case version == 0:
		return 0, nil
	case appID != applicationID:
		return 0, fmt.Errorf("%w: its application_id is 0x%08x, not runner's 0x%08x (user_version %d)",
			ErrNotRunnerDB, uint32(appID), applicationID, version)
	case version > SchemaVersion:
		return 0, newerSchemaError(version)
	case tables != 3:
		return 0, fmt.Errorf("%w: it is marked as runner's (schema version %d) but lacks the sweeps, runs or epochs table",
			ErrNotRunnerDB, version)
	}
	return version, nil
}

// migrate applies the missing migrations in one immediate transaction, so
// that two processes opening a new file at once cannot both apply them and a
// crash leaves the schema at the old version or the new, never between. It
// checks the schema again inside that transaction, in case another process
// changed the file since Open checked it.
func (db *DB) migrate(ctx context.Context) error {
	tx, err := db.db.BeginTx(ctx, nil) // BEGIN IMMEDIATE through _txlock
	if err != nil {
		return fmt.Errorf("migrate: begin: %w", err)
	}
	defer tx.Rollback()

	version, err := checkSchema(ctx, tx)
	if err != nil || version == SchemaVersion {
		return err
	}
	for v := version; v < SchemaVersion; v++ {
		if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
			return fmt.Errorf("migrate to schema version %d: %w", v+1, err)
		}
	}
	// PRAGMA takes no parameters; SchemaVersion is a constant.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, SchemaVersion)); err != nil {
		return fmt.Errorf("migrate: set schema version %d: %w", SchemaVersion, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate to schema version %d: commit: %w", SchemaVersion, err)
	}
	return nil
}
