package report

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"

	"runner/internal/sweep"
	"runner/internal/train"
)

// FacetFigure is a figure of small multiples of learning curves: a grid
// of panels with shared axes, each with some of a sweep's curves, and one
// legend for all. Facet makes one panel per value of a hyperparameter,
// Top one per configuration of the best.
type FacetFigure struct {
	Name   string // what it shows, for file names: "accuracy-by-init", "accuracy-top20"
	Title  string
	XLabel string // under the grid
	YLabel string // left of the grid
	LogY   bool   // a logarithmic y axis
	// FitAfterStart fits the shared y axis to the points after each
	// curve's first, as Figure.FitAfterStart does.
	FitAfterStart bool
	// ByMetric colours the lines by metric, for panels that each hold one
	// configuration; otherwise Curve.Group is the colour, the same in
	// every panel, and Curve.Label names it in the legend.
	ByMetric bool
	Panels   []Panel
}

// Panel is one panel of a FacetFigure.
type Panel struct {
	Title  string
	Curves []Curve
}

// Kind returns f.Name.
func (f *FacetFigure) Kind() string { return f.Name }

// The size of a cell of a FacetFigure.
const (
	facetCellW = 2.8 * vg.Inch
	facetCellH = 2.2 * vg.Inch
)

// figure returns the Figure of curves drawn with f's settings.
func (f *FacetFigure) figure(title string, curves []Curve) *Figure {
	var all Figure
	for _, p := range f.Panels {
		all.Curves = append(all.Curves, p.Curves...)
	}
	return &Figure{Title: title, XLabel: f.XLabel, YLabel: f.YLabel, LogY: f.LogY,
		FitAfterStart: f.FitAfterStart, byMetric: f.ByMetric, metricOrder: all.metrics(), Curves: curves}
}

// Write draws the figure in format, "png" or "svg", to w.
func (f *FacetFigure) Write(w io.Writer, format string) error {
	if len(f.Panels) == 0 {
		return fmt.Errorf("draw figure %q: no panel to draw", f.Title)
	}
	// The figure of every curve gives the shared axes and the legend.
	var all []Curve
	for _, p := range f.Panels {
		all = append(all, p.Curves...)
	}
	// The legend lists the lines in the order of their colours.
	slices.SortStableFunc(all, func(a, b Curve) int { return a.Group - b.Group })
	whole, legend, err := f.figure(f.Title, all).build()
	if err != nil {
		return fmt.Errorf("draw figure %q: %w", f.Title, err)
	}
	panels := make([]*plot.Plot, len(f.Panels))
	for i, pn := range f.Panels {
		if len(pn.Curves) == 0 {
			continue
		}
		pf := f.figure(pn.Title, pn.Curves)
		pf.panel = true
		p, _, err := pf.build()
		if err != nil {
			return fmt.Errorf("draw figure %q: panel %q: %w", f.Title, pn.Title, err)
		}
		restyle(p)
		p.X.Label.Text, p.Y.Label.Text = "", ""
		p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = whole.X.Min, whole.X.Max, whole.Y.Min, whole.Y.Max
		panels[i] = p
	}
	_, cols := layout(len(panels))
	plots := toGrid(panels, cols)
	shareAxes(plots)
	g := &grid{title: f.Title, footer: whole.X.Label.Text, ylabel: f.YLabel, plots: plots, cellW: facetCellW, cellH: facetCellH, legend: legend}
	if err := g.write(w, format); err != nil {
		return fmt.Errorf("draw figure %q: %w", f.Title, err)
	}
	return nil
}

