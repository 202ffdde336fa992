package report

import (
	"cmp"
	"errors"
	"fmt"
	"image/color"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Figure is a plot of curves against a common x axis, drawn by Write, with
// the legend to the right of the plot. Each configuration (Curve.Group) has
// its colour; with more than one metric in a figure, each metric has its
// dash pattern (solid for test_acc and train_loss, dashed for train_acc,
// dotted for val_acc) and the legend lists the configurations and the
// metrics apart.
type Figure struct {
	Name   string // what it shows, for file names: "loss", "accuracy"
	Title  string
	XLabel string // "epoch"
	YLabel string
	LogY   bool // a logarithmic y axis (every Y must be > 0)

	// FitAfterStart fits the y axis to the points after each curve's
	// first: the accuracy of the untrained network (epoch 0, near 0.1)
	// would squash the differences that matter into the top of the plot.
	// The first points then lie off the axis, their segments enter from
	// its edge, and the x axis's label gives their values.
	FitAfterStart bool

	Curves []Curve

	// byMetric colours the curves by metric rather than by configuration
	// (Curve.Group) and lists only the metrics in the legend: for the
	// panels of a FacetFigure that each hold one configuration.
	byMetric    bool
	metricOrder []Metric // the metrics in the order of their colours; nil: as they appear
	panel       bool     // drawn as a panel of small multiples: thinner lines, fewer dots
	note        string   // the end of Title that says how the points were made: ", 1 seed"
}

// titleWith returns the title with phrase inserted before its note:
// "sweep: accuracy" + phrase + ", 1 seed".
func (f *Figure) titleWith(phrase string) string {
	if f.note != "" && strings.HasSuffix(f.Title, f.note) {
		return strings.TrimSuffix(f.Title, f.note) + phrase + f.note
	}
	return f.Title + phrase
}

// The size of a figure (taller if its legend needs it), and the resolution
// of its PNG: 1200 × 675 pixels.
const (
	figWidth  = 8 * vg.Inch
	figHeight = 4.5 * vg.Inch
	pngDPI    = 150
)

// legendPad is the space around the legend.
const legendPad = vg.Length(10)

// palette is the colour of each configuration, in order: the Tableau 10
// colours of matplotlib. Past ten, colours repeat with dashes.
var palette = []color.Color{
	rgb(0x1f, 0x77, 0xb4), rgb(0xff, 0x7f, 0x0e), rgb(0x2c, 0xa0, 0x2c), rgb(0xd6, 0x27, 0x28),
	rgb(0x94, 0x67, 0xbd), rgb(0x8c, 0x56, 0x4b), rgb(0xe3, 0x77, 0xc2), rgb(0x7f, 0x7f, 0x7f),
	rgb(0xbc, 0xbd, 0x22), rgb(0x17, 0xbe, 0xcf),
}

func rgb(r, g, b uint8) color.RGBA { return color.RGBA{r, g, b, 0xff} }

// sans is the typeface of every text of a figure.
var sans = font.Font{Typeface: "Liberation", Variant: "Sans"}

// dashes are the dash patterns: of the metrics of a figure, and of the
// configurations past the tenth.
var dashes = [][]vg.Length{
	nil,
	{vg.Points(6), vg.Points(3)},
	{vg.Points(1.5), vg.Points(2)},
	{vg.Points(6), vg.Points(2), vg.Points(1.5), vg.Points(2)},
}

// metricDash is the dash pattern of each metric in a figure that shows
// several.
var metricDash = map[Metric]int{TestAcc: 0, TrainLoss: 0, TrainAcc: 1, ValAcc: 2}

// Write draws the figure in format, "png" or "svg", to w.
func (f *Figure) Write(w io.Writer, format string) error {
	p, legend, err := f.build()
	if err != nil {
		return fmt.Errorf("draw figure %q: %w", f.Title, err)
	}
	top := p.Title.TextStyle.Height(p.Title.Text) + p.Title.Padding + legendPad
	lr := legend.Rectangle(draw.Canvas{})
	lw, lh := lr.Max.X-lr.Min.X, lr.Max.Y-lr.Min.Y
	width, height := figWidth, max(figHeight, top+lh+legendPad)
	c, err := newCanvas(format, width, height)
	if err != nil {
		return fmt.Errorf("draw figure %q: %w", f.Title, err)
	}
	dc := draw.New(c)
	p.Draw(draw.Crop(dc, 0, -(lw + 2*legendPad), 0, 0))
	// The legend's top is level with the plot's.
	legend.Draw(draw.Crop(dc, dc.Max.X-dc.Min.X-lw-legendPad, -legendPad, 0, -top))
	if _, err := c.WriteTo(w); err != nil {
		return fmt.Errorf("write %s figure %q: %w", format, f.Title, err)
	}
	return nil
}

// build makes the plot and the legend that Write draws beside it.
func (f *Figure) build() (*plot.Plot, *plot.Legend, error) {
	if len(f.Curves) == 0 {
		return nil, nil, errors.New("no curve to draw")
	}
	p := plot.New()
	p.Title.Text = f.Title
	p.Title.TextStyle.Font = font.From(sans, 13)
	p.Title.Padding = vg.Points(10)
	p.X.Label.Text = f.XLabel
	p.Y.Label.Text = f.YLabel
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(sans, 11)
		a.Tick.Label.Font = font.From(sans, 10)
	}
	p.Add(plotter.NewGrid())
	p.Y.Tick.Marker = linearTicks{}
	if f.integerX() {
		p.X.Tick.Marker = integerTicks{}
	}
	if f.LogY {
		for _, cv := range f.Curves {
			if slices.ContainsFunc(cv.Y, func(y float64) bool { return !(y > 0) }) {
				return nil, nil, fmt.Errorf("%s: a log scale needs values > 0", cv.Label)
			}
		}
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = logTicks{}
	}

	metrics := f.metrics()
	legend := plot.NewLegend()
	legend.TextStyle.Font = font.From(sans, 10)
	legend.Padding = vg.Points(4)
	legend.Left = true
	legend.Top = true
	legend.ThumbnailWidth = vg.Points(28)
	seen := map[int]bool{}
	for _, cv := range f.Curves {
		sty := draw.LineStyle{Color: palette[cv.Group%len(palette)], Width: vg.Points(1.6)}
		sty.Dashes = dashes[(cv.Group/len(palette))%len(dashes)]
		if len(metrics) > 1 {
			sty.Dashes = dashes[metricDash[cv.Metric]]
		}
		if f.byMetric {
			sty = f.metricStyle(cv.Metric)
		}
		xys := make(plotter.XYs, len(cv.X))
		for i := range cv.X {
			xys[i] = plotter.XY{X: cv.X[i], Y: cv.Y[i]}
		}
		line, points, err := plotter.NewLinePoints(xys)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", cv.Label, err)
		}
		dots, radius := 30, vg.Points(2)
		if f.panel {
			sty.Width, dots, radius = vg.Points(1.3), 12, vg.Points(1.5)
		}
		line.LineStyle = sty
		points.GlyphStyle = draw.GlyphStyle{Color: sty.Color, Radius: radius, Shape: draw.CircleGlyph{}}
		if len(cv.X) > dots { // dots only where they stand apart
			points.GlyphStyle.Radius = 0
		}
		p.Add(line, points)
		if !seen[cv.Group] && !f.byMetric {
			seen[cv.Group] = true
			thumb := sty
			if len(metrics) > 1 {
				thumb.Dashes = nil
			}
			legend.Add(cv.Label, &plotter.Line{LineStyle: thumb})
		}
	}
	// After p.Add, which widens the axes to the data.
	if f.FitAfterStart {
		f.fitAfterStart(p)
	}
	if f.LogY {
		p.Y.Min = niceFloor(p.Y.Min)
	}
	switch {
	case f.byMetric:
		for _, m := range metrics {
			legend.Add(string(m), &plotter.Line{LineStyle: f.metricStyle(m)})
		}
	case len(metrics) > 1:
		legend.Add("")
		for _, m := range metrics {
			legend.Add(string(m), &plotter.Line{LineStyle: draw.LineStyle{
				Color: color.Gray{Y: 0x40}, Width: vg.Points(1.6), Dashes: dashes[metricDash[m]]}})
		}
	}
	return p, &legend, nil
}

