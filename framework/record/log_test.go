package record_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gorails/gorails/framework/record"
)

type Secret struct {
	record.Model
	Name           string
	PasswordDigest string
	APIToken       string
}

func TestQueryLogAndStats(t *testing.T) {
	t.Parallel()
	var log logCapture
	forEachAdapter(t, func(t *testing.T, db *record.DB) {
		ctx := context.Background()
		ddl := map[string]string{
			record.SQLite:     `CREATE TABLE secrets (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, password_digest TEXT NOT NULL, api_token TEXT NOT NULL)`,
			record.PostgreSQL: `CREATE TABLE secrets (id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL, password_digest TEXT NOT NULL, api_token TEXT NOT NULL)`,
			record.MySQL:      `CREATE TABLE secrets (id BIGINT AUTO_INCREMENT PRIMARY KEY, name TEXT NOT NULL, password_digest TEXT NOT NULL, api_token TEXT NOT NULL)`,
		}[db.Adapter()]
		_, err := db.Exec(ctx, ddl)
		must(t, err)

		sctx, stats := record.WithStats(ctx)
		log.Reset()
		s := Secret{Name: "visible-name", PasswordDigest: "hunter2-digest", APIToken: "tok-123456"}
		must(t, record.Create(sctx, db, &s))
		_, err = record.Query[Secret](db).Where("password_digest = ?", "hunter2-digest").Where("name = ?", "visible-name").All(sctx)
		must(t, err)

		out := log.String()
		for _, leaked := range []string{"hunter2-digest", "tok-123456"} {
			if strings.Contains(out, leaked) {
				t.Fatalf("the log shows a sensitive bind %q:\n%s", leaked, out)
			}
		}
		for _, want := range []string{"visible-name", "[FILTERED]", "duration=", "rows=1", "level=DEBUG", "insert secrets", "query secrets"} {
			if !strings.Contains(out, want) {
				t.Fatalf("the log lacks %q:\n%s", want, out)
			}
		}
		if stats.Queries() != 2 || stats.Duration() <= 0 || stats.Duration() > 10*time.Second {
			t.Fatalf("stats: %d queries in %v", stats.Queries(), stats.Duration())
		}
		if record.StatsFrom(ctx) != nil {
			t.Fatal("stats leaked into the parent context")
		}

		// Silence keeps successful statements out of the log, not failures.
		log.Reset()
		quiet, qstats := record.WithStats(record.Silence(ctx))
		_, err = db.Exec(quiet, "UPDATE secrets SET name = ? WHERE id = ?", "silenced-name", s.ID)
		must(t, err)
		if out := log.String(); strings.Contains(out, "silenced-name") {
			t.Fatalf("a silenced statement was logged:\n%s", out)
		}
		if _, err := db.Exec(quiet, "UPDATE no_such_table SET x = 1"); err == nil {
			t.Fatal("an update of a missing table succeeded")
		}
		if out := log.String(); !strings.Contains(out, "no_such_table") || !strings.Contains(out, "level=WARN") {
			t.Fatalf("a silenced failure was not logged as a warning:\n%s", out)
		}
		if qstats.Queries() != 2 {
			t.Fatalf("silenced statements counted %d, want 2", qstats.Queries())
		}
	}, withLog(&log))
}

type Ghost struct {
	record.Model
	Title    string
	Subtitle string
}

func (Ghost) TableName() string { return "posts" }

type Missing struct{ record.Model }

func TestSchemaReflection(t *testing.T) {
	t.Parallel()
	forEachAdapter(t, func(t *testing.T, db *record.DB) {
		ctx := context.Background()
		for _, reg := range []func() error{
			func() error { return record.Register[User](ctx, db) },
			func() error { return record.Register[Post](ctx, db) },
			func() error { return record.Register[Article](ctx, db) }, // no timestamps: Model's are dropped
			func() error { return record.Register[Token](ctx, db) },
		} {
			must(t, reg())
		}
		err := record.Register[Ghost](ctx, db)
		if !errors.Is(err, record.ErrSchema) || !strings.Contains(err.Error(), "Ghost.Subtitle") || !strings.Contains(err.Error(), `"subtitle"`) || !strings.Contains(err.Error(), `"posts"`) {
			t.Fatalf("missing column: %v", err)
		}
		err = record.Register[Missing](ctx, db)
		if !errors.Is(err, record.ErrSchema) || !strings.Contains(err.Error(), `table "missings" does not exist`) {
			t.Fatalf("missing table: %v", err)
		}
		if _, err := record.Query[Ghost](db).All(ctx); !errors.Is(err, record.ErrSchema) {
			t.Fatalf("query on a bad model: %v", err)
		}
		cols, err := record.Columns[Post](ctx, db)
		must(t, err)
		if len(cols) != 9 || cols[0].Name != "id" || !cols[0].PrimaryKey || cols[1].Nullable || !cols[6].Nullable {
			t.Fatalf("columns %+v", cols)
		}
		name, err := record.TableName[Article](ctx, db)
		must(t, err)
		if name != "articles" {
			t.Fatal(name)
		}
	})
}
