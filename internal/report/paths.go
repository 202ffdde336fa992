package report

import (
	"cmp"
	"fmt"
	"image"
	"image/color"
	"io"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"runner/internal/objective"
	"runner/internal/sweep"
	"runner/internal/train"
)

// PathFigure is the book's figure 6-8: the paths of optimizers minimizing a
// function of two variables, each drawn over filled contours of its
// function with the minima marked, one panel per configuration (or per
// value of a hyperparameter, Paths' facet), the panels on one function
// sharing their axes and their colour scale.
type PathFigure struct {
	Name   string // "paths", "paths-by-KEY" with a facet
	Title  string
	Panels []PathPanel
}

// PathPanel is one panel of a PathFigure.
type PathPanel struct {
	Title    string
	Function objective.Function
	// Lo and Hi are the corners of the axes: the function's window,
	// widened to hold the paths (by at most the window's size each way).
	Lo, Hi [2]float64
	Paths  []Path
}

// Path is the positions of one run: the start and where each step left it.
type Path struct {
	Label  string // the configuration, by the hyperparameters that vary within the panel
	Group  int    // its colour, the same in every panel
	RunID  int64
	Status train.Status
	X, Y   []float64 // the finite positions, from the start; a run that diverged stops at its last
}

// Kind returns f.Name.
func (f *PathFigure) Kind() string { return f.Name }

// IsFunction reports whether the runs of s minimize objective functions
// (dataset "function") rather than train on images.
func IsFunction(s *Sweep) bool {
	return len(s.Runs) > 0 && !slices.ContainsFunc(s.Runs, func(r Run) bool {
		return r.Config.Dataset.Name != train.FunctionDataset
	})
}

// Paths returns the figure of the paths of the function runs of s: one
// panel per configuration or, with facet (one of Columns(s)), one per
// value of that hyperparameter, the configurations in it told apart by
// colour. Of the runs of a configuration, which differ only in their seed
// and take the same path, the first with a recorded position is drawn;
// those that did not finish done are drawn as far as they went, and
// noted. It is an error when no run recorded a position, or when the runs
// of a panel minimize different functions.
func Paths(s *Sweep, facet string) (*PathFigure, []string, error) {
	columns := Columns(s)
	if facet != "" {
		if err := checkFacet(s, columns, facet); err != nil {
			return nil, nil, err
		}
	}
	var rest []string
	for _, c := range columns {
		if c != facet {
			rest = append(rest, c)
		}
	}
	fig := &PathFigure{Name: "paths"}
	if facet != "" {
		fig.Name += "-by-" + fileSafePart(facet)
	}
	var notes, keys, lines []string
	fns := map[string]objective.Function{}
	for _, g := range s.Groups() {
		label := Label(g.Config, columns)
		path, ok := pathOf(g)
		if !ok {
			notes = append(notes, fmt.Sprintf("%s: no position recorded, not drawn", label))
			continue
		}
		if path.Status != train.Done {
			notes = append(notes, fmt.Sprintf("%s: run %d %s after %d steps; drawn as far as it went",
				label, path.RunID, path.Status, len(path.X)-1))
		}
		ds := g.Config.Dataset
		fkey := ds.Function + "/" + strconv.FormatFloat(ds.Condition, 'g', -1, 64)
		fn := fns[fkey]
		if fn == nil {
			var err error
			if fn, err = objective.Lookup(ds.Function, ds.Condition); err != nil {
				return nil, nil, fmt.Errorf("plot: %s: %w", label, err)
			}
			fns[fkey] = fn
		}
		key, title := label, label
		if facet != "" {
			v := cmp.Or(sweep.Param(g.Config, facet), "-")
			key, title = v, facet+"="+v
			path.Label = Label(g.Config, rest)
			li := slices.Index(lines, path.Label)
			if li < 0 {
				li = len(lines)
				lines = append(lines, path.Label)
			}
			path.Group = li
		}
		pi := slices.Index(keys, key)
		if pi < 0 {
			pi = len(keys)
			keys = append(keys, key)
			fig.Panels = append(fig.Panels, PathPanel{Title: title, Function: fn})
		}
		pn := &fig.Panels[pi]
		if pn.Function != fn {
			return nil, nil, fmt.Errorf("plot: --facet %s: the runs of panel %s minimize different functions (%s, %s); facet by function too, or not at all",
				facet, title, pn.Function.Name(), fn.Name())
		}
		pn.Paths = append(pn.Paths, path)
	}
	if len(fig.Panels) == 0 {
		return nil, notes, fmt.Errorf("plot: no run of %s recorded a position", s)
	}
	for i := range fig.Panels {
		pn := &fig.Panels[i]
		pn.Lo, pn.Hi = pathWindow(pn.Function, pn.Paths)
		if facet == "" && len(pn.Paths) == 1 {
			p := pn.Paths[0]
			pn.Title += fmt.Sprintf("\nf = %s after %d steps", strconv.FormatFloat(pn.Function.Value([]float64{p.X[len(p.X)-1], p.Y[len(p.Y)-1]}), 'g', 3, 64), len(p.X)-1)
		}
	}
	if shareFunction(fig.Panels) {
		lo, hi := fig.Panels[0].Lo, fig.Panels[0].Hi
		for _, pn := range fig.Panels {
			for k := range 2 {
				lo[k], hi[k] = min(lo[k], pn.Lo[k]), max(hi[k], pn.Hi[k])
			}
		}
		for i := range fig.Panels {
			fig.Panels[i].Lo, fig.Panels[i].Hi = lo, hi
		}
	}
	for _, pn := range fig.Panels {
		for _, p := range pn.Paths {
			if leaves(p, pn.Lo, pn.Hi) {
				notes = append(notes, fmt.Sprintf("%s: the path of run %d leaves the plot", pn.Title, p.RunID))
			}
		}
	}
	on := "function " + fig.Panels[0].Function.Name()
	if !shareFunction(fig.Panels) {
		on = "their functions"
	}
	fig.Title = fmt.Sprintf("%s: optimizer paths on %s", s, on)
	return fig, notes, nil
}