// metricStyle is the line of metric m in a figure coloured by metric: the
// colour of its place among the figure's metrics, dashed for train_acc
// (the book's figure 6-24: validation solid, training dashed).
func (f *Figure) metricStyle(m Metric) draw.LineStyle {
	order := f.metricOrder
	if order == nil {
		order = f.metrics()
	}
	sty := draw.LineStyle{Color: palette[max(0, slices.Index(order, m))%len(palette)], Width: vg.Points(1.6)}
	if m == TrainAcc {
		sty.Dashes = dashes[1]
	}
	return sty
}

// fitAfterStart sets the y range of p to that of the points after each
// curve's first, with a margin of 5% of it, within [0, 1] for accuracies.
func (f *Figure) fitAfterStart(p *plot.Plot) {
	lo, hi := math.Inf(1), math.Inf(-1)
	acc := true
	for _, c := range f.Curves {
		for _, y := range c.Y[min(1, len(c.Y)):] {
			lo, hi = math.Min(lo, y), math.Max(hi, y)
		}
		acc = acc && c.Metric.IsAccuracy()
	}
	if lo > hi {
		return // no curve has a second point
	}
	margin := math.Max((hi-lo)*0.05, 1e-3)
	lo, hi = lo-margin, hi+margin
	if acc {
		lo, hi = math.Max(lo, 0), math.Min(hi, 1)
	}
	p.Y.Min, p.Y.Max = lo, hi

	// Say where the first points went.
	first0, first1 := math.Inf(1), math.Inf(-1)
	for _, c := range f.Curves {
		if len(c.Y) > 0 && (c.Y[0] < lo || c.Y[0] > hi) {
			first0, first1 = math.Min(first0, c.Y[0]), math.Max(first1, c.Y[0])
		}
	}
	switch {
	case first0 > first1:
	case fmt.Sprintf("%.2f", first0) == fmt.Sprintf("%.2f", first1):
		p.X.Label.Text += fmt.Sprintf("   (at %s 0, before training: %.2f, off the axis)", f.XLabel, first0)
	default:
		p.X.Label.Text += fmt.Sprintf("   (at %s 0, before training: %.2f to %.2f, off the axis)", f.XLabel, first0, first1)
	}
}

