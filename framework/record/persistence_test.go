package record_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gorails/gorails/framework/record"
)

func TestDirtyTrackingSavesZeroValues(t *testing.T) {
	t.Parallel()
	var log logCapture
	forEachAdapter(t, func(t *testing.T, db *record.DB) {
		ctx := context.Background()
		u := mkUser(t, db, "Ann")
		p := Post{Title: "t", Body: "b", Published: true, Views: 5, Rating: 1.5, UserID: &u.ID}
		must(t, record.Create(ctx, db, &p))
		if record.Changed(db, &p) {
			t.Fatalf("changes right after Create: %v", record.Changes(db, &p))
		}

		p.Published, p.Views, p.Body, p.UserID, p.Rating = false, 0, "", nil, 0
		ch := record.Changes(db, &p)
		for _, col := range []string{"published", "views", "body", "user_id", "rating"} {
			if _, ok := ch[col]; !ok {
				t.Fatalf("Changes misses %s: %v", col, ch)
			}
		}
		if _, ok := ch["title"]; ok || !record.Changed(db, &p, "views") || record.Changed(db, &p, "title") {
			t.Fatalf("Changes = %v", ch)
		}
		if c := ch["views"]; c.From != int64(5) || c.To != int64(0) {
			t.Fatalf("views change = %+v", c)
		}

		log.Reset()
		must(t, record.Save(ctx, db, &p))
		stmt := lastLine(log.String(), "update posts")
		if strings.Contains(stmt, "title") {
			t.Fatalf("UPDATE wrote an unchanged column: %s", stmt)
		}
		for _, col := range []string{"published", "views", "body", "user_id", "updated_at"} {
			if !strings.Contains(stmt, col) {
				t.Fatalf("UPDATE misses %s: %s", col, stmt)
			}
		}
		if !record.WasChanged(db, &p, "views") || record.WasChanged(db, &p, "title") || record.Changed(db, &p) {
			t.Fatal("WasChanged/Changed after Save")
		}

		got, err := record.Query[Post](db).Find(ctx, p.ID)
		must(t, err)
		if got.Published || got.Views != 0 || got.Body != "" || got.UserID != nil || got.Rating != 0 || got.Title != "t" {
			t.Fatalf("zero values not saved: %+v", got)
		}

		log.Reset()
		must(t, record.Save(ctx, db, &got)) // nothing changed: no statement
		if strings.Contains(log.String(), "update posts") {
			t.Fatalf("Save without changes wrote: %s", log.String())
		}
	}, withLog(&log))
}

func lastLine(log, op string) string {
	var out string
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, "msg=\""+op) || strings.Contains(l, "msg="+op) {
			out = l
		}
	}
	return out
}

func TestOptimisticLocking(t *testing.T) {
	t.Parallel()
	forEachAdapter(t, func(t *testing.T, db *record.DB) {
		ctx := context.Background()
		a := Article{Title: "v1"}
		must(t, record.Create(ctx, db, &a))
		one, err := record.Query[Article](db).Find(ctx, a.ID)
		must(t, err)
		two, err := record.Query[Article](db).Find(ctx, a.ID)
		must(t, err)

		one.Title = "by one"
		must(t, record.Save(ctx, db, &one))
		if one.LockVersion != 1 {
			t.Fatalf("lock_version = %d, want 1", one.LockVersion)
		}
		two.Title = "by two"
		if err := record.Save(ctx, db, &two); !errors.Is(err, record.ErrStaleObject) {
			t.Fatalf("stale save: %v, want ErrStaleObject", err)
		}
		if err := record.Destroy(ctx, db, &two); !errors.Is(err, record.ErrStaleObject) {
			t.Fatalf("stale destroy: %v, want ErrStaleObject", err)
		}
		must(t, record.Reload(ctx, db, &two))
		two.Title = "by two, fresh"
		must(t, record.Save(ctx, db, &two))
		if two.LockVersion != 2 {
			t.Fatalf("lock_version = %d, want 2", two.LockVersion)
		}
	})
}

