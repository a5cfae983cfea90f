package record_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gorails/gorails/framework/record"
	"github.com/gorails/gorails/framework/record/sqlite"
)

type Book struct {
	record.Model
	Title     string
	Pages     int64
	Available bool
}

func (b *Book) Validate(_ context.Context, v *record.Validation) {
	v.Presence("title", b.Title)
	v.Numericality("pages", b.Pages, record.Num{GreaterThan: record.Bound(0)})
}

// exampleDB opens a SQLite database in a temporary directory with a books table.
func exampleDB() (*record.DB, func()) {
	dir, err := os.MkdirTemp("", "record-example")
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	db, err := record.Open(ctx, sqlite.Driver{}, record.Config{Database: filepath.Join(dir, "example.sqlite3")})
	if err != nil {
		panic(err)
	}
	if _, err := db.Exec(ctx, `CREATE TABLE books (id INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT NOT NULL,
		pages INTEGER NOT NULL, available BOOLEAN NOT NULL, created_at DATETIME NOT NULL, updated_at DATETIME NOT NULL)`); err != nil {
		panic(err)
	}
	if err := record.Register[Book](ctx, db); err != nil {
		panic(err)
	}
	return db, func() { db.Close(); os.RemoveAll(dir) }
}

func Example() {
	db, cleanup := exampleDB()
	defer cleanup()
	ctx := context.Background()

	for _, b := range []Book{{Title: "Dune", Pages: 412, Available: true}, {Title: "Emma", Pages: 474}, {Title: "Ubik", Pages: 202, Available: true}} {
		if err := record.Create(ctx, db, &b); err != nil {
			panic(err)
		}
	}
	books := record.Query[Book](db)
	available := books.Where(record.Cond{"available": true}).Order("pages")
	list, _ := available.All(ctx)
	for _, b := range list {
		fmt.Println(b.Title, b.Pages)
	}
	n, _ := books.Count(ctx)
	fmt.Println("count:", n)
	// Output:
	// Ubik 202
	// Dune 412
	// count: 3
}

func ExampleSave() {
	db, cleanup := exampleDB()
	defer cleanup()
	ctx := context.Background()

	b := Book{Title: "Dune", Pages: 412, Available: true}
	_ = record.Create(ctx, db, &b)

	b.Available = false // a zero value is still a change
	fmt.Println(record.Changes(db, &b))
	_ = record.Save(ctx, db, &b)

	again, _ := record.Query[Book](db).Find(ctx, b.ID)
	fmt.Println(again.Available, record.WasChanged(db, &b, "available"))

	b.Pages = 0
	err := record.Save(ctx, db, &b)
	fmt.Println(errors.Is(err, record.ErrInvalid), b.Errors().FullMessages())
	// Output:
	// map[available:{true false}]
	// false true
	// true [Pages must be greater than 0]
}

func ExampleTransaction() {
	db, cleanup := exampleDB()
	defer cleanup()
	ctx := context.Background()

	err := record.Transaction(ctx, db, func(tx *record.Tx) error {
		// Statements given tx run in the transaction.
		if err := record.Create(ctx, tx, &Book{Title: "Kept", Pages: 1}); err != nil {
			return err // rolls back
		}
		record.AfterCommit(ctx, tx, func(context.Context) { fmt.Println("committed") })
		// A savepoint: its failure undoes only its own work.
		_ = record.Transaction(ctx, tx, func(sp *record.Tx) error {
			_ = record.Create(ctx, sp, &Book{Title: "Undone", Pages: 1})
			return errors.New("changed my mind")
		}, record.RequiresNew())
		return nil
	})
	titles, _ := record.Pluck[string](ctx, record.Query[Book](db), "title")
	fmt.Println(err, titles)
	// Output:
	// committed
	// <nil> [Kept]
}

func ExampleDB_Begin() {
	db, cleanup := exampleDB()
	defer cleanup()
	ctx := context.Background()

	// A test that rolls its writes back: the code under test takes the
	// Executor it should write with.
	tx, err := db.Begin(ctx)
	if err != nil {
		panic(err)
	}
	defer tx.Rollback(ctx) // an ErrTxDone after Commit is harmless
	_ = record.Create(ctx, tx, &Book{Title: "Scratch", Pages: 1})
	inTx, _ := record.Query[Book](tx).Count(ctx)
	outside, _ := record.Query[Book](db).Count(ctx)
	fmt.Println(inTx, outside)
	// Output:
	// 1 0
}

func ExampleRelation_Where() {
	db, cleanup := exampleDB()
	defer cleanup()
	ctx := context.Background()

	books := record.Query[Book](db)
	sql, args, _ := books.Where(record.Cond{"title": []string{"Dune", "Emma"}, "available": true}).Not("pages > ?", 400).Order("id").ToSQL(ctx)
	fmt.Println(sql)
	fmt.Println(args)
	// Output:
	// SELECT "books"."id", "books"."created_at", "books"."updated_at", "books"."title", "books"."pages", "books"."available" FROM "books" WHERE ("available" = ? AND "title" IN (?, ?)) AND (NOT (pages > ?)) ORDER BY "books"."id"
	// [true Dune Emma 400]
}

func ExampleParseConfig() {
	yml := []byte(`
default: &default
  adapter: sqlite3
  pool: 5
development:
  <<: *default
  database: db/development.sqlite3
production:
  adapter: postgresql
  database: blog
  password: ${DB_PASSWORD}
`)
	env := map[string]string{"DB_PASSWORD": "s3cret"}
	dev, _ := record.ParseConfig(yml, "development", func(k string) string { return env[k] })
	fmt.Println(dev.Adapter, dev.Database, dev.Pool)

	env["DATABASE_URL"] = "postgres://app:s3cret@db.internal/blog"
	prod, _ := record.ParseConfig(yml, "production", func(k string) string { return env[k] })
	fmt.Println(prod.Adapter, prod) // String() never shows the password
	// Output:
	// sqlite3 db/development.sqlite3 5
	// postgresql postgres://app:xxxxx@db.internal/blog
}
