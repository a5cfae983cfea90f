package config

import (
	"github.com/gorails/gorails/framework/record/driver"
	"github.com/gorails/gorails/framework/record/postgres"
	"github.com/gorails/gorails/framework/record/sqlite"
)

// DatabaseDrivers are the database drivers linked into the app: the adapter
// config/database.yml (or DATABASE_URL) names must be one of them. The
// benchmark runs the app on SQLite and, through DATABASE_URL, on
// PostgreSQL, so it links both (a generated app links the one it was made
// with).
func DatabaseDrivers() []driver.Driver {
	return []driver.Driver{sqlite.Driver{}, postgres.Driver{}}
}
