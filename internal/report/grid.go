package report

import (
	"fmt"
	"image/color"
	"io"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Drawing is a figure that Plots returns, ready to be written as PNG or
// SVG: a Figure, a FacetFigure, a PathFigure or a LayerFigure.
type Drawing interface {
	// Kind is what the drawing shows, the end of its file names: "loss",
	// "paths", "layers-relu", "accuracy-by-init". It is made of letters,
	// digits and . _ + - only.
	Kind() string
	// Write draws the figure in format, "png" or "svg", to w.
	Write(w io.Writer, format string) error
}

// Kind returns f.Name.
func (f *Figure) Kind() string { return f.Name }

// newCanvas returns a canvas of the given size for format, "png" or "svg".
func newCanvas(format string, width, height vg.Length) (vg.CanvasWriterTo, error) {
	switch format {
	case "png":
		return vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(pngDPI))}, nil
	case "svg":
		return vgsvg.New(width, height), nil
	}
	return nil, fmt.Errorf("unknown format %q (want png or svg)", format)
}

// grid lays out small multiples: plots in rows and columns (nil leaves a
// cell empty), their data areas aligned and of one size, under a title,
// with a legend and a colour bar to the right.
type grid struct {
	title        string
	footer       string         // under the grid: the shared x axis's label
	ylabel       string         // left of the grid, upright: the shared y axis's label
	plots        [][]*plot.Plot // rows of equal length
	cellW, cellH vg.Length      // the size of a cell, axes and labels included
	legend       *plot.Legend   // nil for none
	bar          *plot.Plot     // a colour bar, as tall as the grid up to barMaxH; nil for none
}

// The colour bar's width and greatest height, and the gap between cells.
const (
	barW    = 1.1 * vg.Inch
	barMaxH = 4 * vg.Inch
	cellPad = vg.Length(8)
)

// titleStyle is the style of a grid's title.
func titleStyle() text.Style {
	return text.Style{Color: color.Black, Font: font.From(sans, 13), XAlign: draw.XCenter, YAlign: draw.YTop,
		Handler: plot.DefaultTextHandler}
}

// footerStyle is the style of a grid's footer.
func footerStyle() text.Style {
	return text.Style{Color: color.Black, Font: font.From(sans, 11), XAlign: draw.XCenter, YAlign: draw.YTop,
		Handler: plot.DefaultTextHandler}
}

// write draws the grid in format to w.
func (g *grid) write(w io.Writer, format string) error {
	rows := len(g.plots)
	if rows == 0 || len(g.plots[0]) == 0 {
		return fmt.Errorf("no panel to draw")
	}
	cols := len(g.plots[0])
	ts := titleStyle()
	titleH := ts.Rectangle(g.title).Size().Y + 2*legendPad
	var side, legendH vg.Length
	if g.legend != nil {
		r := g.legend.Rectangle(draw.Canvas{})
		side += r.Max.X - r.Min.X + 2*legendPad
		legendH = r.Max.Y - r.Min.Y
	}
	if g.bar != nil {
		side += barW
	}
	gridH := vg.Length(rows) * g.cellH
	fs := footerStyle()
	var footerH vg.Length
	if g.footer != "" {
		footerH = fs.Rectangle(g.footer).Size().Y + legendPad
	}
	ys := footerStyle()
	ys.Rotation, ys.XAlign, ys.YAlign = math.Pi/2, draw.XCenter, draw.YTop
	var left vg.Length
	if g.ylabel != "" {
		left = fs.Rectangle(g.ylabel).Size().Y + legendPad/2 // the height of the text, upright
	}
	width := left + vg.Length(cols)*g.cellW + side + legendPad
	height := max(titleH+gridH+footerH, titleH+legendH+legendPad) + legendPad
	c, err := newCanvas(format, width, height)
	if err != nil {
		return err
	}
	dc := draw.New(c)
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	dc.FillText(ts, vg.Point{X: (dc.Max.X - side) / 2, Y: dc.Max.Y - legendPad}, g.title)

	bottom := height - titleH - gridH
	area := draw.Crop(dc, left, -(side + legendPad), bottom, -titleH)
	if g.footer != "" {
		dc.FillText(fs, vg.Point{X: left + (dc.Max.X-side-left)/2, Y: bottom - legendPad/2}, g.footer)
	}
	if g.ylabel != "" {
		dc.FillText(ys, vg.Point{X: legendPad / 2, Y: bottom + gridH/2}, g.ylabel)
	}
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: cellPad, PadY: cellPad, PadLeft: legendPad}
	canvases := plot.Align(g.plots, tiles, area)
	for j, row := range g.plots {
		for i, p := range row {
			if p != nil {
				p.Draw(canvases[j][i])
			}
		}
	}
	x := dc.Max.X - side - legendPad
	if g.bar != nil {
		h := min(gridH, barMaxH)
		top := dc.Max.Y - titleH
		g.bar.Draw(draw.Canvas{Canvas: dc.Canvas, Rectangle: vg.Rectangle{
			Min: vg.Point{X: x + legendPad, Y: top - h}, Max: vg.Point{X: x + barW, Y: top}}})
		x += barW
	}
	if g.legend != nil {
		g.legend.Draw(draw.Canvas{Canvas: dc.Canvas, Rectangle: vg.Rectangle{
			Min: vg.Point{X: x + legendPad, Y: dc.Min.Y}, Max: vg.Point{X: dc.Max.X, Y: dc.Max.Y - titleH}}})
	}
	if _, err := c.WriteTo(w); err != nil {
		return fmt.Errorf("write %s: %w", format, err)
	}
	return nil
}

