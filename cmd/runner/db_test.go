package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"runner/internal/store/storetest"
)

// pathSweep is a sweep of two runs on the book's function: it needs no
// MNIST and trains in milliseconds.
const pathSweep = `
name: db-flag
dataset: {name: function, function: book, start: [-7, 2]}
train: {epochs: 5}
optimizers:
  - {name: sgd, lr: [0.9, 0.5]}
`

// A --db that is not a runner database (a text file, a directory, another
// program's SQLite file) is refused with exit 3 before anything is created
// beside it, and a run that succeeds leaves its database and nothing else:
// no lock file.
func TestRunDBFlag(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "paths.yaml", pathSweep)
	readme := writeFile(t, dir, "README.md", "# runner\n\nNot a database.\n")
	other := filepath.Join(dir, "other.db")
	raw := storetest.Open(t, other)
	if _, err := raw.Exec(`CREATE TABLE notes (body TEXT)`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	if err := os.Mkdir(filepath.Join(dir, "folder"), 0o755); err != nil {
		t.Fatal(err)
	}
	before := listFiles(t, dir)
	for _, tt := range []struct{ db, want string }{
		{readme, "not an SQLite database"},
		{filepath.Join(dir, "folder"), "it is a directory"},
		{other, "not a runner results database"},
	} {
		code, _, stderr := runMain(t, "run", "--quiet", "--db", tt.db, file)
		if code != exitDatabase || !strings.Contains(stderr, tt.want) {
			t.Errorf("--db %s: exit %d, stderr %q; want %d and %q", filepath.Base(tt.db), code, stderr, exitDatabase, tt.want)
		}
	}
	if got := listFiles(t, dir); !slices.Equal(got, before) {
		t.Errorf("refused --db: the folder holds %v, had %v", got, before)
	}
	if b, err := os.ReadFile(readme); err != nil || string(b) != "# runner\n\nNot a database.\n" {
		t.Errorf("README.md changed: %q, %v", b, err)
	}

	db := filepath.Join(dir, "results.db")
	for range 2 { // creating the database, then adding to it
		if code, stdout, stderr := runMain(t, "run", "--quiet", "--db", db, file); code != exitOK {
			t.Fatalf("run: exit %d\n%s\n%s", code, stdout, stderr)
		}
	}
	if got, want := listFiles(t, dir), append(slices.Clone(before), "results.db"); !slices.Equal(got, slices.Sorted(slices.Values(want))) {
		t.Errorf("after two runs the folder holds %v, want %v", got, want)
	}
	if n := count(t, db, `SELECT count(*) FROM sweeps WHERE status = 'done'`); n != 2 {
		t.Errorf("%d sweeps done, want 2", n)
	}
}
