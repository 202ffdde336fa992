package report

import (
	"cmp"
	"fmt"
	"image/color"
	"io"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"runner/internal/sweep"
	"runner/internal/train"
)

// LayerFigure is the book's figures 6-10 to 6-14 side by side: the
// histograms of the hidden layers' activations at one epoch, one row per
// hidden layer and one column per configuration.
type LayerFigure struct {
	Name    string // "layers", or "layers-VALUE" for a figure of a split sweep
	Title   string
	Epoch   int
	Columns []LayerColumn
}

// LayerColumn is one configuration of a LayerFigure: its hidden layers'
// statistics at the figure's epoch, pooled over the runs (seeds) that
// recorded them: the histograms' counts summed, the fractions and the
// standard deviation averaged.
type LayerColumn struct {
	Title  string
	Runs   int
	Layers []train.LayerStats // in layer order
}

// Kind returns f.Name.
func (f *LayerFigure) Kind() string { return f.Name }

// maxLayerColumns is the most columns of a LayerFigure: a sweep of more
// configurations is split into one figure per value of its outermost
// varying hyperparameter (weight-init-activations: one per activation,
// the four inits side by side, as the book compares them).
const maxLayerColumns = 6

// hasLayers reports whether a run of s recorded layer statistics.
func hasLayers(s *Sweep) bool {
	return slices.ContainsFunc(s.Runs, func(r Run) bool {
		return slices.ContainsFunc(r.Epochs, func(e train.EpochMetrics) bool { return len(e.Layers) > 0 })
	})
}

// Layers returns the figures of the layer statistics of s at epoch: one,
// or with more than maxLayerColumns configurations one per value of the
// outermost hyperparameter that varies. Configurations without statistics
// at the epoch are left out and noted; it is an error when none has them.
func Layers(s *Sweep, epoch int) ([]*LayerFigure, []string, error) {
	columns := Columns(s)
	type col struct {
		cfg train.Config
		LayerColumn
	}
	var cols []col
	var notes []string
	last := -1
	for _, g := range s.Groups() {
		c := col{cfg: g.Config}
		for _, r := range g.Runs {
			for _, e := range r.Epochs {
				if len(e.Layers) > 0 {
					last = max(last, e.Epoch)
				}
				if e.Epoch == epoch && len(e.Layers) > 0 {
					c.Layers = poolLayers(c.Layers, e.Layers, c.Runs)
					c.Runs++
				}
			}
		}
		if c.Runs == 0 {
			notes = append(notes, fmt.Sprintf("%s: no layer statistics at epoch %d, not drawn", Label(g.Config, columns), epoch))
			continue
		}
		cols = append(cols, c)
	}
	if len(cols) == 0 {
		return nil, nil, fmt.Errorf("plot: --epoch %d: no run of %s recorded layer statistics at epoch %d (they go up to epoch %d)",
			epoch, s, epoch, last)
	}
	split := len(cols) > maxLayerColumns && len(columns) > 1
	titled := columns
	if split {
		titled = columns[1:]
	}
	var figs []*LayerFigure
	index := map[string]int{}
	for _, c := range cols {
		key := ""
		if split {
			key = cmp.Or(sweep.Param(c.cfg, columns[0]), "-")
		}
		i, ok := index[key]
		if !ok {
			i = len(figs)
			index[key] = i
			f := &LayerFigure{Name: "layers", Epoch: epoch,
				Title: fmt.Sprintf("%s: activations of the hidden layers at epoch %d", s, epoch)}
			if split {
				f.Name += "-" + fileSafePart(key)
				f.Title += ", " + columns[0] + "=" + key
			}
			figs = append(figs, f)
		}
		c.Title = Label(c.cfg, titled)
		figs[i].Columns = append(figs[i].Columns, c.LayerColumn)
	}
	return figs, notes, nil
}

