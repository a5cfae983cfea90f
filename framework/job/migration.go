package job

import (
	"context"
	"fmt"

	"github.com/gorails/gorails/framework/record"
	"github.com/gorails/gorails/framework/record/migrate"
)

// Table is the table the Database backend keeps jobs in.
const Table = "gorails_jobs"

// MigrationFile is the file name Migration carries: its version sorts
// before an app's own migrations.
const MigrationFile = "20260101000000_create_gorails_jobs.go"

// Migration creates the Database backend's table. A new app's first
// migration, db/migrate/20260101000000_create_gorails_jobs.go, returns it
// (func (Migrations) CreateGorailsJobs() migrate.Migration). Times are
// stored as microseconds since the Unix epoch (bigint), the same on every
// database and compared against the workers' clock.
func Migration() migrate.Migration {
	return migrate.File(MigrationFile, migrate.Migration{Change: func(s *migrate.Schema) {
		s.CreateTable(Table, func(t *migrate.Table) {
			t.String("kind", migrate.Null(false))
			t.String("queue", migrate.Null(false), migrate.Limit(100))
			t.Text("args", migrate.Null(false))
			t.Integer("priority", migrate.Null(false), migrate.Default(0))
			t.String("state", migrate.Null(false), migrate.Limit(16))
			t.Integer("attempt", migrate.Null(false), migrate.Default(0))
			t.Integer("max_attempts", migrate.Null(false))
			t.BigInt("timeout_ms", migrate.Null(false), migrate.Default(0))
			t.BigInt("run_at", migrate.Null(false))
			t.BigInt("created_at", migrate.Null(false))
			t.String("worker", migrate.Limit(200))
			t.BigInt("lease_until")
			t.String("unique_key", migrate.Limit(64))
			t.BigInt("unique_until")
			t.BigInt("failed_at")
			t.Text("last_error")
			t.Index([]string{"queue", "state", "priority", "run_at", "id"}, migrate.IndexName("index_gorails_jobs_for_claim"))
			t.Index([]string{"state", "lease_until"}, migrate.IndexName("index_gorails_jobs_on_lease"))
			t.Index([]string{"worker"}, migrate.IndexName("index_gorails_jobs_on_worker"))
			t.Index([]string{"unique_key"}, migrate.Unique, migrate.IndexName("index_gorails_jobs_on_unique_key"))
		}, migrate.PrimaryKey(migrate.IntKey))
	}})
}

// MetaMigrationFile is the file name MetaMigration carries.
const MetaMigrationFile = "20260101000002_add_meta_to_gorails_jobs.go"

// MetaMigration adds the meta column to the Database backend's table,
// where a job keeps what it takes along from the context that enqueued it
// (the request id, a trace context; see Record.Meta). A new app's
// db/migrate lists it after Migration. An app whose table was created
// before the column existed keeps working without it (its jobs run without
// the request id) until it adds the file
// db/migrate/20260101000002_add_meta_to_gorails_jobs.go:
//
//	func (Migrations) AddMetaToGorailsJobs() migrate.Migration { return job.MetaMigration() }
//
// and runs db:migrate. Adding a nullable column without a default changes
// no row on SQLite, PostgreSQL or MariaDB, so it is safe while workers run;
// they pick the column up when they restart.
func MetaMigration() migrate.Migration {
	return migrate.File(MetaMigrationFile, migrate.Migration{Change: func(s *migrate.Schema) {
		s.AddColumn(Table, "meta", migrate.Text)
	}})
}

// Migrations are Migration and MetaMigration, in order.
func Migrations() []migrate.Migration { return []migrate.Migration{Migration(), MetaMigration()} }

// CreateTables applies Migrations to db (recording them in
// schema_migrations) where they are not applied yet: for apps that do not
// list them and for tests.
func CreateTables(ctx context.Context, db *record.DB) error {
	m, err := migrate.New(db, Migrations(), migrate.Options{})
	if err != nil {
		return fmt.Errorf("job: create tables: %w", err)
	}
	if err := m.Migrate(ctx, migrate.Latest); err != nil {
		return fmt.Errorf("job: create tables: %w", err)
	}
	return nil
}
