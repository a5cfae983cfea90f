package migrate_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/gorails/gorails/framework/record"
	"github.com/gorails/gorails/framework/record/migrate"
)

// everyStep exercises every DSL operation, one migration each.
func everyStep() []migrate.Migration {
	return []migrate.Migration{
		migrate.File("20260101000001_create_users.go", migrate.Migration{Change: func(s *migrate.Schema) {
			s.CreateTable("users", func(t *migrate.Table) {
				t.String("name", migrate.Null(false), migrate.Limit(100))
				t.Text("bio")
				t.Integer("age", migrate.Default(0))
				t.BigInt("visits")
				t.Float("score")
				t.Decimal("balance", migrate.Precision(10), migrate.Scale(2))
				t.Boolean("admin", migrate.Default(false), migrate.Null(false))
				t.Date("born_on")
				t.DateTime("seen_at")
				t.Binary("avatar")
				t.JSON("prefs")
				t.UUID("token", migrate.UniqueIndex)
				t.Timestamps()
			})
		}}),
		migrate.File("20260101000002_create_posts.go", migrate.Migration{Change: func(s *migrate.Schema) {
			s.CreateTable("posts", func(t *migrate.Table) {
				t.References("user", migrate.ForeignKey, migrate.Index)
				t.String("title")
				t.Text("body")
				t.Timestamps()
			})
			s.CreateTable("tags", func(t *migrate.Table) { t.String("name", migrate.Index) }, migrate.PrimaryKey(migrate.UUIDKey))
		}}),
		migrate.File("20260101000003_add_published_to_posts.go", migrate.Migration{Change: func(s *migrate.Schema) {
			s.AddColumn("posts", "published", migrate.Boolean, migrate.Default(false), migrate.Null(false))
			if s.Dialect() != record.MySQL {
				s.AddIndex("posts", []string{"user_id", "published"}, migrate.Where("published = "+map[bool]string{true: "TRUE", false: "1"}[s.Dialect() == record.PostgreSQL]))
			}
			s.AddIndex("posts", []string{"title"}, migrate.Unique, migrate.IndexName("posts_title_unique"))
		}}),
		migrate.File("20260101000004_rename_body.go", migrate.Migration{Change: func(s *migrate.Schema) {
			s.RenameColumn("posts", "body", "content")
		}}),
		migrate.File("20260101000005_change_title.go", migrate.Migration{
			Up: func(s *migrate.Schema) {
				s.ChangeColumn("posts", "title", migrate.String, migrate.Limit(200), migrate.Null(false), migrate.Default("untitled"))
			},
			Down: func(s *migrate.Schema) { s.ChangeColumn("posts", "title", migrate.String) },
		}),
		migrate.File("20260101000006_remove_posts_user_fk.go", migrate.Migration{Change: func(s *migrate.Schema) {
			s.RemoveForeignKey("posts", "users")
		}}),
		migrate.File("20260101000007_remove_bio.go", migrate.Migration{Change: func(s *migrate.Schema) {
			s.RemoveColumn("users", "bio", migrate.Text)
			s.RemoveIndex("posts", []string{"title"}, migrate.Unique, migrate.IndexName("posts_title_unique"))
		}}),
		migrate.File("20260101000008_seed_admin.go", migrate.Migration{Change: func(s *migrate.Schema) {
			s.Reversible(func(s *migrate.Schema) {
				s.Execute("INSERT INTO users (name, admin, created_at, updated_at) VALUES ('root', " +
					map[bool]string{true: "TRUE", false: "1"}[s.Dialect() == record.PostgreSQL] + ", '2026-01-01 00:00:00', '2026-01-01 00:00:00')")
			}, func(s *migrate.Schema) {
				s.Execute("DELETE FROM users WHERE name = 'root'")
			})
		}}),
		migrate.File("20260101000009_labels.go", migrate.Migration{Change: func(s *migrate.Schema) {
			s.RenameTable("tags", "labels")
			s.RemoveIndex("labels", []string{"name"}) // renamed from index_tags_on_name
			s.AddIndex("labels", []string{"name"}, migrate.Unique)
			s.AddReference("posts", "label", migrate.RefType(migrate.UUID), migrate.ForeignKey)
			s.AddForeignKey("posts", "users", migrate.FKOnDelete(migrate.Cascade))
		}}),
		migrate.File("20260101000010_scratch.go", migrate.Migration{Change: func(s *migrate.Schema) {
			s.CreateTable("scratch", func(t *migrate.Table) { t.Integer("n") })
			s.DropTable("scratch", func(t *migrate.Table) { t.Integer("n") })
		}}),
	}
}

