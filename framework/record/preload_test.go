package record_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gorails/gorails/framework/record"
)

func TestPreloadRunsOneQueryPerLevel(t *testing.T) {
	assocDB(t, func(t *testing.T, db *record.DB) {
		b := seedBlog(t, db)
		tests := []struct {
			name    string
			paths   []string
			queries int64 // including the entries' own query
			check   func(t *testing.T, es []Entry)
		}{
			{"HasMany", []string{"remarks"}, 2, func(t *testing.T, es []Entry) {
				want := map[string]int{"Hello": 3, "Bye": 1, "X": 0}
				for _, e := range es {
					if !e.Remarks.Loaded() || len(e.Remarks.Records()) != want[e.Title] {
						t.Errorf("%s: loaded %v, %d remarks, want %d", e.Title, e.Remarks.Loaded(), len(e.Remarks.Records()), want[e.Title])
					}
				}
			}},
			{"nested HasMany then BelongsTo", []string{"remarks.writer", "writer"}, 4, func(t *testing.T, es []Entry) {
				for _, e := range es {
					if w := e.Writer.Record(); w == nil || w.ID != e.WriterID {
						t.Errorf("%s: writer %+v", e.Title, w)
					}
					for _, r := range e.Remarks.Records() {
						w := r.Writer.Record()
						if !r.Writer.Loaded() || (r.WriterID == nil) != (w == nil) || w != nil && w.ID != *r.WriterID {
							t.Errorf("%s/%s: writer %+v", e.Title, r.Body, w)
						}
					}
				}
			}},
			{"scoped", []string{"approved_remarks"}, 2, func(t *testing.T, es []Entry) {
				if got := bodies(es[0].ApprovedRemarks.Records()); !slices.Equal(got, []string{"anonymous", "first"}) {
					t.Errorf("approved = %q", got)
				}
			}},
			{"polymorphic", []string{"notes"}, 2, func(t *testing.T, es []Entry) {
				if n := len(es[0].Notes.Records()); n != 2 {
					t.Errorf("notes of Hello = %d", n)
				}
			}},
			{"through: one query per step", []string{"tags"}, 3, func(t *testing.T, es []Entry) {
				want := map[string]int{"Hello": 2, "Bye": 0, "X": 1}
				for _, e := range es {
					if len(e.Tags.Records()) != want[e.Title] {
						t.Errorf("%s: %d tags, want %d", e.Title, len(e.Tags.Records()), want[e.Title])
					}
				}
			}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ctx, stats := record.WithStats(context.Background())
				es, err := record.Query[Entry](db).Where(record.Cond{"id": []int64{b.hello.ID, b.bye.ID, b.x.ID}}).Order("id").Preload(tt.paths...).All(ctx)
				must(t, err)
				if got := stats.Queries(); got != tt.queries {
					t.Errorf("queries = %d, want %d", got, tt.queries)
				}
				tt.check(t, es)
				// Reading what was preloaded runs no query, even in strict mode.
				before := stats.Queries()
				for _, e := range es {
					for _, p := range tt.paths {
						switch strings.Split(p, ".")[0] {
						case "remarks":
							_, err = e.Remarks.Load(ctx, db)
						case "writer":
							_, err = e.Writer.Load(ctx, db)
						case "tags":
							_, err = e.Tags.Load(ctx, db)
						}
						must(t, err)
					}
				}
				if stats.Queries() != before {
					t.Errorf("Load of preloaded associations ran %d queries", stats.Queries()-before)
				}
			})
		}
		t.Run("a polymorphic BelongsTo: one query per target type", func(t *testing.T) {
			ctx := context.Background()
			kind := "Writer"
			must(t, record.Create(ctx, db, &Note{Body: "about bob", NotableType: &kind, NotableID: &b.bob.ID}))
			must(t, record.Create(ctx, db, &Note{Body: "loose"}))
			ctx, stats := record.WithStats(ctx)
			notes, err := record.Query[Note](db).Order("id").Preload("notable.writer").All(ctx)
			must(t, err)
			if got := stats.Queries(); got != 4 { // notes, entries, writers of the entries, writers
				t.Errorf("queries = %d, want 4", got)
			}
			var got []string
			for _, n := range notes {
				switch v := n.Notable.Record().(type) {
				case *Entry:
					got = append(got, n.Body+"->"+v.Title+" by "+v.Writer.Record().Name)
				case *Writer:
					got = append(got, n.Body+"->"+v.Name)
				case nil:
					got = append(got, n.Body+"->nil")
				}
			}
			want := []string{"n1->Hello by Ann", "n2->Hello by Ann", "about bob->Bob", "loose->nil"}
			if !slices.Equal(got, want) {
				t.Errorf("notables = %q, want %q", got, want)
			}
		})
		t.Run("First and Find preload too", func(t *testing.T) {
			e, err := record.Query[Entry](db).Preload("remarks").Find(context.Background(), b.hello.ID)
			must(t, err)
			if len(e.Remarks.Records()) != 3 {
				t.Errorf("remarks = %d", len(e.Remarks.Records()))
			}
		})
		t.Run("Preload of records in memory", func(t *testing.T) {
			ws, err := record.Query[Writer](db).Order("id").All(context.Background())
			must(t, err)
			must(t, record.Preload(context.Background(), db, ws, "entries.remarks"))
			if n := len(ws[0].Entries.Records()); n != 2 {
				t.Errorf("Ann's entries = %d", n)
			}
		})
		t.Run("an unknown name fails", func(t *testing.T) {
			_, err := record.Query[Entry](db).Preload("remarks.nope").All(context.Background())
			if !errors.Is(err, record.ErrNoAssociation) || !strings.Contains(err.Error(), `Remark has no association "nope"`) {
				t.Errorf("err = %v", err)
			}
		})
	}, func(c *record.Config) { c.StrictLoading = true })
}

