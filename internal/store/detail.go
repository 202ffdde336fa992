package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"runner/internal/train"
)

// AddDetails fills in, for the epochs of the runs of a sweep (as
// SweepEpochs returns them, by run id), what the path and layer_stats
// tables hold: Position, TrainLoss and Distance of function runs' steps,
// and the Layers of runs that logged them. Epochs without such rows are
// left as they are.
func (db *DB) AddDetails(ctx context.Context, sweepID int64, epochs map[int64][]train.EpochMetrics) error {
	if err := db.addPaths(ctx, sweepID, epochs); err != nil {
		return fmt.Errorf("store: paths of sweep %d: %w", sweepID, err)
	}
	if err := db.addLayers(ctx, sweepID, epochs); err != nil {
		return fmt.Errorf("store: layer statistics of sweep %d: %w", sweepID, err)
	}
	return nil
}

// epochAt returns the epoch numbered e of ms, or nil.
func epochAt(ms []train.EpochMetrics, e int) *train.EpochMetrics {
	if e >= 0 && e < len(ms) && ms[e].Epoch == e {
		return &ms[e]
	}
	for i := range ms {
		if ms[i].Epoch == e {
			return &ms[i]
		}
	}
	return nil
}

func (db *DB) addPaths(ctx context.Context, sweepID int64, epochs map[int64][]train.EpochMetrics) error {
	rows, err := db.db.QueryContext(ctx, `SELECT run_id, step, x, y, distance FROM path
		WHERE run_id IN (SELECT id FROM runs WHERE sweep_id = ?) ORDER BY run_id, step`, sweepID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var runID int64
		var step int
		var x, y, dist sql.NullFloat64
		if err := rows.Scan(&runID, &step, &x, &y, &dist); err != nil {
			return err
		}
		if m := epochAt(epochs[runID], step); m != nil {
			m.Position = []float64{nanIfNull(x), nanIfNull(y)}
			m.Distance = nanIfNull(dist)
		}
	}
	return rows.Err()
}

func (db *DB) addLayers(ctx context.Context, sweepID int64, epochs map[int64][]train.EpochMetrics) error {
	rows, err := db.db.QueryContext(ctx, `SELECT run_id, epoch, layer, mean, std, zeros, saturated,
		hist_lo, hist_hi, hist, below, above, grad_rms, weight_rms, update_ratio FROM layer_stats
		WHERE run_id IN (SELECT id FROM runs WHERE sweep_id = ?) ORDER BY run_id, epoch, layer`, sweepID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var runID int64
		var epoch int
		var l train.LayerStats
		var mean, std, zeros, sat, lo, hi, grad, weight, ratio sql.NullFloat64
		var hist sql.NullString
		var below, above sql.NullInt64
		if err := rows.Scan(&runID, &epoch, &l.Layer, &mean, &std, &zeros, &sat, &lo, &hi, &hist, &below, &above,
			&grad, &weight, &ratio); err != nil {
			return err
		}
		l.Mean, l.Std, l.Zeros, l.Saturated = nanIfNull(mean), nanIfNull(std), nanIfNull(zeros), nanIfNull(sat)
		l.HistLo, l.HistHi = nanIfNull(lo), nanIfNull(hi)
		l.Below, l.Above = int(below.Int64), int(above.Int64)
		l.GradRMS, l.WeightRMS, l.UpdateRatio = nanIfNull(grad), nanIfNull(weight), nanIfNull(ratio)
		if hist.Valid {
			if err := json.Unmarshal([]byte(hist.String), &l.Hist); err != nil {
				return fmt.Errorf("run %d epoch %d layer %d: decode hist: %w", runID, epoch, l.Layer, err)
			}
		}
		if m := epochAt(epochs[runID], epoch); m != nil {
			m.Layers = append(m.Layers, l)
		}
	}
	return rows.Err()
}
