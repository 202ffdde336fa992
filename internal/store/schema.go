package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// SchemaVersion is the schema version this package reads and writes, kept
// in PRAGMA user_version.
const SchemaVersion = 5

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

	// 2: the views run_summary, run_epochs and group_summary.
	`
CREATE VIEW run_summary AS
-- One row per run: its hyperparameters, status, final metrics (those of its
-- last recorded epoch) and best metrics (over all its epochs, the earliest
-- epoch on a tie), and its total training and evaluation seconds.
-- group_key is its config without the seed: runs of a sweep that share it
-- differ only in their seed.
SELECT
	r.id AS run_id, r.sweep_id, s.name AS sweep_name, r.run_key,
	json_remove(r.config, '$.seed') AS group_key,
	r.optimizer, r.lr, r.momentum, r.decay_rate, r.beta1, r.beta2, r.eps,
	r.schedule, r.step_every, r.gamma, r.decay_k, r.min_lr, r.warmup,
	r.hidden, r.activation, r.init, r.batchnorm, r.dropout, r.weight_decay, r.precision,
	r.epochs, r.batch_size, r.seed, r.train_limit, r.validation,
	r.status, r.error, r.started_at, r.finished_at,
	f.epoch AS final_epoch, f.train_loss AS final_train_loss, f.train_acc AS final_train_acc,
	f.val_acc AS final_val_acc, f.test_acc AS final_test_acc,
	(SELECT max(test_acc) FROM epochs WHERE run_id = r.id) AS best_test_acc,
	(SELECT epoch FROM epochs WHERE run_id = r.id AND test_acc IS NOT NULL
		ORDER BY test_acc DESC, epoch LIMIT 1) AS best_test_epoch,
	(SELECT max(val_acc) FROM epochs WHERE run_id = r.id) AS best_val_acc,
	(SELECT epoch FROM epochs WHERE run_id = r.id AND val_acc IS NOT NULL
		ORDER BY val_acc DESC, epoch LIMIT 1) AS best_val_epoch,
	(SELECT min(train_loss) FROM epochs WHERE run_id = r.id) AS min_train_loss,
	(SELECT total(seconds) FROM epochs WHERE run_id = r.id) AS train_seconds,
	(SELECT total(eval_seconds) FROM epochs WHERE run_id = r.id) AS eval_seconds
FROM runs r
JOIN sweeps s ON s.id = r.sweep_id
LEFT JOIN epochs f ON f.run_id = r.id
	AND f.epoch = (SELECT max(epoch) FROM epochs WHERE run_id = r.id);

CREATE VIEW run_epochs AS
-- One row per run per epoch, with the run's hyperparameters: lr is the run's
-- base learning rate, epoch_lr the one the epoch's steps used.
SELECT
	r.id AS run_id, r.sweep_id, s.name AS sweep_name, r.run_key,
	json_remove(r.config, '$.seed') AS group_key,
	r.optimizer, r.lr, r.momentum, r.decay_rate, r.beta1, r.beta2, r.eps,
	r.schedule, r.step_every, r.gamma, r.decay_k, r.min_lr, r.warmup,
	r.hidden, r.activation, r.init, r.batchnorm, r.dropout, r.weight_decay, r.precision,
	r.epochs, r.batch_size, r.seed, r.train_limit, r.validation, r.status,
	e.epoch, e.lr AS epoch_lr, e.train_loss, e.train_acc, e.val_acc, e.test_acc,
	e.seconds, e.eval_seconds
FROM runs r
JOIN sweeps s ON s.id = r.sweep_id
JOIN epochs e ON e.run_id = r.id;

CREATE VIEW group_summary AS
-- One row per group of runs of a sweep that differ only in their seed (the
-- same sweep_id and group_key): n runs, n_done of them done, and the mean
-- and sample standard deviation (n - 1) of the final metrics of the done
-- ones. The variances are two-pass (the mean first, by a window); their
-- square roots are taken by Newton's method from (1 + v) / 2, which is not
-- below the root, until the iterate stops decreasing, because not every
-- SQLite has sqrt().
SELECT
	sweep_id, sweep_name, group_key, first_run_id,
	optimizer, lr, momentum, decay_rate, beta1, beta2, eps,
	schedule, step_every, gamma, decay_k, min_lr, warmup,
	hidden, activation, init, batchnorm, dropout, weight_decay, precision,
	epochs, batch_size, train_limit, validation,
	n, n_done,
	test_acc_mean,
	(WITH RECURSIVE newton (x) AS (SELECT (1 + test_acc_var) / 2
		UNION ALL SELECT (x + test_acc_var / x) / 2 FROM newton WHERE (x + test_acc_var / x) / 2 < x)
	 SELECT CASE WHEN test_acc_var = 0 THEN 0.0 ELSE min(x) END FROM newton) AS test_acc_std,
	val_acc_mean,
	(WITH RECURSIVE newton (x) AS (SELECT (1 + val_acc_var) / 2
		UNION ALL SELECT (x + val_acc_var / x) / 2 FROM newton WHERE (x + val_acc_var / x) / 2 < x)
	 SELECT CASE WHEN val_acc_var = 0 THEN 0.0 ELSE min(x) END FROM newton) AS val_acc_std,
	train_loss_mean,
	(WITH RECURSIVE newton (x) AS (SELECT (1 + train_loss_var) / 2
		UNION ALL SELECT (x + train_loss_var / x) / 2 FROM newton WHERE (x + train_loss_var / x) / 2 < x)
	 SELECT CASE WHEN train_loss_var = 0 THEN 0.0 ELSE min(x) END FROM newton) AS train_loss_std
FROM (
	SELECT
		sweep_id, sweep_name, group_key, min(run_id) AS first_run_id,
		optimizer, lr, momentum, decay_rate, beta1, beta2, eps,
		schedule, step_every, gamma, decay_k, min_lr, warmup,
		hidden, activation, init, batchnorm, dropout, weight_decay, precision,
		epochs, batch_size, train_limit, validation,
		count(*) AS n, sum(status = 'done') AS n_done,
		avg(test_acc) AS test_acc_mean,
		sum((test_acc - test_acc_m) * (test_acc - test_acc_m)) / (count(test_acc) - 1) AS test_acc_var,
		avg(val_acc) AS val_acc_mean,
		sum((val_acc - val_acc_m) * (val_acc - val_acc_m)) / (count(val_acc) - 1) AS val_acc_var,
		avg(train_loss) AS train_loss_mean,
		sum((train_loss - train_loss_m) * (train_loss - train_loss_m)) / (count(train_loss) - 1) AS train_loss_var
	FROM (
		SELECT *,
			avg(test_acc) OVER seedless AS test_acc_m,
			avg(val_acc) OVER seedless AS val_acc_m,
			avg(train_loss) OVER seedless AS train_loss_m
		FROM (
			SELECT
				run_id, sweep_id, sweep_name, group_key, status,
				optimizer, lr, momentum, decay_rate, beta1, beta2, eps,
				schedule, step_every, gamma, decay_k, min_lr, warmup,
				hidden, activation, init, batchnorm, dropout, weight_decay, precision,
				epochs, batch_size, train_limit, validation,
				CASE WHEN status = 'done' THEN final_test_acc END AS test_acc,
				CASE WHEN status = 'done' THEN final_val_acc END AS val_acc,
				CASE WHEN status = 'done' THEN final_train_loss END AS train_loss
			FROM run_summary
		)
		WINDOW seedless AS (PARTITION BY sweep_id, group_key)
	)
	GROUP BY sweep_id, group_key
);
`,
	// 3: steps, the per-step log of runs that ask for one (log_steps).
	`
CREATE TABLE steps (
	run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
	step   INTEGER NOT NULL CHECK (step >= 1),
	epoch  INTEGER NOT NULL,
	lr     REAL,
	loss   REAL,
	PRIMARY KEY (run_id, step)
) WITHOUT ROWID;
`,

	// 4: the shard columns of sweeps, for `runner run --shard I/N` and
	// `runner merge`. Adding columns keeps the views as they are.
	`
ALTER TABLE sweeps ADD COLUMN sweep_uid TEXT;
ALTER TABLE sweeps ADD COLUMN shard_count INTEGER CHECK (shard_count >= 1);
ALTER TABLE sweeps ADD COLUMN shard_index INTEGER CHECK (shard_index >= 0 AND shard_index < shard_count);
ALTER TABLE sweeps ADD COLUMN shards TEXT;
`,

	// 5: runs on objective functions and per-layer statistics: the
	// dataset and function columns of runs, the path table (one row per
	// optimizer step of a function run) and the layer_stats table (one row
	// per hidden layer per epoch of a run with log_layers), each with a
	// view beside the run's hyperparameters.
	`
ALTER TABLE runs ADD COLUMN dataset TEXT;
ALTER TABLE runs ADD COLUMN function TEXT;
UPDATE runs SET dataset = 'mnist';

-- path: where a run on an objective function stands after each step
-- (step 0: the start), the function's value there, and the distance to the
-- nearest minimum of the function. Step s is epoch s of the run.
CREATE TABLE path (
	run_id   INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
	step     INTEGER NOT NULL CHECK (step >= 0),
	x        REAL,
	y        REAL,
	value    REAL,
	distance REAL,
	PRIMARY KEY (run_id, step)
) WITHOUT ROWID;

-- layer_stats: the activations of each hidden layer over a fixed probe
-- batch, at epoch 0 and after each epoch, and the layer's weights.
CREATE TABLE layer_stats (
	run_id       INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
	epoch        INTEGER NOT NULL CHECK (epoch >= 0),
	layer        INTEGER NOT NULL CHECK (layer >= 1),
	mean         REAL,
	std          REAL,
	zeros        REAL,
	saturated    REAL,
	hist_lo      REAL,
	hist_hi      REAL,
	hist         TEXT, -- JSON array of the bin counts
	below        INTEGER,
	above        INTEGER,
	grad_rms     REAL,
	weight_rms   REAL,
	update_ratio REAL,
	PRIMARY KEY (run_id, epoch, layer)
) WITHOUT ROWID;

CREATE VIEW run_path AS
SELECT
	r.id AS run_id, r.sweep_id, s.name AS sweep_name, r.run_key,
	r.function, r.optimizer, r.lr, r.momentum, r.decay_rate, r.beta1, r.beta2, r.eps,
	r.schedule, r.step_every, r.gamma, r.decay_k, r.min_lr, r.warmup, r.epochs AS steps, r.status,
	p.step, p.x, p.y, p.value, p.distance
FROM runs r
JOIN sweeps s ON s.id = r.sweep_id
JOIN path p ON p.run_id = r.id;

CREATE VIEW run_layers AS
SELECT
	r.id AS run_id, r.sweep_id, s.name AS sweep_name, r.run_key,
	r.optimizer, r.lr, r.hidden, r.activation, r.init, r.batchnorm, r.dropout, r.weight_decay,
	r.seed, r.status,
	l.epoch, l.layer, l.mean, l.std, l.zeros, l.saturated, l.hist_lo, l.hist_hi, l.hist,
	l.below, l.above, l.grad_rms, l.weight_rms, l.update_ratio
FROM runs r
JOIN sweeps s ON s.id = r.sweep_id
JOIN layer_stats l ON l.run_id = r.id;
`,
}