func TestPreloadChunksINLists(t *testing.T) {
	assocDB(t, func(t *testing.T, db *record.DB) {
		ctx := context.Background()
		b := seedBlog(t, db)
		for i := range 4 {
			e := Entry{Title: "more", WriterID: b.bob.ID}
			must(t, record.Create(ctx, db, &e))
			must(t, e.Remarks.Create(ctx, db, &Remark{Body: string(rune('a' + i))}))
		}
		record.SetInLimit(db, 2) // 7 entries: 4 chunks
		ctx, stats := record.WithStats(ctx)
		es, err := record.Query[Entry](db).Preload("remarks").All(ctx)
		must(t, err)
		if got := stats.Queries(); got != 1+4 {
			t.Errorf("queries = %d, want 1 + 4 chunks", got)
		}
		total := 0
		for _, e := range es {
			total += len(e.Remarks.Records())
		}
		if total != 8 {
			t.Errorf("remarks preloaded = %d, want 8", total)
		}
	})
}

// TestPreloadAboveTheBindLimit crosses SQLite's real limit (32766 binds)
// with rows made by InsertAll; the other databases run the same code with
// a larger limit, and TestPreloadChunksINLists crosses a lowered one on all three.
func TestPreloadAboveTheBindLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("inserts 33,000 rows")
	}
	t.Parallel()
	db := openDB(t, record.Config{Adapter: record.SQLite, Database: filepath.Join(t.TempDir(), "test.sqlite3")})
	createAssocSchema(t, db)
	ctx := context.Background()
	b := seedBlog(t, db)
	rows := make([]Entry, 33000)
	for i := range rows {
		rows[i] = Entry{Title: "bulk", WriterID: b.ann.ID}
	}
	_, err := record.InsertAll(ctx, db, rows)
	must(t, err)
	ctx, stats := record.WithStats(ctx)
	es, err := record.Query[Entry](db).Preload("remarks").All(ctx)
	must(t, err)
	if len(es) != 33003 || stats.Queries() != 3 {
		t.Errorf("%d entries in %d queries, want 33003 in 3 (2 chunks)", len(es), stats.Queries())
	}
}

