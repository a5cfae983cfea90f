// Package migrate is gorails' migrations: a database-agnostic Go DSL, a
// runner that records applied versions in schema_migrations under a
// migrator lock, the schema dump and load, and the db:create/drop/reset/
// prepare tasks.
//
// # Migrations in an app
//
// Each migration is a file db/migrate/VERSION_name.go (VERSION is 14 digits,
// YYYYMMDDHHMMSS; name is snake_case) in the app's package migrate,
// declaring one method of the package's Migrations type that returns a
// Migration. Methods collects them, naming each after the file that
// declares it, so that nothing is registered in init() or held in a global
// and no list can drift from the files: adding a file adds a migration,
// deleting it deletes the migration, and the build never breaks on either.
// `gorails generate migration` and `gorails generate model` write them;
// `gorails destroy migration` removes one.
//
//	// db/migrate/20261123085000_create_posts.go
//	func (Migrations) CreatePosts() migrate.Migration {
//		return migrate.Migration{Change: func(s *migrate.Schema) {
//			s.CreateTable("posts", func(t *migrate.Table) {
//				t.String("title", migrate.Null(false), migrate.Limit(100))
//				t.Text("body")
//				t.References("user", migrate.ForeignKey)
//				t.Timestamps()
//			})
//			s.AddIndex("posts", []string{"title"}, migrate.Unique)
//		}}
//	}
//
//	// db/migrate/migrations.go (written once by gorails new)
//	type Migrations struct{}
//	func All() []migrate.Migration { return migrate.Methods(Migrations{}) }
//
// The app binary's db:* commands call New(db, appmigrate.All(), Options{...}).
// New checks every file name, version and name first and applies nothing
// when one is wrong; the error names each bad file. A list built by hand
// with File works too.
//
// # The DSL
//
// A Schema only records steps; the runner writes each one as SQL for the
// database (types, quoting, defaults) and runs it. Change steps are
// inverted to roll back (CreateTable/DropTable with its definition,
// AddColumn/RemoveColumn with its type, RenameColumn, RenameTable,
// AddIndex/RemoveIndex with its columns, AddForeignKey/RemoveForeignKey,
// Reversible); ChangeColumn and Execute are not reversible inside Change:
// rolling back such a migration fails with ErrIrreversible before touching
// anything. Up and Down give full control. On SQLite, ChangeColumn,
// RemoveColumn, AddForeignKey and RemoveForeignKey rebuild the table (new
// table, copy, drop, rename, recreate indexes) with foreign key
// enforcement off for the migration and PRAGMA foreign_key_check before
// commit; CHECK constraints, triggers and views made with Execute do not
// survive a rebuild. RenameTable renames the indexes that carry the
// default name (index_OLD_on_... becomes index_NEW_on_...). Partial
// indexes (Where) fail on MySQL with ErrUnsupported.
//
// # Transactions, failures and the lock
//
// PostgreSQL and SQLite run each migration, and the schema_migrations row
// that records it, in one transaction: a failure rolls that migration back
// entirely, keeps the ones before it, and returns a *MigrationError naming
// the file, the step and the statement. MySQL commits each DDL statement;
// its *MigrationError lists the steps that stayed applied (the version is
// not recorded). DisableTransaction opts a migration out.
//
// Two migrators never apply one migration twice: PostgreSQL and MySQL hold
// a database-wide lock (pg_try_advisory_xact_lock, GET_LOCK) for the whole
// call, waiting at most Options.LockTimeout before failing with ErrLocked;
// SQLite's immediate transaction first claims the version, and a migrator
// that finds it claimed skips it.
//
// # Schema
//
// After a change, with Options.SchemaPath set, the schema is dumped there
// (DumpSchema: tables, columns, indexes, foreign keys and the applied
// versions, sorted, so the text is stable); LoadSchema recreates it.
//
// This package imports record and nothing of the web stack.
package migrate