// poolLayers adds the statistics of one more run, ls, to pooled, the pool
// of n runs.
func poolLayers(pooled, ls []train.LayerStats, n int) []train.LayerStats {
	if n == 0 {
		out := make([]train.LayerStats, len(ls))
		for i, l := range ls {
			out[i] = l
			out[i].Hist = slices.Clone(l.Hist)
		}
		return out
	}
	for i := range min(len(pooled), len(ls)) {
		p, l := &pooled[i], ls[i]
		if len(p.Hist) != len(l.Hist) || p.HistLo != l.HistLo || p.HistHi != l.HistHi {
			continue // bins that do not match cannot be added
		}
		for k := range p.Hist {
			p.Hist[k] += l.Hist[k]
		}
		p.Below += l.Below
		p.Above += l.Above
		w := 1 / float64(n+1)
		p.Mean += (l.Mean - p.Mean) * w
		p.Std += (l.Std - p.Std) * w
		p.Zeros += (l.Zeros - p.Zeros) * w
		p.Saturated += (l.Saturated - p.Saturated) * w
	}
	return pooled
}

// histogram is one cell's bars: the share of the activations in each bin,
// exact zeros taken out (and counted in zeros), and the shares outside the
// bins.
type histogram struct {
	lo, hi       float64
	share        []float64
	zeros        float64
	below, above float64
}

// histogramOf returns the bars of l.
func histogramOf(l train.LayerStats) histogram {
	h := histogram{lo: l.HistLo, hi: l.HistHi, share: make([]float64, len(l.Hist))}
	total := l.Below + l.Above
	for _, c := range l.Hist {
		total += c
	}
	if total == 0 || len(l.Hist) == 0 || !(l.HistHi > l.HistLo) {
		return h
	}
	counts := make([]float64, len(l.Hist))
	for k, c := range l.Hist {
		counts[k] = float64(c)
	}
	// The zeros of ReLU would tower over the rest: they are stated apart.
	if l.Zeros > 0 && l.HistLo <= 0 && 0 <= l.HistHi {
		k := min(int(-l.HistLo/(l.HistHi-l.HistLo)*float64(len(l.Hist))), len(l.Hist)-1)
		z := math.Min(math.Round(l.Zeros*float64(total)), counts[k])
		counts[k] -= z
		h.zeros = z / float64(total)
	}
	for k, c := range counts {
		h.share[k] = c / float64(total)
	}
	h.below, h.above = float64(l.Below)/float64(total), float64(l.Above)/float64(total)
	return h
}

// Plot draws the bars.
func (h histogram) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	c.SetColor(rgb(0x1f, 0x77, 0xb4))
	w := (h.hi - h.lo) / float64(len(h.share))
	for k, v := range h.share {
		if v <= 0 {
			continue
		}
		x0, x1 := trX(h.lo+float64(k)*w), trX(h.lo+float64(k+1)*w)
		y0, y1 := trY(0), trY(v)
		var pa vg.Path
		pa.Move(vg.Point{X: x0, Y: y0})
		pa.Line(vg.Point{X: x1, Y: y0})
		pa.Line(vg.Point{X: x1, Y: y1})
		pa.Line(vg.Point{X: x0, Y: y1})
		pa.Close()
		c.Fill(pa)
	}
}

// DataRange returns the bins' range and 0 to the tallest bar.
func (h histogram) DataRange() (xmin, xmax, ymin, ymax float64) {
	top := 0.0
	for _, v := range h.share {
		top = math.Max(top, v)
	}
	return h.lo, h.hi, 0, top
}

// caption gives the standard deviation of l, its saturated share, and
// what the bars leave out: "σ 0.58   0: 50%   >1: 17%" (exact zeros, and
// the share above the top bin).
func (h histogram) caption(l train.LayerStats) string {
	var parts []string
	switch {
	case !finite(l.Std):
	case l.Std >= 100:
		parts = append(parts, fmt.Sprintf("σ %.0f", l.Std))
	default:
		parts = append(parts, fmt.Sprintf("σ %.2g", l.Std))
	}
	if finite(l.Saturated) && l.Saturated >= 0.005 {
		parts = append(parts, fmt.Sprintf("sat %.0f%%", 100*l.Saturated))
	}
	if h.zeros >= 0.005 {
		parts = append(parts, fmt.Sprintf("0: %.0f%%", 100*h.zeros))
	}
	if h.below >= 0.005 {
		parts = append(parts, fmt.Sprintf("<%g: %.0f%%", h.lo, 100*h.below))
	}
	if h.above >= 0.005 {
		parts = append(parts, fmt.Sprintf(">%g: %.0f%%", h.hi, 100*h.above))
	}
	return strings.Join(parts, "   ")
}

