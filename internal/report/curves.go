package report

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"runner/internal/train"
)

// Curve is one configuration's metric over training, averaged over the
// done runs of its seeds.
//
// X is the epoch (0 = before training), the only unit the database records
// today. A per-iteration table would add a second source of points with X
// the iteration and its own axis label (Figure.XLabel); averaging,
// smoothing and drawing take any X.
type Curve struct {
	Label  string    // the configuration, by the hyperparameters that vary
	Group  int       // the configuration's index among the sweep's groups: its colour
	Metric Metric    // what Y is
	Runs   int       // the done runs averaged
	X, Y   []float64 // the points, X increasing; Y finite
}

// Curves returns one curve of m per configuration of s: at each epoch, the
// mean of m over the configuration's done runs that recorded it, then
// smoothed by Smooth over window. Configurations without a done run are
// left out, and so are runs not done; notes say which.
func Curves(s *Sweep, m Metric, window int) ([]Curve, []string) {
	columns := Columns(s)
	var curves []Curve
	var notes []string
	for gi, g := range s.Groups() {
		label := Label(g.Config, columns)
		var done []Run
		notDone := map[train.Status]int{}
		for _, r := range g.Runs {
			if r.Status == train.Done {
				done = append(done, r)
			} else {
				notDone[r.Status]++
			}
		}
		if len(notDone) > 0 {
			notes = append(notes, fmt.Sprintf("%s: %s not done, left out (%s)",
				label, plural(len(g.Runs)-len(done), "run"), statusCounts(notDone)))
		}
		c := meanCurve(done, m)
		if len(c.X) == 0 {
			if len(done) > 0 {
				notes = append(notes, fmt.Sprintf("%s: no %s recorded, not drawn", label, m))
			}
			continue
		}
		c.Label, c.Group, c.Metric, c.Runs = label, gi, m, len(done)
		c.Y = Smooth(c.Y, window)
		curves = append(curves, c)
	}
	return curves, notes
}

// meanCurve averages m over runs (Summarize) at each epoch that some run
// recorded with a finite value.
func meanCurve(runs []Run, m Metric) Curve {
	values := map[int][]float64{}
	last := -1
	for _, r := range runs {
		for _, e := range r.Epochs {
			v := m.Of(e)
			if math.IsNaN(v) || math.IsInf(v, 0) {
				continue
			}
			values[e.Epoch] = append(values[e.Epoch], v)
			last = max(last, e.Epoch)
		}
	}
	var c Curve
	for e := 0; e <= last; e++ {
		if len(values[e]) > 0 {
			c.X = append(c.X, float64(e))
			c.Y = append(c.Y, Summarize(values[e]).Mean)
		}
	}
	return c
}

// Smooth returns the trailing moving average of ys over window points: each
// point becomes the mean of itself and the window−1 points before it (fewer
// at the start, so the first point is unchanged). A trailing window does not
// look ahead, so a smoothed curve never anticipates a change, at the cost of
// lagging it by (window−1)/2 points. A window of 1 or less returns ys
// unchanged.
func Smooth(ys []float64, window int) []float64 {
	if window <= 1 {
		return ys
	}
	out := make([]float64, len(ys))
	for i := range ys {
		lo := max(0, i-window+1)
		var sum float64
		for _, y := range ys[lo : i+1] {
			sum += y
		}
		out[i] = sum / float64(i+1-lo)
	}
	return out
}

