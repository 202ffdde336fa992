package report

import (
	"cmp"
	"fmt"
	"image/color"
	"io"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"runner/internal/sweep"
)

// ScatterFigure is the metric of a search's configurations against each
// hyperparameter it draws from a distribution, one panel each (log axes
// where the distribution is log_uniform), and, when there are at least
// two, the map of the first two with every configuration a dot coloured by
// the metric: figure 6-24's question, where in lr × weight decay the good
// trials lie.
type ScatterFigure struct {
	a     *Analysis
	dims  []int       // the indices in a.Dims of the numeric dimensions drawn
	x     [][]float64 // x[k][t]: dimension dims[k]'s value of trial t (NaN if unset)
	y     []float64   // each trial's metric
	title string
}

// Kind is "scatter".
func (f *ScatterFigure) Kind() string { return "scatter" }

// Scatter returns the scatter figure of an analysis, or an error when the
// sweep draws no number from a distribution.
func Scatter(a *Analysis) (*ScatterFigure, error) {
	f := &ScatterFigure{a: a, title: fmt.Sprintf("%s: %s of each configuration, by its best epoch", a.Sweep, a.Metric)}
	// Most important first: the map puts the two that matter most on its
	// axes.
	importance := map[string]float64{}
	for _, r := range a.Report.Params {
		importance[r.Name] = r.Importance
	}
	for i, d := range a.Dims {
		if d.Dist != "" {
			f.dims = append(f.dims, i)
		}
	}
	slices.SortStableFunc(f.dims, func(i, j int) int { return cmp.Compare(importance[a.Names[j]], importance[a.Names[i]]) })
	if len(f.dims) == 0 {
		return nil, fmt.Errorf("plot: %s draws no hyperparameter from a distribution: no scatter to draw", a.Sweep)
	}
	f.x = make([][]float64, len(f.dims))
	for _, g := range a.Sweep.Groups() {
		var values []float64
		for _, r := range g.Runs {
			if v, ok := a.Metric.value(r, true); ok && len(r.Epochs) > 1 {
				values = append(values, v)
			}
		}
		if len(values) == 0 {
			continue
		}
		vals := dimensionValues(a.Dims, g.Runs[0].Config)
		for k, i := range f.dims {
			x, ok := vals[a.Names[i]]
			if !ok {
				x = math.NaN()
			}
			f.x[k] = append(f.x[k], x)
		}
		f.y = append(f.y, Summarize(values).Mean)
	}
	return f, nil
}

// Write draws the figure in format, png or svg.
func (f *ScatterFigure) Write(w io.Writer, format string) error {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range f.y {
		lo, hi = min(lo, v), max(hi, v)
	}
	var panels []*plot.Plot
	for k, i := range f.dims {
		d := f.a.Dims[i]
		p := newPanel(f.a.Names[i])
		p.X.Label.Text, p.Y.Label.Text = f.a.Names[i], string(f.a.Metric)
		setScale(&p.X, d)
		var pts plotter.XYs
		for t, x := range f.x[k] {
			if !math.IsNaN(x) {
				pts = append(pts, plotter.XY{X: x, Y: f.y[t]})
			}
		}
		s, err := plotter.NewScatter(pts)
		if err != nil {
			return err
		}
		s.GlyphStyle = draw.GlyphStyle{Color: palette[0], Radius: vg.Points(2.2), Shape: draw.CircleGlyph{}}
		p.Add(plotter.NewGrid(), s)
		p.X.Min, p.X.Max = d.Low, d.High
		panels = append(panels, p)
	}
	if len(f.dims) >= 2 {
		panels = append(panels, f.mapPanel(lo, hi))
	}
	_, cols := layout(len(panels))
	g := &grid{title: f.title, plots: toGrid(panels, cols), cellW: 3.2 * vg.Inch, cellH: 2.6 * vg.Inch,
		footer: fmt.Sprintf("one dot per configuration (seeds pooled); the map's colour is %s, from %.3g (light) to %.3g (dark)", f.a.Metric, lo, hi)}
	return g.write(w, format)
}

