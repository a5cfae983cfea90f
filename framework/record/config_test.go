package record_test

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gorails/gorails/framework/record"
	"github.com/gorails/gorails/framework/record/driver"
	"github.com/gorails/gorails/framework/record/mysql"
	"github.com/gorails/gorails/framework/record/postgres"
	"github.com/gorails/gorails/framework/record/sqlite"
)

const databaseYML = `
default: &default
  adapter: sqlite3
  pool: 5
  timeout: 5000

development:
  <<: *default
  database: db/development.sqlite3

test:
  <<: *default
  database: db/test.sqlite3
  pool: 2
  statement_limit: 20

staging:
  <<: *default
  database: db/staging.sqlite3
  prepared_statements: false

production:
  adapter: postgresql
  host: db.internal
  port: 5433
  database: blog
  username: blog
  password: ${BLOG_DB_PASSWORD}
  sslmode: require
  checkout_timeout: 2
  idle_timeout: 60
`

func TestParseConfig(t *testing.T) {
	t.Parallel()
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	tests := []struct {
		name, env string
		vars      map[string]string
		check     func(t *testing.T, c record.Config)
		err       string
	}{
		{name: "development inherits the defaults", env: "development", check: func(t *testing.T, c record.Config) {
			if c.Adapter != record.SQLite || c.Database != "db/development.sqlite3" || c.Pool != 5 || c.Timeout != 5*time.Second {
				t.Fatalf("%+v", c)
			}
		}},
		{name: "development keeps the driver's statement cache", env: "development", check: func(t *testing.T, c record.Config) {
			if c.StatementLimit != 0 || c.Options().StatementLimit != 0 {
				t.Fatalf("%+v", c)
			}
		}},
		{name: "prepared_statements: false turns the statement cache off", env: "staging", check: func(t *testing.T, c record.Config) {
			if c.StatementLimit >= 0 || c.Options().StatementLimit >= 0 || c.Params["prepared_statements"] != "" {
				t.Fatalf("%+v", c)
			}
		}},
		{name: "test overrides the pool and the statement limit", env: "test", check: func(t *testing.T, c record.Config) {
			if c.Pool != 2 || c.MaxIdle != 2 || c.StatementLimit != 20 || c.Options().StatementLimit != 20 {
				t.Fatalf("%+v", c)
			}
		}},
		{name: "production reads the environment and keeps extra params", env: "production", vars: map[string]string{"BLOG_DB_PASSWORD": "s3cret"}, check: func(t *testing.T, c record.Config) {
			if c.Adapter != record.PostgreSQL || c.Password != "s3cret" || c.Port != 5433 || c.Params["sslmode"] != "require" || c.CheckoutTimeout != 2*time.Second || c.IdleTimeout != time.Minute {
				t.Fatalf("%+v", c)
			}
			if strings.Contains(c.String(), "s3cret") {
				t.Fatalf("String() shows the password: %s", c)
			}
		}},
		{name: "DATABASE_URL wins", env: "development", vars: map[string]string{"DATABASE_URL": "postgres://u:pw@h:5432/app"}, check: func(t *testing.T, c record.Config) {
			if c.Adapter != record.PostgreSQL || c.URL != "postgres://u:pw@h:5432/app" || c.Pool != max(5, runtime.GOMAXPROCS(0)) {
				t.Fatalf("%+v", c)
			}
			if strings.Contains(c.String(), "pw") {
				t.Fatalf("String() shows the password: %s", c)
			}
		}},
		{name: "DATABASE_URL alone is enough for a missing environment", env: "qa", vars: map[string]string{"DATABASE_URL": "mysql2://u@h/app"}, check: func(t *testing.T, c record.Config) {
			if c.Adapter != record.MySQL {
				t.Fatalf("%+v", c)
			}
		}},
		{name: "a missing environment names the ones there are", env: "qa", err: `no "qa" environment (have: development, production, staging, test)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := record.ParseConfig([]byte(databaseYML), tt.env, env(tt.vars))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			must(t, err)
			tt.check(t, c)
		})
	}
}

func TestLoadConfigErrors(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{
		"config/database.yml": {Data: []byte(databaseYML)},
		"bad.yml":             {Data: []byte("development: [\n")},
		"noadapter.yml":       {Data: []byte("development:\n  database: x\n")},
		"badadapter.yml":      {Data: []byte("development:\n  adapter: Oracle DB!\n  database: x\n")},
	}
	if _, err := record.LoadConfig(fsys, "config/database.yml", "development"); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ path, want string }{
		{"missing.yml", "missing.yml"},
		{"bad.yml", "bad.yml: invalid YAML"},
		{"noadapter.yml", "no adapter (set adapter: sqlite3, postgresql or mysql)"},
		{"badadapter.yml", `invalid adapter "Oracle DB!"`},
	} {
		if _, err := record.LoadConfig(fsys, tt.path, "development"); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("LoadConfig(%s) = %v, want %q", tt.path, err, tt.want)
		}
	}
}

func TestOpenUnreachableServer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tt := range []struct {
		drv driver.Driver
		cfg record.Config
	}{
		{postgres.Driver{}, record.Config{URL: "postgres://u:topsecret@127.0.0.1:1/db?sslmode=disable", Timeout: time.Second}},
		{mysql.Driver{}, record.Config{Adapter: record.MySQL, Host: "127.0.0.1", Port: 1, Username: "u", Password: "topsecret", Database: "db", Timeout: time.Second}},
	} {
		cfg := tt.cfg
		_, err := record.Open(ctx, tt.drv, cfg)
		if !errors.Is(err, record.ErrUnavailable) {
			t.Fatalf("Open(%s) = %v, want ErrUnavailable", cfg, err)
		}
		if strings.Contains(err.Error(), "topsecret") {
			t.Fatalf("the error shows the password: %v", err)
		}
	}
}

func TestDriverFor(t *testing.T) {
	t.Parallel()
	linked := []driver.Driver{sqlite.Driver{}, postgres.Driver{}}
	tests := []struct {
		name string
		cfg  record.Config
		want string // the driver's name, or a part of the error
	}{
		{"the adapter's own driver", record.Config{Adapter: "postgresql"}, "postgresql"},
		{"an alias of the adapter", record.Config{Adapter: "pg"}, "postgresql"},
		{"the scheme of the url", record.Config{URL: "postgres://u:pw@h/app"}, "postgresql"},
		{"a driver gorails ships but the program did not link", record.Config{URL: "mysql://u:topsecret@h/app"},
			`adapter "mysql" is not linked into this program (it has: sqlite3, postgresql): import "github.com/gorails/gorails/framework/record/mysql" and pass mysql.Driver{}`},
		{"an adapter nobody ships", record.Config{Adapter: "oracle"}, `adapter "oracle" is not linked into this program (it has: sqlite3, postgresql)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := record.DriverFor(tt.cfg, linked...)
			if err != nil {
				if !errors.Is(err, record.ErrNoDriver) || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("DriverFor = %v, want ErrNoDriver saying %q", err, tt.want)
				}
				if strings.Contains(err.Error(), "topsecret") {
					t.Fatalf("the error shows the password: %v", err)
				}
				return
			}
			if d.Name() != tt.want {
				t.Fatalf("DriverFor = %s, want %s", d.Name(), tt.want)
			}
		})
	}
}

func TestOpenWithAnotherDatabasesDriver(t *testing.T) {
	t.Parallel()
	_, err := record.Open(context.Background(), sqlite.Driver{}, record.Config{URL: "postgres://u:topsecret@127.0.0.1/app"})
	if !errors.Is(err, record.ErrNoDriver) || !strings.Contains(err.Error(), "record/postgres") {
		t.Fatalf("Open = %v, want ErrNoDriver naming the postgres package", err)
	}
	if strings.Contains(err.Error(), "topsecret") {
		t.Fatalf("the error shows the password: %v", err)
	}
	if _, err := record.Open(context.Background(), nil, record.Config{Database: "x"}); err == nil || !strings.Contains(err.Error(), "no driver") {
		t.Fatalf("Open without a driver = %v", err)
	}
}
