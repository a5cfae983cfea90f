package job

import (
	"context"
	"testing"
	"time"

	"github.com/gorails/gorails/framework/record"
	"github.com/gorails/gorails/framework/record/migrate"
)

// TestMetaMigrationUpgradesAnOldTable: a jobs table created before the
// meta column keeps working (jobs are stored and claimed, without meta),
// and MetaMigration adds the column under queued jobs on each database.
func TestMetaMigrationUpgradesAnOldTable(t *testing.T) {
	for _, adapter := range []string{record.SQLite, record.PostgreSQL, record.MySQL} {
		t.Run(adapter, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := openEmptyDB(t, adapter, "job_meta_upgrade")
			apply := func(ms ...migrate.Migration) {
				t.Helper()
				m, err := migrate.New(db, ms, migrate.Options{})
				if err != nil {
					t.Fatal(err)
				}
				if err := m.Migrate(ctx, migrate.Latest); err != nil {
					t.Fatal(err)
				}
			}
			apply(Migration()) // the table as an app created it before meta
			clk := newClock()
			enqueue := func(b *DatabaseBackend, n string) {
				t.Helper()
				r := &Record{Kind: "echoJob", Queue: DefaultQueue, Args: []byte(`{"n":` + n + `}`), MaxAttempts: 3, RunAt: clk.Now(), CreatedAt: clk.Now(),
					Meta: map[string]string{"request_id": "req-" + n}}
				if err := b.Enqueue(ctx, r); err != nil {
					t.Fatalf("enqueue on the old table: %v", err)
				}
			}
			old := Database(db)
			if w := old.schemaWarning(ctx); w == "" {
				t.Error("no warning about the missing meta column")
			}
			enqueue(old, "1")
			apply(Migration(), MetaMigration())
			fresh := Database(db) // a process started after the migration
			if w := fresh.schemaWarning(ctx); w != "" {
				t.Errorf("warning after the migration: %s", w)
			}
			enqueue(fresh, "2")
			enqueue(old, "3") // a process started before it keeps working
			rs, err := fresh.Claim(ctx, "w1", DefaultQueue, 10, clk.Now(), clk.Now().Add(time.Minute))
			if err != nil || len(rs) != 3 {
				t.Fatalf("claimed %d jobs (%v), want 3", len(rs), err)
			}
			got := map[string]string{}
			for _, r := range rs {
				got[string(r.Args)] = r.Meta["request_id"]
			}
			if got[`{"n":1}`] != "" || got[`{"n":2}`] != "req-2" || got[`{"n":3}`] != "" {
				t.Errorf("request ids by job %v, want only the job enqueued after the migration by a new process to carry one", got)
			}
		})
	}
}
