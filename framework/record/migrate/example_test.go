package migrate_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gorails/gorails/framework/record"
	"github.com/gorails/gorails/framework/record/migrate"
	"github.com/gorails/gorails/framework/record/sqlite"
)

// CreatePosts is how an app's db/migrate/20261123085000_create_posts.go
// declares a migration.
func CreatePosts() migrate.Migration {
	return migrate.Migration{Change: func(s *migrate.Schema) {
		s.CreateTable("posts", func(t *migrate.Table) {
			t.String("title", migrate.Null(false), migrate.Limit(100))
			t.Text("body")
			t.Timestamps()
		})
	}}
}

// AddPublishedToPosts adds a column and an index.
func AddPublishedToPosts() migrate.Migration {
	return migrate.Migration{Change: func(s *migrate.Schema) {
		s.AddColumn("posts", "published", migrate.Boolean, migrate.Default(false), migrate.Null(false))
		s.AddIndex("posts", []string{"published"})
	}}
}

func Example() {
	dir, _ := os.MkdirTemp("", "migrate-example")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	db, err := record.Open(ctx, sqlite.Driver{}, record.Config{Database: filepath.Join(dir, "development.sqlite3")})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()

	// What the generated db/migrate/migrations.go returns from All().
	all := []migrate.Migration{
		migrate.File("20261123085000_create_posts.go", CreatePosts()),
		migrate.File("20261123090000_add_published_to_posts.go", AddPublishedToPosts()),
	}
	m, err := migrate.New(db, all, migrate.Options{SchemaPath: filepath.Join(dir, "db", "schema.sql")})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := m.Migrate(ctx, migrate.Latest); err != nil {
		fmt.Println(err)
		return
	}
	if err := m.Rollback(ctx, 1); err != nil {
		fmt.Println(err)
		return
	}
	lines, _ := m.Status(ctx)
	migrate.WriteStatus(os.Stdout, "db/development.sqlite3", lines)
	// Output:
	// database: db/development.sqlite3
	//
	//  Status   Migration ID    Migration Name
	// --------------------------------------------------
	//    up     20261123085000  Create posts
	//   down    20261123090000  Add published to posts
}

func ExampleParseFileName() {
	v, name, err := migrate.ParseFileName("db/migrate/20261123085000_create_posts.go")
	fmt.Println(v, name, err)
	_, _, err = migrate.ParseFileName("db/migrate/create_posts.go")
	fmt.Println(err)
	// Output:
	// 20261123085000 create_posts <nil>
	// "db/migrate/create_posts.go": the version must be 14 digits (YYYYMMDDHHMMSS) followed by _: bad migration file name (want YYYYMMDDHHMMSS_snake_case_name.go)
}

func ExampleSchema_Steps() {
	var steps []string
	m := AddPublishedToPosts()
	s := &migrate.Schema{}
	m.Change(s)
	steps = s.Steps()
	fmt.Println(steps)
	// Output:
	// [add_column(posts, published, boolean) add_index(posts, [published])]
}
