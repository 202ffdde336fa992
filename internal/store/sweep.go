package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"runner/internal/train"
)

// SweepRecord is one row of the sweeps table: one invocation of `runner run`.
type SweepRecord struct {
	ID            int64    // set by CreateSweep
	Name          string   // required
	Description   string   // from the spec
	File          string   // the spec's path, as given
	Spec          string   // the YAML text, as given
	Overrides     []string // the --set strings, in order
	SpecHash      string   // computed by the caller
	Seed          int64
	Status        SweepStatus // set by CreateSweep (running) and FinishSweep
	Host          string
	RunnerVersion string
	StartedAt     time.Time // set by CreateSweep
	FinishedAt    time.Time // set by FinishSweep; zero while running
	// RunsTotal is the number of runs the sweep will have: given to
	// CreateSweep for a sweep whose runs are added in batches (AddRuns),
	// else (0) set by CreateSweep to the number of configs.
	RunsTotal int
	// Shard, when set, records that the sweep holds one shard of a sharded
	// launch; CreateSweep writes it in the same transaction as the rest.
	Shard *Shard
}

// CreateSweep inserts the sweep, with status running, started now and
// RunsTotal the number of configs unless s gives more, and one pending run
// per config, all in one transaction. It ignores s.ID, s.Status,
// s.StartedAt and s.FinishedAt. It returns the run ids in the order of
// configs. Two configs with the same Key are an error, and then nothing is
// written.
func (db *DB) CreateSweep(ctx context.Context, s SweepRecord, configs []train.Config) (sweepID int64, runIDs []int64, err error) {
	if s.Name == "" {
		return 0, nil, errors.New("store: create sweep: name is empty")
	}
	if s.Shard != nil {
		if err := s.Shard.Validate(); err != nil {
			return 0, nil, fmt.Errorf("store: create sweep %q: %w", s.Name, err)
		}
	}
	if err := distinctKeys(configs); err != nil {
		return 0, nil, fmt.Errorf("store: create sweep %q: %w", s.Name, err)
	}
	overrides := s.Overrides
	if overrides == nil {
		overrides = []string{}
	}
	overridesJSON, err := json.Marshal(overrides)
	if err != nil {
		return 0, nil, fmt.Errorf("store: create sweep %q: encode overrides: %w", s.Name, err)
	}

	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, nil, fmt.Errorf("store: create sweep %q: begin: %w", s.Name, err)
	}
	defer tx.Rollback()

	res, err := tx.ExecContext(ctx, `
		INSERT INTO sweeps (name, description, file, spec, overrides, spec_hash, seed, status,
			host, runner_version, started_at, finished_at, runs_total, sweep_uid, shard_count, shard_index)
		VALUES (?, ?, ?, ?, ?, ?, ?, 'running', ?, ?, ?, NULL, ?, ?, ?, ?)`,
		s.Name, nullText(s.Description), nullText(s.File), nullText(s.Spec), string(overridesJSON),
		nullText(s.SpecHash), s.Seed, nullText(s.Host), nullText(s.RunnerVersion), now(), max(len(configs), s.RunsTotal),
		shardUID(s.Shard), shardCount(s.Shard), shardIndex(s.Shard))
	if err != nil {
		return 0, nil, fmt.Errorf("store: create sweep %q: insert sweep: %w", s.Name, err)
	}
	if sweepID, err = res.LastInsertId(); err != nil {
		return 0, nil, fmt.Errorf("store: create sweep %q: sweep id: %w", s.Name, err)
	}

	if runIDs, err = insertRuns(ctx, tx, sweepID, configs); err != nil {
		return 0, nil, fmt.Errorf("store: create sweep %q: %w", s.Name, err)
	}
	if err := tx.Commit(); err != nil {
		return 0, nil, fmt.Errorf("store: create sweep %q: commit: %w", s.Name, err)
	}
	return sweepID, runIDs, nil
}

