package record_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/gorails/gorails/framework/record"
)

func titles(ps []Post) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Title
	}
	return out
}

func TestRelationMethods(t *testing.T) {
	t.Parallel()
	forEachAdapter(t, func(t *testing.T, db *record.DB) {
		ctx := context.Background()
		u := mkUser(t, db, "Ann")
		ps := mkPosts(t, db, "a", "b", "c", "d", "e") // views 1..5, published a c e
		must(t, record.Update(ctx, db, &ps[0], record.Attrs{"user_id": u.ID}))
		must(t, record.Update(ctx, db, &ps[1], record.Attrs{"user_id": u.ID}))
		posts := record.Query[Post](db)
		published := func(r record.Relation[Post]) record.Relation[Post] { return r.Where(record.Cond{"published": true}) }
		popular := func(r record.Relation[Post]) record.Relation[Post] {
			return r.Where("views > ?", 2).Order("views DESC")
		}

		tests := []struct {
			name string
			rel  record.Relation[Post]
			want []string
		}{
			{"where with a bind", posts.Where("title = ?", "b"), []string{"b"}},
			{"where with two binds", posts.Where("views >= ? AND views <= ?", 2, 3).Order("id"), []string{"b", "c"}},
			{"where with a slice bind expands IN", posts.Where("title IN (?)", []string{"a", "e"}).Order("id"), []string{"a", "e"}},
			{"where with an empty slice matches nothing", posts.Where("title IN (?)", []string{}), []string{}},
			{"Cond with a value", posts.Where(record.Cond{"title": "c"}), []string{"c"}},
			{"Cond with nil is IS NULL", posts.Where(record.Cond{"user_id": nil}).Order("id"), []string{"c", "d", "e"}},
			{"Cond with a slice is IN", posts.Where(record.Cond{"views": []int64{1, 5}}).Order("id"), []string{"a", "e"}},
			{"Cond with an empty slice matches nothing", posts.Where(record.Cond{"views": []int64{}}), []string{}},
			{"struct condition keeps zero values", posts.Where(struct{ Published bool }{false}).Order("id"), []string{"b", "d"}},
			{"chained wheres are ANDed", posts.Where("views > ?", 1).Where(record.Cond{"published": true}).Order("id"), []string{"c", "e"}},
			{"Not negates", posts.Not(record.Cond{"title": []string{"a", "b"}}).Order("id"), []string{"c", "d", "e"}},
			{"Not nil is IS NOT NULL", posts.Not(record.Cond{"user_id": nil}).Order("id"), []string{"a", "b"}},
			{"Or", posts.Where("title = ?", "a").Or(posts.Where("title = ?", "d")).Order("id"), []string{"a", "d"}},
			{"Order desc", posts.Order("views DESC"), []string{"e", "d", "c", "b", "a"}},
			{"Reorder replaces", posts.Order("views DESC").Reorder("title"), []string{"a", "b", "c", "d", "e"}},
			{"Limit and Offset", posts.Order("id").Limit(2).Offset(1), []string{"b", "c"}},
			{"Offset alone", posts.Order("id").Offset(3), []string{"d", "e"}},
			{"Joins", posts.Joins("JOIN users ON users.id = posts.user_id").Where("users.name = ?", "Ann").Order("posts.id"), []string{"a", "b"}},
			{"Select loads some columns", posts.Select("id", "title").Where("title = ?", "a"), []string{"a"}},
			{"Distinct", posts.Select("title").Distinct().Where("title = ?", "a"), []string{"a"}},
			{"Lock", posts.Where("title = ?", "e").Lock(), []string{"e"}},
			{"scopes are plain functions", popular(published(posts)), []string{"e", "c"}},
			{"Scopes applies them in order", posts.Scopes(published, popular), []string{"e", "c"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := tt.rel.All(ctx)
				must(t, err)
				if !slices.Equal(titles(got), tt.want) {
					sql, args, _ := tt.rel.ToSQL(ctx)
					t.Fatalf("got %v, want %v\n%s %v", titles(got), tt.want, sql, args)
				}
			})
		}

		t.Run("relations are immutable", func(t *testing.T) {
			base := posts.Where("views > ?", 1)
			a := base.Where("title = ?", "b")
			b := base.Where("title = ?", "c")
			for _, c := range []struct {
				r    record.Relation[Post]
				want int64
			}{{base, 4}, {a, 1}, {b, 1}} {
				n, err := c.r.Count(ctx)
				must(t, err)
				if n != c.want {
					t.Fatalf("count = %d, want %d", n, c.want)
				}
			}
		})

		t.Run("Select leaves other fields zero", func(t *testing.T) {
			p, err := posts.Select("id", "title").Where("title = ?", "a").Take(ctx)
			must(t, err)
			if p.Body != "" || p.Views != 0 || p.ID == 0 {
				t.Fatalf("%+v", p)
			}
		})

		t.Run("Group and Having", func(t *testing.T) {
			n, err := posts.Select("published").Group("published").Having("COUNT(*) > ?", 2).Count(ctx)
			must(t, err)
			if n != 1 {
				t.Fatalf("groups with more than 2 posts = %d, want 1", n)
			}
		})

		t.Run("finders", func(t *testing.T) {
			first, err := posts.First(ctx)
			must(t, err)
			last, err := posts.Last(ctx)
			must(t, err)
			if first.Title != "a" || last.Title != "e" {
				t.Fatalf("First %q Last %q", first.Title, last.Title)
			}
			joined, err := posts.Joins("JOIN users ON users.id = posts.user_id").First(ctx)
			must(t, err)
			if joined.Title != "a" {
				t.Fatalf("First with Joins = %q", joined.Title)
			}
			lastByViews, err := posts.Order("views DESC").Last(ctx)
			must(t, err)
			if lastByViews.Title != "a" {
				t.Fatalf("Last reversing views DESC = %q", lastByViews.Title)
			}
			take, err := posts.Where("title = ?", "c").Take(ctx)
			must(t, err)
			by, err := posts.FindBy(ctx, record.Cond{"title": "c"})
			must(t, err)
			if take.ID != by.ID || take.ID != ps[2].ID {
				t.Fatal("Take/FindBy mismatch")
			}
			if _, err := posts.FindBy(ctx, "title = ?", "zzz"); !errors.Is(err, record.ErrNotFound) {
				t.Fatalf("FindBy miss: %v", err)
			}
			if _, err := posts.Where("1 = 0").First(ctx); !errors.Is(err, record.ErrNotFound) {
				t.Fatalf("First miss: %v", err)
			}
			ok, err := posts.Where("title = ?", "d").Exists(ctx)
			must(t, err)
			no, err := posts.Where("title = ?", "x").Exists(ctx)
			must(t, err)
			if !ok || no {
				t.Fatalf("Exists = %v, %v", ok, no)
			}
		})

		t.Run("Each and FindInBatches walk the primary key", func(t *testing.T) {
			var seen []string
			must(t, posts.Where("views > ?", 1).Each(ctx, func(p *Post) error {
				seen = append(seen, p.Title)
				return nil
			}))
			if !slices.Equal(seen, []string{"b", "c", "d", "e"}) {
				t.Fatalf("Each saw %v", seen)
			}
			var sizes []int
			must(t, posts.FindInBatches(ctx, 2, func(b []Post) error {
				sizes = append(sizes, len(b))
				return nil
			}))
			if !slices.Equal(sizes, []int{2, 2, 1}) {
				t.Fatalf("batch sizes %v", sizes)
			}
			stop := errors.New("stop")
			if err := posts.FindInBatches(ctx, 2, func([]Post) error { return stop }); !errors.Is(err, stop) {
				t.Fatalf("fn's error: %v", err)
			}
			if err := posts.Order("title").Each(ctx, func(*Post) error { return nil }); err == nil {
				t.Fatal("Each with Order should fail")
			}
		})

		t.Run("Lock inside a transaction", func(t *testing.T) {
			must(t, record.Transaction(ctx, db, func(tx *record.Tx) error {
				p, err := record.Query[Post](tx).Lock().Find(ctx, ps[0].ID)
				if err != nil {
					return err
				}
				p.Views = 100
				return record.Save(ctx, tx, &p)
			}))
		})

		t.Run("raw SQL", func(t *testing.T) {
			got, err := record.FindBySQL[Post](ctx, db, "SELECT id, title FROM posts WHERE views > ? ORDER BY id", 3)
			must(t, err)
			if !slices.Equal(titles(got), []string{"a", "d", "e"}) {
				t.Fatalf("FindBySQL = %v", titles(got))
			}
			res, err := db.Exec(ctx, "UPDATE posts SET body = ? WHERE title = ?", "x", "d")
			must(t, err)
			if res.RowsAffected != 1 {
				t.Fatalf("Exec affected %d", res.RowsAffected)
			}
			var got2 []string
			must(t, db.QueryRows(ctx, "SELECT title FROM posts WHERE body = ? OR title = '?' ORDER BY id", []any{"x"}, func(scan func(...any) error) error {
				var s string
				got2 = append(got2, s)
				return scan(&got2[len(got2)-1])
			}))
			if !slices.Equal(got2, []string{"d"}) {
				t.Fatalf("QueryRows = %v", got2)
			}
			if _, err := db.Exec(ctx, "UPDATE posts SET body = ? WHERE title = ?", "x"); err == nil || !strings.Contains(err.Error(), "2 placeholders but 1 binds") {
				t.Fatalf("a missing bind: %v", err)
			}
			stop := errors.New("stop")
			if err := db.QueryRows(ctx, "SELECT id FROM posts", nil, func(func(...any) error) error { return stop }); !errors.Is(err, stop) {
				t.Fatalf("QueryRows returns row's error: %v", err)
			}
		})

		t.Run("bad binds are reported by the finder", func(t *testing.T) {
			if _, err := posts.Where("title = ? AND body = ?", "a").All(ctx); err == nil {
				t.Fatal("want a bind count error")
			}
			if _, err := posts.Where(42).All(ctx); err == nil {
				t.Fatal("want an unsupported condition error")
			}
		})
	})
}

