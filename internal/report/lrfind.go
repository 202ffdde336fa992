package report

import (
	"errors"
	"fmt"
	"image/color"
	"io"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"runner/internal/train"
)

// LRFindSuffix ends the name of the sweep that records a learning-rate
// range test (runner lr-find): the experiment's name, then "-lrfind".
const LRFindSuffix = "-lrfind"

// LRFindFigure is a learning-rate range test drawn: the minibatch loss and
// the smoothed loss against the rate on a log axis, the suggested rate, the
// lowest smoothed loss, the steepest descent and where the test stopped
// marked.
type LRFindFigure struct {
	Title string
	Curve train.LRCurve
}

// Kind returns "lrfind".
func (f *LRFindFigure) Kind() string { return "lrfind" }

// IsLRFind reports whether s records a range test: its name ends with
// LRFindSuffix and it holds one run with logged steps whose first epoch
// is 1 (a range test measures no epoch 0; every run of runner run does).
func IsLRFind(s *Sweep) bool {
	if !strings.HasSuffix(s.Name, LRFindSuffix) || len(s.Runs) != 1 {
		return false
	}
	r := s.Runs[0]
	return len(r.Steps) > 0 && len(r.Epochs) > 0 && r.Epochs[0].Epoch == 1
}

// LRFind returns the figure of the range test s records (IsLRFind).
func LRFind(s *Sweep) (*LRFindFigure, error) {
	sum, err := SummarizeLR(s)
	if err != nil {
		return nil, err
	}
	return sum.Figure(), nil
}

// The colours of the figure: the minibatch loss light, the smoothed loss
// dark, the suggestion and the minimum in the palette's red and green.
var (
	lrRawColour      = rgb(0x9e, 0xc5, 0xe2)
	lrSmoothColour   = palette[0]
	lrSuggestColour  = palette[3]
	lrMinimumColour  = palette[2]
	lrSteepestColour = palette[1]
	lrDivergedColour = color.Gray{Y: 0x60}
)

// Write draws the figure in format, "png" or "svg", to w.
func (f *LRFindFigure) Write(w io.Writer, format string) error {
	p, err := f.build()
	if err != nil {
		return fmt.Errorf("draw figure %q: %w", f.Title, err)
	}
	c, err := newCanvas(format, figWidth, figHeight)
	if err != nil {
		return fmt.Errorf("draw figure %q: %w", f.Title, err)
	}
	p.Draw(draw.New(c))
	if _, err := c.WriteTo(w); err != nil {
		return fmt.Errorf("write %s figure %q: %w", format, f.Title, err)
	}
	return nil
}