// metrics lists the metrics of the figure's curves, in order of appearance.
func (f *Figure) metrics() []Metric {
	var ms []Metric
	for _, c := range f.Curves {
		if !slices.Contains(ms, c.Metric) {
			ms = append(ms, c.Metric)
		}
	}
	return ms
}

// integerX reports whether every x is an integer, as epochs are.
func (f *Figure) integerX() bool {
	for _, c := range f.Curves {
		for _, x := range c.X {
			if x != math.Trunc(x) {
				return false
			}
		}
	}
	return true
}

// integerTicks puts labelled ticks on whole numbers only, about ten of them,
// for an axis of epochs.
type integerTicks struct{}

// Ticks returns the ticks between lo and hi.
func (integerTicks) Ticks(lo, hi float64) []plot.Tick {
	step := math.Max(1, math.Ceil((hi-lo)/10))
	var ticks []plot.Tick
	for x := math.Ceil(lo/step) * step; x <= hi; x += step {
		ticks = append(ticks, plot.Tick{Value: x, Label: fmt.Sprint(x)})
	}
	return ticks
}

// linearTicks labels a linear axis every 1, 2, 2.5 or 5 times a power of
// ten, whichever gives the most labels up to max (0 is 8), with an
// unlabelled tick between two.
type linearTicks struct{ max int }

// Ticks returns the ticks between lo and hi.
func (lt linearTicks) Ticks(lo, hi float64) []plot.Tick {
	most := float64(cmp.Or(lt.max, 8))
	if !(hi > lo) {
		return []plot.Tick{{Value: lo, Label: strconv.FormatFloat(lo, 'g', 4, 64)}}
	}
	mag := math.Pow(10, math.Floor(math.Log10((hi-lo)/5)))
	step := 10 * mag
	for _, m := range []float64{1, 2, 2.5, 5} {
		if (hi-lo)/(m*mag) <= most {
			step = m * mag
			break
		}
	}
	// The decimals that the step needs: 2.5×10^k needs one more.
	prec := max(0, -int(math.Floor(math.Log10(step)+1e-9)))
	if m := step / math.Pow(10, math.Floor(math.Log10(step)+1e-9)); math.Abs(m-2.5) < 1e-9 {
		prec++
	}
	var ticks []plot.Tick
	half := step / 2
	for i := math.Ceil(lo/half - 1e-9); i*half <= hi+1e-9*step; i++ {
		v := i*half + 0 // not −0, which would be labelled "-0"
		t := plot.Tick{Value: v}
		if math.Mod(i, 2) == 0 {
			t.Label = strconv.FormatFloat(v, 'f', prec, 64)
		}
		ticks = append(ticks, t)
	}
	return ticks
}

// niceFloor returns the largest of 1, 2 or 5 times a power of ten that is
// not above x > 0, so that the bottom of a log axis is labelled.
func niceFloor(x float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{5, 2, 1} {
		if m*p <= x {
			return m * p
		}
	}
	return p
}

// logTicks labels a log axis at 1, 2 and 5 times the powers of ten, the
// others unlabelled, so that a range narrower than a decade has labels.
type logTicks struct{}

// Ticks returns the ticks between lo and hi (both > 0).
func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	var ticks []plot.Tick
	for e := math.Floor(math.Log10(lo)); e <= math.Ceil(math.Log10(hi)); e++ {
		for m := 1; m < 10; m++ {
			v := float64(m) * math.Pow(10, e)
			if v < lo*(1-1e-9) || v > hi*(1+1e-9) {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 || m == 2 || m == 5 {
				t.Label = fmt.Sprint(float32(v))
			}
			ticks = append(ticks, t)
		}
	}
	return ticks
}
