package web

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"

	"runner/internal/store"
)

// sweepCount reads the number of sweeps through db.
func sweepCount(db *store.DB) (int, error) {
	var n int
	err := db.SQLDB().QueryRow(`SELECT count(*) FROM sweeps`).Scan(&n)
	return n, err
}

// TestSourceLeases checks that a pool outlives its replacement as long
// as a lease on it is held, and is closed when the last one is released.
func TestSourceLeases(t *testing.T) {
	ctx := context.Background()
	path := resultsDB(t)
	src := &source{path: path}
	defer src.drop()

	db1, release1, err := src.get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	again, releaseAgain, err := src.get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if again != db1 {
		t.Error("the same file: get opened another pool")
	}
	releaseAgain()
	releaseAgain() // a second call releases nothing more

	// Another file at the path: get opens it; the old pool stays open for
	// its lease.
	if err := os.Rename(oneDBPath(t), path); err != nil {
		t.Fatal(err)
	}
	db2, release2, err := src.get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if db2 == db1 {
		t.Fatal("a replaced file: get kept the old pool")
	}
	if n, err := sweepCount(db1); err != nil || n != 2 {
		t.Errorf("the old pool, leased, after the file was replaced: %d sweeps, %v; want the 2 it was opened on", n, err)
	}
	if n, err := sweepCount(db2); err != nil || n != 1 {
		t.Errorf("the new pool: %d sweeps, %v; want 1", n, err)
	}
	release1()
	if err := db1.SQLDB().Ping(); err == nil {
		t.Error("the old pool is still open after its last lease was released")
	}

	// Dropped while leased (the file gone): closed at the release.
	src.drop()
	if err := db2.SQLDB().Ping(); err != nil {
		t.Errorf("a dropped pool, still leased: %v", err)
	}
	release2()
	if err := db2.SQLDB().Ping(); err == nil {
		t.Error("a dropped pool is still open after its lease was released")
	}

	// The current pool is kept between leases.
	db3, release3, err := src.get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	release3()
	if err := db3.SQLDB().Ping(); err != nil {
		t.Errorf("the current pool, no lease held: %v", err)
	}
}

// TestUnavailable checks which errors mean that the database cannot be
// read now (503) and which do not, on errors of a real database.
func TestUnavailable(t *testing.T) {
	ctx := context.Background()
	path := resultsDB(t)
	db := openRead(t, path)
	queryErr := func(query string) error {
		rows, err := db.SQLDB().QueryContext(ctx, query)
		if err == nil {
			rows.Close()
			t.Fatalf("%s: no error", query)
		}
		return err
	}
	var n int
	scanErr := db.SQLDB().QueryRow(`SELECT 'x'`).Scan(&n)
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, cancelErr := db.SQLDB().QueryContext(cancelled, `SELECT 1`)
	missing := &source{path: path + ".missing"}
	_, _, missingErr := missing.get(ctx)

	for _, tt := range []struct {
		name string
		err  error
		want bool
	}{
		{"no such file", missingErr, true},
		{"no such table", queryErr(`SELECT * FROM nowhere`), true},
		{"no such table, wrapped", fmt.Errorf("read runs: %w", queryErr(`SELECT * FROM nowhere`)), true},
		{"a syntax error", queryErr(`SELEC 1`), true},
		{"a scan into the wrong type", scanErr, false},
		{"a cancelled request", cancelErr, false},
		{"not found", notFound("no run has id %d", 9), false},
		{"a bad request", badRequest("runs: want run ids"), false},
		{"store: not found", fmt.Errorf("run 9: %w", store.ErrNotFound), false},
		{"another error", errors.New("encode answer"), false},
		{"nil", nil, false},
	} {
		if tt.err == nil && tt.name != "nil" {
			t.Fatalf("%s: no error to classify", tt.name)
		}
		if got := unavailable(tt.err); got != tt.want {
			t.Errorf("unavailable(%s: %v) = %v, want %v", tt.name, tt.err, got, tt.want)
		}
	}

	// A text file written over the database, under an open pool: SQLite
	// reports it (not a database, or an I/O error): unavailable.
	if err := os.WriteFile(path, []byte("not a database any more, just text, long enough to hold no header\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var count int
	err := db.SQLDB().QueryRowContext(ctx, `SELECT count(*) FROM sweeps`).Scan(&count)
	if err == nil {
		t.Fatalf("a text file under an open pool: read %d sweeps, want an error", count)
	}
	if store.Classify(err) == store.NotSQLiteError || !unavailable(err) {
		t.Errorf("a text file under an open pool: %v (class %d), want a database error, unavailable", err, store.Classify(err))
	}
}
