package record_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/gorails/gorails/framework/record"
)

// assocDB runs fn on every adapter with the association tables.
func assocDB(t *testing.T, fn func(t *testing.T, db *record.DB), tweak ...func(*record.Config)) {
	t.Helper()
	t.Parallel()
	forEachAdapter(t, func(t *testing.T, db *record.DB) {
		createAssocSchema(t, db)
		fn(t, db)
	}, tweak...)
}

func bodies(rs []Remark) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Body
	}
	slices.Sort(out)
	return out
}

func TestAssociationsLoadLazily(t *testing.T) {
	assocDB(t, func(t *testing.T, db *record.DB) {
		ctx := context.Background()
		b := seedBlog(t, db)
		hello, err := record.Query[Entry](db).Find(ctx, b.hello.ID)
		must(t, err)

		t.Run("BelongsTo loads the owner's target", func(t *testing.T) {
			w, err := hello.Writer.Load(ctx, db)
			must(t, err)
			if w == nil || w.Name != "Ann" {
				t.Fatalf("writer = %+v, want Ann", w)
			}
			if !hello.Writer.Loaded() || hello.Writer.Record() != w {
				t.Error("a loaded BelongsTo should keep its record")
			}
		})
		t.Run("optional BelongsTo with a NULL key is nil", func(t *testing.T) {
			r, err := record.Query[Remark](db).FindBy(ctx, record.Cond{"body": "anonymous"})
			must(t, err)
			w, err := r.Writer.Load(ctx, db)
			if err != nil || w != nil {
				t.Fatalf("Load = %v, %v; want nil, nil", w, err)
			}
		})
		t.Run("HasMany loads every row with the owner's id", func(t *testing.T) {
			rs, err := hello.Remarks.Load(ctx, db)
			must(t, err)
			if got := bodies(rs); !slices.Equal(got, []string{"anonymous", "first", "second"}) {
				t.Errorf("remarks = %q", got)
			}
		})
		t.Run("a scoped HasMany applies its scope", func(t *testing.T) {
			rs, err := hello.ApprovedRemarks.Load(ctx, db)
			must(t, err)
			if got := bodies(rs); !slices.Equal(got, []string{"anonymous", "first"}) {
				t.Errorf("approved remarks = %q", got)
			}
		})
		t.Run("a polymorphic HasMany matches the type column", func(t *testing.T) {
			notes, err := hello.Notes.Load(ctx, db)
			must(t, err)
			if len(notes) != 2 || *notes[0].NotableType != "Entry" || *notes[0].NotableID != hello.ID {
				t.Errorf("notes = %+v", notes)
			}
		})
		t.Run("a polymorphic BelongsTo loads the model its type names", func(t *testing.T) {
			n, err := record.Query[Note](db).FindBy(ctx, record.Cond{"body": "n1"})
			must(t, err)
			rec, err := n.Notable.Load(ctx, db)
			must(t, err)
			if e, ok := rec.(*Entry); !ok || e.ID != hello.ID {
				t.Errorf("notable = %#v, want *Entry %d", rec, hello.ID)
			}
		})
		t.Run("HasManyThrough goes through the join model", func(t *testing.T) {
			tags, err := hello.Tags.Load(ctx, db)
			must(t, err)
			var names []string
			for _, tg := range tags {
				names = append(names, tg.Name)
			}
			slices.Sort(names)
			if !slices.Equal(names, []string{"go", "sql"}) {
				t.Errorf("tags = %q", names)
			}
		})
		t.Run("HasOne is nil without a row, then the created one", func(t *testing.T) {
			ann, err := record.Query[Writer](db).Find(ctx, b.ann.ID)
			must(t, err)
			p, err := ann.Profile.Load(ctx, db)
			if err != nil || p != nil {
				t.Fatalf("Load = %v, %v; want nil, nil", p, err)
			}
			must(t, ann.Profile.Create(ctx, db, &Profile{Bio: "writes"}))
			ann.Profile.Reset()
			p, err = ann.Profile.Load(ctx, db)
			must(t, err)
			if p == nil || p.Bio != "writes" || p.WriterID != ann.ID {
				t.Errorf("profile = %+v", p)
			}
		})
	})
}

func TestBuildAndCreateThroughAssociation(t *testing.T) {
	assocDB(t, func(t *testing.T, db *record.DB) {
		ctx := context.Background()
		b := seedBlog(t, db)
		var r Remark
		must(t, b.x.Remarks.Build(&r))
		if r.EntryID != b.x.ID || !r.NewRecord() {
			t.Fatalf("Build: entry_id = %d, new = %v", r.EntryID, r.NewRecord())
		}
		rs, err := b.x.Remarks.Load(ctx, db)
		must(t, err)
		must(t, b.x.Remarks.Create(ctx, db, &Remark{Body: "late"}))
		if got := len(b.x.Remarks.Records()); got != len(rs)+1 {
			t.Errorf("a loaded HasMany should gain the created record: %d records", got)
		}
		var unsaved Entry
		if err := unsaved.Remarks.Build(&r); !errors.Is(err, record.ErrNotPersisted) {
			t.Errorf("Build on an unsaved owner = %v, want ErrNotPersisted", err)
		}
	})
}

func TestRequiredBelongsTo(t *testing.T) {
	assocDB(t, func(t *testing.T, db *record.DB) {
		e := Entry{Title: "orphan"}
		err := record.Create(context.Background(), db, &e)
		if !errors.Is(err, record.ErrInvalid) || !slices.Equal(e.Errors().On("writer"), []string{"must exist"}) {
			t.Fatalf("Create = %v, errors %v; want writer must exist", err, e.Errors().FullMessages())
		}
	})
}

