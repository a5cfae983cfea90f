package record_test

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorails/gorails/framework/record"
	"github.com/gorails/gorails/framework/record/mysql"
	"github.com/gorails/gorails/framework/record/postgres"
	"github.com/gorails/gorails/framework/record/sqlite"
	"github.com/gorails/gorails/internal/testenv"
)

// Models shared by the suite.
type User struct {
	record.Model
	Name  string
	Email string
}

type Post struct {
	record.Model
	Title     string
	Body      string
	Published bool
	Views     int64
	Rating    float64
	UserID    *int64
}

type Article struct {
	record.Model
	Title       string
	LockVersion int64
}

type Token struct {
	record.UUIDModel
	Label string
}

// forEachAdapter runs fn against SQLite, PostgreSQL and MySQL/MariaDB, each
// with a fresh database of its own (named after the test) holding the
// suite's tables. Extra config (pool size...) comes from tweak.
func forEachAdapter(t *testing.T, fn func(t *testing.T, db *record.DB), tweak ...func(*record.Config)) {
	t.Helper()
	name := "record_" + strings.ToLower(strings.NewReplacer("/", "_", " ", "_").Replace(t.Name()))
	for _, a := range []string{record.SQLite, record.PostgreSQL, record.MySQL} {
		t.Run(a, func(t *testing.T) {
			cfg := record.Config{Adapter: a}
			switch a {
			case record.SQLite:
				cfg.Database = filepath.Join(t.TempDir(), "test.sqlite3")
			case record.PostgreSQL:
				cfg.URL = testenv.PostgresDB(t, name)
			case record.MySQL:
				cfg.URL = testenv.MySQLDB(t, name)
			}
			for _, f := range tweak {
				f(&cfg)
			}
			db := openDB(t, cfg)
			fn(t, db)
		})
	}
}

// openDB opens cfg with the driver its adapter names (SQLite when it names
// none) and creates the suite's tables.
func openDB(t testing.TB, cfg record.Config) *record.DB {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if cfg.Adapter == "" && cfg.URL == "" {
		cfg.Adapter = record.SQLite
	}
	drv, err := record.DriverFor(cfg, sqlite.Driver{}, postgres.Driver{}, mysql.Driver{})
	if err != nil {
		t.Fatal(err)
	}
	db, err := record.Open(ctx, drv, cfg)
	if err != nil {
		t.Fatalf("open %s: %v", cfg.Adapter, err)
	}
	t.Cleanup(func() { db.Close() })
	createSchema(t, db)
	return db
}

