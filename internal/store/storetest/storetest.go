// Package storetest opens results databases with database/sql directly,
// past the store's checks, for tests that read what was written or write
// what runner never would (an old schema, a status changed by hand).
package storetest

import (
	"database/sql"
	"net/url"
	"testing"

	_ "github.com/mattn/go-sqlite3" // the sqlite3 driver
)

// Open opens the SQLite file at path for reading and writing (creating it
// if missing); the test closes it at its end.
func Open(tb testing.TB, path string) *sql.DB {
	tb.Helper()
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// OpenReadOnly opens the SQLite file at path read-only; SQLite fails on
// the first statement if it does not exist. The caller closes it.
func OpenReadOnly(path string) (*sql.DB, error) {
	return sql.Open("sqlite3", "file:"+(&url.URL{Path: path}).EscapedPath()+"?mode=ro")
}