// mapPanel draws the first two dimensions against each other, each
// configuration a dot coloured by its metric.
func (f *ScatterFigure) mapPanel(lo, hi float64) *plot.Plot {
	dx, dy := f.a.Dims[f.dims[0]], f.a.Dims[f.dims[1]]
	p := newPanel(fmt.Sprintf("%s × %s", f.a.Names[f.dims[0]], f.a.Names[f.dims[1]]))
	p.X.Label.Text, p.Y.Label.Text = f.a.Names[f.dims[0]], f.a.Names[f.dims[1]]
	setScale(&p.X, dx)
	setScale(&p.Y, dy)
	var pts plotter.XYs
	var shades []float64
	for t := range f.y {
		if x, y := f.x[0][t], f.x[1][t]; !math.IsNaN(x) && !math.IsNaN(y) {
			pts = append(pts, plotter.XY{X: x, Y: y})
			shades = append(shades, shade(f.y[t], lo, hi))
		}
	}
	if s, err := plotter.NewScatter(pts); err == nil {
		s.GlyphStyleFunc = func(i int) draw.GlyphStyle {
			return draw.GlyphStyle{Color: blend(shades[i]), Radius: vg.Points(3), Shape: draw.CircleGlyph{}}
		}
		p.Add(s)
	}
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = dx.Low, dx.High, dy.Low, dy.High
	return p
}

// setScale puts a on a log scale for a log_uniform dimension.
func setScale(a *plot.Axis, d sweep.Dimension) {
	if d.Log() {
		a.Scale = plot.LogScale{}
		a.Tick.Marker = decadeTicks{}
	}
}

// shade maps v in [lo, hi] to [0, 1].
func shade(v, lo, hi float64) float64 {
	if !(hi > lo) {
		return 1
	}
	return (v - lo) / (hi - lo)
}

// blend returns the colour of a shade: pale yellow at 0 to dark blue at 1.
func blend(t float64) color.Color {
	from, to := [3]float64{255, 237, 160}, [3]float64{8, 48, 107}
	var c [3]uint8
	for i := range c {
		c[i] = uint8(from[i] + (to[i]-from[i])*t)
	}
	return color.RGBA{c[0], c[1], c[2], 0xff}
}

// SearchScatter returns the scatter figure of a random, Halton or tpe search
// (spec is the experiment file recorded with s), ranked by validation
// accuracy (the value, for runs on functions); nil for other sweeps, and
// with a note when the search cannot be analysed yet (too few
// configurations with the metric).
func SearchScatter(s *Sweep, spec *sweep.Spec) (Drawing, string) {
	if m := spec.Search.Method; m != "random" && m != "halton" && m != "tpe" {
		return nil, ""
	}
	metric := ValAcc
	if IsFunction(s) {
		metric = TrainLoss
	}
	a, err := Analyze(s, spec, metric)
	if err != nil {
		return nil, fmt.Sprintf("no scatter: %v", err)
	}
	f, err := Scatter(a)
	if err != nil {
		return nil, err.Error()
	}
	return f, ""
}

// decadeTicks marks a log axis at every power of ten, labelled, with the
// 2 … 9 multiples between them unlabelled: a search's bounds span decades.
type decadeTicks struct{}

// Ticks returns the ticks between lo and hi (both > 0).
func (decadeTicks) Ticks(lo, hi float64) []plot.Tick {
	var ticks []plot.Tick
	for e := math.Floor(math.Log10(lo)); e <= math.Ceil(math.Log10(hi)); e++ {
		for m := 1; m < 10; m++ {
			v := float64(m) * math.Pow(10, e)
			if v < lo*(1-1e-9) || v > hi*(1+1e-9) {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 {
				t.Label = strconv.FormatFloat(v, 'g', -1, 64)
			}
			ticks = append(ticks, t)
		}
	}
	return ticks
}
