package store

import (
	"context"
	"fmt"
)

// SchemaVersion is the schema version this package reads and writes, kept
// in PRAGMA user_version.
const SchemaVersion = 1

// migrations[i] takes a database from user_version i to i+1. Append to it,
// never edit an entry: databases in the wild have already applied it. The
// array length makes forgetting to bump SchemaVersion a compile error.
var migrations = [SchemaVersion]string{
	// 1: sweeps, runs, epochs.
	`
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

// migrate applies the missing migrations in one immediate transaction, so
// that two processes opening a new file at once cannot both apply them and a
// crash leaves the schema at the old version or the new, never between.
func (db *DB) migrate(ctx context.Context) error {
	tx, err := db.db.BeginTx(ctx, nil) // BEGIN IMMEDIATE through _txlock
	if err != nil {
		return fmt.Errorf("migrate: begin: %w", err)
	}
	defer tx.Rollback()

	var version int
	if err := tx.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&version); err != nil {
		return fmt.Errorf("migrate: read schema version: %w", err)
	}
	switch {
	case version > SchemaVersion:
		return newerSchemaError(version)
	case version == SchemaVersion:
		return nil
	case version == 0:
		var tables int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema`).Scan(&tables); err != nil {
			return fmt.Errorf("migrate: read schema: %w", err)
		}
		if tables > 0 {
			return fmt.Errorf("not a results database: user_version is 0 but it holds %d schema objects of another program", tables)
		}
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
