package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"runner/internal/report"
	"runner/internal/store"
	"runner/internal/train"
)

// lrFindJSON is a learning-rate range test (runner lr-find), for GET
// /api/sweeps/SWEEP/lrfind: what runner compare prints of it and the
// curve its figure draws, computed by internal/report and train.AnalyzeLR.
type lrFindJSON struct {
	Sweep sweepRef `json:"sweep"`
	// Run is the run the test trained, as GET /api/runs/RUN gives it
	// (its config included); Summary describes it as runner lr-find does:
	// "sgd, hidden 100-100, batch 128, seed 1 (key …)".
	Run     *runJSON `json:"run"`
	Summary string   `json:"summary"`
	// Facts are the lines runner compare prints of the test: name, value,
	// and the value with why the test stopped or how the rate was
	// suggested (text).
	Facts []lrFactJSON `json:"facts"`
	// Curve is the test step by step: its rates, minibatch losses and
	// smoothed losses (null where not finite), the steps numbered from 1.
	Curve lrCurveJSON `json:"curve"`
	// The points that matter on it, as indices into the curve (from 0):
	// the lowest smoothed loss, the steepest descent, and the step that
	// met the divergence rule (null when the test reached its end rate).
	Min      int     `json:"min"`
	Steepest int     `json:"steepest"`
	Stop     *int    `json:"stop"`
	Reason   string  `json:"reason"`
	MinLR    num     `json:"min_lr"`
	SteepLR  num     `json:"steepest_lr"`
	Suggest  num     `json:"suggested_lr"`
	Clamped  bool    `json:"clamped"` // the suggestion is the start rate: the lowest smoothed loss lies within a decade of it
	Smooth   float64 `json:"smoothing"`
	Diverged float64 `json:"divergence"` // the rule: the smoothed loss above this many times its lowest
}

// lrFactJSON is one line of report.LRSummary.Facts.
type lrFactJSON struct {
	Name  string `json:"name"`
	Value string `json:"value"`
	Text  string `json:"text"`
}

// lrCurveJSON is train.LRCurve column by column.
type lrCurveJSON struct {
	Step     []int `json:"step"`
	LR       []num `json:"lr"`
	Loss     []num `json:"loss"`
	Smoothed []num `json:"smoothed"`
}

// loadLRFind loads the sweep id with its steps and summarizes the range
// test it records; nil when it records none (report.IsLRFind). Only a
// sweep whose name ends in report.LRFindSuffix is loaded.
func loadLRFind(ctx context.Context, db *store.DB, id int64, name string) (*report.LRSummary, error) {
	if !strings.HasSuffix(name, report.LRFindSuffix) {
		return nil, nil
	}
	sw, err := report.Load(ctx, db, id)
	if err != nil {
		return nil, err
	}
	if !report.IsLRFind(sw) {
		return nil, nil
	}
	return report.SummarizeLR(sw)
}

// markLRFind sets the fields of the range tests among list: LRFind, and
// the suggested rate. A sweep is read only when its name ends in
// report.LRFindSuffix and it holds one run, as a range test does.
func markLRFind(ctx context.Context, db *store.DB, list []*sweepJSON) error {
	for _, sw := range list {
		if !strings.HasSuffix(sw.Name, report.LRFindSuffix) || sw.RunsTotal != 1 {
			continue
		}
		sum, err := loadLRFind(ctx, db, sw.ID, sw.Name)
		if err != nil {
			return fmt.Errorf("read range test %d: %w", sw.ID, err)
		}
		if sum != nil {
			lr := num(sum.Curve.Suggestion())
			sw.LRFind, sw.SuggestedLR = true, &lr
		}
	}
	return nil
}

// sweepLRFind answers GET /api/sweeps/SWEEP/lrfind: the range test the
// sweep records, 400 when it records none.
func (s *Server) sweepLRFind(r *http.Request) (any, error) {
	if _, err := queryParams(r); err != nil {
		return nil, err
	}
	db, rec, release, err := s.pathSweep(r)
	defer release()
	if err != nil {
		return nil, err
	}
	sum, err := loadLRFind(r.Context(), db, rec.ID, rec.Name)
	if err != nil {
		return nil, err
	}
	if sum == nil {
		return nil, badRequest("sweep %d (%s) records no learning-rate range test: runner lr-find records one as NAME%s, one run with its steps",
			rec.ID, rec.Name, report.LRFindSuffix)
	}
	run, err := s.readRun(r.Context(), db, sum.Sweep.Runs[0].ID)
	if err != nil {
		return nil, err
	}
	c := sum.Curve
	out := lrFindJSON{
		Sweep: refOf(sum.Sweep), Run: run, Summary: sum.Run(),
		Curve:    lrCurveJSON{Step: make([]int, len(c.LR)), LR: nums(c.LR), Loss: nums(c.Loss), Smoothed: nums(c.Smoothed)},
		Min:      c.Min,
		Steepest: c.Steepest,
		Reason:   c.Reason,
		MinLR:    num(c.MinRate()),
		SteepLR:  num(c.SteepestRate()),
		Suggest:  num(c.Suggestion()),
		Clamped:  c.Clamped(),
		Smooth:   train.LRSmoothing,
		Diverged: train.LRDivergence,
	}
	for i, st := range sum.Sweep.Runs[0].Steps {
		out.Curve.Step[i] = st.Step
	}
	if c.Stop >= 0 {
		stop := c.Stop
		out.Stop = &stop
	}
	for _, f := range sum.Facts() {
		out.Facts = append(out.Facts, lrFactJSON{Name: f.Name, Value: f.Value, Text: f.Text})
	}
	return out, nil
}

// readRun reads one run as GET /api/runs/RUN gives it, its config
// included.
func (s *Server) readRun(ctx context.Context, db *store.DB, id int64) (*runJSON, error) {
	rows, err := db.SQLDB().QueryContext(ctx, oneRunSQL, id)
	if err != nil {
		return nil, fmt.Errorf("read run %d: %w", id, err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("read run %d: %w", id, err)
		}
		return nil, notFound("no run has id %d", id)
	}
	run, config, err := scanRun(rows)
	if err != nil {
		return nil, fmt.Errorf("read run %d: %w", id, err)
	}
	if json.Valid([]byte(config)) {
		run.Config = json.RawMessage(config)
	} else {
		run.Config, _ = json.Marshal(config) // not JSON: give it as a string
	}
	return run, nil
}
