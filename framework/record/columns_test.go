package record_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"

	"github.com/gorails/gorails/framework/record"
)

// hostileColumns are what a client can put in ?sort= or ?column=: each
// reached the SQL as written when Order took SQL text (issue 15: the first
// slept 1.5 s on PostgreSQL, the CASE reordered rows by a secret).
var hostileColumns = []string{
	"(select 1 from pg_sleep(1.5))",
	"(SELECT 1 FROM (SELECT SLEEP(1)) AS x)",
	"CASE WHEN (SELECT 1) = 1 THEN title ELSE body END",
	"CASE WHEN substr(body, 1, 1) = 'a' THEN 0 ELSE 1 END",
	"title; DROP TABLE posts",
	"title --",
	"title/**/DESC",
	"title DESC, (select 1)",
	"title DESC NULLS FIRST",
	"title COLLATE \"C\"",
	"1",
	"views + 0",
	`"title"`,
	"title)",
	"posts.title.x",
	".title",
	"title.",
	"title DESCENDING",
	"title ASC DESC",
	"tïtle",
	"title\x00",
	"",
	" ",
	",",
	"title,",
}

// TestOrderRefusesSQLFromARequest: every method that takes a column name
// refuses SQL text with a *ColumnError (ErrUnknownColumn) before anything
// is sent, on every database; the SQL forms stay available to the
// programmer through the record.SQL type.
func TestOrderRefusesSQLFromARequest(t *testing.T) {
	t.Parallel()
	forEachAdapter(t, func(t *testing.T, db *record.DB) {
		ctx := context.Background()
		mkPosts(t, db, "a", "b", "c")
		posts := record.Query[Post](db)
		uses := []struct {
			name string
			run  func(col string) error
		}{
			{"Order", func(c string) error { _, err := posts.Order(c).All(ctx); return err }},
			{"Reorder", func(c string) error { _, err := posts.Order("id").Reorder(c).First(ctx); return err }},
			{"Select", func(c string) error { _, err := posts.Select(c).All(ctx); return err }},
			{"Group", func(c string) error { _, err := posts.Select("title").Group(c).Count(ctx); return err }},
			{"Pluck", func(c string) error { _, err := record.Pluck[string](ctx, posts, c); return err }},
			{"Sum", func(c string) error { _, err := posts.Sum(ctx, c); return err }},
			{"Average", func(c string) error { _, err := posts.Average(ctx, c); return err }},
			{"Minimum", func(c string) error { _, err := record.Minimum[int64](ctx, posts, c); return err }},
			{"Maximum", func(c string) error { _, err := record.Maximum[int64](ctx, posts, c); return err }},
			{"OrderBy", func(c string) error { _, err := posts.OrderBy(c, "title", "views").All(ctx); return err }},
			{"Last", func(c string) error { _, err := posts.Order(c).Last(ctx); return err }},
			{"ToSQL", func(c string) error { _, _, err := posts.Order(c).ToSQL(ctx); return err }},
		}
		for _, u := range uses {
			for _, col := range hostileColumns {
				if u.name == "OrderBy" && (col == "" || col == " ") {
					continue // an empty sort param adds no order
				}
				err := u.run(col)
				var ce *record.ColumnError
				if !errors.Is(err, record.ErrUnknownColumn) || !errors.As(err, &ce) {
					t.Errorf("%s(%q) = %v, want a *ColumnError matching ErrUnknownColumn", u.name, col, err)
				}
			}
		}
		// Names that look like columns but are not the table's are refused
		// when the relation runs.
		for _, col := range []string{"nope", "posts.nope", "users.nope", "evil.id", "password_digest"} {
			if _, err := posts.Order(col).All(ctx); !errors.Is(err, record.ErrUnknownColumn) {
				t.Errorf("Order(%q) = %v, want ErrUnknownColumn", col, err)
			}
			if _, err := record.Pluck[string](ctx, posts, col); !errors.Is(err, record.ErrUnknownColumn) {
				t.Errorf("Pluck(%q) = %v, want ErrUnknownColumn", col, err)
			}
		}
	})
}

