package record_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/gorails/gorails/framework/record"
)

func TestCRUD(t *testing.T) {
	t.Parallel()
	forEachAdapter(t, func(t *testing.T, db *record.DB) {
		ctx := context.Background()
		u := mkUser(t, db, "Ann")
		p := Post{Title: "Hello", Body: "World", UserID: &u.ID}
		if !p.NewRecord() {
			t.Fatal("a new post should be a new record")
		}
		must(t, record.Create(ctx, db, &p))
		if p.ID == 0 || !p.Persisted() || p.CreatedAt.IsZero() || !p.CreatedAt.Equal(p.UpdatedAt) {
			t.Fatalf("after Create: %+v", p)
		}
		if err := record.Create(ctx, db, &p); err == nil {
			t.Fatal("Create of a persisted record should fail")
		}

		got, err := record.Query[Post](db).Find(ctx, p.ID)
		must(t, err)
		if got.Title != "Hello" || got.Body != "World" || got.UserID == nil || *got.UserID != u.ID || !got.Persisted() {
			t.Fatalf("Find = %+v", got)
		}
		if !got.CreatedAt.Equal(p.CreatedAt) {
			t.Fatalf("created_at round trip: %v vs %v", got.CreatedAt, p.CreatedAt)
		}
		if record.Changed(db, &got) {
			t.Fatalf("a loaded record has changes: %v", record.Changes(db, &got))
		}

		got.Title = "Hello again"
		must(t, record.Save(ctx, db, &got))
		if !got.UpdatedAt.After(p.UpdatedAt) && !got.UpdatedAt.Equal(p.UpdatedAt) {
			t.Fatalf("updated_at not moved: %v", got.UpdatedAt)
		}
		must(t, record.Reload(ctx, db, &p))
		if p.Title != "Hello again" {
			t.Fatalf("Reload: %q", p.Title)
		}

		must(t, record.Update(ctx, db, &p, record.Attrs{"title": "Via attrs", "views": 7}))
		again, err := record.Query[Post](db).Find(ctx, p.ID)
		must(t, err)
		if again.Title != "Via attrs" || again.Views != 7 {
			t.Fatalf("Update(attrs): %+v", again)
		}

		must(t, record.UpdateColumns(ctx, db, &again, record.Attrs{"body": "raw"}))
		must(t, record.Reload(ctx, db, &again))
		if again.Body != "raw" || !again.UpdatedAt.Equal(p.UpdatedAt) {
			t.Fatalf("UpdateColumns: body %q updated_at %v (was %v)", again.Body, again.UpdatedAt, p.UpdatedAt)
		}

		must(t, record.Destroy(ctx, db, &again))
		if !again.Destroyed() || again.Persisted() {
			t.Fatal("Destroy did not mark the record destroyed")
		}
		if _, err := record.Query[Post](db).Find(ctx, p.ID); !errors.Is(err, record.ErrNotFound) {
			t.Fatalf("Find after Destroy: %v, want ErrNotFound", err)
		}
		if err := record.Reload(ctx, db, &p); !errors.Is(err, record.ErrNotFound) {
			t.Fatalf("Reload after Destroy: %v", err)
		}

		q := Post{Title: "to delete"}
		must(t, record.Create(ctx, db, &q))
		must(t, record.Delete(ctx, db, &q))
		if n, _ := record.Query[Post](db).Count(ctx); n != 0 {
			t.Fatalf("Count after Delete = %d", n)
		}
		if err := record.Delete(ctx, db, &Post{}); !errors.Is(err, record.ErrNotPersisted) {
			t.Fatalf("Delete of a new record: %v", err)
		}
	})
}

func TestUUIDPrimaryKey(t *testing.T) {
	t.Parallel()
	forEachAdapter(t, func(t *testing.T, db *record.DB) {
		ctx := context.Background()
		tok := Token{Label: "a"}
		must(t, record.Create(ctx, db, &tok))
		if len(tok.ID) != 36 {
			t.Fatalf("uuid id = %q", tok.ID)
		}
		got, err := record.Query[Token](db).Find(ctx, tok.ID)
		must(t, err)
		if got.ID != tok.ID || got.Label != "a" {
			t.Fatalf("Find(uuid) = %+v", got)
		}
		got.Label = "b"
		must(t, record.Save(ctx, db, &got))
		must(t, record.Reload(ctx, db, &tok))
		if tok.Label != "b" {
			t.Fatalf("after update: %q", tok.Label)
		}
		must(t, record.Destroy(ctx, db, &tok))
	})
}

// A loaded or saved model keys the cache as Rails' cache_key_with_version
// does (the cache package's Record interface, which record does not import).
func TestModelsAreCacheRecords(t *testing.T) {
	t.Parallel()
	type cacheRecord interface {
		CacheTable() string
		CacheID() string
		CacheUpdatedAt() time.Time
	}
	var fresh Post
	if r := cacheRecord(fresh); r.CacheTable() != "" || r.CacheID() != "" || !r.CacheUpdatedAt().IsZero() {
		t.Fatalf("a new model keys as %q %q %v; want all empty", r.CacheTable(), r.CacheID(), r.CacheUpdatedAt())
	}
	forEachAdapter(t, func(t *testing.T, db *record.DB) {
		ctx := context.Background()
		p := Post{Title: "Cached"}
		must(t, record.Create(ctx, db, &p))
		if r := cacheRecord(p); r.CacheTable() != "posts" || r.CacheID() != strconv.FormatInt(p.ID, 10) || !r.CacheUpdatedAt().Equal(p.UpdatedAt) {
			t.Fatalf("a created post keys as %q %q %v", r.CacheTable(), r.CacheID(), r.CacheUpdatedAt())
		}
		all, err := record.Query[Post](db).All(ctx)
		must(t, err)
		got, err := record.Query[Post](db).Find(ctx, p.ID)
		must(t, err)
		for _, r := range []cacheRecord{all[0], got} {
			if r.CacheTable() != "posts" || r.CacheID() != strconv.FormatInt(p.ID, 10) {
				t.Fatalf("a loaded post keys as %q %q", r.CacheTable(), r.CacheID())
			}
		}
	})
}