// layout returns the rows and columns of a grid of n panels: one row of
// up to three, else about as many columns as rows, columns first
// (4 → 2 × 2, 12 → 4 columns × 3 rows, 20 → 5 × 4).
func layout(n int) (rows, cols int) {
	if n <= 3 {
		return 1, max(n, 1)
	}
	cols = 1
	for cols*cols < n {
		cols++
	}
	return (n + cols - 1) / cols, cols
}

// restyle gives p, made for a figure of its own, the fonts of a panel.
func restyle(p *plot.Plot) {
	p.Title.TextStyle.Font = font.From(sans, 9.5)
	p.Title.Padding = vg.Points(4)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(sans, 9)
		a.Tick.Label.Font = font.From(sans, 8)
	}
}

// newPanel returns a plot styled for a cell of a grid: small fonts, a
// grid of lines behind.
func newPanel(title string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = font.From(sans, 10)
	p.Title.Padding = vg.Points(4)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(sans, 9)
		a.Tick.Label.Font = font.From(sans, 8)
		a.Padding = vg.Points(2)
	}
	return p
}

// unlabelled wraps a tick marker and blanks its labels, for the inner
// panels of a grid whose axes are shared. A blank label is a space, not
// "": a tick without a label is a minor one, without its grid line.
type unlabelled struct{ plot.Ticker }

// Ticks returns the ticks of the wrapped marker with blank labels.
func (u unlabelled) Ticks(lo, hi float64) []plot.Tick {
	ticks := u.Ticker.Ticks(lo, hi)
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = " "
		}
	}
	return ticks
}

// shareAxes gives every plot of the grid the axis ranges of the first
// non-nil one, keeps the tick labels of the left column and the bottom
// panel of each column only, and the axis labels too: a shared axis is
// labelled once.
func shareAxes(plots [][]*plot.Plot) {
	var first *plot.Plot
	for _, row := range plots {
		for _, p := range row {
			if p != nil && first == nil {
				first = p
			}
		}
	}
	if first == nil {
		return
	}
	for j, row := range plots {
		for i, p := range row {
			if p == nil {
				continue
			}
			p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = first.X.Min, first.X.Max, first.Y.Min, first.Y.Max
			if i > 0 && row[i-1] != nil {
				p.Y.Tick.Marker = unlabelled{p.Y.Tick.Marker}
				p.Y.Label.Text = ""
			}
			if j+1 < len(plots) && plots[j+1][i] != nil {
				p.X.Tick.Marker = unlabelled{p.X.Tick.Marker}
				p.X.Label.Text = ""
			}
		}
	}
}

// toGrid places panels row by row in a grid of cols columns.
func toGrid(panels []*plot.Plot, cols int) [][]*plot.Plot {
	var rows [][]*plot.Plot
	for i := 0; i < len(panels); i += cols {
		row := make([]*plot.Plot, cols)
		copy(row, panels[i:min(i+cols, len(panels))])
		rows = append(rows, row)
	}
	return rows
}