func TestEveryStepUpAndDown(t *testing.T) {
	eachDB(t, "steps", func(t *testing.T, b backend, cfg record.Config) {
		ctx := ctxT(t)
		db := open(t, cfg)
		ms := everyStep()
		m := newMigrator(t, db, ms, migrate.Options{})
		if err := m.Migrate(ctx, migrate.Latest); err != nil {
			t.Fatalf("Migrate: %v", err)
		}
		if got, want := tables(t, db), []string{"labels", "posts", "schema_migrations", "users"}; !slices.Equal(got, want) {
			t.Fatalf("tables = %v, want %v", got, want)
		}
		wantPosts := []string{"id not null", "user_id", "title not null", "content", "created_at not null", "updated_at not null", "published not null", "label_id"}
		if got := columns(t, db, "posts"); !slices.Equal(got, wantPosts) {
			t.Errorf("posts columns = %v, want %v", got, wantPosts)
		}
		wantUsers := []string{"id not null", "name not null", "age", "visits", "score", "balance", "admin not null", "born_on", "seen_at", "avatar", "prefs", "token", "created_at not null", "updated_at not null"}
		if got := columns(t, db, "users"); !slices.Equal(got, wantUsers) {
			t.Errorf("users columns = %v, want %v", got, wantUsers)
		}
		if n := count(t, db, "SELECT COUNT(*) FROM users WHERE name = 'root'"); n != 1 {
			t.Errorf("seeded users = %d, want 1", n)
		}
		// The foreign key added back with ON DELETE CASCADE is in force.
		if _, err := db.Exec(ctx, "INSERT INTO posts (user_id, title, published, created_at, updated_at) VALUES (999, 'x', ?, ?, ?)", false, "2026-01-01 00:00:00", "2026-01-01 00:00:00"); !errors.Is(err, record.ErrForeignKeyViolation) {
			t.Errorf("insert with a missing user: err = %v, want ErrForeignKeyViolation", err)
		}
		if _, err := db.Exec(ctx, "INSERT INTO posts (user_id, published, created_at, updated_at) SELECT id, ?, created_at, updated_at FROM users", false); err != nil {
			t.Fatalf("insert post: %v", err)
		}
		if got := count(t, db, "SELECT COUNT(*) FROM posts WHERE title = 'untitled'"); got != 1 {
			t.Errorf("posts with the changed default title = %d, want 1", got)
		}

		if _, err := db.Exec(ctx, "DELETE FROM posts"); err != nil {
			t.Fatal(err)
		}
		// Each migration rolls back, newest first, down to nothing.
		for i := len(ms) - 1; i >= 0; i-- {
			if err := m.Rollback(ctx, 1); err != nil {
				t.Fatalf("Rollback of %s: %v", ms[i].File, err)
			}
			if got := versions(t, db, m); len(got) != i {
				t.Fatalf("after rolling back %s: applied %v", ms[i].File, got)
			}
		}
		if got, want := tables(t, db), []string{"schema_migrations"}; !slices.Equal(got, want) {
			t.Fatalf("tables after rolling back everything = %v, want %v", got, want)
		}
		// And everything applies again.
		if err := m.Migrate(ctx, migrate.Latest); err != nil {
			t.Fatalf("Migrate again: %v", err)
		}
		if got := columns(t, db, "posts"); !slices.Equal(got, wantPosts) {
			t.Errorf("posts columns after re-migrating = %v, want %v", got, wantPosts)
		}
	})
}

func TestColumnTypesPerDatabase(t *testing.T) {
	want := map[string]map[string]string{
		"sqlite3":    {"name": "varchar(100)", "age": "integer", "visits": "bigint", "score": "real", "balance": "decimal(10,2)", "admin": "boolean", "seen_at": "datetime", "avatar": "blob", "prefs": "json", "token": "char(36)"},
		"postgresql": {"name": "character varying", "age": "integer", "visits": "bigint", "score": "double precision", "balance": "numeric", "admin": "boolean", "seen_at": "timestamp without time zone", "avatar": "bytea", "prefs": "jsonb", "token": "uuid"},
		"mysql":      {"name": "varchar", "age": "int", "visits": "bigint", "score": "double", "balance": "decimal", "admin": "tinyint", "seen_at": "datetime", "avatar": "longblob", "prefs": "json", "token": "char"},
	}
	eachDB(t, "types", func(t *testing.T, b backend, cfg record.Config) {
		db := open(t, cfg)
		m := newMigrator(t, db, everyStep()[:1], migrate.Options{})
		if err := m.Migrate(ctxT(t), migrate.Latest); err != nil {
			t.Fatal(err)
		}
		got := columnTypes(t, db, "users")
		for col, typ := range want[b.name] {
			// MariaDB reports json as longtext.
			if got[col] != typ && !(b.name == "mysql" && col == "prefs" && got[col] == "longtext") {
				t.Errorf("%s: type %q, want %q", col, got[col], typ)
			}
		}
	})
}

