package migrate_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorails/gorails/framework/record"
	"github.com/gorails/gorails/framework/record/migrate"
)

// railsDatabase is what `bin/rails db:migrate` (Rails 8.0) leaves in a
// database for two migrations,
//
//	# 20241201090000_create_posts.rb
//	create_table :posts do |t|
//	  t.string :title; t.text :body
//	  t.timestamps
//	end
//	# 20241201090100_create_comments.rb
//	create_table :comments do |t|
//	  t.references :post, null: false, foreign_key: true
//	  t.text :body
//	  t.timestamps
//	end
//
// with Rails' bookkeeping: schema_migrations (version strings) and
// ar_internal_metadata (environment), and a row of each, as Rails'
// adapters write them (their SQL logs: types, quoting, the fk_rails_
// constraint name, the index on the reference).
var railsDatabase = map[string][]string{
	record.SQLite: {
		`CREATE TABLE "schema_migrations" ("version" varchar NOT NULL PRIMARY KEY)`,
		`CREATE TABLE "ar_internal_metadata" ("key" varchar NOT NULL PRIMARY KEY, "value" varchar, "created_at" datetime(6) NOT NULL, "updated_at" datetime(6) NOT NULL)`,
		`CREATE TABLE "posts" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "title" varchar, "body" text, "created_at" datetime(6) NOT NULL, "updated_at" datetime(6) NOT NULL)`,
		`CREATE TABLE "comments" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "post_id" integer NOT NULL, "body" text, "created_at" datetime(6) NOT NULL, "updated_at" datetime(6) NOT NULL, CONSTRAINT "fk_rails_2fd19c0db7"
FOREIGN KEY ("post_id")
  REFERENCES "posts" ("id")
)`,
		`CREATE INDEX "index_comments_on_post_id" ON "comments" ("post_id")`,
	},
	record.PostgreSQL: {
		`CREATE TABLE "schema_migrations" ("version" character varying NOT NULL PRIMARY KEY)`,
		`CREATE TABLE "ar_internal_metadata" ("key" character varying NOT NULL PRIMARY KEY, "value" character varying, "created_at" timestamp(6) NOT NULL, "updated_at" timestamp(6) NOT NULL)`,
		`CREATE TABLE "posts" ("id" bigserial primary key, "title" character varying, "body" text, "created_at" timestamp(6) NOT NULL, "updated_at" timestamp(6) NOT NULL)`,
		`CREATE TABLE "comments" ("id" bigserial primary key, "post_id" bigint NOT NULL, "body" text, "created_at" timestamp(6) NOT NULL, "updated_at" timestamp(6) NOT NULL, CONSTRAINT "fk_rails_2fd19c0db7"
FOREIGN KEY ("post_id")
  REFERENCES "posts" ("id")
)`,
		`CREATE INDEX "index_comments_on_post_id" ON "comments" ("post_id")`,
	},
	record.MySQL: {
		"CREATE TABLE `schema_migrations` (`version` varchar(255) NOT NULL PRIMARY KEY)",
		"CREATE TABLE `ar_internal_metadata` (`key` varchar(255) NOT NULL PRIMARY KEY, `value` varchar(255), `created_at` datetime(6) NOT NULL, `updated_at` datetime(6) NOT NULL)",
		"CREATE TABLE `posts` (`id` bigint NOT NULL AUTO_INCREMENT PRIMARY KEY, `title` varchar(255), `body` text, `created_at` datetime(6) NOT NULL, `updated_at` datetime(6) NOT NULL)",
		"CREATE TABLE `comments` (`id` bigint NOT NULL AUTO_INCREMENT PRIMARY KEY, `post_id` bigint NOT NULL, `body` text, `created_at` datetime(6) NOT NULL, `updated_at` datetime(6) NOT NULL, INDEX `index_comments_on_post_id` (`post_id`), CONSTRAINT `fk_rails_2fd19c0db7`\nFOREIGN KEY (`post_id`)\n  REFERENCES `posts` (`id`)\n)",
	},
}

