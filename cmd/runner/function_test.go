package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRunFunctionSweep trains the shipped figure 6-8 file through runner
// run with no MNIST at hand (function runs need none): every step of
// every run is recorded in path, the summary ranks by the final value, and
// the log lines speak of steps, values and distances.
func TestRunFunctionSweep(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "results.db")
	noMNIST := filepath.Join(dir, "no-mnist")
	if err := os.Mkdir(noMNIST, 0o755); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runMain(t, "run", "--db", dbPath, "--mnist-dir", noMNIST, "../../experiments/optimizer-paths.yaml")
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	if n := count(t, dbPath, `SELECT count(*) FROM run_path WHERE sweep_name = 'optimizer-paths'`); n != 6*31 {
		t.Errorf("%d path rows, want 6 runs × 31 steps", n)
	}
	if n := count(t, dbPath, `SELECT count(*) FROM runs WHERE dataset = 'function' AND function = 'book' AND status = 'done'`); n != 6 {
		t.Errorf("%d done runs on the book's function, want 6", n)
	}
	for _, want := range []string{"value", "distance", "* lowest final value: optimizer=", "step 30 value "} {
		if !strings.Contains(stdout, want) {
			t.Errorf("the output lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "NaN") {
		t.Errorf("the output prints NaN accuracies for function runs:\n%s", stdout)
	}
}
