package gorailstest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorails/gorails/framework"
	"github.com/gorails/gorails/framework/dispatch"
	"github.com/gorails/gorails/framework/record/driver"
	"github.com/gorails/gorails/framework/record/migrate"
	"github.com/gorails/gorails/framework/record/sqlite"
)

// bootFixtureApp boots an app on SQLite with users, posts (referring to
// users) and tags, and fixture files as given.
func bootFixtureApp(t *testing.T, fixtures map[string]string) *framework.App {
	t.Helper()
	root := t.TempDir()
	files := map[string]string{
		"go.mod":              "module example.com/fx\n",
		"config/database.yml": "test:\n  adapter: sqlite3\n  database: db/test.sqlite3\n",
		"app/views/.keep":     "",
	}
	for name, data := range fixtures {
		files["test/fixtures/"+name] = data
	}
	for name, data := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	app := framework.New(framework.Config{
		Env: framework.Test, Root: root, Routes: func(*dispatch.Mapper) {}, Stderr: &strings.Builder{},
		DatabaseDrivers: []driver.Driver{sqlite.Driver{}},
		Migrations: func() []migrate.Migration {
			return []migrate.Migration{{File: "20260101000000_create_tables.go", Change: func(s *migrate.Schema) {
				s.CreateTable("users", func(t *migrate.Table) { t.String("name"); t.Timestamps() })
				s.CreateTable("posts", func(t *migrate.Table) {
					t.String("title")
					t.References("user", migrate.ForeignKey)
					t.DateTime("published_at")
				})
				s.CreateTable("tags", func(t *migrate.Table) { t.String("name") })
			}}}
		},
	})
	if err := app.Boot(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = app.Close() })
	return app
}

func TestFixturesLoadParentsFirst(t *testing.T) {
	t.Parallel()
	app := bootFixtureApp(t, map[string]string{
		// posts sorts before users: the reference decides the order.
		"posts.yml": "hello:\n  title: Hello\n  user: ann\n  published_at: 2026-02-03 04:05:06\n",
		"users.yml": "ann:\n  name: Ann\n",
		"tags.yml":  "",
	})
	ctx := context.Background()
	if _, err := app.DB.Exec(ctx, "PRAGMA foreign_keys = ON"); err != nil {
		t.Fatal(err)
	}
	set, err := loadFixtures(ctx, app)
	if err != nil {
		t.Fatal(err)
	}
	if set.ids["posts"]["hello"] != ID("hello") || set.ids["users"]["ann"] != ID("ann") {
		t.Errorf("ids = %v", set.ids)
	}
	var userID int64
	var published string
	err = app.DB.QueryRows(ctx, "SELECT user_id, published_at FROM posts", nil, func(scan func(...any) error) error { return scan(&userID, &published) })
	if err != nil || userID != ID("ann") || !strings.HasPrefix(published, "2026-02-03") {
		t.Errorf("post row: user_id %d, published_at %q, %v", userID, published, err)
	}
	// Loading again replaces the rows: the same result, no duplicates.
	if _, err := loadFixtures(ctx, app); err != nil {
		t.Fatal(err)
	}
	var users int
	if err := app.DB.QueryRows(ctx, "SELECT COUNT(*) FROM users", nil, func(scan func(...any) error) error { return scan(&users) }); err != nil || users != 1 {
		t.Errorf("%d users after a second load (%v), want 1", users, err)
	}
}

func TestFixtureErrorsNameTheFileAndRow(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"a column the table lacks", map[string]string{"users.yml": "ann:\n  nmae: Ann\n"},
			"test/fixtures/users.yml: ann: the table users has no column nmae (nor nmae_id) (columns: id, name, created_at, updated_at)"},
		{"a reference to a missing label", map[string]string{"users.yml": "ann:\n  name: Ann\n", "posts.yml": "p:\n  title: T\n  user: bob\n"},
			`test/fixtures/posts.yml: p: user: test/fixtures/users.yml has no fixture labeled "bob" (labels: ann)`},
		{"a reference that is not a label", map[string]string{"posts.yml": "p:\n  user: [1, 2]\n"},
			"test/fixtures/posts.yml: p: user refers to a user by label, so its value is a label"},
		{"a table that does not exist", map[string]string{"comments.yml": "c:\n  body: x\n"},
			`test/fixtures/comments.yml: the test database has no table "comments"`},
		{"a label used twice", map[string]string{"users.yml": "ann:\n  name: A\nann:\n  name: B\n"},
			`test/fixtures/users.yml:3: the label "ann" is used twice`},
		{"not a mapping", map[string]string{"users.yml": "- ann\n- bob\n"},
			"test/fixtures/users.yml: want a mapping of labels to rows"},
		{"a row that is not a mapping", map[string]string{"users.yml": "ann: Ann\n"},
			"test/fixtures/users.yml:1: ann: want a mapping of columns to values"},
		{"invalid YAML", map[string]string{"users.yml": "ann: [\n"},
			"test/fixtures/users.yml: yaml:"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			app := bootFixtureApp(t, c.files)
			_, err := loadFixtures(context.Background(), app)
			if !errors.Is(err, ErrFixture) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v\nwant ErrFixture containing %q", err, c.want)
			}
		})
	}
}

func TestFixtureIDsAreStable(t *testing.T) {
	t.Parallel()
	if ID("one") != ID("one") || ID("one") == ID("two") || ID("one") <= 0 || ID("one") >= 1<<30 {
		t.Errorf("ID(one) = %d, ID(two) = %d", ID("one"), ID("two"))
	}
	if u := UUID("one"); len(u) != 36 || u != UUID("one") || u == UUID("two") || u[14] != '8' {
		t.Errorf("UUID(one) = %s", u)
	}
}

func FuzzParseFixtures(f *testing.F) {
	f.Add([]byte("one:\n  title: Hello\n  user: ann\n"))
	f.Add([]byte("- a\n"))
	f.Add([]byte("a: b\n"))
	f.Add([]byte("? [a]\n: {x: 1}\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, data []byte) {
		ft, err := parseFixtures("test/fixtures/things.yml", data)
		if err != nil {
			if !errors.Is(err, ErrFixture) {
				t.Fatalf("error %v does not match ErrFixture", err)
			}
			return
		}
		if len(ft.labels) != len(ft.rows) {
			t.Fatalf("%d labels, %d rows", len(ft.labels), len(ft.rows))
		}
		for _, l := range ft.labels {
			if ft.rows[l] == nil {
				t.Fatalf("label %q without a row", l)
			}
		}
	})
}