var railsRows = []string{
	`INSERT INTO schema_migrations (version) VALUES ('20241201090000'), ('20241201090100')`,
	`INSERT INTO ar_internal_metadata (` + "{key}" + `, value, created_at, updated_at) VALUES ('environment', 'development', '2024-12-01 09:02:03.123456', '2024-12-01 09:02:03.123456')`,
	`INSERT INTO posts (title, body, created_at, updated_at) VALUES ('From Rails', 'Written by Active Record', '2024-12-01 09:05:00.250000', '2024-12-01 09:05:00.250000')`,
	`INSERT INTO comments (post_id, body, created_at, updated_at) VALUES (1, 'First', '2024-12-01 09:06:00.5', '2024-12-01 09:06:00.5')`,
}

// The app's models, as gorails generate model writes them.
type (
	Post struct {
		record.Model
		Title     string
		Body      string
		Published bool
	}
	Comment struct {
		record.Model
		PostID int64
		Body   string
	}
	Tag struct {
		record.Model
		PostID int64
		Name   string
	}
	// RenamedComment is Comment once its body is renamed text.
	RenamedComment struct {
		record.Model
		PostID int64
		Text   string
	}
)

func (RenamedComment) TableName() string { return "comments" }

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestMigratingADatabaseRailsCreated: an app moving from Rails points
// gorails at its database. The migrator keeps Rails' versions (listed as
// having no file), applies only gorails' own migrations, changes Rails'
// tables (on SQLite by rebuilding one that has Rails' foreign key),
// references Rails' bigint ids, rolls back, and leaves ar_internal_metadata
// alone; the models read Rails' rows and write new ones next to them.
func TestMigratingADatabaseRailsCreated(t *testing.T) {
	eachDB(t, "railsmade", func(t *testing.T, b backend, cfg record.Config) {
		ctx := ctxT(t)
		db := open(t, cfg)
		key := db.Quote("key")
		for _, sql := range append(slices.Clone(railsDatabase[db.Adapter()]), railsRows...) {
			if _, err := db.Exec(ctx, strings.ReplaceAll(sql, "{key}", key)); err != nil {
				t.Fatalf("Rails' SQL: %v\n%s", err, sql)
			}
		}
		ms := []migrate.Migration{
			migrate.File("20261205100000_add_published_to_posts.go", migrate.Migration{Change: func(s *migrate.Schema) {
				s.AddColumn("posts", "published", migrate.Boolean, migrate.Null(false), migrate.Default(false))
				s.AddIndex("posts", []string{"title"})
			}}),
			migrate.File("20261205100100_create_tags.go", migrate.Migration{Change: func(s *migrate.Schema) {
				s.CreateTable("tags", func(t *migrate.Table) {
					t.References("post", migrate.ForeignKey, migrate.Null(false))
					t.String("name")
					t.Timestamps()
				})
			}}),
			migrate.File("20261205100200_rename_comments_body.go", migrate.Migration{Change: func(s *migrate.Schema) {
				s.RenameColumn("comments", "body", "text")
			}}),
			// On SQLite, removing a column rebuilds Rails' comments table:
			// its AUTOINCREMENT id, fk_rails_ constraint and index survive.
			migrate.File("20261205100300_add_score_to_comments.go", migrate.Migration{Change: func(s *migrate.Schema) {
				s.AddColumn("comments", "score", migrate.Integer, migrate.Default(0))
			}}),
			migrate.File("20261205100400_remove_score_from_comments.go", migrate.Migration{Change: func(s *migrate.Schema) {
				s.RemoveColumn("comments", "score", migrate.Integer, migrate.Default(0))
			}}),
		}
		m := newMigrator(t, db, ms, migrate.Options{})
		lines, err := m.Status(ctx)
		if err != nil {
			t.Fatalf("status of Rails' database: %v", err)
		}
		var status []string
		for _, l := range lines {
			status = append(status, strings.Join([]string{map[bool]string{true: "up", false: "down"}[l.Up], l.Name}, " "))
		}
		want := []string{"up ********** NO FILE **********", "up ********** NO FILE **********", "down Add published to posts", "down Create tags", "down Rename comments body",
			"down Add score to comments", "down Remove score from comments"}
		if !slices.Equal(status, want) {
			t.Fatalf("status = %q, want %q", status, want)
		}
		if err := m.Migrate(ctx, migrate.Latest); err != nil {
			t.Fatalf("migrating Rails' database: %v", err)
		}
		if v, err := m.Version(ctx); err != nil || v != 20261205100400 {
			t.Errorf("Version = %d, %v", v, err)
		}
		if got := tables(t, db); !slices.Equal(got, []string{"ar_internal_metadata", "comments", "posts", "schema_migrations", "tags"}) {
			t.Errorf("tables = %v", got)
		}
		var env string
		err = db.QueryRows(ctx, "SELECT value FROM ar_internal_metadata WHERE "+key+" = 'environment'", nil, func(scan func(...any) error) error {
			return scan(&env)
		})
		if err != nil || env != "development" {
			t.Errorf("ar_internal_metadata environment = %q, %v", env, err)
		}

		posts, err := record.Query[Post](db).All(ctx)
		if err != nil || len(posts) != 1 {
			t.Fatalf("reading Rails' posts: %v %v", posts, err)
		}
		p := posts[0]
		if p.Title != "From Rails" || p.Published || !p.CreatedAt.Equal(time.Date(2024, 12, 1, 9, 5, 0, 250000000, time.UTC)) {
			t.Errorf("Rails' post reads as %+v", p)
		}
		tag := Tag{PostID: p.ID, Name: "go"}
		must(t, record.Create(ctx, db, &tag))
		p.Published = true
		must(t, record.Save(ctx, db, &p))
		comments, err := record.Query[RenamedComment](db).All(ctx)
		if err != nil || len(comments) != 1 || comments[0].Text != "First" || comments[0].PostID != p.ID {
			t.Errorf("Rails' comment after the rename: %+v, %v", comments, err)
		}
		c := RenamedComment{PostID: p.ID, Text: "Second"}
		must(t, record.Create(ctx, db, &c))
		if c.ID != 2 {
			t.Errorf("a new comment has id %d, want 2 (after Rails' row)", c.ID)
		}
		if n, err := record.Query[Post](db).Where("published = ?", true).Count(ctx); err != nil || n != 1 {
			t.Errorf("published posts: %d, %v", n, err)
		}
		orphan := RenamedComment{PostID: 999, Text: "orphan"}
		if err := record.Create(ctx, db, &orphan); err == nil {
			t.Error("a comment of no post was saved: Rails' foreign key is gone")
		}
		// The schema dump keeps Rails' versions and tables (ar_internal_metadata
		// too, which Rails' schema.rb leaves out) and loads into an empty
		// database of the same kind.
		dump, err := migrate.DumpSchema(ctx, db)
		if err != nil {
			t.Fatalf("dumping Rails' migrated schema: %v", err)
		}
		fk := "fk_rails_2fd19c0db7"
		if db.Adapter() == record.SQLite {
			// SQLite does not report a foreign key's name: the rebuild that
			// removed a column names Rails' key gorails' way. It is the same
			// key (the orphan above was refused).
			fk = `CONSTRAINT "fk_comments_post_id" FOREIGN KEY ("post_id") REFERENCES "posts" ("id")`
		}
		for _, want := range []string{"('20241201090000')", "('20261205100400')", "ar_internal_metadata", "index_comments_on_post_id", fk} {
			if !strings.Contains(dump, want) {
				t.Errorf("the schema dump lacks %s:\n%s", want, dump)
			}
		}
		fresh := open(t, b.config(t, "railsload"))
		if err := migrate.LoadSchema(ctx, fresh, dump); err != nil {
			t.Fatalf("loading the dump of Rails' migrated schema: %v\n%s", err, dump)
		}
		if v, err := newMigrator(t, fresh, ms, migrate.Options{}).Version(ctx); err != nil || v != 20261205100400 {
			t.Errorf("the loaded schema's version: %d, %v", v, err)
		}

		if err := m.Rollback(ctx, 5); err != nil {
			t.Fatalf("rolling back gorails' migrations on Rails' database: %v", err)
		}
		if got := tables(t, db); !slices.Equal(got, []string{"ar_internal_metadata", "comments", "posts", "schema_migrations"}) {
			t.Errorf("after the rollback, tables = %v", got)
		}
		if got := columns(t, db, "comments"); !slices.Contains(got, "body") {
			t.Errorf("after the rollback, comments has %v", got)
		}
		if v, err := m.Version(ctx); err != nil || v != 20241201090100 {
			t.Errorf("after the rollback, Version = %d, %v (Rails' last)", v, err)
		}
	})
}
