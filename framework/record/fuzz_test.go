package record_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gorails/gorails/framework/record"
)

// sqlRecorder is a slog.Handler that keeps the SQL text of each statement.
type sqlRecorder struct {
	mu   sync.Mutex
	sqls []string
}

func (h *sqlRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (h *sqlRecorder) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *sqlRecorder) WithGroup(string) slog.Handler            { return h }
func (h *sqlRecorder) Handle(_ context.Context, r slog.Record) error {
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "sql" {
			h.mu.Lock()
			h.sqls = append(h.sqls, a.Value.String())
			h.mu.Unlock()
		}
		return true
	})
	return nil
}

func (h *sqlRecorder) take() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := h.sqls
	h.sqls = nil
	return out
}

// FuzzNoValueInSQL: whatever value goes through the query and persistence
// API, the SQL text never contains it and does not depend on it: values
// only ever travel as bound parameters.
func FuzzNoValueInSQL(f *testing.F) {
	for _, s := range []string{"x", "' OR 1=1 --", `"; DROP TABLE posts; --`, "?", "$1", "`", "\x00", "ünïcødé", "title"} {
		f.Add(s, int64(7))
	}
	rec := &sqlRecorder{}
	db := openDB(f, record.Config{Database: filepath.Join(f.TempDir(), "fuzz.sqlite3"), Logger: slog.New(rec)})
	ctx := context.Background()
	posts := record.Query[Post](db)
	relations := func(s string, n int64) []record.Relation[Post] {
		return []record.Relation[Post]{
			posts.Where("title = ?", s),
			posts.Where(record.Cond{"title": s, "views": n}),
			posts.Where(struct {
				Title string
				Views int64
			}{s, n}),
			posts.Not(record.Cond{"body": s}).Where("views > ?", n),
			posts.Where("title IN (?)", []string{s, s}).Where(record.Cond{"body": []string{s}}),
			posts.Where("title = ?", s).Or(posts.Where("body = ?", s)),
			posts.Select("title").Group("title").Having("MAX(body) = ?", s),
			posts.Joins("JOIN users ON users.name = ?", s).Limit(int(n & 0xff)).Offset(int(n & 0xf)),
		}
	}
	reference := map[string]bool{}
	for _, r := range relations("reference", 1) {
		sql, _, err := r.ToSQL(ctx)
		if err != nil {
			f.Fatal(err)
		}
		reference[sql] = true
	}
	f.Fuzz(func(t *testing.T, s string, n int64) {
		refText := strings.Join(keys(reference), "\n")
		checkable := len(s) >= 3 && !strings.Contains(refText, s) && !strings.Contains("SELECT FROM WHERE INSERT UPDATE DELETE INTO VALUES RETURNING", s)
		for i, r := range relations(s, n) {
			sql, args, err := r.ToSQL(ctx)
			if err != nil {
				t.Fatal(err)
			}
			want, _, _ := relations("reference", 1)[i].ToSQL(ctx)
			if sql != want {
				t.Fatalf("SQL depends on the value %q:\n%s\nvs\n%s", s, sql, want)
			}
			if checkable && strings.Contains(sql, s) {
				t.Fatalf("value %q in SQL %s", s, sql)
			}
			if len(args) == 0 {
				t.Fatalf("no binds for %s", sql)
			}
			if _, err := r.Limit(1).All(ctx); err != nil {
				t.Fatalf("running %s: %v", sql, err)
			}
		}
		rec.take()
		p := Post{Title: s, Body: s, Views: n}
		if err := record.Create(ctx, db, &p); err != nil {
			t.Fatal(err)
		}
		if err := record.Update(ctx, db, &p, record.Attrs{"title": s + "!", "body": "b"}); err != nil {
			t.Fatal(err)
		}
		if _, err := posts.Where(record.Cond{"title": s + "!"}).UpdateAll(ctx, record.Attrs{"body": s}); err != nil {
			t.Fatal(err)
		}
		if _, err := posts.Where("body = ?", s).DeleteAll(ctx); err != nil {
			t.Fatal(err)
		}
		for _, sql := range rec.take() {
			if checkable && strings.Contains(sql, s) {
				t.Fatalf("value %q in SQL %s", s, sql)
			}
		}
	})
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
