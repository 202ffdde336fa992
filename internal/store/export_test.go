package store

import "time"

// SetNowFunc replaces the clock for a test and returns a function that
// restores it.
func SetNowFunc(f func() time.Time) (restore func()) {
	old := nowFunc
	nowFunc = f
	return func() { nowFunc = old }
}

// ApplicationID is the PRAGMA application_id of a results database.
const ApplicationID = applicationID

// Migrations are the schema migrations, migrations[i] taking a database
// from user_version i to i+1.
var Migrations = migrations[:]