// pathOf returns the path of the first run of g with a recorded position,
// preferring a done run.
func pathOf(g Group) (Path, bool) {
	var found []Path
	for _, r := range g.Runs {
		p := Path{RunID: r.ID, Status: r.Status}
		for _, e := range r.Epochs {
			if len(e.Position) != 2 || !finite(e.Position[0]) || !finite(e.Position[1]) {
				break
			}
			p.X = append(p.X, e.Position[0])
			p.Y = append(p.Y, e.Position[1])
		}
		if len(p.X) == 0 {
			continue
		}
		if r.Status == train.Done {
			return p, true
		}
		found = append(found, p)
	}
	if len(found) == 0 {
		return Path{}, false
	}
	return found[0], true
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// pathWindow returns the window of fn widened to hold the paths, with a
// margin of 5% beyond them, by at most the window's size each way.
func pathWindow(fn objective.Function, paths []Path) (lo, hi [2]float64) {
	lo, hi = fn.Window()
	wlo, whi := lo, hi
	for _, p := range paths {
		for k, vs := range [][]float64{p.X, p.Y} {
			span := whi[k] - wlo[k]
			for _, v := range vs {
				if v < lo[k] {
					lo[k] = max(v-0.05*span, wlo[k]-span)
				}
				if v > hi[k] {
					hi[k] = min(v+0.05*span, whi[k]+span)
				}
			}
		}
	}
	return lo, hi
}

// leaves reports whether a position of p lies outside lo, hi.
func leaves(p Path, lo, hi [2]float64) bool {
	for i := range p.X {
		if p.X[i] < lo[0] || p.X[i] > hi[0] || p.Y[i] < lo[1] || p.Y[i] > hi[1] {
			return true
		}
	}
	return false
}

// shareFunction reports whether the panels all draw one function.
func shareFunction(panels []PathPanel) bool {
	return !slices.ContainsFunc(panels, func(p PathPanel) bool { return p.Function != panels[0].Function })
}

// The raster of a panel's filled contours, the number of contour levels,
// and the lowest level's height above the minimum, as a fraction of the
// range of values: levels from there to the maximum at geometric steps.
const (
	contourRes    = 360
	contourLevels = 16
	contourFloor  = 1e-4
)

// surface is a function's values on a grid over a window.
type surface struct {
	lo, hi   [2]float64
	n        int
	z        []float64 // z[j*n+i] at column i, row j
	min, max float64
}

func newSurface(fn objective.Function, lo, hi [2]float64, n int) *surface {
	s := &surface{lo: lo, hi: hi, n: n, z: make([]float64, n*n), min: math.Inf(1), max: math.Inf(-1)}
	x := make([]float64, 2)
	for j := range n {
		for i := range n {
			x[0], x[1] = s.X(i), s.Y(j)
			v := fn.Value(x)
			s.z[j*n+i] = v
			if finite(v) {
				s.min, s.max = min(s.min, v), max(s.max, v)
			}
		}
	}
	return s
}

// Dims, Z, X and Y make a surface a plotter.GridXYZ: the values at the
// centres of n × n cells.
func (s *surface) Dims() (c, r int)   { return s.n, s.n }
func (s *surface) Z(c, r int) float64 { return s.z[r*s.n+c] }
func (s *surface) X(c int) float64 {
	return s.lo[0] + (s.hi[0]-s.lo[0])*(float64(c)+0.5)/float64(s.n)
}
func (s *surface) Y(r int) float64 {
	return s.lo[1] + (s.hi[1]-s.lo[1])*(float64(r)+0.5)/float64(s.n)
}

// levels returns the contour levels of values from lo to hi: contourLevels
// of them at geometric steps from lo + contourFloor·(hi − lo) to hi, for
// values that span decades.
func levels(lo, hi float64) []float64 {
	if !(hi > lo) {
		return []float64{lo}
	}
	d := (hi - lo) * contourFloor
	out := make([]float64, contourLevels)
	for k := range out {
		out[k] = lo + d*math.Pow((hi-lo)/d, float64(k)/float64(contourLevels-1))
	}
	return out
}

// band returns the index of the band of z among levels: the number of
// levels at or below it.
func band(z float64, levels []float64) int {
	k, _ := slices.BinarySearch(levels, z)
	if k < len(levels) && levels[k] == z {
		k++
	}
	return k
}

// bandColours are the colours of the bands, from the lowest values (the
// minimum) to the highest: pale yellow through green to blue, light
// enough for the paths to stand out.
var bandColours = []color.RGBA{
	rgb(0xff, 0xff, 0xe0), rgb(0xed, 0xf8, 0xb1), rgb(0xc7, 0xe9, 0xb4), rgb(0x7f, 0xcd, 0xbb),
	rgb(0x41, 0xb6, 0xc4), rgb(0x3a, 0x9b, 0xcb),
}

// bandColour returns the colour of band k of n, interpolated along
// bandColours.
func bandColour(k, n int) color.RGBA {
	t := 0.0
	if n > 1 {
		t = float64(k) / float64(n-1) * float64(len(bandColours)-1)
	}
	i := min(int(t), len(bandColours)-2)
	f := t - float64(i)
	a, b := bandColours[i], bandColours[i+1]
	mix := func(x, y uint8) uint8 { return uint8(math.Round(float64(x)*(1-f) + float64(y)*f)) }
	return color.RGBA{mix(a.R, b.R), mix(a.G, b.G), mix(a.B, b.B), 0xff}
}

// filled returns the image of the bands of s: pixel (i, n−1−j) is cell (i, j).
func (s *surface) filled(levels []float64) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, s.n, s.n))
	for j := range s.n {
		for i := range s.n {
			z := s.Z(i, j)
			c := bandColour(len(levels), len(levels)+1) // above every level, or not finite
			if finite(z) {
				c = bandColour(band(z, levels), len(levels)+1)
			}
			img.SetRGBA(i, s.n-1-j, c)
		}
	}
	return img
}

