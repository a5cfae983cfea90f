// Package record is gorails' ORM: ActiveRecord's conventions with explicit
// contexts, returned errors, generics for typed results and raw-driver speed.
//
// # Overview
//
// A DB is a pool on one database, opened with the driver of that database:
// record.Open(ctx, sqlite.Driver{}, cfg) with framework/record/sqlite
// (modernc.org/sqlite: WAL, busy timeout, foreign keys on),
// framework/record/postgres (pgx's native pool, no database/sql on the hot
// path) or framework/record/mysql (go-sql-driver/mysql, MySQL and
// MariaDB). A program links only the drivers it imports; LoadConfig reads
// a Rails-style database.yml, and DriverFor picks the driver it names (an
// adapter whose driver was not given is a *NoDriverError naming the
// import). A model is a
// struct embedding Model (or UUIDModel); its table is the pluralized
// snake_case of the type name (Tabler overrides), its columns the
// snake_case of the fields (a `db:"name"` tag overrides, `db:"-"` skips).
// Register checks a model against the real table at boot and fails naming
// the field and the column; the plan it builds (field offsets, SQL text) is
// cached on the DB, so rows are scanned straight into field addresses.
//
// Query[T] starts an immutable, lazy Relation[T]: Where, Not, Or, Order,
// Limit, Joins, Group, Lock and the rest build it; All, First, Find, Each,
// Count, Pluck... run it. Every value is a bound parameter; no API puts a
// value into SQL text (FuzzNoValueInSQL checks it). Order, Select, Group,
// Pluck and the aggregates take column names, checked against the table
// (ErrUnknownColumn, a 400 in an App), so a request param there chooses a
// column but never writes SQL (FuzzOrderTerm); OrderBy sorts by a param
// within an allow-list. SQL expressions go through OrderSQL, SelectSQL,
// GroupSQL and PluckSQL, which take the type SQL: a string literal
// converts to it by itself, a string variable only by an explicit SQL(x)
// a reviewer can see (Rails' Arel.sql). Create, Save, Update,
// Destroy and friends persist records with dirty tracking (an UPDATE writes
// the changed columns, zero values included), timestamps, optimistic
// locking (a lock_version column), validations (a Validate method) and
// callbacks (optional methods such as BeforeSave).
//
// # Transactions
//
// Every read and write takes an Executor: the *DB (each statement on a
// pooled connection) or a *Tx (the transaction's connection), so the
// transaction a statement is in is written at the call, never implied by a
// context:
//
//	err := record.Transaction(ctx, db, func(tx *record.Tx) error {
//		from, err := record.Query[Account](tx).Lock().Find(ctx, fromID)
//		if err != nil {
//			return err // rolls back
//		}
//		from.Balance -= amount
//		return record.Save(ctx, tx, &from)
//	})
//
// Transaction commits when fn returns nil and rolls back on an error or a
// panic; given a *Tx it joins it, or with RequiresNew opens a savepoint.
// DB.Begin with Tx.Commit and Tx.Rollback is the same by hand (a test that
// rolls its writes back). AfterCommit, and the AfterCommit callbacks of the
// records saved, run after the real commit; a statement on a Tx that has
// ended fails with ErrTxDone. Callbacks that run during a write get the *Tx
// (BeforeSave(ctx, tx)), so what they write is part of it.
//
// Errors are the same on every database: ErrNotFound, ErrUniqueViolation,
// ErrNotNullViolation, ErrForeignKeyViolation, ErrDeadlock (ErrDeadlockDetected), ErrStaleObject,
// ErrPoolExhausted, ErrUnavailable, ErrInvalid (a *ValidationError) — each
// database error a *Error wrapping both the sentinel and the driver's error.
//
// Each statement is logged at debug level on Config.Logger with its
// duration, row count and binds; WithStats counts a request's statements
// and time for the request log. The log fails closed: a bind's value is
// shown only when record itself bound it to a column (a Cond key, a model's
// field, LIMIT) and that column is not filtered (Rails' filter_parameters
// plus Config.FilterParameters): "name=Ann api_token=[FILTERED]". The binds
// of a SQL fragment ("api_token = lower(?)") are counted, "[1 bind]", since
// their column could only be guessed from the SQL. A failed statement is
// logged at warn level with its binds counted, none shown, and the text of
// its error has every bind the log would not show taken out (MySQL's
// "Duplicate entry '[FILTERED]'"); errors.As still reaches the driver's error.
//
// # Example
//
//	type Post struct {
//		record.Model
//		Title     string
//		Published bool
//	}
//
//	db, err := record.Open(ctx, sqlite.Driver{}, record.Config{Database: "db/development.sqlite3"})
//	if err := record.Register[Post](ctx, db); err != nil { ... } // at boot
//	p := Post{Title: "Hello"}
//	err = record.Create(ctx, db, &p)
//	recent, err := record.Query[Post](db).Where(record.Cond{"published": true}).Order("id DESC").Limit(10).All(ctx)
//	p.Published = false
//	err = record.Save(ctx, db, &p) // UPDATE posts SET published = ?, updated_at = ? WHERE id = ?
//
// # Associations
//
// An association is a field of a generic type; its target is the type
// parameter, so loading is typed:
//
//	type Post struct {
//		record.Model
//		Title    string
//		AuthorID int64
//		Author   record.BelongsTo[User]     // author_id → users.id
//		Comments record.HasMany[Comment]    // comments.post_id
//		Cover    record.HasOne[Image]       // images.post_id
//		Taggings record.HasMany[Tagging]
//		Tags     record.HasManyThrough[Tag] // through taggings, then tagging.tag
//	}
//
//	func (p *Post) Associations(a *record.Assoc) {
//		a.Set(&p.Author, record.AssocOptions{Required: true})
//		a.Set(&p.Comments, record.AssocOptions{Dependent: record.DependentDestroy})
//		a.Set(&p.Tags, record.AssocOptions{Through: "taggings"})
//	}
//
// Foreign keys follow Rails' conventions (the field name + "_id" for
// BelongsTo, the owner's type + "_id" for HasMany and HasOne) and
// AssocOptions overrides them, as it adds Required (a "must exist"
// validation), Dependent (destroy, delete, nullify, restrict, inside
// Destroy's transaction), CounterCache ("comments_count", kept by Create
// and Destroy of the child), As (the HasMany side of a Polymorphic
// BelongsTo, which reads commentable_type and commentable_id) and Scope (a
// relation function of the target: record.Scoped(Approved)). The optional
// Associations method is the only declaration: no registry, no init(); it
// runs once when the plan is built, with the field pointers telling the
// fields apart, and Register checks the target tables and keys.
//
// post.Comments.Load(ctx, db) returns []Comment (and caches it);
// post.Author.Load returns *User; Records and Record return what is loaded
// without querying, for templates; Build and Create through a HasMany or
// HasOne set the foreign key. A record must have been loaded or saved for
// its associations to load.
//
// Query[Post](db).Preload("comments.author", "tags") loads the posts, then
// all their comments in one query, then all those comments' authors in
// one: one query per association and level (two for a HasManyThrough, one
// per target type for a Polymorphic), with IN lists cut under the
// database's bind limit. Joins("author") writes the INNER JOIN of an
// association so that Where can test the joined table
// (Cond{"users.name": n}).
//
// Strict loading (Config.StrictLoading, which the framework turns on in
// development and test) makes Load fail with ErrStrictLoading, naming the
// association and the Preload to add, when the record was loaded as part
// of a collection and the association was not preloaded: the N+1 pattern
// becomes an error in tests instead of a slow page in production.
//
// # Concurrency and failure
//
// DB and Relation are safe for concurrent use. Model values are plain
// structs, as safe as any struct. A Tx is one connection and must not be
// used by several goroutines at once. A statement waits at most
// Config.CheckoutTimeout for a connection, then fails with
// ErrPoolExhausted.
//
// # Raw SQL and the driver seam
//
// Executor.Exec and Executor.QueryRows run SQL written by the program with
// ? binds (checked against the placeholders, rewritten for the database),
// logged and classified like every other statement; FindBySQL scans raw
// rows into models. Tables and TableColumns read the catalog; DB.Dialect
// describes the database's SQL. framework/record/migrate and framework/job
// are built on these, not on the driver. framework/record/driver is what a
// driver implements; the SQL scanner the dialects, Where fragments and the
// log share is internal/sqlscan. Associations live in this package
// (association.go, preload.go, polymorphic.go, joins.go, dependent.go)
// because they need the plans.
//
// This package imports nothing of the web stack.
package record
