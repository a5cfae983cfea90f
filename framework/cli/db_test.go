package cli_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/go-sql-driver/mysql"
	"github.com/gorails/gorails/framework"
	"github.com/gorails/gorails/framework/cli"
	"github.com/gorails/gorails/framework/record"
	"github.com/gorails/gorails/framework/record/driver"
	recordmysql "github.com/gorails/gorails/framework/record/mysql"
	"github.com/gorails/gorails/framework/record/postgres"
	"github.com/gorails/gorails/framework/record/sqlite"
	"github.com/gorails/gorails/internal/testenv"
)

func TestDatabaseCommands(t *testing.T) {
	t.Setenv("DATABASE_URL", "")
	root := t.TempDir()
	seeded := 0
	app, _ := newApp(t, root, nil, func(c *framework.Config) {
		c.Seed = func(ctx context.Context, db *record.DB) error {
			seeded++
			_, err := db.Exec(ctx, "INSERT INTO notes (body) VALUES ('hi')")
			return err
		}
	})
	if err := os.MkdirAll(filepath.Join(root, "db"), 0o755); err != nil {
		t.Fatal(err)
	}
	run(t, app, "db:migrate")
	if out := run(t, app, "db:version"); !strings.Contains(out, "Current version: 20260201000000") {
		t.Errorf("db:version printed %q", out)
	}
	if out := run(t, app, "db:status"); !strings.Contains(out, "up") || !strings.Contains(out, "Create notes") {
		t.Errorf("db:status printed %q", out)
	}
	run(t, app, "db:seed")
	if seeded != 1 {
		t.Errorf("db:seed ran the seeds %d times", seeded)
	}
	if err := os.Remove(filepath.Join(root, "db", "schema.sql")); err != nil {
		t.Fatalf("db:migrate did not dump db/schema.sql: %v", err)
	}
	run(t, app, "db:schema:dump")
	if schema, err := os.ReadFile(filepath.Join(root, "db", "schema.sql")); err != nil || !strings.Contains(string(schema), "notes") {
		t.Errorf("db:schema:dump: %v %s", err, schema)
	}
	run(t, app, "db:rollback")
	if out := run(t, app, "db:status"); !strings.Contains(out, "down") || strings.Contains(out, "up   20260201000000") {
		t.Errorf("after db:rollback db:status printed %q", out)
	}
}

func TestDatabaseCommandErrors(t *testing.T) {
	t.Setenv("DATABASE_URL", "")
	tests := []struct {
		name string
		args []string
		edit func(*framework.Config)
		want string
	}{
		{"db:seed without seeds", []string{"db:seed"}, nil, "no seeds: set Seed in config/application.go"},
		{"db:drop in production", []string{"db:drop"}, func(c *framework.Config) { c.Env = framework.Production },
			"db:drop refuses to drop a production database; set DISABLE_DATABASE_ENVIRONMENT_CHECK=1 if you mean it"},
		{"db:reset in production", []string{"db:reset"}, func(c *framework.Config) { c.Env = framework.Production },
			"db:reset refuses to drop a production database"},
		{"an app without config/database.yml", []string{"db:migrate"}, func(c *framework.Config) { c.Files = appFiles() },
			"the app has no database: config/database.yml does not exist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, _ := newApp(t, t.TempDir(), nil, tt.edit)
			var out, errOut bytes.Buffer
			code := cli.Main(context.Background(), app, tt.args, &out, &errOut)
			if code != 1 || !strings.Contains(errOut.String(), tt.want) {
				t.Fatalf("exit %d, stderr %q; want exit 1 saying %q", code, errOut.String(), tt.want)
			}
		})
	}
}

