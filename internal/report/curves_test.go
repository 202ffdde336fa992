package report_test

import (
	"bytes"
	"encoding/xml"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"runner/internal/report"
	"runner/internal/train"
)

func TestSmooth(t *testing.T) {
	tests := []struct {
		ys     []float64
		window int
		want   []float64
	}{
		{[]float64{1, 2, 3}, 1, []float64{1, 2, 3}},
		{[]float64{1, 2, 3}, 0, []float64{1, 2, 3}},
		{[]float64{4, 2, 6, 0}, 2, []float64{4, 3, 4, 3}},
		{[]float64{3, 6, 9, 0, 3}, 3, []float64{3, 4.5, 6, 5, 4}},
		{[]float64{1, 2}, 5, []float64{1, 1.5}},
		{nil, 3, []float64{}},
	}
	for _, tt := range tests {
		got := report.Smooth(tt.ys, tt.window)
		if !slices.Equal(got, tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
			t.Errorf("Smooth(%v, %d) = %v, want %v", tt.ys, tt.window, got, tt.want)
		}
	}
}

// TestCurves checks the mean over seeds at each epoch, the runs left out
// and the notes that say so.
func TestCurves(t *testing.T) {
	s := sweepA()
	curves, notes := report.Curves(s, report.TestAcc, 1)
	var labels []string
	for _, c := range curves {
		labels = append(labels, c.Label)
	}
	// adam lr=0.1 has no done run: not drawn.
	if want := []string{"sgd lr=0.01", "momentum lr=0.01", "adam lr=0.001", "sgd lr=0.1"}; !slices.Equal(labels, want) {
		t.Fatalf("curves %q, want %q", labels, want)
	}
	adam := curves[2]
	if adam.Runs != 3 || !slices.Equal(adam.X, []float64{0, 1, 2, 3}) || adam.Group != 2 {
		t.Errorf("adam curve: %+v", adam)
	}
	if want := (0.9712 + 0.9698 + 0.9705) / 3; math.Abs(adam.Y[3]-want) > 1e-12 {
		t.Errorf("adam final %v, want the mean %v", adam.Y[3], want)
	}
	if c := curves[3]; c.Runs != 1 || c.Y[3] != 0.955 {
		t.Errorf("sgd lr=0.1 averages its done run only: %+v", c)
	}
	wantNotes := []string{
		"sgd lr=0.1: 2 runs not done, left out (1 diverged, 1 failed)",
		"adam lr=0.1: 3 runs not done, left out (2 diverged, 1 interrupted)",
	}
	if !slices.Equal(notes, wantNotes) {
		t.Errorf("notes %q, want %q", notes, wantNotes)
	}
}

// TestFigures checks which figures are made of which metrics, and that a
// metric that was not recorded is an error.
func TestFigures(t *testing.T) {
	tests := []struct {
		metrics []report.Metric
		want    []string // name: metrics of its curves
		err     string
	}{
		{[]report.Metric{report.TrainLoss, report.TestAcc}, []string{"loss: train_loss", "accuracy: test_acc"}, ""},
		{[]report.Metric{report.TrainLoss}, []string{"loss: train_loss"}, ""},
		{[]report.Metric{report.TrainAcc, report.TestAcc}, []string{"accuracy: train_acc test_acc"}, ""},
		{[]report.Metric{report.ValAcc}, nil, "no val_acc"},
	}
	for _, tt := range tests {
		figs, _, err := report.Figures(sweepA(), tt.metrics, 2)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%v: error %v, want %q", tt.metrics, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range figs {
			var ms []string
			for _, c := range f.Curves {
				if !slices.Contains(ms, string(c.Metric)) {
					ms = append(ms, string(c.Metric))
				}
			}
			got = append(got, f.Name+": "+strings.Join(ms, " "))
			if !strings.Contains(f.Title, "moving average of 2 epochs") {
				t.Errorf("title %q does not give the smoothing", f.Title)
			}
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%v: figures %q, want %q", tt.metrics, got, tt.want)
		}
	}
}

