package migrate_test

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorails/gorails/framework/record"
	"github.com/gorails/gorails/framework/record/migrate"
)

func createTable(file, table string) migrate.Migration {
	return migrate.File(file, migrate.Migration{Change: func(s *migrate.Schema) {
		s.CreateTable(table, func(t *migrate.Table) { t.String("name") })
	}})
}

func TestFailingMigrationInTheMiddleOfABatch(t *testing.T) {
	eachDB(t, "failing", func(t *testing.T, b backend, cfg record.Config) {
		ctx := ctxT(t)
		db := open(t, cfg)
		ms := []migrate.Migration{
			createTable("20260101000001_create_a.go", "a"),
			migrate.File("20260101000002_broken.go", migrate.Migration{Change: func(s *migrate.Schema) {
				s.CreateTable("b", nil)
				s.AddColumn("b", "n", migrate.Integer)
				s.Execute("INSERT INTO no_such_table VALUES (1)")
				s.CreateTable("never", nil)
			}}),
			createTable("20260101000003_create_c.go", "c"),
		}
		m := newMigrator(t, db, ms, migrate.Options{})
		err := m.Migrate(ctx, migrate.Latest)
		var me *migrate.MigrationError
		if !errors.As(err, &me) {
			t.Fatalf("Migrate: err = %v, want a *MigrationError", err)
		}
		if me.File != "20260101000002_broken.go" || me.Statement != "INSERT INTO no_such_table VALUES (1)" || !strings.Contains(me.Step, "step 3 of 4 execute") {
			t.Errorf("error names file %q, step %q, statement %q", me.File, me.Step, me.Statement)
		}
		for _, want := range []string{"20260101000002_broken.go", "no_such_table"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not mention %s", err, want)
			}
		}
		// The migration before stays applied, the one after never ran.
		if got, want := versions(t, db, m), []string{"20260101000001_create_a"}; !slices.Equal(got, want) {
			t.Errorf("applied = %v, want %v", got, want)
		}
		wantTables := []string{"a", "schema_migrations"}
		if b.name == "mysql" { // DDL is not transactional: the steps before the failure stay, and the error says so
			wantTables = []string{"a", "b", "schema_migrations"}
			if !slices.Equal(me.Applied, []string{"create_table(b)", "add_column(b, n, integer)"}) || me.RolledBack {
				t.Errorf("Applied = %v, RolledBack = %v", me.Applied, me.RolledBack)
			}
			if !strings.Contains(err.Error(), "the version was not recorded; these steps were applied and stay applied: create_table(b), add_column(b, n, integer)") {
				t.Errorf("error %q does not list the applied steps", err)
			}
		} else if !me.RolledBack || len(me.Applied) != 0 {
			t.Errorf("RolledBack = %v, Applied = %v, want a rolled back migration", me.RolledBack, me.Applied)
		}
		if got := tables(t, db); !slices.Equal(got, wantTables) {
			t.Errorf("tables = %v, want %v", got, wantTables)
		}
	})
}

func TestConcurrentMigratorsApplyEachMigrationOnce(t *testing.T) {
	const migrators, n = 4, 6
	eachDB(t, "concurrent", func(t *testing.T, b backend, cfg record.Config) {
		ctx := ctxT(t)
		ms := []migrate.Migration{migrate.File("20260101000000_create_runs.go", migrate.Migration{Change: func(s *migrate.Schema) {
			s.CreateTable("runs", func(t *migrate.Table) { t.String("version") })
		}})}
		for i := 1; i <= n; i++ {
			v := fmt.Sprintf("202601010000%02d", i)
			ms = append(ms, migrate.File(v+"_step_"+fmt.Sprint(i)+".go", migrate.Migration{Change: func(s *migrate.Schema) {
				s.CreateTable(fmt.Sprintf("t%d", i), nil)
				s.Reversible(func(s *migrate.Schema) { s.Execute("INSERT INTO runs (version) VALUES ('" + v + "')") }, nil)
			}}))
		}
		var wg sync.WaitGroup
		errs := make([]error, migrators)
		for i := range migrators {
			db := open(t, cfg)
			m := newMigrator(t, db, ms, migrate.Options{LockTimeout: 30 * time.Second})
			wg.Go(func() { errs[i] = m.Migrate(ctx, migrate.Latest) })
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("migrator %d: %v", i, err)
			}
		}
		db := open(t, cfg)
		if got := count(t, db, "SELECT COUNT(*) FROM runs"); got != n {
			t.Errorf("runs = %d, want %d (each migration applied exactly once)", got, n)
		}
		if got := count(t, db, "SELECT COUNT(DISTINCT version) FROM runs"); got != n {
			t.Errorf("distinct runs = %d, want %d", got, n)
		}
		if got := count(t, db, "SELECT COUNT(*) FROM schema_migrations"); got != n+1 {
			t.Errorf("schema_migrations rows = %d, want %d", got, n+1)
		}
	})
}

