package blog

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	_ "modernc.org/sqlite" // database/sql driver "sqlite"
)

// SQLiteURL is the database URL of the SQLite file at path, as every server
// takes it (gorails' DATABASE_URL and the hand-written servers' -db).
func SQLiteURL(path string) string { return "sqlite3:" + path }

// NewPostgresDB creates a database of this run's own on the server that
// adminURL reaches (gorails_bench_blog_<unix time>_<random>, so two runs
// never share one) and returns its URL and the function that drops it.
func NewPostgresDB(ctx context.Context, adminURL string) (dbURL string, drop func() error, err error) {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return "", nil, fmt.Errorf("PostgreSQL: %w", err)
	}
	defer conn.Close(ctx)
	var b [4]byte
	_, _ = rand.Read(b[:])
	name := fmt.Sprintf("gorails_bench_blog_%d_%s", time.Now().Unix(), hex.EncodeToString(b[:]))
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", nil, fmt.Errorf("create database %s: %w", name, err)
	}
	u, err := url.Parse(adminURL)
	if err != nil {
		return "", nil, err
	}
	u.Path = "/" + name
	drop = func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, adminURL)
		if err != nil {
			return fmt.Errorf("drop database %s: %w", name, err)
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			return fmt.Errorf("drop database %s: %w", name, err)
		}
		return nil
	}
	return u.String(), drop, nil
}

// Seed inserts posts into the posts table of the database at dbURL (made
// by the gorails app's migrations) and updates the planner's statistics.
// SQLite times are written as gorails' SQLite adapter writes them.
func Seed(ctx context.Context, dbURL string, posts []Post) error {
	if path, ok := strings.CutPrefix(dbURL, "sqlite3:"); ok {
		return seedSQLite(ctx, path, posts)
	}
	return seedPostgres(ctx, dbURL, posts)
}

func seedSQLite(ctx context.Context, path string, posts []Post) error {
	db, err := sql.Open("sqlite", "file:"+path+"?_time_format=sqlite&_pragma=journal_mode(WAL)")
	if err != nil {
		return err
	}
	defer db.Close()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	for _, p := range posts {
		if _, err := tx.ExecContext(ctx, `INSERT INTO posts (id, title, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
			p.ID, p.Title, p.Body, p.CreatedAt, p.UpdatedAt); err != nil {
			return fmt.Errorf("seed: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	_, err = db.ExecContext(ctx, "ANALYZE")
	return err
}

func seedPostgres(ctx context.Context, dbURL string, posts []Post) error {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	rows := make([][]any, len(posts))
	for i, p := range posts {
		rows[i] = []any{p.ID, p.Title, p.Body, p.CreatedAt, p.UpdatedAt}
	}
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"posts"}, []string{"id", "title", "body", "created_at", "updated_at"}, pgx.CopyFromRows(rows)); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	_, err = conn.Exec(ctx, "VACUUM ANALYZE posts")
	return err
}