// build makes the plot. The y axis runs from below the lowest loss to
// twice the first smoothed loss (the untrained network's), so that the
// loss of the diverging steps, which can be many times higher, does not
// squash the part that matters; steps whose loss is not finite are left
// out.
func (f *LRFindFigure) build() (*plot.Plot, error) {
	c := f.Curve
	var raw, smooth plotter.XYs
	lo, hi := math.Inf(1), math.Inf(-1)
	for i := range c.LR {
		if finite(c.Loss[i]) {
			raw = append(raw, plotter.XY{X: c.LR[i], Y: c.Loss[i]})
			lo, hi = math.Min(lo, c.Loss[i]), math.Max(hi, c.Loss[i])
		}
		if finite(c.Smoothed[i]) {
			smooth = append(smooth, plotter.XY{X: c.LR[i], Y: c.Smoothed[i]})
		}
	}
	if len(raw) == 0 || !slices.ContainsFunc(c.LR, func(x float64) bool { return x > 0 }) {
		return nil, errors.New("no finite loss to draw")
	}
	hi = math.Min(hi, 2*c.Smoothed[0])
	margin := math.Max((hi-lo)*0.05, 1e-3)

	p := plot.New()
	p.Title.Text = f.Title
	p.Title.TextStyle.Font = font.From(sans, 13)
	p.Title.Padding = vg.Points(10)
	p.X.Label.Text = "learning rate (log scale)"
	p.Y.Label.Text = "training loss"
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(sans, 11)
		a.Tick.Label.Font = font.From(sans, 10)
	}
	p.Add(plotter.NewGrid())
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = decadeTicks{}
	p.Y.Tick.Marker = linearTicks{}

	rawLine, err := plotter.NewLine(raw)
	if err != nil {
		return nil, err
	}
	rawLine.LineStyle = draw.LineStyle{Color: lrRawColour, Width: vg.Points(1)}
	smoothLine, err := plotter.NewLine(smooth)
	if err != nil {
		return nil, err
	}
	smoothLine.LineStyle = draw.LineStyle{Color: lrSmoothColour, Width: vg.Points(2)}
	p.Add(rawLine, smoothLine)

	legend := &p.Legend
	legend.TextStyle.Font = font.From(sans, 10)
	legend.Top, legend.Left = true, true
	legend.Padding = vg.Points(4)
	legend.ThumbnailWidth = vg.Points(28)
	legend.Add("minibatch loss", rawLine)
	legend.Add(fmt.Sprintf("smoothed (EMA, β = %g)", train.LRSmoothing), smoothLine)

	vline := func(x float64, col color.Color, dashes []vg.Length, label string) error {
		v, err := plotter.NewLine(plotter.XYs{{X: x, Y: lo - margin}, {X: x, Y: hi + margin}})
		if err != nil {
			return err
		}
		v.LineStyle = draw.LineStyle{Color: col, Width: vg.Points(1.4), Dashes: dashes}
		p.Add(v)
		legend.Add(label, v)
		return nil
	}
	dot := func(i int, col color.Color) error {
		if !finite(c.Smoothed[i]) {
			return nil
		}
		d, err := plotter.NewScatter(plotter.XYs{{X: c.LR[i], Y: c.Smoothed[i]}})
		if err != nil {
			return err
		}
		d.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(3.5), Shape: draw.CircleGlyph{}}
		p.Add(d)
		return nil
	}
	suggested := fmt.Sprintf("suggested: %.3g (a tenth of the lowest)", c.Suggestion())
	if c.Clamped() {
		suggested = fmt.Sprintf("suggested: %.3g (the start: the lowest is within a decade)", c.Suggestion())
	}
	if err := vline(c.Suggestion(), lrSuggestColour, nil, suggested); err != nil {
		return nil, err
	}
	if err := vline(c.MinRate(), lrMinimumColour, dashes[1], fmt.Sprintf("lowest smoothed loss: %.3g", c.MinRate())); err != nil {
		return nil, err
	}
	if err := dot(c.Min, lrMinimumColour); err != nil {
		return nil, err
	}
	if c.Steepest != c.Min {
		if err := dot(c.Steepest, lrSteepestColour); err != nil {
			return nil, err
		}
		legend.Add(fmt.Sprintf("steepest descent: %.3g", c.SteepestRate()), &plotter.Scatter{
			GlyphStyle: draw.GlyphStyle{Color: lrSteepestColour, Radius: vg.Points(3.5), Shape: draw.CircleGlyph{}}})
	}
	if c.Stop >= 0 {
		if err := vline(c.LR[c.Stop], lrDivergedColour, dashes[2], fmt.Sprintf("stopped, diverging: %.3g", c.LR[c.Stop])); err != nil {
			return nil, err
		}
	}
	// After p.Add, which widens the axes to the data.
	p.Y.Min, p.Y.Max = lo-margin, hi+margin
	p.X.Min, p.X.Max = c.LR[0], c.LR[len(c.LR)-1]
	return p, nil
}

// lrFindPlots is Plots for a range test: its figure, with none of the
// options of learning curves.
func lrFindPlots(s *Sweep, opt PlotOptions) ([]Drawing, []string, error) {
	for _, o := range []struct {
		set  bool
		name string
	}{{opt.Facet != "", "--facet"}, {opt.Top > 0, "--top"}, {opt.Epoch != 0, "--epoch"}, {opt.Metrics != nil, "--metric"}, {opt.Smooth > 1, "--smooth"}} {
		if o.set {
			return nil, nil, fmt.Errorf("plot: %s records a learning-rate range test: %s does not apply", s, o.name)
		}
	}
	f, err := LRFind(s)
	if err != nil {
		return nil, nil, err
	}
	return []Drawing{f}, nil, nil
}