func TestSecondMigratorWaitsBoundedThenFails(t *testing.T) {
	// SQLite has no session lock: each migration's immediate transaction
	// serialises migrators instead (see TestConcurrentMigrators...).
	for _, b := range backends()[1:] {
		t.Run(b.name, func(t *testing.T) {
			cfg := b.config(t, "locked")
			ctx := ctxT(t)
			hold := make(chan struct{})
			held := make(chan struct{})
			slow := []migrate.Migration{migrate.File("20260101000001_slow.go", migrate.Migration{Change: func(s *migrate.Schema) {
				close(held) // the steps are recorded while the first migrator holds the lock
				<-hold
				s.CreateTable("slow", nil)
			}})}
			first := newMigrator(t, open(t, cfg), slow, migrate.Options{})
			done := make(chan error, 1)
			go func() { done <- first.Migrate(ctx, migrate.Latest) }()
			<-held
			second := newMigrator(t, open(t, cfg), slow, migrate.Options{LockTimeout: time.Second})
			start := time.Now()
			err := second.Migrate(ctx, migrate.Latest)
			close(hold)
			if !errors.Is(err, migrate.ErrLocked) {
				t.Errorf("second migrator: err = %v, want ErrLocked", err)
			}
			if d := time.Since(start); d < 900*time.Millisecond || d > 10*time.Second {
				t.Errorf("second migrator gave up after %v, want about 1s", d)
			}
			if err := <-done; err != nil {
				t.Fatalf("first migrator: %v", err)
			}
		})
	}
}

func TestInvalidMigrationsApplyNothing(t *testing.T) {
	ok := createTable("20260101000001_create_a.go", "a")
	cases := []struct {
		name  string
		ms    []migrate.Migration
		is    error
		names []string
	}{
		{"a bad file name", []migrate.Migration{ok, createTable("2026_create_b.go", "b")}, migrate.ErrBadFileName, []string{"2026_create_b.go"}},
		{"a CamelCase name", []migrate.Migration{ok, createTable("20260101000002_CreateB.go", "b")}, migrate.ErrBadFileName, []string{"20260101000002_CreateB.go"}},
		{"a duplicate version", []migrate.Migration{ok, createTable("20260101000001_create_b.go", "b")}, migrate.ErrDuplicateVersion, []string{"20260101000001_create_a.go", "20260101000001_create_b.go"}},
		{"a duplicate name", []migrate.Migration{ok, createTable("20260101000002_create_a.go", "b")}, migrate.ErrDuplicateName, []string{"20260101000002_create_a.go"}},
		{"no body", []migrate.Migration{ok, migrate.File("20260101000002_empty.go", migrate.Migration{})}, migrate.ErrNoBody, []string{"20260101000002_empty.go"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db := open(t, backends()[0].config(t, "invalid"))
			_, err := migrate.New(db, tc.ms, migrate.Options{})
			if !errors.Is(err, tc.is) {
				t.Fatalf("New: err = %v, want %v", err, tc.is)
			}
			for _, n := range tc.names {
				if !strings.Contains(err.Error(), n) {
					t.Errorf("error %q does not name %s", err, n)
				}
			}
			if got := tables(t, db); len(got) != 0 {
				t.Errorf("tables = %v, want none", got)
			}
		})
	}
}