func TestTypedErrors(t *testing.T) {
	t.Parallel()
	forEachAdapter(t, func(t *testing.T, db *record.DB) {
		ctx := context.Background()
		mkUser(t, db, "Ann")
		missing := int64(999999)
		tests := []struct {
			name string
			run  func() error
			want error
		}{
			{"duplicate email is a unique violation", func() error {
				return record.Create(ctx, db, &User{Name: "Ann2", Email: "ann@example.com"})
			}, record.ErrUniqueViolation},
			{"NULL title is a not-null violation", func() error {
				_, err := db.Exec(ctx, "INSERT INTO posts (title, body, created_at, updated_at) VALUES (?, ?, ?, ?)", nil, "b", "2020-01-01 00:00:00", "2020-01-01 00:00:00")
				return err
			}, record.ErrNotNullViolation},
			{"a missing user is a foreign key violation", func() error {
				return record.Create(ctx, db, &Post{Title: "x", UserID: &missing})
			}, record.ErrForeignKeyViolation},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				err := tt.run()
				if !errors.Is(err, tt.want) {
					t.Fatalf("err = %v, want %v", err, tt.want)
				}
				var re *record.Error
				if !errors.As(err, &re) || errors.Unwrap(re.Err) == nil && re.Err == nil {
					t.Fatalf("not a *record.Error wrapping the driver error: %#v", err)
				}
			})
		}
	})
}

func TestInsertAllAndUpsertAll(t *testing.T) {
	t.Parallel()
	forEachAdapter(t, func(t *testing.T, db *record.DB) {
		ctx := context.Background()
		users := []User{{Name: "A", Email: "a@x"}, {Name: "B", Email: "b@x"}, {Name: "C", Email: "c@x"}}
		n, err := record.InsertAll(ctx, db, users)
		must(t, err)
		if n != 3 {
			t.Fatalf("InsertAll = %d", n)
		}
		_, err = record.UpsertAll(ctx, db, []User{{Name: "A2", Email: "a@x"}, {Name: "D", Email: "d@x"}}, record.Upsert{Conflict: []string{"email"}, Update: []string{"name"}})
		must(t, err)
		names, err := record.Pluck[string](ctx, record.Query[User](db).Order("email"), "name")
		must(t, err)
		if strings.Join(names, ",") != "A2,B,C,D" {
			t.Fatalf("after upsert: %v", names)
		}
		if _, err := record.InsertAll(ctx, db, []User{{Name: "dup", Email: "b@x"}}); !errors.Is(err, record.ErrUniqueViolation) {
			t.Fatalf("InsertAll duplicate: %v", err)
		}
		big := make([]Post, 12000) // more binds than SQLite allows in one statement: chunked
		for i := range big {
			big[i].Title = "bulk"
		}
		n, err = record.InsertAll(ctx, db, big)
		must(t, err)
		c, _ := record.Query[Post](db).Count(ctx)
		if n != 12000 || c != 12000 {
			t.Fatalf("chunked InsertAll: %d inserted, %d counted", n, c)
		}
	})
}

func TestUpdateStatementCacheKeepsColumnOrder(t *testing.T) {
	t.Parallel()
	forEachAdapter(t, func(t *testing.T, db *record.DB) {
		ctx := context.Background()
		p := Post{Title: "t"}
		must(t, record.Create(ctx, db, &p))
		p.Title = "auto updated_at"
		must(t, record.Save(ctx, db, &p)) // caches the statement for {title, updated_at}
		stamp := p.UpdatedAt.Add(-time.Hour).Truncate(time.Microsecond)
		p.Title, p.UpdatedAt = "explicit updated_at", stamp
		must(t, record.Save(ctx, db, &p)) // same columns, changed in the other order
		got, err := record.Query[Post](db).Find(ctx, p.ID)
		must(t, err)
		if got.Title != "explicit updated_at" || !got.UpdatedAt.Equal(stamp) {
			t.Fatalf("got %q %v, want %v", got.Title, got.UpdatedAt, stamp)
		}
	})
}
