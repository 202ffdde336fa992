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
//	runs_total      INTEGER         number of runs the sweep expanded to (of a shard: its runs)
//	sweep_uid       TEXT            sharded sweeps: the launch's uid, shared by its shards; else NULL
//	shard_count     INTEGER         sharded sweeps: N, the number of shards; else NULL
//	shard_index     INTEGER         a shard's own sweep: its index, 0 … N−1; NULL when merged or not sharded
//	shards          TEXT            a merged sweep: JSON array of the shards it holds (see Shards)
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
// steps: the per-step log of runs whose sweep sets log_steps, written in the
// same transaction as the epoch the steps belong to.
//
//	run_id          INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE
//	step            INTEGER NOT NULL  counted over the run from 1; PRIMARY KEY (run_id, step)
//	epoch           INTEGER NOT NULL  the epoch the step belongs to
//	lr              REAL              the step's learning rate
//	loss            REAL              the minibatch loss, weight decay included, before the update
//
// Indexes: sweeps(name, id) finds the latest sweep of a name; the UNIQUE
// (sweep_id, run_key) index serves every lookup and cascade by sweep_id; the
// epochs primary key serves lookups by run_id.
//
// # Views
//
// Schema version 2 adds three views that make the usual questions one short
// query. Each carries the run's hyperparameter columns as in runs (optimizer
// … validation; group_summary all but seed), sweep_id and sweep_name, and
// group_key: the run's config JSON without its seed,
// json_remove(config, '$.seed'), so that runs of a sweep with the same
// group_key differ only in their seed. It is computed rather than stored:
// config stays the one source of truth, rows written by older runners or
// by hand are grouped alike, and comparing two sweeps is a join on it.
//
// run_summary: one row per run.
//
//	run_id, run_key, status, error, started_at, finished_at    as in runs
//	final_epoch       INTEGER   the last epoch recorded (NULL before any)
//	final_train_loss, final_train_acc, final_val_acc, final_test_acc
//	                  REAL      the metrics of that epoch
//	best_test_acc     REAL      the highest test_acc of any epoch, epoch 0 included
//	best_test_epoch   INTEGER   the earliest epoch that reached it
//	best_val_acc      REAL      likewise for val_acc (NULL without validation)
//	best_val_epoch    INTEGER
//	min_train_loss    REAL      the lowest train_loss of any epoch
//	train_seconds     REAL      total of seconds over the epochs (0 before any)
//	eval_seconds      REAL      total of eval_seconds
//
// run_epochs: one row per run per epoch, the epochs columns beside the run's
// (run_id, run_key, status); the epoch's learning rate is epoch_lr, lr
// being the run's base rate.
//
// group_summary: one row per group of runs of a sweep that differ only in
// their seed, with the mean and the sample standard deviation (n − 1) of
// the final metrics of the runs that finished done.
//
//	first_run_id      INTEGER   the group's lowest run id: ORDER BY it for the sweep's order
//	n                 INTEGER   runs in the group, whatever their status
//	n_done            INTEGER   those that finished done
//	test_acc_mean, test_acc_std, val_acc_mean, val_acc_std, train_loss_mean, train_loss_std
//	                  REAL      the mean is NULL without a done run, the std with fewer than two
//
// The standard deviation needs a square root, and SQLite's sqrt() is an
// option of its build: the sqlite3 shell of most systems has it, but
// go-sqlite3 as this module builds it does not (it takes the build tag
// sqlite_math_functions, which every go build and go test would have to
// pass). A square root registered from Go would exist only inside runner,
// and a stored column computed by the writer could go stale. So the view
// computes it in plain SQL: a two-pass variance (the group mean first, by a
// window function), then Newton's iteration x ← (x + v/x)/2 in a recursive
// common table expression, from (1 + v)/2, which is not below √v, until the
// iterate stops decreasing: 9 steps for a variance of 2.5e-3, 18 for 1e-8,
// 55 for 1e-30 or 1e30, and the result agrees with math.Sqrt to within an
// ulp or two. It needs only SQLite 3.25 (window functions) with the JSON
// functions, in any client. A WHERE on group_summary is not pushed through
// its window, so a query of it computes every group of the database: about
// 5 µs per run, a tenth of a second for 20,000 runs.
//
// The best configurations of the latest sweep, seeds pooled:
//
//	SELECT optimizer, lr, schedule, n_done, test_acc_mean, test_acc_std
//	FROM group_summary WHERE sweep_id = (SELECT max(id) FROM sweeps)
//	ORDER BY test_acc_mean DESC;
//
// Every run's final and best test accuracy:
//
//	SELECT run_id, optimizer, lr, seed, final_test_acc, best_test_acc, best_test_epoch
//	FROM run_summary ORDER BY best_test_acc DESC;
//
// # Shards
//
// `runner run --shard I/N` trains slice I of N of a sweep into a file of its
// own: its sweeps row holds only the shard's runs (runs_total counts them,
// and its status is the shard's), with shard_index I, shard_count N and a
// sweep_uid shared by every shard of the launch (SetSweepShard).
// `runner merge` (Merge) copies the shards of one launch, matched by
// sweep_uid and name, into one sweep of the target, whose shard_index is
// NULL and whose shards column lists the shards it holds, by index, each
// with how its own sweep stood: index, status, host, runner_version,
// started_at, finished_at, runs_total. The merged sweep's own columns are
// computed from them: runs_total is their sum, started_at the earliest,
// host and runner_version the distinct values joined by ", ", and status
// done when all shard_count shards are there and done (failed or
// interrupted when all are there and finished, one of them so; running
// otherwise, finished_at NULL). Its runs are every shard's, with their
// epochs and steps, under new ids. The latest sweep and its shards, one
// row per shard (one row with NULLs for a sweep that is not merged):
//
//	SELECT s.id, s.status, s.shard_count, j.value ->> '$.index' AS shard,
//	       j.value ->> '$.status' AS shard_status, j.value ->> '$.host' AS host,
//	       j.value ->> '$.runs_total' AS runs
//	FROM sweeps s LEFT JOIN json_each(s.shards) j
//	WHERE s.id = (SELECT max(id) FROM sweeps);
//
// Migration 4 adds the four columns to sweeps; the views are unchanged.
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
// and foreign keys enforced. OpenReadOnly opens a database of exactly
// SchemaVersion only (an older one gives ErrOlderSchema: a writer migrates
// it), and SQLite refuses through it every statement that is not a read,
// ATTACH and the PRAGMAs that set a value included (see OpenReadOnly).
package store