func TestMigrateToVersionRedoAndStatus(t *testing.T) {
	db := open(t, backends()[0].config(t, "status"))
	ctx := ctxT(t)
	ms := []migrate.Migration{
		createTable("20260101000001_create_a.go", "a"),
		createTable("20260101000002_create_b.go", "b"),
		createTable("20260101000003_create_c.go", "c"),
	}
	m := newMigrator(t, db, ms, migrate.Options{})
	steps := []struct {
		name string
		do   func() error
		want []string
	}{
		{"migrate to the second version", func() error { return m.Migrate(ctx, 20260101000002) }, []string{"a", "b", "schema_migrations"}},
		{"migrate to the latest", func() error { return m.Migrate(ctx, migrate.Latest) }, []string{"a", "b", "c", "schema_migrations"}},
		{"migrate down to the first version", func() error { return m.Migrate(ctx, 20260101000001) }, []string{"a", "schema_migrations"}},
		{"redo the last one", func() error { return m.Redo(ctx, 1) }, []string{"a", "schema_migrations"}},
		{"rollback two when one is applied", func() error { return m.Rollback(ctx, 2) }, []string{"schema_migrations"}},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if got := tables(t, db); !slices.Equal(got, s.want) {
			t.Fatalf("%s: tables = %v, want %v", s.name, got, s.want)
		}
	}
	if err := m.Migrate(ctx, 20260101000009); !errors.Is(err, migrate.ErrUnknownVersion) {
		t.Errorf("Migrate to an unknown version: err = %v, want ErrUnknownVersion", err)
	}
	if err := m.Migrate(ctx, 20260101000002); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(ctx, "INSERT INTO schema_migrations (version) VALUES ('20251231000000')"); err != nil {
		t.Fatal(err)
	}
	lines, err := m.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := migrate.WriteStatus(&out, "db/test.sqlite3", lines); err != nil {
		t.Fatal(err)
	}
	want := `
database: db/test.sqlite3

 Status   Migration ID    Migration Name
--------------------------------------------------
   up     20251231000000  ********** NO FILE **********
   up     20260101000001  Create a
   up     20260101000002  Create b
  down    20260101000003  Create c

`
	if out.String() != want {
		t.Errorf("status:\n%s\nwant:\n%s", out.String(), want)
	}
	if v, err := m.Version(ctx); err != nil || v != 20260101000002 {
		t.Errorf("Version = %d, %v", v, err)
	}
	if p, err := m.Pending(ctx); err != nil || !slices.Equal(p, []string{"20260101000003_create_c.go"}) {
		t.Errorf("Pending = %v, %v", p, err)
	}
}

func TestSchemaDumpIsStableAndLoads(t *testing.T) {
	eachDB(t, "dump", func(t *testing.T, b backend, cfg record.Config) {
		ctx := ctxT(t)
		db := open(t, cfg)
		path := filepath.Join(t.TempDir(), "db", "schema.sql")
		m := newMigrator(t, db, everyStep(), migrate.Options{SchemaPath: path})
		if err := m.Migrate(ctx, migrate.Latest); err != nil {
			t.Fatal(err)
		}
		first, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("schema not dumped: %v", err)
		}
		again, err := migrate.DumpSchema(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if again != string(first) {
			t.Fatalf("two dumps differ:\n%s\n---\n%s", first, again)
		}
		for _, want := range []string{"CREATE TABLE", "posts", "index_posts_on_user_id", "fk_posts_user_id", "('20260101000010');"} {
			if !strings.Contains(again, want) {
				t.Errorf("dump lacks %q:\n%s", want, again)
			}
		}
		// Loading the dump into an empty database gives the same dump.
		other := open(t, b.config(t, "dump_load"))
		if err := migrate.LoadSchemaFile(ctx, other, path); err != nil {
			t.Fatalf("LoadSchema: %v", err)
		}
		loaded, err := migrate.DumpSchema(ctx, other)
		if err != nil {
			t.Fatal(err)
		}
		if loaded != again {
			t.Errorf("dump of the loaded schema differs:\n%s\n---\n%s", loaded, again)
		}
		m2 := newMigrator(t, other, everyStep(), migrate.Options{})
		if p, err := m2.Pending(ctx); err != nil || len(p) != 0 {
			t.Errorf("after loading the schema, pending = %v, %v", p, err)
		}
	})
}

