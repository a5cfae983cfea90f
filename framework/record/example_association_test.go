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

// An author has many novels; a novel belongs to its author.
type Author struct {
	record.Model
	Name   string
	Novels record.HasMany[Novel]
}

func (a *Author) Associations(as *record.Assoc) {
	as.Set(&a.Novels, record.AssocOptions{Dependent: record.DependentDestroy})
}

type Novel struct {
	record.Model
	Title    string
	AuthorID int64
	Author   record.BelongsTo[Author] // author_id by convention
}

func Example_associations() {
	dir, _ := os.MkdirTemp("", "record-example")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	db, err := record.Open(ctx, sqlite.Driver{}, record.Config{
		Database:      filepath.Join(dir, "example.sqlite3"),
		StrictLoading: true, // as the framework sets it in development and test
	})
	if err != nil {
		panic(err)
	}
	defer db.Close()
	for _, ddl := range []string{
		`CREATE TABLE authors (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL)`,
		`CREATE TABLE novels (id INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT NOT NULL, author_id INTEGER NOT NULL REFERENCES authors(id))`,
	} {
		if _, err := db.Exec(ctx, ddl); err != nil {
			panic(err)
		}
	}
	if err := record.Register[Author](ctx, db); err != nil {
		panic(err)
	}

	for _, w := range []struct {
		name   string
		titles []string
	}{{"Herbert", []string{"Dune"}}, {"Dick", []string{"Ubik", "Valis"}}} {
		a := Author{Name: w.name}
		_ = record.Create(ctx, db, &a)
		for _, t := range w.titles {
			_ = a.Novels.Create(ctx, db, &Novel{Title: t}) // sets author_id
		}
	}

	// One query for the authors, one for all their novels.
	qctx, stats := record.WithStats(ctx)
	authors, _ := record.Query[Author](db).Order("name").Preload("novels").All(qctx)
	for _, a := range authors {
		fmt.Print(a.Name, ":")
		for _, n := range a.Novels.Records() {
			fmt.Print(" ", n.Title)
		}
		fmt.Println()
	}
	fmt.Println("queries:", stats.Queries())

	// Without Preload, loading in a loop is the N+1 pattern: strict loading stops it.
	authors, _ = record.Query[Author](db).Order("name").All(ctx)
	_, err = authors[0].Novels.Load(ctx, db)
	fmt.Println(errors.Is(err, record.ErrStrictLoading), err)

	// Destroy takes the novels with it (DependentDestroy), in one transaction.
	_ = record.Destroy(ctx, db, &authors[0])
	left, _ := record.Query[Novel](db).Count(ctx)
	fmt.Println("novels left:", left)
	// Output:
	// Dick: Ubik Valis
	// Herbert: Dune
	// queries: 2
	// true record: Author.novels was not preloaded (use Preload("novels")): strict loading violation
	// novels left: 1
}