// The size of a cell of a LayerFigure.
const (
	layerCellW = 2.4 * vg.Inch
	layerCellH = 1.45 * vg.Inch
)

// percentTicks labels a linear axis of shares in percent.
type percentTicks struct{}

// Ticks returns linearTicks with labels in percent.
func (percentTicks) Ticks(lo, hi float64) []plot.Tick {
	ticks := linearTicks{max: 5}.Ticks(100*lo, 100*hi)
	for i := range ticks {
		ticks[i].Value /= 100
		if ticks[i].Label != "" {
			ticks[i].Label += "%"
		}
	}
	return ticks
}

// Write draws the figure in format, "png" or "svg", to w: in each column
// one y scale, that of its tallest bar, so that a configuration's layers
// compare at a glance.
func (f *LayerFigure) Write(w io.Writer, format string) error {
	if len(f.Columns) == 0 {
		return fmt.Errorf("draw figure %q: no configuration to draw", f.Title)
	}
	rows := 0
	for _, c := range f.Columns {
		rows = max(rows, len(c.Layers))
	}
	plots := make([][]*plot.Plot, rows)
	for j := range plots {
		plots[j] = make([]*plot.Plot, len(f.Columns))
	}
	for i, c := range f.Columns {
		top, lo, hi := 0.0, math.Inf(1), math.Inf(-1)
		hs := make([]histogram, len(c.Layers))
		for j, l := range c.Layers {
			hs[j] = histogramOf(l)
			_, _, _, t := hs[j].DataRange()
			top = math.Max(top, t)
			lo, hi = math.Min(lo, l.HistLo), math.Max(hi, l.HistHi)
		}
		if !(top > 0) {
			top = 1
		}
		// Headroom for the captions, a line in the top right corner.
		ymax := top * 1.2
		for j, l := range c.Layers {
			title := ""
			if j == 0 {
				title = c.Title
			}
			p := newPanel(title)
			p.Y.Tick.Marker = percentTicks{}
			p.X.Tick.Marker = linearTicks{max: 5}
			if i == 0 {
				p.Y.Label.Text = fmt.Sprintf("layer %d", l.Layer)
			}
			p.Add(hs[j])
			if cap := hs[j].caption(l); cap != "" {
				labels, err := plotter.NewLabels(plotter.XYLabels{XYs: plotter.XYs{{X: hi, Y: ymax}}, Labels: []string{cap}})
				if err == nil {
					labels.TextStyle[0].XAlign, labels.TextStyle[0].YAlign = text.XRight, text.YTop
					labels.TextStyle[0].Color = color.Gray{Y: 0x30}
					labels.TextStyle[0].Font = font.From(sans, 7)
					labels.Offset = vg.Point{X: -vg.Points(2), Y: -vg.Points(1)}
					p.Add(labels)
				}
			}
			if j+1 < len(c.Layers) {
				p.X.Tick.Marker = unlabelled{p.X.Tick.Marker}
			}
			p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = lo, hi, 0, ymax
			plots[j][i] = p
		}
	}
	g := &grid{title: f.Title, plots: plots, cellW: layerCellW, cellH: layerCellH,
		footer: "activation value, 30 bins; the bars are shares of the probe's activations, one y scale per column\n" +
			"top right: σ, the standard deviation; sat: the share in the flat ends of sigmoid and tanh;\n" +
			"0: exact zeros, left out of the bars; <, >: the shares outside the bins"}
	if err := g.write(w, format); err != nil {
		return fmt.Errorf("draw figure %q: %w", f.Title, err)
	}
	return nil
}