// Facet returns the figures of figs split into panels by the value of the
// hyperparameter key of each curve's configuration (the groups of s that
// Curve.Group indexes), in the order the values first appear in the
// sweep. Within a panel the lines are the configurations told apart by
// the other hyperparameters that vary, each with one colour in every
// panel. key must be one of Columns(s).
func Facet(s *Sweep, figs []*Figure, key string) ([]*FacetFigure, error) {
	columns := Columns(s)
	if err := checkFacet(s, columns, key); err != nil {
		return nil, err
	}
	var rest []string
	for _, c := range columns {
		if c != key {
			rest = append(rest, c)
		}
	}
	// The panels and the lines in the sweep's order, whether drawn or not.
	groups := s.Groups()
	var values, lines []string
	panelOf, lineOf := make([]int, len(groups)), make([]int, len(groups))
	for gi, g := range groups {
		v := cmp.Or(sweep.Param(g.Config, key), "-")
		if panelOf[gi] = slices.Index(values, v); panelOf[gi] < 0 {
			panelOf[gi] = len(values)
			values = append(values, v)
		}
		label := Label(g.Config, rest)
		if lineOf[gi] = slices.Index(lines, label); lineOf[gi] < 0 {
			lineOf[gi] = len(lines)
			lines = append(lines, label)
		}
	}
	var out []*FacetFigure
	for _, f := range figs {
		ff := facetOf(f, "-by-"+fileSafePart(key))
		ff.Title = f.titleWith(" by " + key)
		// One line per panel: the legend names it by metric.
		ff.ByMetric = len(lines) == 1
		panels := make([]Panel, len(values))
		for i, v := range values {
			panels[i].Title = key + "=" + v
		}
		drawn := map[int]bool{}
		for _, c := range f.Curves {
			gi := c.Group
			drawn[gi] = true
			c.Label, c.Group = lines[lineOf[gi]], lineOf[gi]
			panels[panelOf[gi]].Curves = append(panels[panelOf[gi]].Curves, c)
		}
		// Say in its panel which configuration is missing, and why.
		for gi, g := range groups {
			if drawn[gi] || len(lines) == 1 {
				continue
			}
			why := map[train.Status]int{}
			for _, r := range g.Runs {
				if r.Status != train.Done {
					why[r.Status]++
				}
			}
			reason := "nothing recorded"
			if len(why) > 0 {
				reason = statusCounts(why)
			}
			panels[panelOf[gi]].Title += fmt.Sprintf("\n(%s not drawn: %s)", lines[lineOf[gi]], reason)
		}
		for _, p := range panels {
			if len(p.Curves) > 0 {
				ff.Panels = append(ff.Panels, p)
			}
		}
		out = append(out, ff)
	}
	return out, nil
}

// facetOf returns a FacetFigure with f's settings and name+suffix.
func facetOf(f *Figure, suffix string) *FacetFigure {
	return &FacetFigure{Name: f.Name + suffix, Title: f.Title, XLabel: f.XLabel, YLabel: f.YLabel,
		LogY: f.LogY, FitAfterStart: f.FitAfterStart}
}

// checkFacet returns an error unless key is one of columns, saying which
// keys are.
func checkFacet(s *Sweep, columns []string, key string) error {
	if slices.Contains(columns, key) {
		return nil
	}
	known := "none: its runs differ in their seed only"
	if len(columns) > 0 {
		known = strings.Join(columns, ", ")
	}
	if key == "seed" {
		return fmt.Errorf("plot: --facet seed: the curves are means over seeds; facet by one of the hyperparameters that vary in %s: %s", s, known)
	}
	for _, r := range s.Runs {
		if v := sweep.Param(r.Config, key); v != "" {
			return fmt.Errorf("plot: --facet %s: every run of %s has %s=%s; facet by one of the hyperparameters that vary: %s", key, s, key, v, known)
		}
	}
	return fmt.Errorf("plot: --facet %q: not a hyperparameter of %s; facet by one of the hyperparameters that vary: %s", key, s, known)
}

// Ranked is a configuration of a sweep with its final value of a metric:
// the mean over its done runs of the value at each run's last epoch.
type Ranked struct {
	Group
	Value float64
	N     int // the done runs with a value
}