func TestIrreversibleRollbackFails(t *testing.T) {
	cases := []struct {
		name string
		m    migrate.Migration
	}{
		{"an Execute inside Change", migrate.Migration{Change: func(s *migrate.Schema) {
			s.CreateTable("a", nil)
			s.Execute("UPDATE a SET id = id")
		}}},
		{"a ChangeColumn inside Change", migrate.Migration{Change: func(s *migrate.Schema) {
			s.CreateTable("a", func(t *migrate.Table) { t.Integer("n") })
			s.ChangeColumn("a", "n", migrate.BigInt)
		}}},
		{"a DropTable without its definition", migrate.Migration{Change: func(s *migrate.Schema) {
			s.CreateTable("a", nil)
			s.CreateTable("b", nil)
			s.DropTable("b", nil)
		}}},
		{"Up without Down", migrate.Migration{Up: func(s *migrate.Schema) { s.CreateTable("a", nil) }}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db := open(t, backends()[0].config(t, "irreversible"))
			ctx := ctxT(t)
			m := newMigrator(t, db, []migrate.Migration{migrate.File("20260101000001_create_a.go", tc.m)}, migrate.Options{})
			if err := m.Migrate(ctx, migrate.Latest); err != nil {
				t.Fatal(err)
			}
			err := m.Rollback(ctx, 1)
			if !errors.Is(err, migrate.ErrIrreversible) {
				t.Fatalf("Rollback: err = %v, want ErrIrreversible", err)
			}
			if !strings.Contains(err.Error(), "20260101000001_create_a.go") {
				t.Errorf("error %q does not name the file", err)
			}
			if got := versions(t, db, m); len(got) != 1 {
				t.Errorf("applied after the failed rollback = %v, want the migration still applied", got)
			}
			if !slices.Contains(tables(t, db), "a") {
				t.Error("table a is gone after a refused rollback")
			}
		})
	}
}

func TestSQLiteRebuildKeepsDependentRows(t *testing.T) {
	db := open(t, backends()[0].config(t, "rebuild"))
	ctx := ctxT(t)
	ms := []migrate.Migration{
		migrate.File("20260101000001_create.go", migrate.Migration{Change: func(s *migrate.Schema) {
			s.CreateTable("users", func(t *migrate.Table) { t.String("name"); t.Integer("age") })
			s.CreateTable("posts", func(t *migrate.Table) {
				t.References("user", migrate.OnDelete(migrate.Cascade))
				t.BigInt("editor_id")
			})
			s.AddIndex("users", []string{"name"})
			s.AddForeignKey("posts", "users", migrate.FKColumn("editor_id"), migrate.FKName("posts_editor")) // rebuilds posts
		}}),
		migrate.File("20260101000002_change_age.go", migrate.Migration{
			Up:   func(s *migrate.Schema) { s.ChangeColumn("users", "age", migrate.BigInt, migrate.Default(1)) },
			Down: func(s *migrate.Schema) { s.ChangeColumn("users", "age", migrate.Integer) },
		}),
	}
	m := newMigrator(t, db, ms, migrate.Options{})
	if err := m.Migrate(ctx, 20260101000001); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"INSERT INTO users (name) VALUES ('a')", "INSERT INTO posts (user_id) VALUES (1)"} {
		if _, err := db.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Migrate(ctx, migrate.Latest); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM posts"); n != 1 {
		t.Fatalf("posts after rebuilding users = %d, want 1 (the cascade must not fire)", n)
	}
	if got := columnTypes(t, db, "users")["age"]; got != "bigint" {
		t.Errorf("age type = %q, want bigint", got)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'index_users_on_name'"); n != 1 {
		t.Error("the index on users was not recreated")
	}
	// Foreign keys are enforced again on the pool's connections.
	if _, err := db.Exec(ctx, "INSERT INTO posts (user_id) VALUES (42)"); !errors.Is(err, record.ErrForeignKeyViolation) {
		t.Errorf("insert with a missing user after the migration: err = %v, want ErrForeignKeyViolation", err)
	}
	dump, err := migrate.DumpSchema(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`CONSTRAINT "fk_posts_user_id" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE`, `CONSTRAINT "posts_editor" FOREIGN KEY ("editor_id")`} {
		if !strings.Contains(dump, want) {
			t.Errorf("schema lacks %s:\n%s", want, dump)
		}
	}
	if err := m.Rollback(ctx, 1); err != nil {
		t.Fatalf("Rollback: %v", err)
	}
}