func TestStrictLoading(t *testing.T) {
	assocDB(t, func(t *testing.T, db *record.DB) {
		ctx := context.Background()
		b := seedBlog(t, db)
		tests := []struct {
			name  string
			load  func() error
			fails bool
		}{
			{"a lazy load in a loop over a collection fails", func() error {
				es, err := record.Query[Entry](db).Order("id").All(ctx)
				must(t, err)
				for _, e := range es {
					if _, err := e.Remarks.Load(ctx, db); err != nil {
						return err
					}
				}
				return nil
			}, true},
			{"an empty foreign key needs no query and no preload", func() error {
				rs, err := record.Query[Remark](db).Where(record.Cond{"writer_id": nil}).Or(record.Query[Remark](db).Where(record.Cond{"body": "first"})).All(ctx)
				must(t, err)
				for _, r := range rs {
					if r.WriterID == nil {
						_, err := r.Writer.Load(ctx, db)
						return err
					}
				}
				return errors.New("no remark without a writer")
			}, false},
			{"so does a BelongsTo", func() error {
				rs, err := record.Query[Remark](db).All(ctx)
				must(t, err)
				_, err = rs[0].Entry.Load(ctx, db)
				return err
			}, true},
			{"a nested association not preloaded fails", func() error {
				es, err := record.Query[Entry](db).Preload("remarks").Order("id").All(ctx)
				must(t, err)
				_, err = es[0].Remarks.Records()[0].Writer.Load(ctx, db)
				return err
			}, true},
			{"preloaded associations load", func() error {
				es, err := record.Query[Entry](db).Preload("remarks").All(ctx)
				must(t, err)
				_, err = es[0].Remarks.Load(ctx, db)
				return err
			}, false},
			{"a single record loads lazily", func() error {
				e, err := record.Query[Entry](db).Find(ctx, b.hello.ID)
				must(t, err)
				_, err = e.Remarks.Load(ctx, db)
				return err
			}, false},
			{"StrictLoading(false) opts a query out", func() error {
				es, err := record.Query[Entry](db).StrictLoading(false).All(ctx)
				must(t, err)
				_, err = es[0].Remarks.Load(ctx, db)
				return err
			}, false},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				err := tt.load()
				if !tt.fails {
					must(t, err)
					return
				}
				if !errors.Is(err, record.ErrStrictLoading) {
					t.Fatalf("err = %v, want ErrStrictLoading", err)
				}
				if !strings.Contains(err.Error(), "was not preloaded (use Preload(") {
					t.Errorf("message %q should say what to preload", err)
				}
			})
		}
		es, err := record.Query[Entry](db).All(ctx)
		must(t, err)
		_, err = es[0].Remarks.Load(ctx, db)
		if want := `Entry.remarks was not preloaded (use Preload("remarks"))`; err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want it to contain %s", err, want)
		}
	}, func(c *record.Config) { c.StrictLoading = true })
}

func TestStrictLoadingOffByDefault(t *testing.T) {
	assocDB(t, func(t *testing.T, db *record.DB) {
		ctx := context.Background()
		seedBlog(t, db)
		es, err := record.Query[Entry](db).All(ctx)
		must(t, err)
		for _, e := range es {
			_, err := e.Remarks.Load(ctx, db)
			must(t, err)
		}
	})
}

func TestJoinsOnAssociations(t *testing.T) {
	assocDB(t, func(t *testing.T, db *record.DB) {
		ctx := context.Background()
		seedBlog(t, db)
		titles := func(r record.Relation[Entry]) []string {
			es, err := r.Order("entries.title").All(ctx)
			must(t, err)
			var out []string
			for _, e := range es {
				out = append(out, e.Title)
			}
			return out
		}
		tests := []struct {
			name string
			rel  record.Relation[Entry]
			want []string
		}{
			{"BelongsTo", record.Query[Entry](db).Joins("writer").Where(record.Cond{"writers.name": "Bob"}), []string{"X"}},
			{"HasMany", record.Query[Entry](db).Joins("remarks").Where(record.Cond{"remarks.body": "only"}), []string{"Bye"}},
			{"HasMany polymorphic", record.Query[Entry](db).Joins("notes").Where("notes.body = ?", "n2"), []string{"Hello"}},
			{"HasManyThrough", record.Query[Entry](db).Joins("tags").Where(record.Cond{"tags.name": "go"}), []string{"Hello", "X"}},
			{"SQL joins still work", record.Query[Entry](db).Joins("JOIN writers w ON w.id = entries.writer_id").Where("w.name = ?", "Ann"), []string{"Bye", "Hello"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if got := titles(tt.rel); !slices.Equal(got, tt.want) {
					t.Errorf("titles = %q, want %q", got, tt.want)
				}
			})
		}
		n, err := record.Query[Entry](db).Joins("remarks").Distinct().Select("entries.id").Count(ctx)
		must(t, err)
		if n != 2 {
			t.Errorf("entries with remarks = %d, want 2", n)
		}
		if _, err := record.Query[Entry](db).Joins("nope").All(ctx); !errors.Is(err, record.ErrNoAssociation) {
			t.Errorf("Joins(unknown) = %v, want ErrNoAssociation", err)
		}
	})
}