func TestSplitStatements(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want []string
	}{
		{"two statements", "CREATE TABLE a (x int);\nCREATE TABLE b (y int);\n", []string{"CREATE TABLE a (x int)", "CREATE TABLE b (y int)"}},
		{"semicolons in strings and identifiers", "INSERT INTO \"a;b\" VALUES ('x;y', 'it''s;');SELECT `c;d`", []string{"INSERT INTO \"a;b\" VALUES ('x;y', 'it''s;')", "SELECT `c;d`"}},
		{"comments", "-- a comment; still\nSELECT 1; /* x; y */ SELECT 2;\n-- trailing;\n", []string{"-- a comment; still\nSELECT 1", "/* x; y */ SELECT 2"}},
		{"dollar quoting", "CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql; SELECT $1", []string{"CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql", "SELECT $1"}},
		{"nothing", " ;\n; -- only a comment\n", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := migrate.SplitStatements(tc.in); !slices.Equal(got, tc.want) {
				t.Errorf("SplitStatements = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestMySQLFailureInsideAStepListsTheStatementsApplied(t *testing.T) {
	b := backends()[2]
	cfg := b.config(t, "partial")
	ctx := ctxT(t)
	db := open(t, cfg)
	m := newMigrator(t, db, []migrate.Migration{migrate.File("20260101000001_create_c.go", migrate.Migration{Change: func(s *migrate.Schema) {
		s.CreateTable("c", func(t *migrate.Table) { t.References("ghost", migrate.ForeignKey) })
	}})}, migrate.Options{})
	err := m.Migrate(ctx, migrate.Latest)
	var me *migrate.MigrationError
	if !errors.As(err, &me) {
		t.Fatalf("err = %v, want a *MigrationError", err)
	}
	if len(me.Applied) != 0 || len(me.PartlyApplied) != 2 || !strings.HasPrefix(me.PartlyApplied[0], "CREATE TABLE `c`") ||
		!strings.HasPrefix(me.PartlyApplied[1], "CREATE INDEX `index_c_on_ghost_id`") || !strings.HasPrefix(me.Statement, "ALTER TABLE `c` ADD CONSTRAINT") {
		t.Errorf("Applied %q, PartlyApplied %q, Statement %q", me.Applied, me.PartlyApplied, me.Statement)
	}
	if !strings.Contains(err.Error(), "of the failing step, these statements were applied and stay applied: CREATE TABLE `c`") {
		t.Errorf("error %q does not list the statements applied", err)
	}
}

func TestDisableTransactionKeepsStepsBeforeAFailure(t *testing.T) {
	eachDB(t, "notx", func(t *testing.T, b backend, cfg record.Config) {
		ctx := ctxT(t)
		db := open(t, cfg)
		m := newMigrator(t, db, []migrate.Migration{migrate.File("20260101000001_no_tx.go", migrate.Migration{
			DisableTransaction: true,
			Change: func(s *migrate.Schema) {
				s.CreateTable("x", nil)
				s.Execute("INSERT INTO no_such_table VALUES (1)")
			},
		})}, migrate.Options{})
		err := m.Migrate(ctx, migrate.Latest)
		var me *migrate.MigrationError
		if !errors.As(err, &me) || me.RolledBack || !slices.Equal(me.Applied, []string{"create_table(x)"}) {
			t.Fatalf("err = %v, want a *MigrationError with create_table(x) applied", err)
		}
		if got, want := tables(t, db), []string{"schema_migrations", "x"}; !slices.Equal(got, want) {
			t.Errorf("tables = %v, want %v", got, want)
		}
		if got := versions(t, db, m); len(got) != 0 {
			t.Errorf("applied = %v, want none", got)
		}
	})
}

// The migrator logs progress on its Logger; record logs each statement on
// the DB's (the framework gives both the app's logger).
func TestLoggerReportsProgressAndSQL(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cfg := backends()[0].config(t, "log")
	cfg.Logger = logger
	db := open(t, cfg)
	m := newMigrator(t, db, []migrate.Migration{createTable("20260101000001_create_a.go", "a")}, migrate.Options{Logger: logger})
	if err := m.Migrate(ctxT(t), migrate.Latest); err != nil {
		t.Fatal(err)
	}
	if err := m.Rollback(ctxT(t), 1); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"== 20260101000001 Create a: migrating"`, `"== 20260101000001 Create a: migrated (`, `sql="CREATE TABLE \"a\"`, `"== 20260101000001 Create a: reverting"`, `sql="DROP TABLE \"a\""`} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("log lacks %s:\n%s", want, buf.String())
		}
	}
}
