package report

import (
	"fmt"
	"slices"
	"strings"

	"runner/internal/train"
)

// PlotOptions says what Plots draws.
type PlotOptions struct {
	// Metrics are the metrics of the learning curves; nil is train_loss
	// and test_acc.
	Metrics []Metric
	// Smooth is the window of the moving average of the curves (Smooth);
	// 1 or less for none.
	Smooth int
	// Facet, when not "", is a hyperparameter of the sweep (one of
	// Columns): the curves and the paths are drawn as small multiples, one
	// panel per value of it.
	Facet string
	// Top, when > 0, keeps the Top best configurations by the final value
	// of Metrics[0] (Rank), and draws their curves one panel each (or per
	// value of Facet), in rank order. Beside a held-out accuracy (val_acc,
	// test_acc), the panels draw train_acc too, as the book's figure 6-24.
	Top int
	// Epoch is the epoch of the layer histograms: 0, before training, by
	// default.
	Epoch int
}

// Plots returns the figures of s, chosen by what its runs recorded:
//
//   - a learning-rate range test (IsLRFind): its one figure (LRFind);
//   - function runs (dataset "function"): their paths (Paths), and the
//     value f(x) at each step on a log scale, the loss figure renamed;
//   - runs that logged their layers: the activation histograms at
//     opt.Epoch (Layers);
//   - runs that trained at least one epoch: the learning curves of
//     Figures, as small multiples with opt.Facet or opt.Top (Facet, Top).
//
// The notes say what was left out. Every error is one of input: an unknown
// facet, a metric the sweep did not record, an epoch it did not reach.
func Plots(s *Sweep, opt PlotOptions) ([]Drawing, []string, error) {
	if IsLRFind(s) {
		return lrFindPlots(s, opt)
	}
	metrics := opt.Metrics
	if len(metrics) == 0 {
		metrics = []Metric{TrainLoss, TestAcc}
	}
	if opt.Facet != "" {
		if err := checkFacet(s, Columns(s), opt.Facet); err != nil {
			return nil, nil, err
		}
	}
	var out []Drawing
	var notes []string
	note := func(ns []string) {
		for _, n := range ns {
			if !slices.Contains(notes, n) {
				notes = append(notes, n)
			}
		}
	}
	fn := IsFunction(s)
	if fn {
		paths, n, err := Paths(s, opt.Facet)
		if err != nil {
			return nil, nil, err
		}
		note(n)
		out = append(out, paths)
		if bad := slices.DeleteFunc(slices.Clone(metrics), func(m Metric) bool { return m == TrainLoss }); len(bad) > 0 && opt.Metrics != nil {
			return nil, nil, fmt.Errorf("plot: %s minimizes functions: its runs record f(x) as train_loss, no %s", s, bad[0])
		}
		metrics = []Metric{TrainLoss}
	}
	if hasLayers(s) {
		figs, n, err := Layers(s, opt.Epoch)
		if err != nil {
			return nil, nil, err
		}
		note(n)
		for _, f := range figs {
			out = append(out, f)
		}
	} else if opt.Epoch != 0 {
		return nil, nil, fmt.Errorf("plot: --epoch %d: %s logged no layer statistics (log_layers)", opt.Epoch, s)
	}
	if !trained(s) {
		if len(out) == 0 {
			return nil, nil, fmt.Errorf("plot: %s has no run that trained an epoch, nothing to draw", s)
		}
		return out, notes, nil
	}

	curveSweep := s
	var ranked []Ranked
	if opt.Top > 0 {
		var n []string
		curveSweep, ranked, n = Top(s, metrics[0], opt.Top)
		note(n)
		if len(ranked) == 0 {
			return nil, nil, fmt.Errorf("plot: --top: no configuration of %s has a final %s", s, metrics[0])
		}
		if len(ranked) < opt.Top {
			note([]string{fmt.Sprintf("--top %d: %s has %d ranked configurations, all drawn", opt.Top, s, len(ranked))})
		}
		if m := metrics[0]; (m == ValAcc || m == TestAcc) && !slices.Contains(metrics, TrainAcc) {
			metrics = append(slices.Clone(metrics), TrainAcc)
		}
	}
	figs, n, err := Figures(curveSweep, metrics, opt.Smooth)
	if err != nil {
		return nil, nil, err
	}
	note(n)
	if fn {
		for _, f := range figs {
			f.Name = "values"
			f.Title = fmt.Sprintf("%s: f(x, y) at each step", curveSweep) + f.note
			f.XLabel = "step"
			f.YLabel = strings.Replace(f.YLabel, "train_loss", "f(x, y)", 1)
		}
	}
	switch {
	case opt.Top > 0 && opt.Facet == "":
		for _, f := range topPanels(figs, ranked, metrics[0], Columns(curveSweep), opt.Top) {
			out = append(out, f)
		}
	case opt.Facet != "":
		if opt.Top > 0 {
			if err := checkFacet(curveSweep, Columns(curveSweep), opt.Facet); err != nil {
				return nil, nil, fmt.Errorf("%w (among the %d best)", err, len(ranked))
			}
			for _, f := range figs {
				f.Title = f.titleWith(fmt.Sprintf(" of the %d best by final %s", len(ranked), metrics[0]))
			}
		}
		ffs, err := Facet(curveSweep, figs, opt.Facet)
		if err != nil {
			return nil, nil, err
		}
		for _, f := range ffs {
			if opt.Top > 0 {
				f.Name = strings.Replace(f.Name, "-by-", fmt.Sprintf("-top%d-by-", opt.Top), 1)
			}
			out = append(out, f)
		}
	default:
		for _, f := range figs {
			out = append(out, f)
		}
	}
	return out, notes, nil
}

// trained reports whether a run of s recorded an epoch after epoch 0.
func trained(s *Sweep) bool {
	return slices.ContainsFunc(s.Runs, func(r Run) bool {
		return slices.ContainsFunc(r.Epochs, func(e train.EpochMetrics) bool { return e.Epoch > 0 })
	})
}
