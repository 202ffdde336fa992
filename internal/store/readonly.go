package store

import (
	"database/sql"
	"strings"

	"github.com/mattn/go-sqlite3"
)

// readOnlyDriver is the database/sql driver of OpenReadOnly: go-sqlite3
// with readOnlyAuthorizer set on every connection.
const readOnlyDriver = "sqlite3_runner_readonly"

func init() {
	sql.Register(readOnlyDriver, &sqlite3.SQLiteDriver{
		ConnectHook: func(c *sqlite3.SQLiteConn) error {
			c.RegisterAuthorizer(readOnlyAuthorizer)
			return nil
		},
	})
}

// A read-only connection (mode=ro, query_only) cannot change the database
// file, but it could still attach other files, create and fill temporary
// tables, or change its own settings with PRAGMA. readOnlyAuthorizer makes
// SQLite refuse all of that when it prepares the statement, before anything
// runs ("not authorized"): it lets through reading (SELECT, WITH RECURSIVE,
// functions), transactions and savepoints (which only take read locks
// here), and the PRAGMAs that only report something (readPragmas, without a
// value; infoPragmas, with or without a table or index name). VACUUM and
// VACUUM INTO (which would write a new file) ask no question of their own,
// but are refused through the ATTACH they make ("authorization denied").
func readOnlyAuthorizer(op int, arg1, arg2, dbName string) int {
	switch op {
	case sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION, sqliteRecursive,
		sqlite3.SQLITE_TRANSACTION, sqlite3.SQLITE_SAVEPOINT:
		return sqlite3.SQLITE_OK
	case sqlite3.SQLITE_PRAGMA:
		name := strings.ToLower(arg1)
		if infoPragmas[name] || (arg2 == "" && readPragmas[name]) {
			return sqlite3.SQLITE_OK
		}
	}
	return sqlite3.SQLITE_DENY
}

// sqliteRecursive is SQLITE_RECURSIVE, the authorizer code of a recursive
// common table expression, which go-sqlite3 does not export.
const sqliteRecursive = 33

// infoPragmas report on the schema; their argument, if any, names a table
// or an index, or bounds the number of errors reported.
var infoPragmas = map[string]bool{
	"table_info": true, "table_xinfo": true, "table_list": true,
	"index_list": true, "index_info": true, "index_xinfo": true,
	"foreign_key_list": true, "foreign_key_check": true,
	"integrity_check": true, "quick_check": true,
}

// readPragmas report a setting or a property when given no value.
var readPragmas = map[string]bool{
	"application_id": true, "user_version": true, "schema_version": true, "data_version": true,
	"journal_mode": true, "page_size": true, "page_count": true, "freelist_count": true,
	"encoding": true, "auto_vacuum": true, "foreign_keys": true, "query_only": true,
	"busy_timeout": true, "cache_size": true, "synchronous": true, "temp_store": true,
	"compile_options": true, "database_list": true, "collation_list": true,
	"function_list": true, "module_list": true, "pragma_list": true,
}
