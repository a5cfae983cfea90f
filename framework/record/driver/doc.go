// Package driver is record's implementer API, as database/sql/driver is
// database/sql's: what a database must provide for record (and the
// migrations and job packages built on it) to run on it. Applications do
// not use it beyond passing a driver to record.Open; they import the one
// driver package of their database:
//
//	import "github.com/gorails/gorails/framework/record/sqlite"   // modernc.org/sqlite, no cgo
//	import "github.com/gorails/gorails/framework/record/postgres" // pgx's native pool
//	import "github.com/gorails/gorails/framework/record/mysql"    // go-sql-driver/mysql, MySQL and MariaDB
//
//	db, err := record.Open(ctx, sqlite.Driver{}, record.Config{Database: "db/development.sqlite3"})
//
// Only the drivers a program imports are linked into it: there is no
// registry and no init().
//
// A Driver names its adapter (the name config/database.yml uses) and opens
// a Pool from Options. A Pool runs statements (Querier), begins
// transactions (Tx) and reads the schema (Columns, Tables); Classify maps
// its errors to the Kinds record turns into its sentinel errors; Dialect
// describes how its SQL is spelled (quoting, placeholders, RETURNING,
// conflict clauses, bind limits). SQL reaches a Pool already rebound to the
// dialect's placeholders, with values only as bound parameters. A driver
// that can create and drop its databases (db:create, db:drop) implements
// Creator.
//
// The migrations package knows the DDL of the three databases gorails
// ships drivers for, by Dialect.Name; a driver for another database runs
// record's queries but needs DDL support there before migrations run on it.
package driver