// pathColour is the colour of a panel's single path: red, as the book
// draws it.
var pathColour = rgb(0xd6, 0x27, 0x28)

// Write draws the figure in format, "png" or "svg", to w.
func (f *PathFigure) Write(w io.Writer, format string) error {
	if len(f.Panels) == 0 {
		return fmt.Errorf("draw figure %q: no panel to draw", f.Title)
	}
	shared := shareFunction(f.Panels)
	var lv []float64
	if shared {
		s := newSurface(f.Panels[0].Function, f.Panels[0].Lo, f.Panels[0].Hi, contourRes)
		lv = levels(s.min, s.max)
	}
	multi := slices.ContainsFunc(f.Panels, func(p PathPanel) bool { return len(p.Paths) > 1 })
	panels := make([]*plot.Plot, len(f.Panels))
	for i, pn := range f.Panels {
		s := newSurface(pn.Function, pn.Lo, pn.Hi, contourRes)
		plv := lv
		if !shared {
			plv = levels(s.min, s.max)
		}
		p := newPanel(pn.Title)
		p.X.Label.Text, p.Y.Label.Text = "x", "y"
		p.X.Tick.Marker, p.Y.Tick.Marker = linearTicks{}, linearTicks{}
		p.Add(plotter.NewImage(s.filled(plv), pn.Lo[0], pn.Lo[1], pn.Hi[0], pn.Hi[1]))
		lines := plotter.NewContour(s, plv, nil)
		lines.LineStyles = []draw.LineStyle{{Color: color.NRGBA{0x30, 0x40, 0x50, 0x50}, Width: vg.Points(0.5)}}
		p.Add(lines)
		for _, m := range pn.Function.Minima() {
			if m[0] < pn.Lo[0] || m[0] > pn.Hi[0] || m[1] < pn.Lo[1] || m[1] > pn.Hi[1] {
				continue
			}
			mk, _ := plotter.NewScatter(plotter.XYs{{X: m[0], Y: m[1]}})
			mk.GlyphStyle = draw.GlyphStyle{Color: color.Black, Radius: vg.Points(5), Shape: draw.PlusGlyph{}}
			p.Add(mk)
		}
		for _, path := range pn.Paths {
			col := color.Color(pathColour)
			if multi {
				col = palette[path.Group%len(palette)]
			}
			addPath(p, path, col)
		}
		p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = pn.Lo[0], pn.Hi[0], pn.Lo[1], pn.Hi[1]
		panels[i] = p
	}
	_, cols := layout(len(panels))
	plots := toGrid(panels, cols)
	if shared {
		shareAxes(plots)
	}
	g := &grid{title: f.Title, plots: plots, legend: f.legend(multi)}
	g.cellW, g.cellH = pathCell(f.Panels[0].Lo, f.Panels[0].Hi)
	if shared {
		g.bar = colourBar(lv)
	}
	if err := g.write(w, format); err != nil {
		return fmt.Errorf("draw figure %q: %w", f.Title, err)
	}
	return nil
}

