package main

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// pathsSweep is figure 6-8 in small: four optimizers on the book's
// function, 30 steps from (−7, 2).
const pathsSweep = `
name: paths
dataset: {name: function, function: book, start: [-7, 2]}
train: {epochs: 30}
optimizers:
  - {name: sgd, lr: 0.95}
  - {name: momentum, lr: 0.1}
  - {name: adagrad, lr: 1.5}
  - {name: adam, lr: 0.3}
`

// layersSweep logs the layers of 8 untrained configurations: more than
// one figure holds, so one figure per activation.
const layersSweep = `
name: layers
log_layers: true
dataset: {train_limit: 200}
model: {hidden: [20, 20, 20], activation: [sigmoid, relu], init: [1, 0.01, xavier, he]}
train: {epochs: 0}
`

// trainFile trains the experiment spec into a new database and returns
// its path.
func trainFile(t *testing.T, name, spec string) string {
	t.Helper()
	dir := t.TempDir()
	file := writeFile(t, dir, name+".yaml", spec)
	dbPath := filepath.Join(dir, "results.db")
	if code, stdout, stderr := runMain(t, "run", "--quiet", "--db", dbPath, "-j", "2", file); code != exitOK {
		t.Fatalf("run %s: exit %d\n%s\n%s", name, code, stdout, stderr)
	}
	return dbPath
}

// plotFiles runs plot with args into a new folder and checks what it
// wrote: the files printed are those of want (kinds, each as PNG and SVG),
// and nothing else; every PNG decodes, at least minW × minH pixels; every
// SVG is well-formed.
func plotFiles(t *testing.T, dbPath, prefix string, want []string, minW, minH int, args ...string) {
	t.Helper()
	dir := t.TempDir()
	code, stdout, stderr := runReport(t, "plot", append([]string{"--db", dbPath, "-o", dir}, args...)...)
	if code != exitOK {
		t.Fatalf("plot %q: exit %d\n%s\n%s", args, code, stdout, stderr)
	}
	var paths []string
	for _, kind := range want {
		for _, ext := range []string{"png", "svg"} {
			paths = append(paths, filepath.Join(dir, prefix+"-"+kind+"."+ext))
		}
	}
	if got := strings.Fields(stdout); !slices.Equal(got, paths) {
		t.Errorf("plot %q printed %q, want %q", args, got, paths)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(paths) {
		t.Errorf("plot %q: %d files, want %d: %v", args, len(entries), len(paths), entries)
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(p, ".png") {
			img, err := png.Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			if s := img.Bounds().Size(); s.X < minW || s.Y < minH {
				t.Errorf("%s is %v pixels, want at least %d × %d", p, s, minW, minH)
			}
		} else if err := wellFormedSVG(b); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
}

// TestPlotPaths trains real function runs and plots them: the paths and
// the values per step, no accuracy; faceted by optimizer too; and an
// accuracy asked of them is an error.
func TestPlotPaths(t *testing.T) {
	dbPath := trainFile(t, "paths", pathsSweep)
	plotFiles(t, dbPath, "paths-1", []string{"paths", "values"}, 1200, 675)
	plotFiles(t, dbPath, "paths-1", []string{"paths-by-optimizer", "values-by-optimizer"}, 1000, 600, "--facet", "optimizer")
	code, stdout, stderr := runReport(t, "plot", "--db", dbPath, "-o", t.TempDir(), "--metric", "test_acc")
	if code != exitUsage || !strings.Contains(stderr, "no test_acc") || stdout != "" {
		t.Errorf("--metric test_acc: exit %d, stderr %q", code, stderr)
	}
}

// TestPlotLayers trains untrained networks that log their layers and plots
// their histograms: one figure per activation, no curves; --epoch past
// the sweep's is an error.
func TestPlotLayers(t *testing.T) {
	dbPath := trainFile(t, "layers", layersSweep)
	plotFiles(t, dbPath, "layers-1", []string{"layers-sigmoid", "layers-relu"}, 1200, 700)
	code, _, stderr := runReport(t, "plot", "--db", dbPath, "-o", t.TempDir(), "--epoch", "1")
	if code != exitUsage || !strings.Contains(stderr, "no run of sweep \"layers\" (id 1) recorded layer statistics at epoch 1") {
		t.Errorf("--epoch 1: exit %d, stderr %q", code, stderr)
	}
}

// TestPlotFacetTop plots the tiny sweep as small multiples: by optimizer,
// and the two best configurations by val_acc.
func TestPlotFacetTop(t *testing.T) {
	dbPath := trainTiny(t, 1)
	plotFiles(t, dbPath, "tiny-1", []string{"loss-by-optimizer", "accuracy-by-optimizer"}, 1200, 400, "--facet", "optimizer")
	plotFiles(t, dbPath, "tiny-1", []string{"accuracy-top2"}, 1000, 400, "--top", "2", "--metric", "val_acc")
	plotFiles(t, dbPath, "tiny-1", []string{"accuracy-top3-by-schedule"}, 1000, 400, "--top", "3", "--metric", "val_acc", "--facet", "schedule")
}

// TestPlotFigureErrors checks the errors of the new flags: exit 2, a
// message naming the hyperparameters that vary, nothing written.
func TestPlotFigureErrors(t *testing.T) {
	dbPath := trainTiny(t, 1)
	dir := t.TempDir()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--facet", "colour"}, `--facet "colour": not a hyperparameter of sweep "tiny" (id 1); facet by one of the hyperparameters that vary: hidden, optimizer, lr, schedule`},
		{[]string{"--facet", "dropout"}, `every run of sweep "tiny" (id 1) has dropout=0.1`},
		{[]string{"--facet", "seed"}, "the curves are means over seeds"},
		{[]string{"--top", "-1"}, "--top must be at least 1"},
		{[]string{"--epoch", "-2"}, "--epoch must be at least 0"},
		{[]string{"--epoch", "1"}, "logged no layer statistics"},
	}
	for _, tt := range tests {
		code, stdout, stderr := runReport(t, "plot", append([]string{"--db", dbPath, "-o", dir}, tt.args...)...)
		if code != exitUsage || !strings.Contains(stderr, tt.want) || stdout != "" {
			t.Errorf("%q: exit %d, stderr %q, stdout %q; want exit %d and %q", tt.args, code, stderr, stdout, exitUsage, tt.want)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("files written: %v", entries)
	}
}

// TestPlotHelp checks that the usage text describes the new flags and
// figures.
func TestPlotHelp(t *testing.T) {
	code, stdout, stderr := runMain(t, "help", "plot")
	if code != exitOK {
		t.Fatalf("help plot: exit %d\n%s", code, stderr)
	}
	for _, want := range []string{"--facet", "--top", "--epoch", "NAME-ID-paths.png", "NAME-ID-layers.png", "figure 6-24"} {
		if !strings.Contains(stdout+stderr, want) {
			t.Errorf("help plot does not mention %s", want)
		}
	}
}
