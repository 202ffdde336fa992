package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/mattn/go-sqlite3"

	"runner/internal/train"
)

// Run is one row of the runs table: one training run of a sweep. The
// hyperparameter columns of the table are derived from Config and not read
// back separately.
type Run struct {
	ID, SweepID int64
	Key         string       // Config.Key(), unique within the sweep
	Config      train.Config // decoded from the config column
	Status      train.Status
	Error       string    // the failure, for Failed runs; "" otherwise
	StartedAt   time.Time // zero while pending
	FinishedAt  time.Time // zero until the run ends
}

// The statuses FinishRun accepts: how a run can end.
var runFinal = map[train.Status]bool{
	train.Done: true, train.Diverged: true, train.Failed: true, train.Interrupted: true, train.Pruned: true,
}

// StartRun marks the run running, started now, and deletes everything it
// recorded before (its rows of every history table: epochs, steps, path,
// layer_stats), in one transaction: a rerun (after a crash or an
// interruption) starts from scratch.
func (db *DB) StartRun(ctx context.Context, runID int64) error {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: start run %d: begin: %w", runID, err)
	}
	defer tx.Rollback()

	res, err := tx.ExecContext(ctx, `
		UPDATE runs SET status = ?, started_at = ?, finished_at = NULL, error = NULL WHERE id = ?`,
		string(train.Running), now(), runID)
	if err != nil {
		return fmt.Errorf("store: start run %d: %w", runID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store: start run %d: %w", runID, err)
	} else if n == 0 {
		return fmt.Errorf("store: start run %d: %w", runID, ErrNotFound)
	}
	for _, t := range historyTables {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+t.table+` WHERE run_id = ?`, runID); err != nil {
			return fmt.Errorf("store: start run %d: delete old %s: %w", runID, t.table, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: start run %d: commit: %w", runID, err)
	}
	return nil
}

// AddEpoch records one epoch of a run as its own committed row, so a crash
// loses at most the epoch in flight. Recording an epoch twice is an error.
// NaN metrics (ValAcc without validation, the loss of a diverged run) are
// stored as NULL; ±Inf is stored as is.
func (db *DB) AddEpoch(ctx context.Context, runID int64, m train.EpochMetrics) error {
	err := db.addEpoch(ctx, runID, m)
	switch {
	case err == nil:
		return nil
	case isConstraint(err, sqlite3.ErrConstraintForeignKey):
		return fmt.Errorf("store: add epoch %d of run %d: %w", m.Epoch, runID, ErrNotFound)
	case isConstraint(err, sqlite3.ErrConstraintPrimaryKey):
		return fmt.Errorf("store: add epoch %d of run %d: already recorded: %w", m.Epoch, runID, err)
	}
	return fmt.Errorf("store: add epoch %d of run %d: %w", m.Epoch, runID, err)
}

// addEpoch inserts the epoch and its logged steps in one transaction.
func (db *DB) addEpoch(ctx context.Context, runID int64, m train.EpochMetrics) error {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO epochs (run_id, epoch, lr, train_loss, train_acc, val_acc, test_acc, seconds, eval_seconds)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		runID, m.Epoch, nullNaN(m.LR), nullNaN(m.TrainLoss), nullNaN(m.TrainAcc), nullNaN(m.ValAcc),
		nullNaN(m.TestAcc), nullNaN(m.Seconds), nullNaN(m.EvalSeconds)); err != nil {
		return err
	}
	if m.Position != nil {
		var x, y any
		if len(m.Position) > 0 {
			x = nullNaN(m.Position[0])
		}
		if len(m.Position) > 1 {
			y = nullNaN(m.Position[1])
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO path (run_id, step, x, y, value, distance) VALUES (?, ?, ?, ?, ?, ?)`,
			runID, m.Epoch, x, y, nullNaN(m.TrainLoss), nullNaN(m.Distance)); err != nil {
			return err
		}
	}
	if len(m.Layers) > 0 {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO layer_stats (run_id, epoch, layer, mean, std, zeros, saturated,
			hist_lo, hist_hi, hist, below, above, grad_rms, weight_rms, update_ratio)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, l := range m.Layers {
			hist, err := json.Marshal(l.Hist)
			if err != nil {
				return err
			}
			if _, err := stmt.ExecContext(ctx, runID, m.Epoch, l.Layer, nullNaN(l.Mean), nullNaN(l.Std), nullNaN(l.Zeros),
				nullNaN(l.Saturated), l.HistLo, l.HistHi, string(hist), l.Below, l.Above,
				nullNaN(l.GradRMS), nullNaN(l.WeightRMS), nullNaN(l.UpdateRatio)); err != nil {
				return err
			}
		}
	}
	if len(m.Steps) > 0 {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO steps (run_id, step, epoch, lr, loss) VALUES (?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, st := range m.Steps {
			if _, err := stmt.ExecContext(ctx, runID, st.Step, m.Epoch, nullNaN(st.LR), nullNaN(st.Loss)); err != nil {
				return err
			}
		}
	}
	return tx.Commit()
}

// Steps returns the logged steps of a run, in order (none unless the run
// asked for them with log_steps).
func (db *DB) Steps(ctx context.Context, runID int64) ([]train.StepMetrics, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT step, lr, loss FROM steps WHERE run_id = ? ORDER BY step`, runID)
	if err != nil {
		return nil, fmt.Errorf("store: steps of run %d: %w", runID, err)
	}
	defer rows.Close()
	var out []train.StepMetrics
	for rows.Next() {
		var st train.StepMetrics
		var lr, loss sql.NullFloat64
		if err := rows.Scan(&st.Step, &lr, &loss); err != nil {
			return nil, fmt.Errorf("store: steps of run %d: %w", runID, err)
		}
		st.LR, st.Loss = nanIfNull(lr), nanIfNull(loss)
		out = append(out, st)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: steps of run %d: %w", runID, err)
	}
	return out, nil
}

// FinishRun sets how the run ended (done, diverged, failed, interrupted or
// pruned), its error text ("" for none, stored as NULL) and finished_at now.
func (db *DB) FinishRun(ctx context.Context, runID int64, status train.Status, errText string) error {
	if !runFinal[status] {
		return fmt.Errorf("store: finish run %d: status %q is not a final status", runID, status)
	}
	res, err := db.db.ExecContext(ctx, `UPDATE runs SET status = ?, error = ?, finished_at = ? WHERE id = ?`,
		string(status), nullText(errText), now(), runID)
	if err != nil {
		return fmt.Errorf("store: finish run %d: %w", runID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store: finish run %d: %w", runID, err)
	} else if n == 0 {
		return fmt.Errorf("store: finish run %d: %w", runID, ErrNotFound)
	}
	return nil
}

// Runs returns the runs of a sweep ordered by id, which is the order of the
// configs given to CreateSweep. A sweep that does not exist is ErrNotFound.
func (db *DB) Runs(ctx context.Context, sweepID int64) ([]Run, error) {
	runs, err := db.queryRuns(ctx, sweepID)
	if err != nil {
		return nil, fmt.Errorf("store: runs of sweep %d: %w", sweepID, err)
	}
	if len(runs) == 0 {
		if err := db.exists(ctx, `SELECT 1 FROM sweeps WHERE id = ?`, sweepID); err != nil {
			return nil, fmt.Errorf("store: runs of sweep %d: %w", sweepID, err)
		}
	}
	return runs, nil
}

func (db *DB) queryRuns(ctx context.Context, sweepID int64) ([]Run, error) {
	rows, err := db.db.QueryContext(ctx, `
		SELECT id, sweep_id, run_key, config, status, error, started_at, finished_at
		FROM runs WHERE sweep_id = ? ORDER BY id`, sweepID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()

	var runs []Run
	for rows.Next() {
		var (
			r                        Run
			config, status           string
			errText, started, finish sql.NullString
		)
		if err := rows.Scan(&r.ID, &r.SweepID, &r.Key, &config, &status, &errText, &started, &finish); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(config), &r.Config); err != nil {
			return nil, fmt.Errorf("run %d: decode config: %w", r.ID, err)
		}
		r.Status, r.Error = train.Status(status), errText.String
		if r.StartedAt, err = parseTime(started); err != nil {
			return nil, fmt.Errorf("run %d: started_at: %w", r.ID, err)
		}
		if r.FinishedAt, err = parseTime(finish); err != nil {
			return nil, fmt.Errorf("run %d: finished_at: %w", r.ID, err)
		}
		runs = append(runs, r)
	}
	return runs, rows.Err()
}

// Epochs returns the recorded epochs of a run ordered by epoch, NULL metrics
// (no validation, a NaN loss) as NaN. A run that does not exist is
// ErrNotFound; a run with no epochs yet gives none.
func (db *DB) Epochs(ctx context.Context, runID int64) ([]train.EpochMetrics, error) {
	ms, err := db.queryEpochs(ctx, runID)
	if err != nil {
		return nil, fmt.Errorf("store: epochs of run %d: %w", runID, err)
	}
	if len(ms) == 0 {
		if err := db.exists(ctx, `SELECT 1 FROM runs WHERE id = ?`, runID); err != nil {
			return nil, fmt.Errorf("store: epochs of run %d: %w", runID, err)
		}
	}
	return ms, nil
}

func (db *DB) queryEpochs(ctx context.Context, runID int64) ([]train.EpochMetrics, error) {
	rows, err := db.db.QueryContext(ctx, `
		SELECT `+epochColumns+` FROM epochs WHERE run_id = ? ORDER BY epoch`, runID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()

	var ms []train.EpochMetrics
	for rows.Next() {
		m, err := scanEpoch(rows)
		if err != nil {
			return nil, err
		}
		ms = append(ms, m)
	}
	return ms, rows.Err()
}

// SweepEpochs returns the recorded epochs of every run of a sweep, by run
// id, each ordered by epoch as Epochs returns them, in one query. Runs
// without epochs are absent. A sweep that does not exist is ErrNotFound.
func (db *DB) SweepEpochs(ctx context.Context, sweepID int64) (map[int64][]train.EpochMetrics, error) {
	out, err := db.querySweepEpochs(ctx, sweepID)
	if err != nil {
		return nil, fmt.Errorf("store: epochs of sweep %d: %w", sweepID, err)
	}
	if len(out) == 0 {
		if err := db.exists(ctx, `SELECT 1 FROM sweeps WHERE id = ?`, sweepID); err != nil {
			return nil, fmt.Errorf("store: epochs of sweep %d: %w", sweepID, err)
		}
	}
	return out, nil
}

func (db *DB) querySweepEpochs(ctx context.Context, sweepID int64) (map[int64][]train.EpochMetrics, error) {
	rows, err := db.db.QueryContext(ctx, `
		SELECT run_id, `+epochColumns+` FROM epochs
		WHERE run_id IN (SELECT id FROM runs WHERE sweep_id = ?) ORDER BY run_id, epoch`, sweepID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64][]train.EpochMetrics{}
	for rows.Next() {
		var runID int64
		m, err := scanEpoch(rows, &runID)
		if err != nil {
			return nil, err
		}
		out[runID] = append(out[runID], m)
	}
	return out, rows.Err()
}

// epochColumns are the columns scanEpoch reads, in its order.
const epochColumns = `epoch, lr, train_loss, train_acc, val_acc, test_acc, seconds, eval_seconds`

// scanEpoch scans the columns first (if any), then epochColumns, of the
// current row; NULL metrics are NaN.
func scanEpoch(rows *sql.Rows, first ...any) (train.EpochMetrics, error) {
	var (
		m                                            train.EpochMetrics
		lr, loss, trainAcc, valAcc, testAcc, sec, ev sql.NullFloat64
	)
	dest := append(first, &m.Epoch, &lr, &loss, &trainAcc, &valAcc, &testAcc, &sec, &ev)
	if err := rows.Scan(dest...); err != nil {
		return m, err
	}
	m.LR, m.TrainLoss, m.TrainAcc = nanIfNull(lr), nanIfNull(loss), nanIfNull(trainAcc)
	m.ValAcc, m.TestAcc = nanIfNull(valAcc), nanIfNull(testAcc)
	m.Seconds, m.EvalSeconds = nanIfNull(sec), nanIfNull(ev)
	return m, nil
}

// exists runs a query selecting at most one row by id; no row is ErrNotFound.
func (db *DB) exists(ctx context.Context, query string, id int64) error {
	var one int
	err := db.db.QueryRowContext(ctx, query, id).Scan(&one)
	if err == sql.ErrNoRows {
		return ErrNotFound
	}
	return err
}