func TestCreateAndDropSayWhatTheyDid(t *testing.T) {
	tests := []struct {
		name string
		url  func(t *testing.T) (url, dbName string)
	}{
		{"SQLite names the file relative to the app", func(t *testing.T) (string, string) { return "", "app.sqlite3" }},
		{"PostgreSQL names the database", func(t *testing.T) (string, string) {
			u, err := url.Parse(testenv.PostgresDB(t, "cli_create"))
			if err != nil {
				t.Fatal(err)
			}
			return u.String(), strings.TrimPrefix(u.Path, "/")
		}},
		{"MySQL names the database", func(t *testing.T) (string, string) {
			cfg, err := mysql.ParseDSN(testenv.MySQLDB(t, "cli_create"))
			if err != nil {
				t.Fatal(err)
			}
			u := url.URL{Scheme: "mysql", User: url.UserPassword(cfg.User, cfg.Passwd), Host: cfg.Addr, Path: "/" + cfg.DBName}
			if cfg.Passwd == "" {
				u.User = url.User(cfg.User)
			}
			return u.String(), cfg.DBName
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dbURL, name := tt.url(t)
			t.Setenv("DATABASE_URL", dbURL)
			var log bytes.Buffer
			app, _ := newApp(t, t.TempDir(), nil, func(c *framework.Config) {
				c.Logger = slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelInfo}))
				c.DatabaseDrivers = []driver.Driver{sqlite.Driver{}, postgres.Driver{}, recordmysql.Driver{}}
			})
			steps := []struct{ cmd, want string }{
				{"db:drop", "Dropped database '" + name + "'\n"},
				{"db:create", "Created database '" + name + "'\n"},
				{"db:create", "Database '" + name + "' already exists\n"},
				{"db:drop", "Dropped database '" + name + "'\n"},
			}
			for _, s := range steps {
				if out := run(t, app, s.cmd); out != s.want {
					t.Errorf("%s printed %q, want %q", s.cmd, out, s.want)
				}
			}
			if log.Len() > 0 {
				t.Errorf("the commands logged more than their one line:\n%s", log.String())
			}
		})
	}
}

// TestCreateAndDropInDevelopmentActOnTestToo: as Rails' db:create and
// db:drop, in development (without DATABASE_URL) they act on the test
// database too, unless the file has no test section or it names the
// development database itself.
func TestCreateAndDropInDevelopmentActOnTestToo(t *testing.T) {
	t.Setenv("DATABASE_URL", "")
	tests := []struct {
		name      string
		yml       string
		env       framework.Env
		create    string
		dropFiles []string // files db:create makes and db:drop removes
	}{
		{"development and test", "development:\n  adapter: sqlite3\n  database: dev.sqlite3\ntest:\n  adapter: sqlite3\n  database: test.sqlite3\n",
			framework.Development, "Created database 'dev.sqlite3'\nCreated database 'test.sqlite3'\n", []string{"dev.sqlite3", "test.sqlite3"}},
		{"no test section", "development:\n  adapter: sqlite3\n  database: dev.sqlite3\n",
			framework.Development, "Created database 'dev.sqlite3'\n", []string{"dev.sqlite3"}},
		{"test names the development database", "development:\n  adapter: sqlite3\n  database: dev.sqlite3\ntest:\n  adapter: sqlite3\n  database: dev.sqlite3\n",
			framework.Development, "Created database 'dev.sqlite3'\n", []string{"dev.sqlite3"}},
		{"in production only production's", "production:\n  adapter: sqlite3\n  database: prod.sqlite3\ntest:\n  adapter: sqlite3\n  database: test.sqlite3\n",
			framework.Production, "Created database 'prod.sqlite3'\n", []string{"prod.sqlite3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			app, _ := newApp(t, root, nil, func(c *framework.Config) {
				c.Env = tt.env
				files := appFiles()
				files["config/database.yml"] = &fstest.MapFile{Data: []byte(tt.yml)}
				c.Files = files
			})
			if out := run(t, app, "db:create"); out != tt.create {
				t.Errorf("db:create printed %q, want %q", out, tt.create)
			}
			for _, f := range tt.dropFiles {
				if _, err := os.Stat(filepath.Join(root, f)); err != nil {
					t.Errorf("after db:create: %v", err)
				}
			}
			if tt.env.IsProduction() {
				return // db:drop refuses production (tested above)
			}
			if out := run(t, app, "db:drop"); out != strings.ReplaceAll(tt.create, "Created", "Dropped") {
				t.Errorf("db:drop printed %q", out)
			}
			for _, f := range tt.dropFiles {
				if _, err := os.Stat(filepath.Join(root, f)); !os.IsNotExist(err) {
					t.Errorf("after db:drop, %s: %v", f, err)
				}
			}
		})
	}
}