// AddRuns adds one pending run per config to the sweep, after its runs,
// in one transaction, and returns their ids in the order of configs: the
// next batch of a sweep whose runs are proposed as earlier ones finish. A
// config whose Key another run of the sweep has is an error, and then
// nothing is written.
func (db *DB) AddRuns(ctx context.Context, sweepID int64, configs []train.Config) ([]int64, error) {
	if err := distinctKeys(configs); err != nil {
		return nil, fmt.Errorf("store: add runs to sweep %d: %w", sweepID, err)
	}
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: add runs to sweep %d: begin: %w", sweepID, err)
	}
	defer tx.Rollback()
	var one int
	if err := tx.QueryRowContext(ctx, `SELECT 1 FROM sweeps WHERE id = ?`, sweepID).Scan(&one); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			err = ErrNotFound
		}
		return nil, fmt.Errorf("store: add runs to sweep %d: %w", sweepID, err)
	}
	runIDs, err := insertRuns(ctx, tx, sweepID, configs)
	if err != nil {
		return nil, fmt.Errorf("store: add runs to sweep %d: %w", sweepID, err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("store: add runs to sweep %d: commit: %w", sweepID, err)
	}
	return runIDs, nil
}

// distinctKeys checks that no two configs have the same Key.
func distinctKeys(configs []train.Config) error {
	seen := make(map[string]int, len(configs))
	for i, c := range configs {
		key := c.Key()
		if j, ok := seen[key]; ok {
			return fmt.Errorf("runs %d and %d have the same key %s (identical configs)", j, i, key)
		}
		seen[key] = i
	}
	return nil
}

