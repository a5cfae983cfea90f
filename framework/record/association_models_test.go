package record_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/gorails/gorails/framework/record"
)

// The association suite's models: writers write entries; entries have
// remarks (with a counter cache), likes, polymorphic notes and tags
// through taggings.
type Writer struct {
	record.Model
	Name    string
	Entries record.HasMany[Entry]
	Profile record.HasOne[Profile]
}

func (w *Writer) Associations(a *record.Assoc) {
	a.Set(&w.Entries, record.AssocOptions{Dependent: record.DependentRestrict})
	a.Set(&w.Profile, record.AssocOptions{Dependent: record.DependentDelete})
}

type Profile struct {
	record.Model
	WriterID int64
	Bio      string
}

type Entry struct {
	record.Model
	Title        string
	WriterID     int64
	RemarksCount int64

	Writer          record.BelongsTo[Writer]
	Remarks         record.HasMany[Remark]
	ApprovedRemarks record.HasMany[Remark]
	Likes           record.HasMany[Like]
	Notes           record.HasMany[Note]
	Taggings        record.HasMany[Tagging]
	Tags            record.HasManyThrough[Tag]
}

func approved(r record.Relation[Remark]) record.Relation[Remark] {
	return r.Where(record.Cond{"approved": true})
}

func (e *Entry) Associations(a *record.Assoc) {
	a.Set(&e.Writer, record.AssocOptions{Required: true})
	a.Set(&e.Remarks, record.AssocOptions{Dependent: record.DependentDestroy})
	a.Set(&e.ApprovedRemarks, record.AssocOptions{Scope: record.Scoped(approved)})
	a.Set(&e.Likes, record.AssocOptions{Dependent: record.DependentDelete})
	a.Set(&e.Notes, record.AssocOptions{As: "notable", Dependent: record.DependentNullify})
	a.Set(&e.Tags, record.AssocOptions{Through: "taggings"})
}

type Remark struct {
	record.Model
	Body     string
	Approved bool
	EntryID  int64
	WriterID *int64

	Entry  record.BelongsTo[Entry]
	Writer record.BelongsTo[Writer] // optional: writer_id may be NULL
}

func (r *Remark) Associations(a *record.Assoc) {
	a.Set(&r.Entry, record.AssocOptions{CounterCache: "remarks_count"})
}

var errLocked = errors.New("locked remark")

// BeforeDestroy refuses to destroy a locked remark: DependentDestroy must
// run each remark's callbacks.
func (r *Remark) BeforeDestroy(context.Context, *record.Tx) error {
	if r.Body == "locked" {
		return errLocked
	}
	return nil
}

type Like struct {
	record.Model
	EntryID int64
}

type Note struct {
	record.Model
	Body        string
	NotableType *string
	NotableID   *int64
	Notable     record.Polymorphic // an Entry or a Writer
}

type Tag struct {
	record.Model
	Name string
}

type Tagging struct {
	record.Model
	EntryID int64
	TagID   int64
	Entry   record.BelongsTo[Entry]
	Tag     record.BelongsTo[Tag]
}

// assocSchema is the association suite's DDL; ID is replaced per dialect.
var assocSchema = []string{
	`CREATE TABLE writers (id ID, name VARCHAR(255) NOT NULL)`,
	`CREATE TABLE profiles (id ID, writer_id BIGINT NOT NULL, bio VARCHAR(255) NOT NULL)`,
	`CREATE TABLE entries (id ID, title VARCHAR(255) NOT NULL, writer_id BIGINT NOT NULL, remarks_count BIGINT NOT NULL DEFAULT 0)`,
	`CREATE TABLE remarks (id ID, body VARCHAR(255) NOT NULL, approved BOOLEAN NOT NULL, entry_id BIGINT NOT NULL, writer_id BIGINT NULL)`,
	`CREATE TABLE likes (id ID, entry_id BIGINT NOT NULL)`,
	`CREATE TABLE notes (id ID, body VARCHAR(255) NOT NULL, notable_type VARCHAR(50) NULL, notable_id BIGINT NULL)`,
	`CREATE TABLE tags (id ID, name VARCHAR(255) NOT NULL)`,
	`CREATE TABLE taggings (id ID, entry_id BIGINT NOT NULL, tag_id BIGINT NOT NULL)`,
}

func createAssocSchema(t testing.TB, db *record.DB) {
	t.Helper()
	id := map[string]string{
		record.SQLite:     "INTEGER PRIMARY KEY AUTOINCREMENT",
		record.PostgreSQL: "BIGSERIAL PRIMARY KEY",
		record.MySQL:      "BIGINT AUTO_INCREMENT PRIMARY KEY",
	}[db.Adapter()]
	for _, ddl := range assocSchema {
		ddl = strings.Replace(ddl, "id ID", "id "+id, 1)
		if _, err := db.Exec(context.Background(), ddl); err != nil {
			t.Fatalf("schema: %v\n%s", err, ddl)
		}
	}
	ctx := context.Background()
	for _, reg := range []func(context.Context, record.Executor) error{
		record.Register[Writer], record.Register[Profile], record.Register[Entry], record.Register[Remark],
		record.Register[Like], record.Register[Note], record.Register[Tag], record.Register[Tagging],
	} {
		must(t, reg(ctx, db))
	}
}

// blog is the suite's fixture: two writers, three entries, remarks
// written by the writers, notes, tags.
type blog struct {
	ann, bob       Writer
	hello, bye, x  Entry
	go_, sql, none Tag
}

func seedBlog(t testing.TB, db *record.DB) blog {
	t.Helper()
	ctx := context.Background()
	var b blog
	b.ann, b.bob = Writer{Name: "Ann"}, Writer{Name: "Bob"}
	must(t, record.Create(ctx, db, &b.ann))
	must(t, record.Create(ctx, db, &b.bob))
	b.hello = Entry{Title: "Hello", WriterID: b.ann.ID}
	b.bye = Entry{Title: "Bye", WriterID: b.ann.ID}
	b.x = Entry{Title: "X", WriterID: b.bob.ID}
	for _, e := range []*Entry{&b.hello, &b.bye, &b.x} {
		must(t, record.Create(ctx, db, e))
	}
	remark := func(e *Entry, body string, ok bool, w *Writer) {
		r := Remark{Body: body, Approved: ok}
		if w != nil {
			r.WriterID = &w.ID
		}
		must(t, e.Remarks.Create(ctx, db, &r))
	}
	remark(&b.hello, "first", true, &b.bob)
	remark(&b.hello, "second", false, &b.ann)
	remark(&b.hello, "anonymous", true, nil)
	remark(&b.bye, "only", true, &b.bob)
	for _, body := range []string{"n1", "n2"} {
		must(t, b.hello.Notes.Create(ctx, db, &Note{Body: body}))
	}
	b.go_, b.sql, b.none = Tag{Name: "go"}, Tag{Name: "sql"}, Tag{Name: "none"}
	for _, tag := range []*Tag{&b.go_, &b.sql, &b.none} {
		must(t, record.Create(ctx, db, tag))
	}
	for _, tg := range []Tagging{{EntryID: b.hello.ID, TagID: b.go_.ID}, {EntryID: b.hello.ID, TagID: b.sql.ID}, {EntryID: b.x.ID, TagID: b.go_.ID}} {
		must(t, record.Create(ctx, db, &tg))
	}
	return b
}