// Figures returns the figures of s for metrics: "loss" with the curves of
// train_loss, on a logarithmic axis, and "accuracy" with those of the
// accuracies, each configuration averaged over seeds and smoothed over
// window epochs (see Smooth). A figure none of whose metrics is in
// metrics is left out. The notes say which runs and configurations are
// not drawn. It is an error when a figure would have no curve.
func Figures(s *Sweep, metrics []Metric, window int) ([]*Figure, []string, error) {
	loss := &Figure{Name: "loss", Title: fmt.Sprintf("%s: training loss", s), XLabel: "epoch",
		YLabel: "train_loss (log scale)", LogY: true}
	acc := &Figure{Name: "accuracy", Title: fmt.Sprintf("%s: accuracy", s), XLabel: "epoch",
		FitAfterStart: true}
	var notes []string
	var accMetrics []string
	for _, m := range metrics {
		curves, n := Curves(s, m, window)
		for _, note := range n {
			if !slices.Contains(notes, note) {
				notes = append(notes, note)
			}
		}
		if len(curves) == 0 {
			if m == ValAcc {
				return nil, nil, fmt.Errorf("plot: %s has no val_acc: its runs hold out no validation images", s)
			}
			return nil, nil, fmt.Errorf("plot: %s has no done run with %s to draw", s, m)
		}
		if m == TrainLoss {
			loss.Curves = append(loss.Curves, curves...)
		} else {
			acc.Curves = append(acc.Curves, curves...)
			accMetrics = append(accMetrics, string(m))
		}
	}
	// A loss that is not positive everywhere (not possible for a
	// cross-entropy, but cheap to allow) gets a linear axis.
	for _, c := range loss.Curves {
		if slices.ContainsFunc(c.Y, func(y float64) bool { return !(y > 0) }) {
			loss.LogY = false
			loss.YLabel = "train_loss"
		}
	}
	// train_loss includes the weight decay's ½λΣ‖W‖²: say so where a run
	// has one, since the penalty, not the fit, may then dominate it.
	if slices.ContainsFunc(s.Runs, func(r Run) bool { return r.Config.Model.WeightDecay > 0 }) {
		loss.Title = fmt.Sprintf("%s: training loss with the L2 term ½λΣ‖W‖²", s)
		loss.YLabel = strings.Replace(loss.YLabel, "train_loss", "train_loss with ½λΣ‖W‖²", 1)
	}
	acc.YLabel = strings.Join(accMetrics, ", ")
	// Where the sweep logged steps, the loss per iteration too, as the
	// book's figures 6-9 and 6-15 plot it.
	steps := &Figure{Name: "steps", Title: fmt.Sprintf("%s: training loss per iteration", s), XLabel: "iteration",
		YLabel: "minibatch loss (log scale)", LogY: true}
	if slices.Contains(metrics, TrainLoss) {
		steps.Curves = stepCurves(s, window)
	}
	for _, c := range steps.Curves {
		if slices.ContainsFunc(c.Y, func(y float64) bool { return !(y > 0) }) {
			steps.LogY, steps.YLabel = false, "minibatch loss"
		}
	}
	var figs []*Figure
	for _, f := range []*Figure{loss, acc, steps} {
		if len(f.Curves) > 0 {
			f.note = ", " + averaging(f.Curves, window)
			f.Title += f.note
			figs = append(figs, f)
		}
	}
	return figs, notes, nil
}

// averaging says how the points of curves were made, for a title: "mean
// over 3 seeds", "1 seed", "mean over seeds, moving average of 3 epochs".
func averaging(curves []Curve, window int) string {
	what := "mean over seeds"
	if n := curves[0].Runs; !slices.ContainsFunc(curves, func(c Curve) bool { return c.Runs != n }) {
		what = fmt.Sprintf("mean over %d seeds", n)
		if n == 1 {
			what = "1 seed"
		}
	}
	if window > 1 {
		what += fmt.Sprintf(", moving average of %d epochs", window)
	}
	return what
}

// stepCurves returns, per configuration, the mean over its done runs of the
// logged minibatch losses against the step, smoothed over window points;
// none when the sweep logged no steps.
func stepCurves(s *Sweep, window int) []Curve {
	columns := Columns(s)
	var curves []Curve
	for gi, g := range s.Groups() {
		sum, count := map[int]float64{}, map[int]int{}
		var order []int
		runs := 0
		for _, r := range g.Runs {
			if r.Status != train.Done || len(r.Steps) == 0 {
				continue
			}
			runs++
			for _, st := range r.Steps {
				if math.IsNaN(st.Loss) || math.IsInf(st.Loss, 0) {
					continue
				}
				if count[st.Step] == 0 {
					order = append(order, st.Step)
				}
				sum[st.Step] += st.Loss
				count[st.Step]++
			}
		}
		if len(order) == 0 {
			continue
		}
		slices.Sort(order)
		c := Curve{Label: Label(g.Config, columns), Group: gi, Metric: TrainLoss, Runs: runs}
		for _, step := range order {
			c.X = append(c.X, float64(step))
			c.Y = append(c.Y, sum[step]/float64(count[step]))
		}
		c.Y = Smooth(c.Y, window)
		curves = append(curves, c)
	}
	return curves
}