// insertRuns inserts one pending run per config into the sweep, in tx,
// and returns their ids.
func insertRuns(ctx context.Context, tx *sql.Tx, sweepID int64, configs []train.Config) ([]int64, error) {
	stmt, err := tx.PrepareContext(ctx, `
		INSERT INTO runs (sweep_id, run_key, config,
			optimizer, lr, momentum, decay_rate, beta1, beta2, eps,
			schedule, step_every, gamma, decay_k, min_lr, warmup,
			hidden, activation, init, batchnorm, dropout, weight_decay, precision,
			epochs, batch_size, seed, train_limit, validation, status, dataset, function)
		VALUES (?, ?, ?,  ?, ?, ?, ?, ?, ?, ?,  ?, ?, ?, ?, ?, ?,  ?, ?, ?, ?, ?, ?, ?,  ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return nil, fmt.Errorf("prepare run insert: %w", err)
	}
	defer stmt.Close()

	runIDs := make([]int64, len(configs))
	for i, c := range configs {
		o, sc, m, d := c.Optimizer, c.Schedule, c.Model, c.Dataset
		key := c.Key()
		res, err := stmt.ExecContext(ctx, sweepID, key, string(c.CanonicalJSON()),
			o.Name, o.LR, nullZero(o.Momentum), nullZero(o.DecayRate), nullZero(o.Beta1), nullZero(o.Beta2), nullZero(o.Eps),
			sc.Name, nullZero(sc.Every), nullZero(sc.Gamma), nullZero(sc.K), nullZero(sc.MinLR), nullZero(sc.Warmup),
			m.HiddenString(), m.Activation, m.Init, m.BatchNorm, m.Dropout, m.WeightDecay, m.Precision,
			c.Epochs, c.BatchSize, c.Seed, d.TrainLimit, d.Validation, string(train.Pending), d.Name, nullText(d.Function))
		if err != nil {
			return nil, fmt.Errorf("insert run %d (key %s): %w", i, key, err)
		}
		if runIDs[i], err = res.LastInsertId(); err != nil {
			return nil, fmt.Errorf("run id %d: %w", i, err)
		}
	}
	return runIDs, nil
}

// FinishSweep sets the sweep's final status (done, failed or interrupted)
// and its finished_at to now.
func (db *DB) FinishSweep(ctx context.Context, sweepID int64, status SweepStatus) error {
	if !status.Final() {
		return fmt.Errorf("store: finish sweep %d: status %q: want done, failed or interrupted", sweepID, status)
	}
	res, err := db.db.ExecContext(ctx, `UPDATE sweeps SET status = ?, finished_at = ? WHERE id = ?`,
		string(status), now(), sweepID)
	if err != nil {
		return fmt.Errorf("store: finish sweep %d: %w", sweepID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store: finish sweep %d: %w", sweepID, err)
	} else if n == 0 {
		return fmt.Errorf("store: finish sweep %d: %w", sweepID, ErrNotFound)
	}
	return nil
}

const sweepColumns = `id, name, description, file, spec, overrides, spec_hash, seed, status,
	host, runner_version, started_at, finished_at, runs_total`

// Sweep returns the sweep with the given id, or an error wrapping ErrNotFound.
func (db *DB) Sweep(ctx context.Context, id int64) (SweepRecord, error) {
	row := db.db.QueryRowContext(ctx, `SELECT `+sweepColumns+` FROM sweeps WHERE id = ?`, id)
	s, err := scanSweep(row)
	if err != nil {
		return SweepRecord{}, fmt.Errorf("store: sweep %d: %w", id, err)
	}
	return s, nil
}

// LatestSweep returns the most recently created sweep with the given name,
// or of any name when name is "", or an error wrapping ErrNotFound.
func (db *DB) LatestSweep(ctx context.Context, name string) (SweepRecord, error) {
	var row *sql.Row
	if name == "" {
		row = db.db.QueryRowContext(ctx, `SELECT `+sweepColumns+` FROM sweeps ORDER BY id DESC LIMIT 1`)
	} else {
		row = db.db.QueryRowContext(ctx, `SELECT `+sweepColumns+` FROM sweeps WHERE name = ? ORDER BY id DESC LIMIT 1`, name)
	}
	s, err := scanSweep(row)
	if err != nil {
		if name == "" {
			return SweepRecord{}, fmt.Errorf("store: latest sweep: %w", err)
		}
		return SweepRecord{}, fmt.Errorf("store: latest sweep %q: %w", name, err)
	}
	return s, nil
}

// scanSweep reads one row of sweepColumns; no row is ErrNotFound.
func scanSweep(row *sql.Row) (SweepRecord, error) {
	var (
		s                                                        SweepRecord
		desc, file, spec, overrides, hash, status, host, version sql.NullString
		started, finished                                        sql.NullString
		seed, total                                              sql.NullInt64
	)
	err := row.Scan(&s.ID, &s.Name, &desc, &file, &spec, &overrides, &hash, &seed, &status,
		&host, &version, &started, &finished, &total)
	if errors.Is(err, sql.ErrNoRows) {
		return SweepRecord{}, ErrNotFound
	} else if err != nil {
		return SweepRecord{}, err
	}
	s.Description, s.File, s.Spec, s.SpecHash = desc.String, file.String, spec.String, hash.String
	s.Status, s.Host, s.RunnerVersion = SweepStatus(status.String), host.String, version.String
	s.Seed, s.RunsTotal = seed.Int64, int(total.Int64)
	if overrides.String != "" {
		if err := json.Unmarshal([]byte(overrides.String), &s.Overrides); err != nil {
			return SweepRecord{}, fmt.Errorf("decode overrides %q: %w", overrides.String, err)
		}
		if len(s.Overrides) == 0 {
			s.Overrides = nil
		}
	}
	if s.StartedAt, err = parseTime(started); err != nil {
		return SweepRecord{}, fmt.Errorf("started_at: %w", err)
	}
	if s.FinishedAt, err = parseTime(finished); err != nil {
		return SweepRecord{}, fmt.Errorf("finished_at: %w", err)
	}
	return s, nil
}

// The shard columns of a sweep row: NULL for a sweep that is not a shard.
func shardUID(sh *Shard) any {
	if sh == nil {
		return nil
	}
	return sh.UID
}

func shardCount(sh *Shard) any {
	if sh == nil {
		return nil
	}
	return sh.Count
}

func shardIndex(sh *Shard) any {
	if sh == nil {
		return nil
	}
	return sh.Index
}
