package web

import (
	"cmp"
	"net/http"
	"slices"

	"runner/internal/importance"
	"runner/internal/report"
	"runner/internal/sweep"
)

// analysisJSON is what runner analyze prints, for GET
// /api/sweeps/SWEEP/analysis.
type analysisJSON struct {
	Sweep    sweepRef      `json:"sweep"`
	Metric   report.Metric `json:"metric"`
	Trials   int           `json:"trials"` // configurations analysed, seeds pooled
	Top      int           `json:"top"`    // of them, the best that the importances compare with the rest
	Params   []paramJSON   `json:"params"` // most important first
	Warnings []string      `json:"warnings"`
	Bounds   []boundJSON   `json:"bounds"`
	Method   string        `json:"method"`
}

// paramJSON is one hyperparameter of an analysis.
type paramJSON struct {
	Name       string   `json:"name"`
	Path       string   `json:"path"`
	Entry      string   `json:"entry,omitempty"`
	Dist       string   `json:"dist,omitempty"` // uniform, log_uniform, int_uniform; absent for a choice
	Low        *num     `json:"low,omitempty"`  // the distribution's bounds
	High       *num     `json:"high,omitempty"`
	Choices    []string `json:"choices,omitempty"` // a choice's values
	Importance num      `json:"importance"`
	BestLow    num      `json:"best_low"` // the range of the best configurations' values (null for a choice)
	BestHigh   num      `json:"best_high"`
	BestCounts []int    `json:"best_counts,omitempty"` // a choice: the best configurations per value
	Trials     int      `json:"trials"`                // configurations that set it
}

// boundJSON is a warning that the best configurations crowd a bound.
type boundJSON struct {
	Param string `json:"param"`
	Upper bool   `json:"upper"`
	Value num    `json:"value"`
	Near  int    `json:"near"` // best configurations within the margin of the bound
	Top   int    `json:"top"`
}

// sweepAnalysis answers GET /api/sweeps/SWEEP/analysis[?metric=M]: the
// numbers of runner analyze.
func (s *Server) sweepAnalysis(r *http.Request) (any, error) {
	sw, spec, metric, err := s.searchOf(r)
	if err != nil {
		return nil, err
	}
	a, err := report.Analyze(sw, spec, metric)
	if err != nil {
		return nil, badRequest("%v", err)
	}
	out := analysisJSON{Sweep: refOf(sw), Metric: metric, Trials: a.Trials, Top: a.Report.Top,
		Params: []paramJSON{}, Warnings: []string{}, Bounds: []boundJSON{}, Method: "PED-ANOVA"}
	dims := map[string]sweep.Dimension{}
	for i, d := range a.Dims {
		dims[a.Names[i]] = d
	}
	results := slices.Clone(a.Report.Params)
	slices.SortStableFunc(results, func(x, y importance.Result) int { return cmp.Compare(y.Importance, x.Importance) })
	for _, res := range results {
		d := dims[res.Name]
		p := paramJSON{Name: res.Name, Path: d.Path, Entry: d.Entry, Dist: d.Dist, Choices: d.Choices,
			Importance: num(res.Importance), BestLow: num(res.Low), BestHigh: num(res.High), BestCounts: res.Counts, Trials: res.Set}
		if d.Dist != "" {
			lo, hi := num(d.Low), num(d.High)
			p.Low, p.High = &lo, &hi
		}
		out.Params = append(out.Params, p)
	}
	for _, b := range a.Report.Warnings() {
		out.Warnings = append(out.Warnings, b.String())
		out.Bounds = append(out.Bounds, boundJSON{Param: b.Param, Upper: b.Upper, Value: num(b.Value), Near: b.Near, Top: b.Top})
	}
	return out, nil
}
