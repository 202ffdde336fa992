package main

import (
	"path/filepath"
	"testing"
)

// A run that diverges makes runner run exit 1, unless --allow-diverged says
// that divergence is what the experiment shows; the run is recorded
// diverged either way.
func TestRunAllowDiverged(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "diverge.yaml", `
name: diverge
dataset: {name: function, function: book, start: [-7, 2]}
train: {epochs: 300}
optimizers:
  - {name: sgd, lr: [0.5, 3]} # 3: y is multiplied by −5 at every step
`)
	for _, tt := range []struct {
		args []string
		code int
	}{
		{nil, exitRunsFailed},
		{[]string{"--allow-diverged"}, exitOK},
	} {
		db := filepath.Join(t.TempDir(), "results.db")
		args := append(append([]string{"run", "--quiet", "--db", db}, tt.args...), file)
		if code, stdout, stderr := runMain(t, args...); code != tt.code {
			t.Errorf("%v: exit %d, want %d\n%s\n%s", tt.args, code, tt.code, stdout, stderr)
		}
		if n := count(t, db, `SELECT count(*) FROM runs WHERE status = 'diverged'`); n != 1 {
			t.Errorf("%v: %d runs diverged, want 1", tt.args, n)
		}
		if n := count(t, db, `SELECT count(*) FROM runs WHERE status = 'done'`); n != 1 {
			t.Errorf("%v: %d runs done, want 1", tt.args, n)
		}
	}
}
