package record_test

import (
	"context"
	"testing"
	"time"

	"github.com/gorails/gorails/framework/record"
)

// RailsPost is read from a table Rails' migrations created: timestamps
// declared datetime(6) / timestamp(6), and types with arguments.
type RailsPost struct {
	record.Model
	Title       string
	Code        string
	Price       float64
	PublishedOn time.Time
	DeletedAt   *time.Time
}

// railsDDL is what `bin/rails db:migrate` (Rails 8.0) writes for
//
//	create_table :rails_posts do |t|
//	  t.string :title; t.string :code, limit: 255
//	  t.decimal :price, precision: 10, scale: 2
//	  t.date :published_on; t.datetime :deleted_at
//	  t.timestamps
//	end
var railsDDL = map[string]string{
	record.SQLite: `CREATE TABLE "rails_posts" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "title" varchar, "code" varchar(255), ` +
		`"price" decimal(10,2), "published_on" date, "deleted_at" datetime(6), "created_at" datetime(6) NOT NULL, "updated_at" datetime(6) NOT NULL)`,
	record.PostgreSQL: `CREATE TABLE "rails_posts" ("id" bigserial primary key, "title" character varying, "code" character varying(255), ` +
		`"price" decimal(10,2), "published_on" date, "deleted_at" timestamp(6), "created_at" timestamp(6) NOT NULL, "updated_at" timestamp(6) NOT NULL)`,
	record.MySQL: "CREATE TABLE `rails_posts` (`id` bigint NOT NULL AUTO_INCREMENT PRIMARY KEY, `title` varchar(255), `code` varchar(255), " +
		"`price` decimal(10,2), `published_on` date, `deleted_at` datetime(6), `created_at` datetime(6) NOT NULL, `updated_at` datetime(6) NOT NULL)",
}

// TestReadsASchemaRailsWrote: a row Rails inserted (its timestamps as
// "2026-12-05 07:45:57.123456", UTC) reads back, saves and reloads.
func TestReadsASchemaRailsWrote(t *testing.T) {
	forEachAdapter(t, func(t *testing.T, db *record.DB) {
		ctx := context.Background()
		if _, err := db.Exec(ctx, railsDDL[db.Adapter()]); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(ctx, `INSERT INTO rails_posts (title, code, price, published_on, deleted_at, created_at, updated_at) `+
			`VALUES ('Hi', 'abc', 12.50, '2026-12-01', NULL, '2026-12-05 07:45:57.123456', '2026-12-05 07:45:58.5')`); err != nil {
			t.Fatal(err)
		}
		posts, err := record.Query[RailsPost](db).Order("id").All(ctx)
		if err != nil {
			t.Fatalf("reading Rails' row: %v", err)
		}
		if len(posts) != 1 {
			t.Fatalf("%d rows", len(posts))
		}
		p := posts[0]
		created := time.Date(2026, 12, 5, 7, 45, 57, 123456000, time.UTC)
		switch {
		case !p.CreatedAt.Equal(created):
			t.Errorf("created_at %v, want %v", p.CreatedAt, created)
		case !p.UpdatedAt.Equal(time.Date(2026, 12, 5, 7, 45, 58, 500000000, time.UTC)):
			t.Errorf("updated_at %v", p.UpdatedAt)
		case !p.PublishedOn.Equal(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)):
			t.Errorf("published_on %v", p.PublishedOn)
		case p.DeletedAt != nil:
			t.Errorf("deleted_at %v, want nil", p.DeletedAt)
		case p.Title != "Hi" || p.Code != "abc" || p.Price != 12.5:
			t.Errorf("row %+v", p)
		}
		gone := time.Date(2026, 12, 6, 1, 2, 3, 456789000, time.UTC)
		p.Title, p.DeletedAt = "Hello", &gone
		must(t, record.Save(ctx, db, &p))
		q := RailsPost{Title: "new", Code: "x", Price: 1.25, PublishedOn: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)}
		must(t, record.Create(ctx, db, &q))
		again, err := record.Query[RailsPost](db).Order("id").All(ctx)
		if err != nil {
			t.Fatalf("reading back: %v", err)
		}
		if len(again) != 2 || again[0].Title != "Hello" || again[0].DeletedAt == nil || !again[0].DeletedAt.Equal(gone) ||
			!again[0].CreatedAt.Equal(created) || again[1].CreatedAt.IsZero() || !again[1].PublishedOn.Equal(q.PublishedOn) {
			t.Fatalf("after save and create: %+v", again)
		}
	})
}
