// Package store records sweeps, runs and per-epoch metrics in an SQLite file
// (results.db by default) that users query with plain SQL.
//
// # Tables
//
// sweeps: one row per `runner run`.
//
//	id              INTEGER PRIMARY KEY
//	name            TEXT NOT NULL   the sweep's name from the spec
//	description     TEXT            from the spec
//	file            TEXT            the spec's path, as given on the command line
//	spec            TEXT            the YAML text, as given
//	overrides       TEXT            JSON array of the --set strings, e.g. '["epochs=3"]'
//	spec_hash       TEXT            hash of the spec and overrides, computed by the caller
//	seed            INTEGER         the sweep's seed
//	status          TEXT            running | done | failed | interrupted
//	host            TEXT            host name
//	runner_version  TEXT            version of the binary that ran it
//	started_at      TEXT            time, see below
//	finished_at     TEXT            NULL while running
//	runs_total      INTEGER         number of runs the sweep expanded to
//
// runs: one row per training run (one point of the grid).
//
//	id              INTEGER PRIMARY KEY
//	sweep_id        INTEGER NOT NULL REFERENCES sweeps(id) ON DELETE CASCADE
//	run_key         TEXT NOT NULL   train.Config.Key(): 16 hex digits; UNIQUE(sweep_id, run_key)
//	config          TEXT NOT NULL   the canonical JSON of the run's train.Config
//	optimizer       TEXT            sgd | momentum | nesterov | adagrad | rmsprop | adam
//	lr              REAL            base learning rate
//	momentum        REAL            momentum, nesterov
//	decay_rate      REAL            rmsprop ρ
//	beta1, beta2    REAL            adam
//	eps             REAL            adagrad, rmsprop, adam
//	schedule        TEXT            constant | step | exponential | inverse_time | cosine
//	step_every      INTEGER         step: epochs between decays
//	gamma           REAL            step, exponential: factor per decay
//	decay_k         REAL            inverse_time: η/(1+k·epoch)
//	min_lr          REAL            cosine: floor
//	warmup          INTEGER         epochs of linear warm-up
//	hidden          TEXT            hidden layer sizes, e.g. '100-100-100-100' ('' for none)
//	activation      TEXT            relu | sigmoid | tanh
//	init            TEXT            he | xavier | a standard deviation such as '0.01'
//	batchnorm       INTEGER         0 or 1
//	dropout         REAL            0 = none
//	weight_decay    REAL            L2 coefficient λ, 0 = none
//	precision       TEXT            float32 | float64
//	epochs          INTEGER
//	batch_size      INTEGER
//	seed            INTEGER
//	train_limit     INTEGER         first N training images, 0 = all
//	validation      REAL            fraction held out for validation, 0 = none
//	status          TEXT NOT NULL   pending | running | done | diverged | failed | interrupted | pruned
//	error           TEXT            NULL unless the run failed
//	started_at      TEXT            NULL while pending
//	finished_at     TEXT            NULL until the run ends
//
// The optimizer and schedule columns (momentum … warmup) are NULL when the
// field is zero, which is exactly when it is left out of the config JSON: it
// does not apply to that optimizer or schedule (a cosine schedule's min_lr of
// 0 and a warmup of 0 are NULL too; use COALESCE(warmup, 0) to compare). The
// dataset name and split seed are only in config:
// json_extract(config, '$.dataset.split_seed').
//
// epochs: one row per run per epoch, committed as the epoch ends.
//
//	run_id          INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE
//	epoch           INTEGER NOT NULL  0 = before training; PRIMARY KEY (run_id, epoch)
//	lr              REAL              the learning rate of the epoch's steps (their mean if it changed)
//	train_loss      REAL              mean minibatch loss, weight decay included
//	train_acc       REAL              accuracies are fractions in [0, 1]
//	val_acc         REAL              NULL when the run holds out no validation images
//	test_acc        REAL
//	seconds         REAL              wall time of the training steps only
//	eval_seconds    REAL              wall time of the accuracy passes
//
// Indexes: sweeps(name, id) finds the latest sweep of a name; the UNIQUE
// (sweep_id, run_key) index serves every lookup and cascade by sweep_id; the
// epochs primary key serves lookups by run_id.
//
// # Conventions
//
// Times are TEXT in UTC, ISO-8601 with milliseconds: '2024-05-01T12:34:56.789Z'.
// SQLite's date functions read them directly, e.g. the wall time of each run:
//
//	SELECT id, (julianday(finished_at) - julianday(started_at)) * 86400 AS secs FROM runs;
//
// SQLite cannot store NaN: a NaN metric is stored as NULL and read back as
// NaN. So a NULL train_loss is the loss of a diverged run that became NaN,
// and a NULL val_acc means no validation set. Infinities are stored as REAL
// ±Inf (typeof() is 'real'; the sqlite3 shell prints Inf, or 9.0e+999 in
// older versions; SQL spells it 9e999), compare beyond every finite number
// and read back as ±Inf. The diverged epochs are therefore
//
//	SELECT * FROM epochs WHERE train_loss IS NULL OR abs(train_loss) = 9e999;
//
// The final metrics of every finished run of the latest sweep, beside its
// hyperparameters:
//
//	SELECT r.optimizer, r.lr, r.schedule, r.seed, e.train_loss, e.test_acc
//	FROM runs r JOIN epochs e ON e.run_id = r.id AND e.epoch = r.epochs
//	WHERE r.sweep_id = (SELECT max(id) FROM sweeps) AND r.status = 'done'
//	ORDER BY e.test_acc DESC;
//
// # Versions and connections
//
// The schema version is PRAGMA user_version (SchemaVersion), and PRAGMA
// application_id is 0x52554E52 ("RUNR") in every results database. Open
// applies the missing migrations forward in one transaction. It first
// checks the file through a read-only connection that writes nothing and
// creates no file, and refuses a file that is not SQLite (ErrNotSQLite),
// another program's SQLite database (ErrNotRunnerDB) or a database written
// by a newer runner (ErrNewerSchema), even when the newer schema is only in
// the -wal file of a runner that is still running or crashed: the database
// file, its -wal and its -shm are left as they were, byte for byte.
// Connections use WAL, so readers (the dashboard, `sqlite3 results.db`)
// never block the writer nor the writer them, with a busy timeout of 10 s
// and foreign keys enforced.
package store
