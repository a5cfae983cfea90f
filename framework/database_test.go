package framework_test

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gorails/gorails/framework"
	"github.com/gorails/gorails/framework/record"
	"github.com/gorails/gorails/framework/record/driver"
	"github.com/gorails/gorails/framework/record/postgres"
	"github.com/gorails/gorails/framework/record/sqlite"
)

func bootWithDatabaseYAML(t *testing.T, yml string) (*framework.App, error) {
	t.Helper()
	files := appFiles()
	files["config/database.yml"] = &fstest.MapFile{Data: []byte(yml)}
	app := framework.New(framework.Config{Env: framework.Test, Root: t.TempDir(), Files: files, Routes: routes,
		DatabaseDrivers: []driver.Driver{sqlite.Driver{}, postgres.Driver{}},
		Logger:          slog.New(slog.DiscardHandler), Getenv: func(string) string { return "" }})
	t.Cleanup(func() { _ = app.Close() })
	return app, app.Boot(context.Background())
}

func TestDatabaseInitializerOpensTheEnvironmentsDatabase(t *testing.T) {
	t.Setenv("DATABASE_URL", "")
	path := filepath.Join(t.TempDir(), "test.sqlite3")
	app, err := bootWithDatabaseYAML(t, fmt.Sprintf("development:\n  adapter: sqlite3\n  database: /nonexistent/dev.sqlite3\ntest:\n  adapter: sqlite3\n  database: %s\n", path))
	if err != nil {
		t.Fatalf("boot: %v", err)
	}
	if app.DB == nil {
		t.Fatal("app.DB is nil after boot")
	}
	ctx, stats := record.WithStats(context.Background())
	if _, err := app.DB.Exec(ctx, "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"); err != nil {
		t.Fatalf("use the app's database: %v", err)
	}
	if app.DB.Adapter() != record.SQLite || stats.Queries() != 1 {
		t.Errorf("adapter %q, %d statements counted", app.DB.Adapter(), stats.Queries())
	}
}

func TestDatabaseInitializerFailures(t *testing.T) {
	t.Setenv("DATABASE_URL", "")
	tests := []struct {
		name, yml, want string
	}{
		{"no section for the environment", "development:\n  adapter: sqlite3\n  database: x.sqlite3\n", `initializer "database": config/database.yml`},
		{"invalid YAML", "test: [unclosed\n", `initializer "database": config/database.yml: invalid YAML`},
		{"an unreachable server", "test:\n  adapter: postgresql\n  host: 127.0.0.1\n  port: 1\n  database: nope\n  timeout: 500\n", `initializer "database"`},
		{"an adapter the app does not link", "test:\n  adapter: mysql2\n  database: x\n  password: topsecret\n",
			`initializer "database": database driver not linked: config/database.yml (test) or DATABASE_URL names the mysql database, but the app links only sqlite3, postgresql: ` +
				`import "github.com/gorails/gorails/framework/record/mysql" in config/database.go and add mysql.Driver{} to DatabaseDrivers`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := bootWithDatabaseYAML(t, tt.yml)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("boot = %v, want an error containing %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "topsecret") {
				t.Fatalf("the error shows the password: %v", err)
			}
		})
	}
}

func TestAppWithoutDatabaseYAMLHasNoDatabase(t *testing.T) {
	t.Parallel()
	app := newApp(t, framework.Test, nil2discard{})
	if app.DB != nil {
		t.Error("an app without config/database.yml got a database")
	}
}

type nil2discard struct{}

func (nil2discard) Write(p []byte) (int, error) { return len(p), nil }