func TestCalculations(t *testing.T) {
	t.Parallel()
	forEachAdapter(t, func(t *testing.T, db *record.DB) {
		ctx := context.Background()
		mkPosts(t, db, "a", "b", "c", "d") // views 1..4, rating .5 1.5 2.5 3.5
		posts := record.Query[Post](db)

		n, err := posts.Count(ctx)
		must(t, err)
		pub, err := posts.Where(record.Cond{"published": true}).Count(ctx)
		must(t, err)
		limited, err := posts.Limit(3).Count(ctx)
		must(t, err)
		distinct, err := posts.Select("published").Distinct().Count(ctx)
		must(t, err)
		if n != 4 || pub != 2 || limited != 3 || distinct != 2 {
			t.Fatalf("counts %d %d %d %d", n, pub, limited, distinct)
		}
		sum, err := posts.Sum(ctx, "views")
		must(t, err)
		avg, err := posts.Average(ctx, "rating")
		must(t, err)
		none, err := posts.Where("1 = 0").Sum(ctx, "views")
		must(t, err)
		if sum != 10 || avg != 2 || none != 0 {
			t.Fatalf("sum %v avg %v empty sum %v", sum, avg, none)
		}
		lo, err := record.Minimum[int64](ctx, posts, "views")
		must(t, err)
		hi, err := record.Maximum[float64](ctx, posts, "rating")
		must(t, err)
		if lo != 1 || hi != 3.5 {
			t.Fatalf("min %v max %v", lo, hi)
		}
		if _, err := record.Minimum[int64](ctx, posts.Where("1 = 0"), "views"); !errors.Is(err, record.ErrNotFound) {
			t.Fatalf("Minimum of nothing: %v", err)
		}
		ts, err := record.Pluck[string](ctx, posts.Order("title DESC"), "title")
		must(t, err)
		if !slices.Equal(ts, []string{"d", "c", "b", "a"}) {
			t.Fatalf("Pluck %v", ts)
		}
		ids, err := posts.Order("id").IDs(ctx)
		must(t, err)
		if len(ids) != 4 || ids[0] >= ids[3] {
			t.Fatalf("IDs %v", ids)
		}
		up, err := posts.Where("views > ?", 2).UpdateAll(ctx, record.Attrs{"body": "bulk"})
		must(t, err)
		del, err := posts.Where(record.Cond{"body": "bulk"}).DeleteAll(ctx)
		must(t, err)
		if up != 2 || del != 2 {
			t.Fatalf("UpdateAll %d DeleteAll %d", up, del)
		}
	})
}