func TestColumnArguments(t *testing.T) {
	t.Parallel()
	forEachAdapter(t, func(t *testing.T, db *record.DB) {
		ctx := context.Background()
		u := mkUser(t, db, "Ann")
		ps := mkPosts(t, db, "b", "a", "c") // views 1, 2, 3
		must(t, record.Update(ctx, db, &ps[0], record.Attrs{"user_id": u.ID}))
		posts := record.Query[Post](db)
		orders := []struct {
			name string
			rel  record.Relation[Post]
			want []string
		}{
			{"a column", posts.Order("title"), []string{"a", "b", "c"}},
			{"a direction in any case", posts.Order("title desc"), []string{"c", "b", "a"}},
			{"a qualified column", posts.Order("posts.views DESC"), []string{"c", "a", "b"}},
			{"comma-separated terms", posts.Order("published, views DESC"), []string{"a", "c", "b"}},
			{"a joined table's column", posts.Joins("JOIN users ON users.id = posts.user_id").Order("users.name", "posts.id"), []string{"b"}},
			{"OrderSQL takes an expression", posts.OrderSQL("CASE WHEN title = 'c' THEN 0 ELSE 1 END", "title"), []string{"c", "a", "b"}},
			{"Reorder then OrderSQL replaces", posts.Order("title").Reorder().OrderSQL("views DESC"), []string{"c", "a", "b"}},
			{"OrderBy an allowed column", posts.OrderBy("views", "title", "views"), []string{"b", "a", "c"}},
			{"OrderBy -column is descending", posts.OrderBy("-views", "title", "views"), []string{"c", "a", "b"}},
			{"OrderBy column desc", posts.OrderBy(" title DESC ", "title"), []string{"c", "b", "a"}},
			{"OrderBy nothing keeps the next order", posts.OrderBy("", "title").Order("views DESC"), []string{"c", "a", "b"}},
		}
		for _, tt := range orders {
			got, err := tt.rel.All(ctx)
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
				continue
			}
			if !slices.Equal(titles(got), tt.want) {
				t.Errorf("%s: %v, want %v", tt.name, titles(got), tt.want)
			}
		}
		if last, err := posts.Order("views").Last(ctx); err != nil || last.Title != "c" {
			t.Errorf("Last by views = %q, %v", last.Title, err)
		}
		if last, err := posts.OrderSQL("views DESC").Last(ctx); err != nil || last.Title != "b" {
			t.Errorf("Last by SQL views DESC = %q, %v", last.Title, err)
		}
		for _, allowedElsewhere := range []string{"body", "-body", "user_id desc"} {
			_, err := posts.OrderBy(allowedElsewhere, "title", "views").All(ctx)
			var ce *record.ColumnError
			if !errors.As(err, &ce) || ce.Op != "OrderBy" {
				t.Errorf("OrderBy(%q) outside the allow-list = %v, want a *ColumnError from OrderBy", allowedElsewhere, err)
			}
		}
		lengths, err := record.PluckSQL[int64](ctx, posts.Order("id"), "LENGTH(title) + views")
		if err != nil || !slices.Equal(lengths, []int64{2, 3, 4}) {
			t.Errorf("PluckSQL = %v, %v", lengths, err)
		}
		n, err := posts.SelectSQL("published").GroupSQL("published").Count(ctx)
		if err != nil || n != 2 {
			t.Errorf("GroupSQL count = %d, %v, want 2", n, err)
		}
		sel, err := posts.Select("id", "posts.title").Where("title = ?", "a").Take(ctx)
		if err != nil || sel.Title != "a" || sel.Body != "" {
			t.Errorf("Select = %+v, %v", sel, err)
		}
		if sum, err := posts.Sum(ctx, "posts.views"); err != nil || sum != 6 {
			t.Errorf("Sum(posts.views) = %v, %v", sum, err)
		}
	})
}

// FuzzOrderTerm: whatever a client sends to Order, the relation either
// fails with ErrUnknownColumn or is one of the table's columns, quoted.
func FuzzOrderTerm(f *testing.F) {
	for _, s := range hostileColumns {
		f.Add(s)
	}
	f.Add("title")
	f.Add("posts.views desc, id")
	db := openDB(f, record.Config{Adapter: record.SQLite, Database: filepath.Join(f.TempDir(), "fuzz.sqlite3")})
	ctx := context.Background()
	posts := record.Query[Post](db)
	f.Fuzz(func(t *testing.T, col string) {
		sql, _, err := posts.Order(col).ToSQL(ctx)
		if err != nil {
			if !errors.Is(err, record.ErrUnknownColumn) {
				t.Fatalf("Order(%q): %v, not ErrUnknownColumn", col, err)
			}
			return
		}
		if _, err := posts.Order(col).Limit(1).All(ctx); err != nil {
			t.Fatalf("Order(%q) built %s and failed: %v", col, sql, err)
		}
	})
}

// BenchmarkOrderColumn is the per-request cost of a checked sort column
// (parse the param, check it against the table, write it quoted) against
// the same order as unchecked SQL, building the relation and its SQL text
// each time as an action does:
//
//	go test -run '^$' -bench OrderColumn ./framework/record/
func BenchmarkOrderColumn(b *testing.B) {
	db := openDB(b, record.Config{Adapter: record.SQLite, Database: filepath.Join(b.TempDir(), "bench.sqlite3")})
	ctx := context.Background()
	posts := record.Query[Post](db)
	sort := "views DESC" // as a request param would give it
	for _, bc := range []struct {
		name string
		rel  func() record.Relation[Post]
	}{
		{"unchecked-sql", func() record.Relation[Post] { return posts.OrderSQL("views DESC").Limit(20) }},
		{"Order", func() record.Relation[Post] { return posts.Order(sort).Limit(20) }},
		{"OrderBy", func() record.Relation[Post] { return posts.OrderBy(sort, "title", "views").Limit(20) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := bc.rel().ToSQL(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