// Rank returns the configurations of s with a final value of m, best
// first (ties in the sweep's order), and a note on those without one:
// the configurations none of whose runs finished done (pruned ones
// stopped before their last epoch, so their values do not compare) or
// recorded m.
func Rank(s *Sweep, m Metric) ([]Ranked, []string) {
	var out []Ranked
	left := 0
	why := map[train.Status]int{}
	for _, g := range s.Groups() {
		var vs []float64
		notDone := map[train.Status]int{}
		for _, r := range g.Runs {
			if r.Status != train.Done {
				notDone[r.Status]++
				continue
			}
			if v, ok := m.value(r, false); ok {
				vs = append(vs, v)
			}
		}
		if len(vs) == 0 {
			left++
			for st, n := range notDone {
				why[st] += n
			}
			continue
		}
		out = append(out, Ranked{Group: g, Value: Summarize(vs).Mean, N: len(vs)})
	}
	slices.SortStableFunc(out, func(a, b Ranked) int {
		switch {
		case m.better(a.Value, b.Value):
			return -1
		case m.better(b.Value, a.Value):
			return 1
		}
		return 0
	})
	var notes []string
	if left > 0 {
		note := fmt.Sprintf("%s without a done run with a final %s, not ranked", plural(left, "configuration"), m)
		if len(why) > 0 {
			note += " (their runs: " + statusCounts(why) + ")"
		}
		notes = append(notes, note)
	}
	return out, notes
}

// Top returns the sweep of the n best configurations of s by the final
// value of m (Rank), their runs in rank order, and the ranked
// configurations kept.
func Top(s *Sweep, m Metric, n int) (*Sweep, []Ranked, []string) {
	ranked, notes := Rank(s, m)
	if len(ranked) > n {
		ranked = ranked[:n]
	}
	sub := &Sweep{ID: s.ID, Name: s.Name, Status: s.Status}
	for _, r := range ranked {
		sub.Runs = append(sub.Runs, r.Runs...)
	}
	return sub, ranked, notes
}

// topPanels returns figs (of the sweep Top made) as one panel per
// configuration, in rank order, titled by rank, value and configuration;
// the lines of a panel are its metrics. The figures are named by n, the
// number asked for, whatever the number found.
func topPanels(figs []*Figure, ranked []Ranked, m Metric, columns []string, n int) []*FacetFigure {
	var out []*FacetFigure
	for _, f := range figs {
		ff := facetOf(f, fmt.Sprintf("-top%d", n))
		ff.Title = f.titleWith(fmt.Sprintf(" of the %d best by final %s", len(ranked), m))
		ff.ByMetric = true
		ff.Panels = make([]Panel, len(ranked))
		for i, r := range ranked {
			ff.Panels[i].Title = fmt.Sprintf("#%d  %s %s\n%s", i+1, m, metricValue(r.Value, m),
				shortLabel(r.Config, columns))
		}
		for _, c := range f.Curves {
			ff.Panels[c.Group].Curves = append(ff.Panels[c.Group].Curves, c)
		}
		out = append(out, ff)
	}
	return out
}

// metricValue formats a metric's value for a panel's title: accuracies
// with 3 decimals, losses with 4 significant digits.
func metricValue(v float64, m Metric) string {
	if m.IsAccuracy() {
		return strconv.FormatFloat(v, 'f', 3, 64)
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

// shortLabel is Label with numbers to 3 significant digits, for a panel's
// title: random search draws values like 0.0061273940.
func shortLabel(c train.Config, columns []string) string {
	return label(c, columns, func(v string) string {
		if x, err := strconv.ParseFloat(v, 64); err == nil && !math.IsInf(x, 0) {
			return strconv.FormatFloat(x, 'g', 3, 64)
		}
		return v
	})
}

// fileSafePart turns a value into a part of a file name: letters, digits
// and . _ + - only.
func fileSafePart(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', strings.ContainsRune("._+-", r):
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}