// manyConfigs is a sweep of 36 configurations, 2 seeds each, over 10
// epochs: more than the palette's colours, and a legend taller than the
// default figure.
func manyConfigs() *report.Sweep {
	s := &report.Sweep{ID: 7, Name: "grid", Status: "done"}
	for i, opt := range []string{"sgd", "momentum", "adagrad", "adam"} {
		for j, lr := range []float64{0.1, 0.03, 0.01, 0.003, 0.001, 0.0003, 0.0001, 0.00003, 0.00001} {
			for seed := int64(1); seed <= 2; seed++ {
				c := config(opt, lr, seed)
				c.Epochs = 10
				final := 0.80 + 0.01*float64(i) + 0.015*float64(j) + 0.002*float64(seed)
				s.Runs = append(s.Runs, run(c, train.Done, final))
			}
		}
	}
	return s
}

// TestFigureWrite draws figures as PNG and SVG and checks that they decode:
// the PNG's size, the SVG's well-formedness. With RUNNER_PLOT_DIR set, it
// also leaves them there to look at.
// The loss figure says when the loss includes weight decay's L2 term.
func TestFiguresLossWithL2(t *testing.T) {
	for _, decay := range []float64{0, 0.1} {
		s := sweepA()
		s.Runs[0].Config.Model.WeightDecay = decay
		figs, _, err := report.Figures(s, []report.Metric{report.TrainLoss}, 1)
		if err != nil {
			t.Fatal(err)
		}
		says := strings.Contains(figs[0].Title, "L2 term") && strings.Contains(figs[0].YLabel, "½λΣ‖W‖²")
		if says != (decay > 0) {
			t.Errorf("weight decay %v: title %q, y label %q", decay, figs[0].Title, figs[0].YLabel)
		}
	}
}

func TestFigureWrite(t *testing.T) {
	tests := []struct {
		name    string
		s       *report.Sweep
		metrics []report.Metric
		minH    int  // pixels
		taller  bool // than the default 675 pixels, for the legend
	}{
		{"few", sweepA(), []report.Metric{report.TrainLoss, report.TrainAcc, report.TestAcc}, 675, false},
		{"many", manyConfigs(), []report.Metric{report.TrainLoss, report.TestAcc}, 900, true},
	}
	for _, tt := range tests {
		figs, _, err := report.Figures(tt.s, tt.metrics, 1)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range figs {
			var pngBuf, svgBuf bytes.Buffer
			if err := f.Write(&pngBuf, "png"); err != nil {
				t.Fatal(err)
			}
			if err := f.Write(&svgBuf, "svg"); err != nil {
				t.Fatal(err)
			}
			if dir := os.Getenv("RUNNER_PLOT_DIR"); dir != "" {
				for ext, b := range map[string][]byte{"png": pngBuf.Bytes(), "svg": svgBuf.Bytes()} {
					if err := os.WriteFile(filepath.Join(dir, tt.name+"-"+f.Name+"."+ext), b, 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
			img, err := png.Decode(&pngBuf)
			if err != nil {
				t.Fatalf("%s %s: decode PNG: %v", tt.name, f.Name, err)
			}
			if b := img.Bounds(); b.Dx() != 1200 || b.Dy() < tt.minH || (b.Dy() > 675) != tt.taller {
				t.Errorf("%s %s: PNG is %d × %d, want 1200 wide, taller than 675: %v", tt.name, f.Name, b.Dx(), b.Dy(), tt.taller)
			}
			checkSVG(t, svgBuf.Bytes())
		}
	}
	if err := (&report.Figure{}).Write(io.Discard, "png"); err == nil {
		t.Error("a figure without curves was drawn")
	}
	figs, _, _ := report.Figures(sweepA(), []report.Metric{report.TestAcc}, 1)
	if err := figs[0].Write(io.Discard, "gif"); err == nil || !strings.Contains(err.Error(), `unknown format "gif"`) {
		t.Errorf("gif: %v", err)
	}
}

// checkSVG checks that b is a well-formed XML document whose root is <svg>
// and that it has text (the labels) and paths (the curves).
func checkSVG(t *testing.T, b []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(b))
	var root string
	elems := map[string]int{}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed XML: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			if root == "" {
				root = se.Name.Local
			}
			elems[se.Name.Local]++
		}
	}
	if root != "svg" || elems["text"] == 0 || elems["path"] == 0 {
		t.Errorf("SVG root <%s>, %d texts, %d paths", root, elems["text"], elems["path"])
	}
}