// Schema returns the schema of the database as SQL that recreates it: the
// PRAGMAs that mark it (application_id, user_version), then the CREATE
// statement of every table, index, view and trigger in the order they were
// created, each ending with ";", separated by blank lines. SQLite's own
// objects (sqlite_sequence, sqlite_stat1, the indexes of UNIQUE and
// PRIMARY KEY constraints) are left out: the statements create them.
func (db *DB) Schema(ctx context.Context) (string, error) {
	s, err := schemaSQL(ctx, db.db)
	if err != nil {
		return "", fmt.Errorf("store: schema of %s: %w", db.path, err)
	}
	return s, nil
}

// NewSchema returns the Schema of a new database of SchemaVersion, as Open
// creates it. It builds that database in memory: it creates no file.
func NewSchema(ctx context.Context) (string, error) {
	sqlDB, err := sql.Open("sqlite3", "file:new?mode=memory")
	if err != nil {
		return "", fmt.Errorf("store: new schema: %w", err)
	}
	defer sqlDB.Close()
	sqlDB.SetMaxOpenConns(1) // each connection has its own in-memory database
	sqlDB.SetConnMaxLifetime(0)
	sqlDB.SetConnMaxIdleTime(0)
	db := &DB{db: sqlDB, path: ":memory:"}
	if err := db.migrate(ctx); err != nil {
		return "", fmt.Errorf("store: new schema: %w", err)
	}
	s, err := schemaSQL(ctx, sqlDB)
	if err != nil {
		return "", fmt.Errorf("store: new schema: %w", err)
	}
	return s, nil
}

// schemaSQL is Schema for any connection pool.
func schemaSQL(ctx context.Context, db *sql.DB) (string, error) {
	var version, appID int
	err := db.QueryRowContext(ctx, `SELECT
		(SELECT user_version FROM pragma_user_version),
		(SELECT application_id FROM pragma_application_id)`).Scan(&version, &appID)
	if err != nil {
		return "", fmt.Errorf("read schema version: %w", err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "PRAGMA application_id = %d;\nPRAGMA user_version = %d;\n", appID, version)
	rows, err := db.QueryContext(ctx, `SELECT sql FROM sqlite_schema
		WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY rowid`)
	if err != nil {
		return "", fmt.Errorf("read schema: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var stmt string
		if err := rows.Scan(&stmt); err != nil {
			return "", fmt.Errorf("read schema: %w", err)
		}
		fmt.Fprintf(&b, "\n%s;\n", stmt)
	}
	if err := rows.Err(); err != nil {
		return "", fmt.Errorf("read schema: %w", err)
	}
	return b.String(), nil
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
