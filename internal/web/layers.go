package web

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"runner/internal/train"
)

const runLayersSQL = `
	SELECT epoch, layer, mean, std, zeros, saturated, hist_lo, hist_hi, hist, below, above,
		grad_rms, weight_rms, update_ratio
	FROM layer_stats WHERE run_id = ? ORDER BY epoch, layer`

// layerJSON is the statistics of one hidden layer at one epoch
// (train.LayerStats): its activations over the probe batch, their
// histogram, and its weights.
type layerJSON struct {
	Layer       int64  `json:"layer"` // from 1, the first hidden layer
	Mean        num    `json:"mean"`
	Std         num    `json:"std"`
	Zeros       num    `json:"zeros"`     // the fraction of activations exactly 0
	Saturated   num    `json:"saturated"` // the fraction in the activation's flat ends; null for ReLU
	HistLo      num    `json:"hist_lo"`
	HistHi      num    `json:"hist_hi"`
	Hist        []int  `json:"hist"` // counts in equal bins over [hist_lo, hist_hi]; null if unreadable
	Below       *int64 `json:"below"`
	Above       *int64 `json:"above"`
	GradRMS     num    `json:"grad_rms"` // null at epoch 0
	WeightRMS   num    `json:"weight_rms"`
	UpdateRatio num    `json:"update_ratio"` // null at epoch 0
}

// layerEpochJSON is the layers of a run at one epoch, in layer order.
type layerEpochJSON struct {
	Epoch  int64        `json:"epoch"`
	Layers []*layerJSON `json:"layers"`
}

// runLayers answers GET /api/runs/RUN/layers.
func (s *Server) runLayers(r *http.Request) (any, error) {
	db, id, release, err := s.pathRun(r)
	defer release()
	if err != nil {
		return nil, err
	}
	rows, err := db.SQLDB().QueryContext(r.Context(), runLayersSQL, id)
	if err != nil {
		return nil, fmt.Errorf("read layer statistics of run %d: %w", id, err)
	}
	defer rows.Close()
	epochs := []*layerEpochJSON{}
	for rows.Next() {
		var (
			epoch int64
			l     layerJSON
			v     [9]sql.NullFloat64
			hist  sql.NullString
		)
		if err := rows.Scan(&epoch, &l.Layer, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &hist, &l.Below, &l.Above,
			&v[6], &v[7], &v[8]); err != nil {
			return nil, fmt.Errorf("read layer statistics of run %d: %w", id, err)
		}
		f := func(i int) num { return nullNum(v[i]) }
		l.Mean, l.Std, l.Zeros, l.Saturated, l.HistLo, l.HistHi = f(0), f(1), f(2), f(3), f(4), f(5)
		l.GradRMS, l.WeightRMS, l.UpdateRatio = f(6), f(7), f(8)
		if hist.Valid && json.Unmarshal([]byte(hist.String), &l.Hist) != nil {
			l.Hist = nil // not an array of counts: drawn as missing, the rest still shown
		}
		if n := len(epochs); n == 0 || epochs[n-1].Epoch != epoch {
			epochs = append(epochs, &layerEpochJSON{Epoch: epoch, Layers: []*layerJSON{}})
		}
		e := epochs[len(epochs)-1]
		e.Layers = append(e.Layers, &l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read layer statistics of run %d: %w", id, err)
	}
	rows.Close()
	if len(epochs) == 0 {
		var sweepID int64
		err := db.SQLDB().QueryRowContext(r.Context(), runSweepSQL, id).Scan(&sweepID)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, notFound("no run has id %d", id)
		} else if err != nil {
			return nil, fmt.Errorf("read run %d: %w", id, err)
		}
	}
	return map[string]any{"id": id, "bins": train.HistBins, "epochs": epochs}, nil
}
