package main

import (
	"bytes"
	"encoding/xml"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPlotTinySweep plots a real tiny sweep and checks the files: the paths
// printed, PNGs that decode to 1200 × 675, SVGs that are well-formed XML
// with an <svg> root, and no temporary file left behind.
func TestPlotTinySweep(t *testing.T) {
	dbPath := trainTiny(t, 1)
	tests := []struct {
		name  string
		args  []string
		files []string
	}{
		{"defaults", nil, []string{"tiny-1-loss.png", "tiny-1-loss.svg", "tiny-1-accuracy.png", "tiny-1-accuracy.svg"}},
		{"loss only, smoothed, by name", []string{"tiny", "--metric", "train_loss", "--smooth", "2"},
			[]string{"tiny-1-loss.png", "tiny-1-loss.svg"}},
		{"accuracies, prefix", []string{"--metric", "train_acc,val_acc,test_acc", "--prefix", "acc", "1"},
			[]string{"acc-accuracy.png", "acc-accuracy.svg"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			code, stdout, stderr := runReport(t, "plot", append([]string{"--db", dbPath, "-o", dir}, tt.args...)...)
			if code != exitOK {
				t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
			}
			var want []string
			for _, f := range tt.files {
				want = append(want, filepath.Join(dir, f))
			}
			if got := strings.Fields(stdout); strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("printed %q, want %q", got, want)
			}
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) != len(tt.files) {
				t.Errorf("%d files in -o, want %d: %v", len(entries), len(tt.files), entries)
			}
			for _, p := range want {
				b, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				if len(b) == 0 {
					t.Fatalf("%s is empty", p)
				}
				if strings.HasSuffix(p, ".png") {
					img, err := png.Decode(bytes.NewReader(b))
					if err != nil {
						t.Fatalf("%s: %v", p, err)
					}
					if s := img.Bounds().Size(); s.X != 1200 || s.Y != 675 {
						t.Errorf("%s is %v pixels, want 1200 × 675", p, s)
					}
				} else if err := wellFormedSVG(b); err != nil {
					t.Errorf("%s: %v", p, err)
				}
			}
		})
	}
}

// wellFormedSVG returns an error unless b is well-formed XML with an <svg> root.
func wellFormedSVG(b []byte) error {
	d := xml.NewDecoder(bytes.NewReader(b))
	root := ""
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if se, ok := tok.(xml.StartElement); ok && root == "" {
			root = se.Name.Local
		}
	}
	if root != "svg" {
		return &xml.SyntaxError{Msg: "root element is <" + root + ">, not <svg>"}
	}
	return nil
}

// TestPlotErrors checks that a bad -o, bad flags and unknown sweeps are
// clear errors that write nothing.
func TestPlotErrors(t *testing.T) {
	dbPath := trainTiny(t, 1)
	dir := t.TempDir()
	file := writeFile(t, dir, "file.txt", "x")
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"missing -o", []string{"-o", filepath.Join(dir, "nope")}, exitUsage, "nope: no such file or directory"},
		{"-o is a file", []string{"-o", file}, exitUsage, "file.txt: not a directory"},
		{"-o under a file", []string{"-o", filepath.Join(file, "sub")}, exitUsage, "sub: not a directory"},
		{"smooth 0", []string{"--smooth", "0"}, exitUsage, "--smooth must be at least 1"},
		{"unknown metric", []string{"--metric", "train_loss,loss"}, exitUsage, `unknown metric "loss"`},
		{"two sweeps", []string{"1", "1"}, exitUsage, "one sweep at a time"},
		{"unknown sweep", []string{"ch7"}, exitUsage, `no sweep has id or name "ch7"`},
		{"missing database", []string{"--db", filepath.Join(dir, "missing.db")}, exitDatabase, "missing.db"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"--db", dbPath, "-o", dir}, tt.args...)
			code, stdout, stderr := runReport(t, "plot", args...)
			if code != tt.code || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, stderr, tt.code, tt.want)
			}
			if stdout != "" {
				t.Errorf("stdout %q, want nothing", stdout)
			}
		})
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("files written: %v", entries)
	}
}

// TestPlotSteps plots a sweep that logged every second step: a third figure
// has the minibatch loss per iteration.
func TestPlotSteps(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "tiny.yaml", tinySweep)
	dbPath := filepath.Join(dir, "results.db")
	if code, stdout, stderr := runMain(t, "run", "--quiet", "--db", dbPath, "--set", "log_steps=2", file); code != exitOK {
		t.Fatalf("run: exit %d\n%s\n%s", code, stdout, stderr)
	}
	// 240 training images, batch 32: 8 steps an epoch, 2 epochs, every second step.
	if n := count(t, dbPath, `SELECT count(*) FROM steps`); n != 16*8 {
		t.Errorf("steps rows: %d, want 16 runs × 8", n)
	}
	out := t.TempDir()
	code, stdout, stderr := runReport(t, "plot", "--db", dbPath, "-o", out)
	if code != exitOK || !strings.Contains(stdout, "tiny-1-steps.png") {
		t.Fatalf("plot: exit %d\n%s\n%s", code, stdout, stderr)
	}
	b, err := os.ReadFile(filepath.Join(out, "tiny-1-steps.png"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(bytes.NewReader(b)); err != nil {
		t.Errorf("tiny-1-steps.png: %v", err)
	}
}