func TestCounterCache(t *testing.T) {
	assocDB(t, func(t *testing.T, db *record.DB) {
		ctx := context.Background()
		b := seedBlog(t, db)
		count := func() int64 {
			e, err := record.Query[Entry](db).Find(ctx, b.hello.ID)
			must(t, err)
			return e.RemarksCount
		}
		if got := count(); got != 3 {
			t.Fatalf("after 3 creates remarks_count = %d", got)
		}
		r, err := record.Query[Remark](db).FindBy(ctx, record.Cond{"body": "first"})
		must(t, err)
		must(t, record.Destroy(ctx, db, &r))
		if got := count(); got != 2 {
			t.Errorf("after a destroy remarks_count = %d, want 2", got)
		}
		moved, err := record.Query[Remark](db).FindBy(ctx, record.Cond{"body": "second"})
		must(t, err)
		must(t, record.Update(ctx, db, &moved, record.Attrs{"entry_id": b.x.ID}))
		x, err := record.Query[Entry](db).Find(ctx, b.x.ID)
		must(t, err)
		if got := count(); got != 1 || x.RemarksCount != 1 {
			t.Errorf("after moving a remark: counts %d and %d, want 1 and 1", got, x.RemarksCount)
		}
	})
}

func TestDependent(t *testing.T) {
	assocDB(t, func(t *testing.T, db *record.DB) {
		ctx := context.Background()
		countOf := func(n int64, err error) int64 { must(t, err); return n }

		t.Run("restrict refuses and deletes nothing", func(t *testing.T) {
			b := seedBlog(t, db)
			err := record.Destroy(ctx, db, &b.bob)
			if !errors.Is(err, record.ErrRestricted) || !strings.Contains(err.Error(), "Writer.entries") {
				t.Fatalf("Destroy = %v, want ErrRestricted naming Writer.entries", err)
			}
			if n := countOf(record.Query[Writer](db).Where(record.Cond{"id": b.bob.ID}).Count(ctx)); n != 1 || !b.bob.Persisted() {
				t.Errorf("writer rows = %d, persisted = %v", n, b.bob.Persisted())
			}
		})
		t.Run("a HasOne's dependent runs too", func(t *testing.T) {
			w := Writer{Name: "Solo"}
			must(t, record.Create(ctx, db, &w))
			must(t, w.Profile.Create(ctx, db, &Profile{Bio: "alone"}))
			must(t, record.Destroy(ctx, db, &w))
			if n := countOf(record.Query[Profile](db).Where(record.Cond{"writer_id": w.ID}).Count(ctx)); n != 0 {
				t.Errorf("profiles left = %d, want 0 (DependentDelete)", n)
			}
		})
		t.Run("destroy, delete and nullify run in the owner's Destroy", func(t *testing.T) {
			b := seedBlog(t, db)
			must(t, record.Create(ctx, db, &Like{EntryID: b.hello.ID}))
			must(t, record.Create(ctx, db, &Like{EntryID: b.bye.ID}))
			must(t, record.Destroy(ctx, db, &b.hello))
			tests := []struct {
				name string
				got  int64
				want int64
			}{
				{"remarks of the entry (destroy)", countOf(record.Query[Remark](db).Where(record.Cond{"entry_id": b.hello.ID}).Count(ctx)), 0},
				{"remarks of another entry", countOf(record.Query[Remark](db).Where(record.Cond{"entry_id": b.bye.ID}).Count(ctx)), 1},
				{"likes of the entry (delete)", countOf(record.Query[Like](db).Where(record.Cond{"entry_id": b.hello.ID}).Count(ctx)), 0},
				{"likes of another entry", countOf(record.Query[Like](db).Where(record.Cond{"entry_id": b.bye.ID}).Count(ctx)), 1},
				{"notes pointing at the entry (nullify)", countOf(record.Query[Note](db).Where(record.Cond{"notable_id": b.hello.ID}).Count(ctx)), 0},
				{"notes kept with no owner", countOf(record.Query[Note](db).Where(record.Cond{"notable_id": nil, "notable_type": nil}).Count(ctx)), 2},
			}
			for _, tt := range tests {
				if tt.got != tt.want {
					t.Errorf("%s: %d, want %d", tt.name, tt.got, tt.want)
				}
			}
		})
		t.Run("a child's callback halting rolls the whole Destroy back", func(t *testing.T) {
			b := seedBlog(t, db)
			must(t, b.bye.Remarks.Create(ctx, db, &Remark{Body: "locked"}))
			must(t, record.Create(ctx, db, &Like{EntryID: b.bye.ID}))
			err := record.Destroy(ctx, db, &b.bye)
			if !errors.Is(err, record.ErrHalted) || !errors.Is(err, errLocked) {
				t.Fatalf("Destroy = %v, want the remark's halt", err)
			}
			if n := countOf(record.Query[Remark](db).Where(record.Cond{"entry_id": b.bye.ID}).Count(ctx)); n != 2 {
				t.Errorf("remarks after rollback = %d, want 2", n)
			}
			if n := countOf(record.Query[Like](db).Where(record.Cond{"entry_id": b.bye.ID}).Count(ctx)); n != 1 {
				t.Errorf("likes after rollback = %d, want 1", n)
			}
		})
	})
}
