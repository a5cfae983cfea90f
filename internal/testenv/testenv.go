// Package testenv gives tests the real servers they need (PostgreSQL,
// MariaDB/MySQL, Redis) on loopback, one database per caller so that
// packages tested in parallel never share state.
//
// The project's convention: when the environment variable CI is "true", a
// test that cannot reach its server fails; otherwise it is skipped with a
// message that says which server was missing and how to start it.
//
// The addresses can be changed with GORAILS_TEST_POSTGRES_URL,
// GORAILS_TEST_MYSQL_DSN and GORAILS_TEST_REDIS_ADDR.
package testenv

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"
)

// InCI reports whether the tests run under CI, where a missing server is a failure.
func InCI() bool { return os.Getenv("CI") == "true" }

// Unavailable skips the test, or fails it under CI, because a server is not reachable.
func Unavailable(tb testing.TB, server string, err error) {
	tb.Helper()
	msg := fmt.Sprintf("%s is not reachable (%v); start it or set the address (see internal/testenv)", server, err)
	if InCI() {
		tb.Fatal(msg)
	}
	tb.Skip(msg)
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// PostgresURL is the URL of the PostgreSQL server's maintenance database.
func PostgresURL() string {
	return env("GORAILS_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable")
}

// MySQLDSN is the go-sql-driver DSN of the MariaDB/MySQL server, without a database.
func MySQLDSN() string {
	return env("GORAILS_TEST_MYSQL_DSN", "root@tcp(127.0.0.1:3306)/")
}

// RedisAddr is the host:port of the Redis server.
func RedisAddr() string { return env("GORAILS_TEST_REDIS_ADDR", "127.0.0.1:6379") }

var nameRE = regexp.MustCompile(`[^a-z0-9_]+`)

// staleAfter is how old a database left behind by a killed run must be
// before another run drops it.
const staleAfter = 6 * time.Hour

// uniqueName turns name into a database name of this call alone, such as
// "gorails_test_record_1764864000_9f3a1c2b": the prefix marks it as a test
// database, the Unix time lets later runs drop it when a killed run left it
// behind, and the random suffix keeps two runs (or two calls) apart.
func uniqueName(name string) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	name = strings.Trim(nameRE.ReplaceAllString(strings.ToLower(name), "_"), "_")
	if len(name) > 24 {
		name = name[:24]
	}
	return fmt.Sprintf("%s%s_%d_%s", prefix, name, time.Now().Unix(), hex.EncodeToString(b[:]))
}

const prefix = "gorails_test_"

var staleRE = regexp.MustCompile(`^gorails_test_[a-z0-9_]*_([0-9]{10})_[0-9a-f]{8}$`)

// isStale reports whether db is a test database made by uniqueName more than
// staleAfter ago.
func isStale(db string, now time.Time) bool {
	m := staleRE.FindStringSubmatch(db)
	if m == nil {
		return false
	}
	sec, err := strconv.ParseInt(m[1], 10, 64)
	return err == nil && now.Sub(time.Unix(sec, 0)) > staleAfter
}

// PostgresDB creates a database of the caller's own (unique to this call, so
// two test runs on one machine never share or drop each other's), drops it
// when the test ends, and returns its URL. Databases that killed runs left
// behind are dropped once they are older than six hours.
func PostgresDB(tb testing.TB, name string) string {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, PostgresURL())
	if err != nil {
		Unavailable(tb, "PostgreSQL", err)
		return ""
	}
	defer conn.Close(ctx)
	dropStalePostgres(ctx, conn)
	db := uniqueName(name)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+db); err != nil {
		tb.Fatalf("create database %s: %v", db, err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, PostgresURL())
		if err != nil {
			tb.Logf("drop database %s: %v", db, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+db+" WITH (FORCE)"); err != nil {
			tb.Logf("drop database %s: %v", db, err)
		}
	})
	u, err := url.Parse(PostgresURL())
	if err != nil {
		tb.Fatalf("parse GORAILS_TEST_POSTGRES_URL: %v", err)
	}
	u.Path = "/" + db
	return u.String()
}

func dropStalePostgres(ctx context.Context, conn *pgx.Conn) {
	rows, err := conn.Query(ctx, "SELECT datname FROM pg_database WHERE datname LIKE 'gorails\\_test\\_%'")
	if err != nil {
		return
	}
	names, _ := pgx.CollectRows(rows, pgx.RowTo[string])
	now := time.Now()
	for _, n := range names {
		if isStale(n, now) {
			_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+n+" WITH (FORCE)")
		}
	}
}

// MySQLDB creates a database of the caller's own (see PostgresDB), drops it
// when the test ends, and returns a DSN for it (parseTime and
// multiStatements off, as the framework configures its own).
func MySQLDB(tb testing.TB, name string) string {
	tb.Helper()
	cfg, err := mysql.ParseDSN(MySQLDSN())
	if err != nil {
		tb.Fatalf("parse GORAILS_TEST_MYSQL_DSN: %v", err)
	}
	cfg.Timeout = 5 * time.Second
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		tb.Fatalf("open mysql: %v", err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		Unavailable(tb, "MariaDB/MySQL", err)
		return ""
	}
	dropStaleMySQL(ctx, db)
	name = uniqueName(name)
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name+" CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		tb.Fatalf("create database %s: %v", name, err)
	}
	tb.Cleanup(func() {
		db, err := sql.Open("mysql", cfg.FormatDSN())
		if err != nil {
			return
		}
		defer db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		if _, err := db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name); err != nil {
			tb.Logf("drop database %s: %v", name, err)
		}
	})
	cfg.DBName = name
	return cfg.FormatDSN()
}

func dropStaleMySQL(ctx context.Context, db *sql.DB) {
	rows, err := db.QueryContext(ctx, "SHOW DATABASES LIKE 'gorails\\_test\\_%'")
	if err != nil {
		return
	}
	var names []string
	for rows.Next() {
		var n string
		if rows.Scan(&n) == nil {
			names = append(names, n)
		}
	}
	rows.Close()
	now := time.Now()
	for _, n := range names {
		if isStale(n, now) {
			_, _ = db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+n)
		}
	}
}

// Redis checks that Redis answers and returns its address. Callers own
// isolation: use a key prefix or a database number of their own.
func Redis(tb testing.TB) string {
	tb.Helper()
	addr := RedisAddr()
	c, err := net.DialTimeout("tcp", addr, 3*time.Second)
	if err != nil {
		Unavailable(tb, "Redis", err)
		return ""
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(3 * time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		Unavailable(tb, "Redis", err)
		return ""
	}
	buf := make([]byte, 16)
	n, err := c.Read(buf)
	if err != nil || !strings.HasPrefix(string(buf[:n]), "+PONG") {
		Unavailable(tb, "Redis", fmt.Errorf("unexpected answer %q: %v", buf[:n], err))
		return ""
	}
	return addr
}
