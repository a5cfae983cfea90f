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

// Migration creates the Database backend's table. Apps list it with their
// own migrations (db/migrate/migrations.go: `job.Migration(),`). Times are
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

// CreateTables applies Migration to db (recording it in schema_migrations)
// if it is not applied yet: for apps that do not list it and for tests.
func CreateTables(ctx context.Context, db *record.DB) error {
	m, err := migrate.New(db, []migrate.Migration{Migration()}, migrate.Options{})
	if err != nil {
		return fmt.Errorf("job: create tables: %w", err)
	}
	if err := m.Migrate(ctx, migrate.Latest); err != nil {
		return fmt.Errorf("job: create tables: %w", err)
	}
	return nil
}
