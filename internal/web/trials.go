package web

import (
	"net/http"

	"runner/internal/report"
	"runner/internal/sweep"
)

// trialsJSON is a search run by run, for GET /api/sweeps/SWEEP/trials:
// what the page's parallel coordinates and scatters draw.
type trialsJSON struct {
	Sweep          sweepRef      `json:"sweep"`
	Search         string        `json:"search"` // the spec's search method: grid, random, halton, …
	Metric         report.Metric `json:"metric"`
	HigherIsBetter bool          `json:"higher_is_better"`
	Dims           []dimJSON     `json:"dims"`
	Trials         []trialJSON   `json:"trials"`
}

// dimJSON is one hyperparameter the sweep varies (sweep.Dimension).
type dimJSON struct {
	Name    string   `json:"name"` // as the analysis names it: lr, or lr[adam] when entries share it
	Param   string   `json:"param"`
	Path    string   `json:"path"`
	Entry   string   `json:"entry,omitempty"`
	Dist    string   `json:"dist,omitempty"` // uniform, log_uniform, int_uniform; absent for a choice
	Scale   string   `json:"scale"`          // the axis: log, linear or choice
	Low     *num     `json:"low,omitempty"`  // a distribution's bounds
	High    *num     `json:"high,omitempty"`
	Choices []string `json:"choices,omitempty"` // a choice's values
}

// trialJSON is one run: its value of each dimension (in the order of
// dims; a choice's index in choices; null where the run does not take the
// dimension) and the metric it reached, as the analysis counts it.
type trialJSON struct {
	Run    int64  `json:"run"`
	Status string `json:"status"`
	Values []*num `json:"values"`
	Metric num    `json:"metric"`
}

// searchOf reads what an analysis of the sweep of the request's path
// needs: its runs (without their step logs), the experiment file recorded
// with it, and the metric of ?metric= (val_acc by default).
func (s *Server) searchOf(r *http.Request) (*report.Sweep, *sweep.Spec, report.Metric, error) {
	q, err := queryParams(r, "metric")
	if err != nil {
		return nil, nil, "", err
	}
	metric := report.ValAcc
	if v := q.Get("metric"); v != "" {
		if metric, err = report.ParseMetric(v); err != nil {
			return nil, nil, "", badRequest("metric: %v", err)
		}
	}
	db, rec, release, err := s.pathSweep(r)
	defer release()
	if err != nil {
		return nil, nil, "", err
	}
	spec, err := sweep.Parse(rec.File, []byte(rec.Spec), rec.Overrides)
	if err != nil {
		return nil, nil, "", badRequest("sweep %d: its recorded experiment file: %v", rec.ID, err)
	}
	sw, err := report.LoadWith(r.Context(), db, rec.ID, report.LoadOptions{NoSteps: true})
	if err != nil {
		return nil, nil, "", err
	}
	return sw, spec, metric, nil
}

// sweepTrials answers GET /api/sweeps/SWEEP/trials[?metric=M]: the
// hyperparameters the sweep varies, with their scales and bounds, and
// each run's values and reached metric (report.SearchTrials).
func (s *Server) sweepTrials(r *http.Request) (any, error) {
	sw, spec, metric, err := s.searchOf(r)
	if err != nil {
		return nil, err
	}
	t, err := report.SearchTrials(sw, spec, metric)
	if err != nil {
		return nil, badRequest("%v", err)
	}
	out := trialsJSON{Sweep: refOf(sw), Search: spec.Search.Method, Metric: metric, HigherIsBetter: metric.HigherIsBetter(),
		Dims: make([]dimJSON, len(t.Dims)), Trials: make([]trialJSON, len(t.Runs))}
	for i, d := range t.Dims {
		dj := dimJSON{Name: t.Names[i], Param: d.Param, Path: d.Path, Entry: d.Entry, Dist: d.Dist, Scale: scaleOf(d), Choices: d.Choices}
		if d.Dist != "" {
			lo, hi := num(d.Low), num(d.High)
			dj.Low, dj.High = &lo, &hi
		}
		out.Dims[i] = dj
	}
	for i, run := range t.Runs {
		tj := trialJSON{Run: run.ID, Status: string(run.Status), Values: make([]*num, len(t.Dims)), Metric: num(run.Metric)}
		for j, name := range t.Names {
			if v, ok := run.Values[name]; ok {
				n := num(v)
				tj.Values[j] = &n
			}
		}
		out.Trials[i] = tj
	}
	return out, nil
}

// scaleOf is the axis a dimension is drawn on: log for a log_uniform
// distribution, linear for the other distributions, choice for a list of
// values (a grid's axis, a search's choice).
func scaleOf(d sweep.Dimension) string {
	switch {
	case d.Choices != nil:
		return "choice"
	case d.Log():
		return "log"
	}
	return "linear"
}