// schema is the suite's DDL per dialect (migrations come in a later issue).
var schema = map[string][]string{
	record.SQLite: {
		`CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, name VARCHAR(255) NOT NULL, email VARCHAR(255) NOT NULL UNIQUE, created_at DATETIME NOT NULL, updated_at DATETIME NOT NULL)`,
		`CREATE TABLE posts (id INTEGER PRIMARY KEY AUTOINCREMENT, title VARCHAR(255) NOT NULL, body TEXT NOT NULL DEFAULT '', published BOOLEAN NOT NULL DEFAULT 0, views BIGINT NOT NULL DEFAULT 0, rating REAL NOT NULL DEFAULT 0, user_id INTEGER NULL REFERENCES users(id), created_at DATETIME NOT NULL, updated_at DATETIME NOT NULL)`,
		`CREATE TABLE articles (id INTEGER PRIMARY KEY AUTOINCREMENT, title VARCHAR(255) NOT NULL, lock_version INTEGER NOT NULL DEFAULT 0)`,
		`CREATE TABLE tokens (id TEXT PRIMARY KEY, label VARCHAR(255) NOT NULL, created_at DATETIME NOT NULL, updated_at DATETIME NOT NULL)`,
		`CREATE TABLE accounts (id INTEGER PRIMARY KEY AUTOINCREMENT, name VARCHAR(255) NOT NULL, email VARCHAR(255) NOT NULL, age BIGINT NOT NULL DEFAULT 0, role VARCHAR(50) NOT NULL DEFAULT '', org_id BIGINT NOT NULL DEFAULT 0)`,
		`CREATE TABLE audits (id INTEGER PRIMARY KEY AUTOINCREMENT, note VARCHAR(255) NOT NULL)`,
	},
	record.PostgreSQL: {
		`CREATE TABLE users (id BIGSERIAL PRIMARY KEY, name VARCHAR(255) NOT NULL, email VARCHAR(255) NOT NULL UNIQUE, created_at TIMESTAMP(6) NOT NULL, updated_at TIMESTAMP(6) NOT NULL)`,
		`CREATE TABLE posts (id BIGSERIAL PRIMARY KEY, title VARCHAR(255) NOT NULL, body TEXT NOT NULL DEFAULT '', published BOOLEAN NOT NULL DEFAULT false, views BIGINT NOT NULL DEFAULT 0, rating DOUBLE PRECISION NOT NULL DEFAULT 0, user_id BIGINT NULL REFERENCES users(id), created_at TIMESTAMP(6) NOT NULL, updated_at TIMESTAMP(6) NOT NULL)`,
		`CREATE TABLE articles (id BIGSERIAL PRIMARY KEY, title VARCHAR(255) NOT NULL, lock_version BIGINT NOT NULL DEFAULT 0)`,
		`CREATE TABLE tokens (id UUID PRIMARY KEY, label VARCHAR(255) NOT NULL, created_at TIMESTAMP(6) NOT NULL, updated_at TIMESTAMP(6) NOT NULL)`,
		`CREATE TABLE accounts (id BIGSERIAL PRIMARY KEY, name VARCHAR(255) NOT NULL, email VARCHAR(255) NOT NULL, age BIGINT NOT NULL DEFAULT 0, role VARCHAR(50) NOT NULL DEFAULT '', org_id BIGINT NOT NULL DEFAULT 0)`,
		`CREATE TABLE audits (id BIGSERIAL PRIMARY KEY, note VARCHAR(255) NOT NULL)`,
	},
	record.MySQL: {
		`CREATE TABLE users (id BIGINT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(255) NOT NULL, email VARCHAR(255) NOT NULL UNIQUE, created_at DATETIME(6) NOT NULL, updated_at DATETIME(6) NOT NULL) ENGINE=InnoDB`,
		`CREATE TABLE posts (id BIGINT AUTO_INCREMENT PRIMARY KEY, title VARCHAR(255) NOT NULL, body TEXT NOT NULL, published TINYINT(1) NOT NULL DEFAULT 0, views BIGINT NOT NULL DEFAULT 0, rating DOUBLE NOT NULL DEFAULT 0, user_id BIGINT NULL, created_at DATETIME(6) NOT NULL, updated_at DATETIME(6) NOT NULL, FOREIGN KEY (user_id) REFERENCES users(id)) ENGINE=InnoDB`,
		`CREATE TABLE articles (id BIGINT AUTO_INCREMENT PRIMARY KEY, title VARCHAR(255) NOT NULL, lock_version BIGINT NOT NULL DEFAULT 0) ENGINE=InnoDB`,
		`CREATE TABLE tokens (id CHAR(36) PRIMARY KEY, label VARCHAR(255) NOT NULL, created_at DATETIME(6) NOT NULL, updated_at DATETIME(6) NOT NULL) ENGINE=InnoDB`,
		`CREATE TABLE accounts (id BIGINT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(255) NOT NULL, email VARCHAR(255) NOT NULL, age BIGINT NOT NULL DEFAULT 0, role VARCHAR(50) NOT NULL DEFAULT '', org_id BIGINT NOT NULL DEFAULT 0) ENGINE=InnoDB`,
		`CREATE TABLE audits (id BIGINT AUTO_INCREMENT PRIMARY KEY, note VARCHAR(255) NOT NULL) ENGINE=InnoDB`,
	},
}

func createSchema(t testing.TB, db *record.DB) {
	t.Helper()
	createSchemaFor(t, db, db.Adapter())
}

// createSchemaFor creates the suite's tables in the DDL of adapter.
func createSchemaFor(t testing.TB, db *record.DB, adapter string) {
	t.Helper()
	for _, ddl := range schema[adapter] {
		if _, err := db.Exec(context.Background(), ddl); err != nil {
			t.Fatalf("schema: %v\n%s", err, ddl)
		}
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func mkUser(t testing.TB, db *record.DB, name string) User {
	t.Helper()
	u := User{Name: name, Email: strings.ToLower(name) + "@example.com"}
	must(t, record.Create(context.Background(), db, &u))
	return u
}

func mkPosts(t testing.TB, db *record.DB, titles ...string) []Post {
	t.Helper()
	var out []Post
	for i, title := range titles {
		p := Post{Title: title, Body: "body " + title, Views: int64(i + 1), Rating: float64(i) + 0.5, Published: i%2 == 0}
		must(t, record.Create(context.Background(), db, &p))
		out = append(out, p)
	}
	return out
}

// logCapture collects the statements a DB logs.
type logCapture struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logCapture) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logCapture) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *logCapture) Reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Reset()
}

func withLog(l *logCapture) func(*record.Config) {
	return func(c *record.Config) {
		c.Logger = slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
}
