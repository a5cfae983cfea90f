package record_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gorails/gorails/framework/event"
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
		createSecrets(ctx, t, db)

		sctx, stats := record.WithStats(ctx)
		log.Reset()
		s := Secret{Name: "visible-name", PasswordDigest: "hunter2-digest", APIToken: "tok-123456"}
		must(t, record.Create(sctx, db, &s))
		_, err := record.Query[Secret](db).Where(record.Cond{"password_digest": "hunter2-digest", "name": "visible-name"}).All(sctx)
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

// TestRedactionFailsClosed runs the statements a review found leaking
// under the old guess of each bind's column from the SQL text: a value is
// shown only under a column the ORM itself bound it to.
func TestRedactionFailsClosed(t *testing.T) {
	t.Parallel()
	var log logCapture
	forEachAdapter(t, func(t *testing.T, db *record.DB) {
		ctx := context.Background()
		ddl := map[string]string{
			record.SQLite:     `CREATE TABLE secrets (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, password_digest TEXT NOT NULL, api_token VARCHAR(100) NOT NULL UNIQUE)`,
			record.PostgreSQL: `CREATE TABLE secrets (id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL, password_digest TEXT NOT NULL, api_token VARCHAR(100) NOT NULL UNIQUE)`,
			record.MySQL:      `CREATE TABLE secrets (id BIGINT AUTO_INCREMENT PRIMARY KEY, name TEXT NOT NULL, password_digest TEXT NOT NULL, api_token VARCHAR(100) NOT NULL UNIQUE)`,
		}[db.Adapter()]
		_, err := db.Exec(ctx, ddl)
		must(t, err)
		const (
			token  = "tok-SECRET-0123456789"
			digest = "digest-SECRET-0123456789"
		)
		s := Secret{Name: "visible-name", PasswordDigest: digest, APIToken: token}
		must(t, record.Create(ctx, db, &s))

		secrets := record.Query[Secret](db)
		tests := []struct {
			name string
			rel  record.Relation[Secret]
			want []string // in the log line
		}{
			{"a function around the bind", secrets.Where("api_token = lower(?)", token), []string{"[1 bind]", "LIMIT=1"}},
			{"a row value", secrets.Where("(password_digest, name) = (?, ?)", digest, "visible-name"), []string{"[2 binds]"}},
			{"the bind before its column", secrets.Where("? = password_digest", digest), []string{"[1 bind]"}},
			{"a Cond on a filtered column", secrets.Where(record.Cond{"api_token": token, "name": "visible-name"}), []string{"api_token=[FILTERED]", "name=visible-name"}},
			{"a struct condition", secrets.Where(struct{ PasswordDigest string }{digest}), []string{"password_digest=[FILTERED]"}},
			{"an Or of both kinds", secrets.Where(record.Cond{"name": "visible-name"}).Or(secrets.Where("api_token = ?", token)), []string{"name=visible-name", "[1 bind]"}},
		}
		for _, tt := range tests {
			log.Reset()
			_, err := tt.rel.Take(ctx)
			if err != nil && !errors.Is(err, record.ErrNotFound) {
				t.Fatalf("%s: %v", tt.name, err)
			}
			out := log.String()
			if strings.Contains(out, "SECRET") {
				t.Errorf("%s: the log shows a secret:\n%s", tt.name, out)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("%s: the log lacks %q:\n%s", tt.name, w, out)
				}
			}
		}

		// A failed statement: a duplicate token, by the ORM (known, filtered
		// column) and by raw SQL (unknown columns). Neither the warning nor
		// the error's text (MySQL's says "Duplicate entry '...'") holds it.
		failures := []struct {
			name string
			run  func() error
		}{
			{"Create", func() error {
				return record.Create(ctx, db, &Secret{Name: "n", PasswordDigest: digest, APIToken: token})
			}},
			{"raw Exec", func() error {
				_, err := db.Exec(ctx, "INSERT INTO secrets (name, password_digest, api_token) VALUES (?, ?, ?)", "n", digest, token)
				return err
			}},
			{"a bind of the wrong type", func() error {
				_, err := secrets.Where("id = ?", "x-SECRET-not-a-number").All(ctx)
				return err
			}},
		}
		for _, f := range failures {
			log.Reset()
			err := f.run()
			if f.name != "a bind of the wrong type" && !errors.Is(err, record.ErrUniqueViolation) {
				t.Fatalf("%s: want a unique violation, got %v", f.name, err)
			}
			if err != nil && strings.Contains(fmt.Sprintf("%v %+v", err, err), "SECRET") {
				t.Errorf("%s: the error shows a secret: %v", f.name, err)
			}
			walkErrors(err, func(e error) {
				if strings.Contains(e.Error(), "SECRET") {
					t.Errorf("%s: an error in the chain shows a secret: %v", f.name, e)
				}
			})
			if out := log.String(); strings.Contains(out, "SECRET") || err != nil && !strings.Contains(out, "level=WARN") {
				t.Errorf("%s: the warning:\n%s", f.name, out)
			}
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

// walkErrors calls fn on err and every error it wraps.
func walkErrors(err error, fn func(error)) {
	if err == nil {
		return
	}
	fn(err)
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		walkErrors(u.Unwrap(), fn)
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			walkErrors(e, fn)
		}
	}
}

// TestRequestStatsInTheScope: in a request scope the counters are the
// scope's own (no layer) and each request's start at zero; Find, whose
// argument and scan destinations share the record's allocation, loads
// each request's own row.
func TestRequestStatsInTheScope(t *testing.T) {
	t.Parallel()
	forEachAdapter(t, func(t *testing.T, db *record.DB) {
		ctx := context.Background()
		createSecrets(ctx, t, db)
		var made []Secret
		for _, name := range []string{"first", "second"} {
			s := Secret{Name: name, PasswordDigest: "d-" + name, APIToken: "t-" + name}
			must(t, record.Create(ctx, db, &s))
			made = append(made, s)
		}
		for i, s := range made {
			scope := event.NewRequestScope(ctx, fmt.Sprint("req-", i))
			rctx, stats := record.WithRequestStats(scope)
			if rctx != context.Context(scope) || record.StatsFrom(scope) != stats {
				t.Fatal("the request's counters are not the scope's own")
			}
			for range i + 1 {
				got, err := record.Query[Secret](db).Find(rctx, s.ID)
				must(t, err)
				if got.ID != s.ID || got.Name != s.Name || got.APIToken != s.APIToken || record.Changed(db, &got) || !got.Persisted() {
					t.Fatalf("request %d found %+v, want %+v", i, got, s)
				}
			}
			if stats.Queries() != int64(i+1) {
				t.Fatalf("request %d counted %d statements, want %d", i, stats.Queries(), i+1)
			}
			if _, again := record.WithRequestStats(rctx); again == stats {
				t.Fatal("a second WithRequestStats on the scope got its counters again")
			}
		}
	})
}

// createSecrets makes the secrets table of Secret on db's database.
func createSecrets(ctx context.Context, t *testing.T, db *record.DB) {
	t.Helper()
	ddl := map[string]string{
		record.SQLite:     `CREATE TABLE secrets (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, password_digest TEXT NOT NULL, api_token TEXT NOT NULL)`,
		record.PostgreSQL: `CREATE TABLE secrets (id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL, password_digest TEXT NOT NULL, api_token TEXT NOT NULL)`,
		record.MySQL:      `CREATE TABLE secrets (id BIGINT AUTO_INCREMENT PRIMARY KEY, name TEXT NOT NULL, password_digest TEXT NOT NULL, api_token TEXT NOT NULL)`,
	}[db.Adapter()]
	_, err := db.Exec(ctx, ddl)
	must(t, err)
}
