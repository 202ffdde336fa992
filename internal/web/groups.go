package web

import (
	"net/http"
	"strconv"

	"runner/internal/report"
)

// groupsJSON is report.Compare's table as the API gives it.
type groupsJSON struct {
	Sweep    sweepRef       `json:"sweep"`
	Vs       *sweepRef      `json:"vs"` // the sweep compared against (B), or null
	Metric   report.Metric  `json:"metric"`
	Best     bool           `json:"best"`
	Alpha    float64        `json:"alpha"`
	Columns  []string       `json:"columns"`
	Rows     []groupRowJSON `json:"rows"`
	BestRow  int            `json:"best_row"`   // index of the best row (in vs when given); -1 if none
	BestRowA int            `json:"best_row_a"` // with vs, the best row in sweep; -1 if none
	Notes    []string       `json:"notes"`
}

type sweepRef struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Status string `json:"status"`
	Runs   int    `json:"runs"`
}

type groupRowJSON struct {
	Group       string            `json:"group"` // as runJSON.Group
	Label       string            `json:"label"` // "adam lr=0.001"
	Params      map[string]string `json:"params"`
	A           *cellJSON         `json:"a"` // in sweep; null if the configuration is not in it
	B           *cellJSON         `json:"b"` // in vs; null without vs or if not in it
	Delta       num               `json:"delta"`
	P           *num              `json:"p"`
	Significant bool              `json:"significant"`
	Notes       []string          `json:"notes"`
}

type cellJSON struct {
	N      int      `json:"n"`
	Mean   num      `json:"mean"`
	SD     num      `json:"sd"`
	Values []num    `json:"values"`
	RunIDs []int64  `json:"run_ids"` // every run of the configuration, done or not
	Notes  []string `json:"notes"`
}

// sweepGroups answers GET /api/sweeps/SWEEP/groups.
func (s *Server) sweepGroups(r *http.Request) (any, error) {
	q, err := queryParams(r, "metric", "best", "vs", "alpha")
	if err != nil {
		return nil, err
	}
	opt := report.Options{Metric: report.TestAcc, Alpha: report.DefaultAlpha}
	if v := q.Get("metric"); v != "" {
		if opt.Metric, err = report.ParseMetric(v); err != nil {
			return nil, badRequest("metric: %v", err)
		}
	}
	if v := q.Get("best"); v != "" {
		if opt.Best, err = strconv.ParseBool(v); err != nil {
			return nil, badRequest("best=%.20q: want 1 or 0 (true or false)", v)
		}
	}
	if v := q.Get("alpha"); v != "" {
		if opt.Alpha, err = strconv.ParseFloat(v, 64); err != nil || !(opt.Alpha > 0 && opt.Alpha < 1) {
			return nil, badRequest("alpha=%.20q: want a number in (0, 1)", v)
		}
	}
	db, release, err := s.src.get(r.Context())
	if err != nil {
		return nil, err
	}
	defer release()
	refs := []string{r.PathValue("sweep")}
	if q.Has("vs") {
		refs = append(refs, q.Get("vs"))
	}
	sweeps := make([]*report.Sweep, 2)
	for i, ref := range refs {
		rec, err := s.findSweep(r.Context(), db, ref)
		if err != nil {
			return nil, err
		}
		// The comparison reads final and best epochs: not the step logs.
		if sweeps[i], err = report.LoadWith(r.Context(), db, rec.ID, report.LoadOptions{NoSteps: true}); err != nil {
			return nil, err
		}
	}
	t, err := report.Compare(sweeps[0], sweeps[1], opt)
	if err != nil {
		return nil, badRequest("%v", err)
	}

	out := groupsJSON{
		Sweep: refOf(t.A), Metric: t.Metric, Best: t.Best, Alpha: t.Alpha, Columns: nonNil(t.Columns),
		Rows: []groupRowJSON{}, BestRow: t.BestRow, BestRowA: t.BestRowA, Notes: nonNil(t.Notes),
	}
	if t.B != nil {
		ref := refOf(t.B)
		out.Vs = &ref
	}
	runIDs := [2]map[string][]int64{groupRuns(t.A), groupRuns(t.B)}
	for _, row := range t.Rows {
		key := row.Config.Key() // Config has seed 0
		g := groupRowJSON{
			Group: key, Label: report.Label(row.Config, t.Columns), Params: map[string]string{},
			A: cellOf(row.A, runIDs[0][key]), B: cellOf(row.B, runIDs[1][row.ConfigB.Key()]),
			Delta: num(row.Delta), Significant: row.Significant, Notes: nonNil(row.Notes),
		}
		for i, name := range t.Columns {
			g.Params[name] = row.Params[i]
		}
		if row.Test != nil {
			p := num(row.Test.P)
			g.P = &p
		}
		out.Rows = append(out.Rows, g)
	}
	return out, nil
}

func refOf(s *report.Sweep) sweepRef {
	return sweepRef{ID: s.ID, Name: s.Name, Status: string(s.Status), Runs: len(s.Runs)}
}

// groupRuns maps each configuration of s (its key with seed 0) to the
// ids of its runs; nil for a nil sweep.
func groupRuns(s *report.Sweep) map[string][]int64 {
	if s == nil {
		return nil
	}
	m := map[string][]int64{}
	for _, r := range s.Runs {
		c := r.Config
		c.Seed = 0
		m[c.Key()] = append(m[c.Key()], r.ID)
	}
	return m
}

func cellOf(c *report.Cell, runIDs []int64) *cellJSON {
	if c == nil {
		return nil
	}
	return &cellJSON{N: c.N, Mean: num(c.Mean), SD: num(c.SD), Values: nums(c.Values),
		RunIDs: nonNil(runIDs), Notes: nonNil(c.Notes)}
}

// nonNil returns s, or an empty slice for nil, which JSON gives as [].
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