// addPath draws path on p in col: a line through the positions, a dot at
// each, a ring at the start.
func addPath(p *plot.Plot, path Path, col color.Color) {
	xys := make(plotter.XYs, len(path.X))
	for i := range path.X {
		xys[i] = plotter.XY{X: path.X[i], Y: path.Y[i]}
	}
	line, points, err := plotter.NewLinePoints(xys)
	if err != nil {
		return // the positions are finite: not reached
	}
	line.LineStyle = draw.LineStyle{Color: col, Width: vg.Points(1.2)}
	points.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(1.8), Shape: draw.CircleGlyph{}}
	start, _ := plotter.NewScatter(xys[:1])
	start.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(4.5), Shape: draw.RingGlyph{}}
	p.Add(line, points, start)
}

// legend explains the marks, and with several paths to a panel, names
// their colours.
func (f *PathFigure) legend(multi bool) *plot.Legend {
	l := plot.NewLegend()
	l.TextStyle.Font = font.From(sans, 10)
	l.Padding = vg.Points(4)
	l.Left, l.Top = true, true
	l.ThumbnailWidth = vg.Points(22)
	if multi {
		seen := map[int]bool{}
		for _, pn := range f.Panels {
			for _, p := range pn.Paths {
				if !seen[p.Group] {
					seen[p.Group] = true
					l.Add(p.Label, &plotter.Line{LineStyle: draw.LineStyle{Color: palette[p.Group%len(palette)], Width: vg.Points(1.6)}})
				}
			}
		}
		l.Add("")
	}
	col := color.Color(pathColour)
	if multi {
		col = color.Gray{Y: 0x40}
	}
	line := &plotter.Line{LineStyle: draw.LineStyle{Color: col, Width: vg.Points(1.2)}}
	dot, _ := plotter.NewScatter(plotter.XYs{{}})
	dot.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(1.8), Shape: draw.CircleGlyph{}}
	l.Add("a dot per step", line, dot)
	start, _ := plotter.NewScatter(plotter.XYs{{}})
	start.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(4.5), Shape: draw.RingGlyph{}}
	l.Add("start", start)
	mk, _ := plotter.NewScatter(plotter.XYs{{}})
	mk.GlyphStyle = draw.GlyphStyle{Color: color.Black, Radius: vg.Points(5), Shape: draw.PlusGlyph{}}
	l.Add("minimum", mk)
	return &l
}

// pathCell returns the size of a panel for a window: 4 inches wide, the
// height giving x and y about one scale, within 2.4 to 4.4 inches, plus
// room for the title and the axes.
func pathCell(lo, hi [2]float64) (w, h vg.Length) {
	const room = 0.8 * vg.Inch
	ratio := (hi[1] - lo[1]) / (hi[0] - lo[0])
	return 4*vg.Inch + room/2, min(max(4*vg.Inch*vg.Length(ratio), 2.4*vg.Inch), 4.4*vg.Inch) + room
}

// colourBar returns a plot of the bands' colours against f on a log
// scale: the key to the filled contours.
func colourBar(lv []float64) *plot.Plot {
	p := newPanel("f(x, y)")
	p.HideX()
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = logTicks{}
	edges := slices.Clone(lv)
	if edges[0] <= 0 {
		edges = edges[1:]
	}
	if len(edges) < 2 {
		return nil
	}
	first := len(lv) - len(edges) // the band below edges[0]
	for k := range len(edges) - 1 {
		poly, err := plotter.NewPolygon(plotter.XYs{{X: 0, Y: edges[k]}, {X: 1, Y: edges[k]}, {X: 1, Y: edges[k+1]}, {X: 0, Y: edges[k+1]}})
		if err != nil {
			return nil
		}
		poly.Color = bandColour(first+k+1, len(lv)+1)
		poly.LineStyle.Width = 0
		p.Add(poly)
	}
	p.X.Min, p.X.Max = 0, 1
	p.Y.Min, p.Y.Max = edges[0], edges[len(edges)-1]
	return p
}
