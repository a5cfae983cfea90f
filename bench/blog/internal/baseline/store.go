package baseline

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	_ "modernc.org/sqlite" // database/sql driver "sqlite"
)

// Post is a row of the posts table.
type Post struct {
	ID        int64
	Title     string
	Body      string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// ErrNotFound is returned by Find for an id with no post.
var ErrNotFound = errors.New("post not found")

// Store reads posts. Its methods are safe for concurrent use.
type Store interface {
	// Newest returns the n newest posts, newest first.
	Newest(ctx context.Context, n int) ([]Post, error)
	// Find returns the post with the id, or ErrNotFound.
	Find(ctx context.Context, id int64) (Post, error)
	Close() error
}

// PoolSize is the number of connections each store keeps, gorails' default.
const PoolSize = 5

const (
	newestSQL = `SELECT id, title, body, created_at, updated_at FROM posts ORDER BY created_at DESC, id DESC LIMIT $1`
	findSQL   = `SELECT id, title, body, created_at, updated_at FROM posts WHERE id = $1`
)

// Open opens the store at dbURL: "sqlite3:PATH" or "postgres://...".
func Open(ctx context.Context, dbURL string) (Store, error) {
	if path, ok := strings.CutPrefix(dbURL, "sqlite3:"); ok {
		return openSQLite(ctx, path)
	}
	if strings.HasPrefix(dbURL, "postgres://") || strings.HasPrefix(dbURL, "postgresql://") {
		return openPostgres(ctx, dbURL)
	}
	return nil, fmt.Errorf("database URL %q: want sqlite3:PATH or postgres://", dbURL)
}

type sqliteStore struct {
	db           *sql.DB
	newest, find *sql.Stmt
}

func openSQLite(ctx context.Context, path string) (Store, error) {
	q := url.Values{"_pragma": {"busy_timeout(5000)", "journal_mode(WAL)"}}
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(PoolSize)
	db.SetMaxIdleConns(PoolSize)
	s := &sqliteStore{db: db}
	if s.newest, err = db.PrepareContext(ctx, strings.ReplaceAll(newestSQL, "$1", "?")); err == nil {
		s.find, err = db.PrepareContext(ctx, strings.ReplaceAll(findSQL, "$1", "?"))
	}
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("prepare: %w", err)
	}
	return s, nil
}

func (s *sqliteStore) Newest(ctx context.Context, n int) ([]Post, error) {
	rows, err := s.newest.QueryContext(ctx, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	posts := make([]Post, 0, n)
	for rows.Next() {
		var p Post
		if err := rows.Scan(&p.ID, &p.Title, &p.Body, &p.CreatedAt, &p.UpdatedAt); err != nil {
			return nil, err
		}
		posts = append(posts, p)
	}
	return posts, rows.Err()
}

func (s *sqliteStore) Find(ctx context.Context, id int64) (Post, error) {
	var p Post
	err := s.find.QueryRowContext(ctx, id).Scan(&p.ID, &p.Title, &p.Body, &p.CreatedAt, &p.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return p, ErrNotFound
	}
	return p, err
}

func (s *sqliteStore) Close() error { return s.db.Close() }

// pgStore uses pgx's pool, whose connections prepare and cache each
// statement on first use.
type pgStore struct{ pool *pgxpool.Pool }

func openPostgres(ctx context.Context, dbURL string) (Store, error) {
	cfg, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		return nil, err
	}
	cfg.MaxConns = PoolSize
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return &pgStore{pool: pool}, nil
}

func (s *pgStore) Newest(ctx context.Context, n int) ([]Post, error) {
	rows, err := s.pool.Query(ctx, newestSQL, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	posts := make([]Post, 0, n)
	for rows.Next() {
		var p Post
		if err := rows.Scan(&p.ID, &p.Title, &p.Body, &p.CreatedAt, &p.UpdatedAt); err != nil {
			return nil, err
		}
		posts = append(posts, p)
	}
	return posts, rows.Err()
}

func (s *pgStore) Find(ctx context.Context, id int64) (Post, error) {
	var p Post
	err := s.pool.QueryRow(ctx, findSQL, id).Scan(&p.ID, &p.Title, &p.Body, &p.CreatedAt, &p.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return p, ErrNotFound
	}
	return p, err
}

func (s *pgStore) Close() error { s.pool.Close(); return nil }
