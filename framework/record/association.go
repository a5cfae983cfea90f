package record

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/gorails/gorails/internal/inflect"
	"github.com/gorails/gorails/internal/railsjson"
)

// Association errors. Match them with errors.Is.
var (
	// ErrStrictLoading: an association of a record loaded as part of a
	// collection was loaded lazily (the N+1 pattern) while strict loading is
	// on; the message names the association and the Preload that avoids it.
	ErrStrictLoading = errors.New("strict loading violation")
	// ErrRestricted: Destroy found dependent rows of an association declared
	// with DependentRestrict; nothing was deleted.
	ErrRestricted = errors.New("cannot delete record because dependent records exist")
	// ErrNoAssociation: Preload, Joins or AssocOptions named an association
	// the model does not have, or declared it inconsistently.
	ErrNoAssociation = errors.New("no such association")
)

// Dependent says what Destroy does with a HasMany or HasOne association's
// rows (Rails' dependent:). The zero value leaves them alone.
type Dependent uint8

const (
	DependentNone     Dependent = iota // leave the rows (a foreign key constraint may refuse the delete)
	DependentDestroy                   // load each row and Destroy it, with its callbacks and its own dependents
	DependentDelete                    // one DELETE of the rows, no callbacks
	DependentNullify                   // one UPDATE setting the foreign key (and the polymorphic type) to NULL
	DependentRestrict                  // ErrRestricted when any row exists; nothing is deleted
)

// AssocOptions overrides an association's conventions; its zero value
// is Rails' defaults. Declare it in the owner's Associations method.
type AssocOptions struct {
	// ForeignKey is the column holding the key: on the owner for BelongsTo
	// (default: field name + "_id", so Author → author_id), on the target for
	// HasMany and HasOne (default: owner type + "_id", so Post → post_id).
	ForeignKey string
	// Required (BelongsTo, Polymorphic) adds a validation: the foreign key must be set,
	// or Save fails with "<name> must exist".
	Required bool
	// Dependent (HasMany, HasOne) is what Destroy of the owner does with the rows.
	Dependent Dependent
	// CounterCache (BelongsTo) is a column of the target ("comments_count")
	// incremented when the record is created, decremented when it is
	// destroyed, and moved when Save changes the foreign key.
	CounterCache string
	// As (HasMany, HasOne) names the polymorphic BelongsTo on the target:
	// As "commentable" matches commentable_id and commentable_type = the
	// owner's type name.
	As string
	// Through (HasManyThrough) names the owner's HasMany association to go
	// through ("taggings").
	Through string
	// Source (HasManyThrough) names the BelongsTo of the through model that
	// reaches the target; default the singular of the field name (Tags → tag).
	Source string
	// Scope narrows the association query (loading, Preload and dependent);
	// build it with Scoped.
	Scope AssocScope
}

// AssocScope is a relation function applied to an association's query.
type AssocScope struct {
	fn     any // func(Relation[T]) Relation[T]
	target reflect.Type
}

// Scoped makes an AssocScope from a scope function of the target model:
//
//	a.Set(&p.Approved, record.AssocOptions{Scope: record.Scoped(func(r record.Relation[Comment]) record.Relation[Comment] {
//		return r.Where(record.Cond{"approved": true})
//	})})
func Scoped[T any](fn func(Relation[T]) Relation[T]) AssocScope {
	return AssocScope{fn: fn, target: reflect.TypeFor[T]()}
}

// Assoc collects the options of a model's associations. A model declares
// them with an optional method, called once per DB when its plan is built:
//
//	func (p *Post) Associations(a *record.Assoc) {
//		a.Set(&p.Author, record.AssocOptions{ForeignKey: "user_id", Required: true})
//		a.Set(&p.Comments, record.AssocOptions{Dependent: record.DependentDestroy})
//	}
//
// Fields are recognised by their pointers; an association field without
// options needs no declaration.
type Assoc struct {
	base uintptr
	size uintptr
	opts map[uintptr]AssocOptions
	err  error
}

// Set gives the options of the association field that field points to.
func (a *Assoc) Set(field any, opts AssocOptions) {
	v := reflect.ValueOf(field)
	if v.Kind() != reflect.Pointer || v.Pointer() < a.base || v.Pointer() >= a.base+a.size {
		a.err = errors.Join(a.err, fmt.Errorf("record: Assoc.Set: %T is not a pointer to a field of the model", field))
		return
	}
	a.opts[v.Pointer()-a.base] = opts
}

// associator is the optional method declaring association options.
type associator interface{ Associations(a *Assoc) }

type assocKind uint8

const (
	belongsTo assocKind = iota + 1
	hasOne
	hasMany
	hasManyThrough
	polymorphic
)

func (k assocKind) String() string {
	return [...]string{"", "BelongsTo", "HasOne", "HasMany", "HasManyThrough", "Polymorphic"}[k]
}

// link is the header of every association field: which association it is,
// the owner's key when it was loaded or saved, and what is loaded.
type link struct {
	meta   *assoc
	key    any  // owner's id (HasMany, HasOne, HasManyThrough) or foreign key (BelongsTo); nil: none
	strict bool // loaded as part of a collection while strict loading was on
	loaded bool
}

// Loaded reports whether the association's records are in memory (preloaded,
// loaded or built), so that reading them runs no query.
func (l *link) Loaded() bool { return l.loaded }

// Reset forgets the loaded records: the next Load queries again.
func (l *link) Reset() { l.loaded = false }

// lazy checks that a query may run for this association.
func (l *link) lazy(name string) error {
	if l.meta == nil {
		return fmt.Errorf("record: %s: the owner was not loaded or saved: %w", name, ErrNotPersisted)
	}
	if l.strict {
		return fmt.Errorf("record: %s.%s was not preloaded (use Preload(%q)): %w", l.meta.owner.name, l.meta.name, l.meta.name, ErrStrictLoading)
	}
	return nil
}

// field is implemented by the association field types (through their pointers).
type assocField interface{ assocSpec() spec }

var assocFieldType = reflect.TypeFor[assocField]()

// spec is what a generic field type knows: its kind and typed operations on T.
type spec struct {
	kind   assocKind
	target targetOps
	// set stores rows[idx...] into the field at f and marks it loaded.
	set func(f unsafe.Pointer, rows rowSet, idx []int)
}

// BelongsTo is an association to the one row of T whose id is in this
// model's foreign key (a post belongs to its author):
//
//	type Post struct {
//		record.Model
//		AuthorID int64
//		Author   record.BelongsTo[User]
//	}
//
// A zero foreign key (0, "" or nil) means no record. Load follows the
// foreign key as it was when the record was loaded or last saved: after
// changing it, Save first.
type BelongsTo[T any] struct {
	link
	record *T
}

func (*BelongsTo[T]) assocSpec() spec {
	return spec{kind: belongsTo, target: targetOf[T]{}, set: setOne[T]}
}

// oneOf is the layout BelongsTo and HasOne share.
type oneOf[T any] struct {
	link
	record *T
}

func setOne[T any](f unsafe.Pointer, rs rowSet, idx []int) {
	b := (*oneOf[T])(f)
	b.record = nil
	if len(idx) > 0 {
		b.record = &rs.rows.([]T)[idx[0]]
	}
	b.loaded = true
}

// Record returns the loaded record: nil when there is none or it is not
// loaded (see Loaded). It runs no query, so templates can use it.
func (b *BelongsTo[T]) Record() *T { return b.record }

// Load returns the associated record, querying it unless it is loaded; nil
// when the foreign key is empty, ErrNotFound when no row has that id.
// With strict loading, a record loaded in a collection returns
// ErrStrictLoading instead of querying.
func (b *BelongsTo[T]) Load(ctx context.Context, ex Executor) (*T, error) {
	return loadSingle[T](ctx, ex.on(), &b.link, &b.record)
}

// HasOne is an association to the one row of T whose foreign key holds this
// model's id (a user has one profile: profiles.user_id).
type HasOne[T any] struct {
	link
	record *T
}

func (*HasOne[T]) assocSpec() spec {
	return spec{kind: hasOne, target: targetOf[T]{}, set: setOne[T]}
}

// Record returns the loaded record, or nil (see BelongsTo.Record).
func (h *HasOne[T]) Record() *T { return h.record }

// Load returns the associated record (nil when there is none), querying it
// unless it is loaded. See BelongsTo.Load for strict loading.
func (h *HasOne[T]) Load(ctx context.Context, ex Executor) (*T, error) {
	return loadSingle[T](ctx, ex.on(), &h.link, &h.record)
}

func loadSingle[T any](ctx context.Context, db *DB, l *link, rec **T) (*T, error) {
	if l.loaded {
		return *rec, nil
	}
	if l.meta != nil && l.key == nil { // nothing to query
		*rec, l.loaded = nil, true
		return nil, nil
	}
	if err := l.lazy(reflect.TypeFor[T]().Name()); err != nil {
		return nil, err
	}
	a := l.meta
	rs, groups, err := a.fetch(ctx, db, []any{l.key})
	if err != nil {
		return nil, err
	}
	idx := groups[l.key]
	if len(idx) == 0 {
		if a.kind == belongsTo {
			return nil, fmt.Errorf("record: %s.%s: %s %v: %w", a.owner.name, a.name, a.tp.name, l.key, ErrNotFound)
		}
		*rec, l.loaded = nil, true
		return nil, nil
	}
	*rec, l.loaded = &rs.rows.([]T)[idx[0]], true
	return *rec, nil
}

// HasMany is an association to the rows of T whose foreign key holds this
// model's id (a post has many comments: comments.post_id).
type HasMany[T any] struct {
	link
	records []T
}

func (*HasMany[T]) assocSpec() spec {
	return spec{kind: hasMany, target: targetOf[T]{}, set: setMany[T]}
}

func setMany[T any](f unsafe.Pointer, rs rowSet, idx []int) {
	h := (*HasMany[T])(f) // HasManyThrough has the same layout
	rows := rs.rows.([]T)
	h.records = make([]T, len(idx))
	for i, j := range idx {
		h.records[i] = rows[j]
	}
	h.loaded = true
}

// Records returns the loaded records; nil when not loaded (see Loaded). It
// runs no query, so templates can range over it.
func (h *HasMany[T]) Records() []T { return h.records }

// Load returns the associated records, querying them unless they are
// loaded. With strict loading, a record loaded in a collection returns
// ErrStrictLoading instead of querying: preload the association.
func (h *HasMany[T]) Load(ctx context.Context, ex Executor) ([]T, error) {
	return loadMany(ctx, ex.on(), &h.link, &h.records)
}

func loadMany[T any](ctx context.Context, db *DB, l *link, records *[]T) ([]T, error) {
	if l.loaded {
		return *records, nil
	}
	if l.meta != nil && l.key == nil { // nothing to query
		*records, l.loaded = []T{}, true
		return *records, nil
	}
	if err := l.lazy(reflect.TypeFor[T]().Name()); err != nil {
		return nil, err
	}
	rs, groups, err := l.meta.fetch(ctx, db, []any{l.key})
	if err != nil {
		return nil, err
	}
	rows := rs.rows.([]T)
	out := make([]T, 0, len(groups[l.key]))
	for _, i := range groups[l.key] {
		out = append(out, rows[i])
	}
	*records, l.loaded = out, true
	return out, nil
}

// Build sets m's foreign key (and polymorphic type) to point at the owner,
// without saving; the owner must be loaded or saved.
func (h *HasMany[T]) Build(m *T) error { return h.meta.build(&h.link, unsafe.Pointer(m)) }

// Create builds m (see Build) and saves it with Create; when the
// association is loaded, m is appended to it.
func (h *HasMany[T]) Create(ctx context.Context, ex Executor, m *T) error {
	if err := h.link.meta.build(&h.link, unsafe.Pointer(m)); err != nil {
		return err
	}
	if err := Create(ctx, ex, m); err != nil {
		return err
	}
	if h.loaded {
		h.records = append(h.records, *m)
	}
	return nil
}

// Build sets m's foreign key to point at the owner, without saving.
func (h *HasOne[T]) Build(m *T) error { return h.meta.build(&h.link, unsafe.Pointer(m)) }

// Create builds m (see Build), saves it with Create and makes it the loaded record.
func (h *HasOne[T]) Create(ctx context.Context, ex Executor, m *T) error {
	if err := h.link.meta.build(&h.link, unsafe.Pointer(m)); err != nil {
		return err
	}
	if err := Create(ctx, ex, m); err != nil {
		return err
	}
	h.record, h.loaded = m, true
	return nil
}

// HasManyThrough is an association to the rows of T reached through another
// HasMany of the owner (a post has many tags through taggings):
//
//	Taggings record.HasMany[Tagging]
//	Tags     record.HasManyThrough[Tag] // AssocOptions{Through: "taggings"}
//
// Loading runs one query with a JOIN; Preload runs one query per step.
type HasManyThrough[T any] struct {
	link
	records []T
}

func (*HasManyThrough[T]) assocSpec() spec {
	return spec{kind: hasManyThrough, target: targetOf[T]{}, set: setMany[T]}
}

// Records returns the loaded records; nil when not loaded.
func (h *HasManyThrough[T]) Records() []T { return h.records }

// Load returns the associated records, querying them unless they are loaded.
func (h *HasManyThrough[T]) Load(ctx context.Context, ex Executor) ([]T, error) {
	return loadMany(ctx, ex.on(), &h.link, &h.records)
}

// assoc is one association of a model type on one DB, built with its plan.
type assoc struct {
	name  string // "comments": Preload paths and messages
	field string // Go field name
	off   uintptr
	kind  assocKind
	owner *plan
	spec
	opts AssocOptions

	// Known at build time, from the owner alone.
	fk   *field // BelongsTo, Polymorphic: the foreign key on the owner
	ptyp *field // Polymorphic: the type column on the owner
	via  *assoc // HasManyThrough: the owner's through association

	// The target side, set once by resolve: read only after resolve returned nil.
	mu   sync.Mutex
	done atomic.Bool
	resolved
}

// resolved is the target side of an association.
type resolved struct {
	tp   *plan  // target plan
	tfk  *field // HasMany/HasOne: the foreign key on the target
	ttyp *field // HasMany/HasOne with As: the polymorphic type on the target
	src  *assoc // HasManyThrough: the BelongsTo on the through model
	ctr  *field // BelongsTo with CounterCache: the counter on the target
}

// discoverAssoc records an association field found by walk.
func (p *plan) discoverAssoc(sf reflect.StructField, off uintptr) {
	s := reflect.New(sf.Type).Interface().(assocField).assocSpec()
	p.assocs = append(p.assocs, &assoc{name: inflect.Underscore(sf.Name), field: sf.Name, off: off, kind: s.kind, owner: p, spec: s})
}

// buildAssocs applies the owner's declared options and the conventions that
// need only the owner's own fields.
func (p *plan) buildAssocs(t reflect.Type) error {
	sample := reflect.New(t)
	c, declares := sample.Interface().(associator)
	if len(p.assocs) == 0 && !declares {
		return nil
	}
	p.assocByName = make(map[string]*assoc, len(p.assocs))
	for _, a := range p.assocs {
		p.assocByName[a.name] = a
	}
	if declares {
		decl := &Assoc{base: sample.Pointer(), size: t.Size(), opts: map[uintptr]AssocOptions{}}
		c.Associations(decl)
		if decl.err != nil {
			return fmt.Errorf("record: %s.Associations: %w", p.name, decl.err)
		}
		for off, o := range decl.opts {
			a := p.assocAt(off)
			if a == nil {
				return fmt.Errorf("record: %s.Associations: Set on a field that is not an association: %w", p.name, ErrNoAssociation)
			}
			a.opts = o
		}
	}
	for _, a := range p.assocs {
		if err := a.check(); err != nil {
			return err
		}
	}
	return nil
}

func (p *plan) assocAt(off uintptr) *assoc {
	for _, a := range p.assocs {
		if a.off == off {
			return a
		}
	}
	return nil
}

// check validates the options for the kind and resolves the owner side.
func (a *assoc) check() error {
	o, p := a.opts, a.owner
	bad := func(what string) error {
		return fmt.Errorf("record: %s.%s (%v): %s: %w", p.name, a.field, a.kind, what, ErrNoAssociation)
	}
	switch {
	case a.kind == polymorphic && (o.CounterCache != "" || o.Scope.fn != nil):
		return bad("CounterCache and Scope are not supported on a polymorphic BelongsTo")
	case a.kind != belongsTo && a.kind != polymorphic && (o.Required || o.CounterCache != ""):
		return bad("Required and CounterCache are for BelongsTo")
	case (a.kind == belongsTo || a.kind == polymorphic) && (o.Dependent != DependentNone || o.As != ""):
		return bad("Dependent and As are for HasMany and HasOne")
	case a.kind == hasManyThrough && (o.Through == "" || o.Dependent != DependentNone):
		return bad("needs Through, and takes no Dependent")
	case a.kind != hasManyThrough && (o.Through != "" || o.Source != ""):
		return bad("Through and Source are for HasManyThrough")
	case o.Scope.fn != nil && a.target != nil && o.Scope.target != a.target.typ():
		return bad(fmt.Sprintf("Scope is on %v, the association is to %v", o.Scope.target, a.target.typ()))
	}
	switch a.kind {
	case belongsTo:
		col := o.ForeignKey
		if col == "" {
			col = a.name + "_id"
		}
		a.fk = p.byColumn[col]
		if a.fk == nil {
			return fmt.Errorf("record: %s.%s: no foreign key field for column %q (set AssocOptions.ForeignKey): %w", p.name, a.field, col, ErrSchema)
		}
		if o.Required {
			p.required = append(p.required, a)
			p.hooks.validate = true
		}
		if o.CounterCache != "" {
			p.counters = append(p.counters, a)
			p.hooks.save, p.hooks.destroy = true, true // run in a transaction
		}
	case polymorphic:
		col := o.ForeignKey
		if col == "" {
			col = a.name + "_id"
		}
		a.fk, a.ptyp = p.byColumn[col], p.byColumn[a.name+"_type"]
		if a.fk == nil || a.ptyp == nil {
			return fmt.Errorf("record: %s.%s: polymorphic needs fields for columns %q and %q: %w", p.name, a.field, col, a.name+"_type", ErrSchema)
		}
		if o.Required {
			p.required = append(p.required, a)
			p.hooks.validate = true
		}
	case hasOne, hasMany:
		if o.Dependent != DependentNone {
			p.dependents = append(p.dependents, a)
			p.hooks.destroy = true
		}
	case hasManyThrough:
		a.via = p.assocByName[o.Through]
		if a.via == nil || a.via.kind != hasMany {
			return bad(fmt.Sprintf("Through %q is not a HasMany of %s", o.Through, p.name))
		}
	}
	return nil
}

// resolveAssocs resolves every association of p (Register calls it; the
// finders call it before attaching rows).
func (p *plan) resolveAssocs(ctx context.Context, db *DB) error {
	for _, a := range p.assocs {
		if err := a.resolve(ctx, db); err != nil {
			return err
		}
	}
	return nil
}

// resolve finds the target's plan and the target side of the keys. A
// failure (a canceled context, a missing table) is not remembered: the
// next use tries again. No lock is held while querying the schema, as in
// planFor: two goroutines may both resolve, and the first result is kept.
func (a *assoc) resolve(ctx context.Context, db *DB) error {
	if a.done.Load() {
		return nil
	}
	r, err := a.doResolve(ctx, db)
	if err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.done.Load() {
		a.resolved = r
		a.done.Store(true)
	}
	return nil
}

func (a *assoc) doResolve(ctx context.Context, db *DB) (r resolved, err error) {
	if a.kind == polymorphic {
		return r, nil // targets are found by name when loading
	}
	tp, err := a.target.plan(ctx, db)
	if err != nil {
		return r, fmt.Errorf("record: %s.%s: %w", a.owner.name, a.field, err)
	}
	r.tp = tp
	o := a.opts
	switch a.kind {
	case belongsTo:
		if o.CounterCache != "" {
			if r.ctr = tp.byColumn[o.CounterCache]; r.ctr == nil {
				return r, fmt.Errorf("record: %s.%s: %s has no counter cache column %q: %w", a.owner.name, a.field, tp.name, o.CounterCache, ErrSchema)
			}
		}
	case hasOne, hasMany:
		col := o.ForeignKey
		switch {
		case col == "" && o.As != "":
			col = o.As + "_id"
		case col == "":
			col = inflect.Underscore(a.owner.name) + "_id"
		}
		if r.tfk = tp.byColumn[col]; r.tfk == nil {
			return r, fmt.Errorf("record: %s.%s: %s has no foreign key column %q (set AssocOptions.ForeignKey): %w", a.owner.name, a.field, tp.name, col, ErrSchema)
		}
		if o.As != "" {
			if r.ttyp = tp.byColumn[o.As+"_type"]; r.ttyp == nil {
				return r, fmt.Errorf("record: %s.%s: %s has no column %q: %w", a.owner.name, a.field, tp.name, o.As+"_type", ErrSchema)
			}
		}
	case hasManyThrough:
		if err := a.via.resolve(ctx, db); err != nil {
			return r, err
		}
		src := o.Source
		if src == "" {
			src = inflect.Singularize(a.name)
		}
		r.src = a.via.tp.assocByName[src]
		if r.src == nil || r.src.kind != belongsTo || r.src.target.typ() != a.target.typ() {
			return r, fmt.Errorf("record: %s.%s: %s has no BelongsTo %q to %s (set AssocOptions.Source): %w", a.owner.name, a.field, a.via.tp.name, src, tp.name, ErrNoAssociation)
		}
		if err := r.src.resolve(ctx, db); err != nil {
			return r, err
		}
	}
	return r, nil
}

// ownerKey is the key the association matches on, read from the owner at
// base: its foreign key for BelongsTo, else its id. Zero keys are nil.
func (a *assoc) ownerKey(base unsafe.Pointer) any {
	switch a.kind {
	case belongsTo:
		return normKey(a.fk.val(base))
	case polymorphic:
		return polyKeyOf(a.ptyp.val(base), a.fk.val(base))
	}
	return normKey(a.owner.pk.val(base))
}

// normKey makes keys of different integer types compare equal in maps and
// turns zero keys into nil.
func normKey(v any) any {
	switch k := v.(type) {
	case int64:
		if k == 0 {
			return nil
		}
		return k
	case int:
		return normKey(int64(k))
	case int32:
		return normKey(int64(k))
	case string:
		if k == "" {
			return nil
		}
	}
	return v
}

// attach links every association field of the record at base to its
// metadata and its owner key. A field whose key changed forgets what it
// loaded.
func (p *plan) attach(base unsafe.Pointer, strict bool) {
	for _, a := range p.assocs {
		l := (*link)(unsafe.Add(base, a.off))
		k := a.ownerKey(base)
		if l.meta != a || l.key != k {
			l.loaded = false
		}
		l.meta, l.key, l.strict = a, k, strict
	}
}

// build points the record m (of the target type) at the owner.
func (a *assoc) build(l *link, m unsafe.Pointer) error {
	if a == nil || l.key == nil {
		return fmt.Errorf("record: build through an association: the owner was not saved: %w", ErrNotPersisted)
	}
	if err := a.tfk.assign(m, l.key); err != nil {
		return err
	}
	if a.ttyp != nil {
		return a.ttyp.assign(m, a.owner.name)
	}
	return nil
}

// where is the condition on the target table for owner keys.
func (a *assoc) where(keys []any) Cond {
	switch a.kind {
	case belongsTo:
		return Cond{a.tp.table + ".id": keys}
	default:
		c := Cond{a.tp.table + "." + a.tfk.column: keys}
		if a.ttyp != nil {
			c[a.tp.table+"."+a.ttyp.column] = a.owner.name
		}
		return c
	}
}

// targetKey is the key a loaded target row at base matches owners on.
func (a *assoc) targetKey(base unsafe.Pointer) any {
	if a.kind == belongsTo {
		return normKey(a.tp.pk.val(base))
	}
	return normKey(a.tfk.val(base))
}

// fetch loads the targets of the owner keys (one query per chunk of the
// bind limit, two steps for HasManyThrough) and groups them: owner key →
// indexes into the rows.
func (a *assoc) fetch(ctx context.Context, db *DB, keys []any) (rowSet, map[any][]int, error) {
	if err := a.resolve(ctx, db); err != nil {
		return rowSet{}, nil, err
	}
	if a.kind == hasManyThrough {
		return a.fetchThrough(ctx, db, keys)
	}
	rs, err := a.target.in(ctx, db, a.where, keys, a.opts.Scope.fn)
	if err != nil {
		return rowSet{}, nil, err
	}
	groups := make(map[any][]int, len(keys))
	for i := range rs.n {
		k := a.targetKey(rs.at(i))
		groups[k] = append(groups[k], i)
	}
	return rs, groups, nil
}

// fetchThrough loads the through rows, then the targets they point at.
func (a *assoc) fetchThrough(ctx context.Context, db *DB, keys []any) (rowSet, map[any][]int, error) {
	mid, midGroups, err := a.via.fetch(ctx, db, keys)
	if err != nil {
		return rowSet{}, nil, err
	}
	srcKeys := uniqueKeys(mid, a.src.ownerKey)
	rs, err := a.target.in(ctx, db, a.src.where, srcKeys, a.opts.Scope.fn)
	if err != nil {
		return rowSet{}, nil, err
	}
	byID := make(map[any]int, rs.n)
	for i := range rs.n {
		byID[normKey(rs.plan.pk.val(rs.at(i)))] = i
	}
	groups := make(map[any][]int, len(midGroups))
	for k, mids := range midGroups {
		for _, m := range mids {
			if i, ok := byID[a.src.ownerKey(mid.at(m))]; ok {
				groups[k] = append(groups[k], i)
			}
		}
	}
	return rs, groups, nil
}

// uniqueKeys collects the distinct non-nil keys of rows, in order.
func uniqueKeys(rs rowSet, key func(unsafe.Pointer) any) []any {
	seen := make(map[any]bool, rs.n)
	keys := make([]any, 0, rs.n)
	for i := range rs.n {
		k := key(rs.at(i))
		if k == nil || seen[k] {
			continue
		}
		seen[k] = true
		keys = append(keys, k)
	}
	return keys
}

// rowSet is a loaded []T seen without its type.
type rowSet struct {
	n    int
	rows any // []T
	plan *plan
	at   func(i int) unsafe.Pointer
}

func rowsOf[T any](p *plan, rows []T) rowSet {
	return rowSet{n: len(rows), rows: rows, plan: p, at: func(i int) unsafe.Pointer { return unsafe.Pointer(&rows[i]) }}
}

// targetOps are the operations on an association's target model, typed by
// targetOf[T] and used without the type by preloading and Destroy.
type targetOps interface {
	typ() reflect.Type
	plan(ctx context.Context, db *DB) (*plan, error)
	// in loads the rows matching where(chunk) for chunks of keys under the bind limit.
	in(ctx context.Context, db *DB, where func([]any) Cond, keys []any, scope any) (rowSet, error)
	// ptr returns &rows[i] as an any holding *T.
	ptr(rs rowSet, i int) any
	// dependent applies d to the rows matching cond.
	dependent(ctx context.Context, db *DB, d Dependent, cond Cond, scope any, nullify []string) (found bool, err error)
}

type targetOf[T any] struct{}

func (targetOf[T]) typ() reflect.Type { return reflect.TypeFor[T]() }

func (targetOf[T]) plan(ctx context.Context, db *DB) (*plan, error) { return planFor[T](ctx, db) }

func (targetOf[T]) ptr(rs rowSet, i int) any { return &rs.rows.([]T)[i] }

func (targetOf[T]) query(db *DB, cond Cond, scope any) Relation[T] {
	r := Query[T](db).Where(cond)
	if s, ok := scope.(func(Relation[T]) Relation[T]); ok {
		r = s(r)
	}
	return r
}

func (t targetOf[T]) in(ctx context.Context, db *DB, where func([]any) Cond, keys []any, scope any) (rowSet, error) {
	p, err := planFor[T](ctx, db)
	if err != nil {
		return rowSet{}, err
	}
	if len(keys) == 0 {
		return rowsOf(p, []T(nil)), nil
	}
	size := db.inChunk()
	var all []T
	for start := 0; start < len(keys); start += size {
		rows, err := t.query(db, where(keys[start:min(len(keys), start+size)]), scope).All(ctx)
		if err != nil {
			return rowSet{}, err
		}
		if all == nil {
			all = rows
		} else {
			all = append(all, rows...)
		}
	}
	return rowsOf(p, all), nil
}

func (t targetOf[T]) dependent(ctx context.Context, db *DB, d Dependent, cond Cond, scope any, nullify []string) (bool, error) {
	r := t.query(db, cond, scope)
	switch d {
	case DependentRestrict:
		return r.Exists(ctx)
	case DependentDelete:
		n, err := r.DeleteAll(ctx)
		return n > 0, err
	case DependentNullify:
		attrs := Attrs{}
		for _, c := range nullify {
			attrs[c] = nil
		}
		n, err := r.UpdateAll(ctx, attrs)
		return n > 0, err
	case DependentDestroy:
		rows, err := r.All(ctx)
		if err != nil {
			return false, err
		}
		for i := range rows {
			if err := Destroy(ctx, db, &rows[i]); err != nil {
				return false, err
			}
		}
		return len(rows) > 0, nil
	}
	return false, nil
}

// JSON: an association is part of its owner's JSON only when it is loaded
// (preloaded, loaded or built), as Rails' as_json(include:) is something you
// ask for. Tag the field with omitzero (`json:"author,omitzero"`, as the
// generators do): IsZero reports "not loaded", so the key is left out, and
// a loaded association is its record(s).

// IsZero reports whether the association is not loaded, for omitzero.
func (b BelongsTo[T]) IsZero() bool { return !b.loaded }

// MarshalJSON is the loaded record, or null.
func (b BelongsTo[T]) MarshalJSON() ([]byte, error) { return railsjson.Marshal(b.record) }

// IsZero reports whether the association is not loaded, for omitzero.
func (h HasOne[T]) IsZero() bool { return !h.loaded }

// MarshalJSON is the loaded record, or null.
func (h HasOne[T]) MarshalJSON() ([]byte, error) { return railsjson.Marshal(h.record) }

// IsZero reports whether the association is not loaded, for omitzero.
func (h HasMany[T]) IsZero() bool { return !h.loaded }

// MarshalJSON is the loaded records ([] when there are none).
func (h HasMany[T]) MarshalJSON() ([]byte, error) {
	if h.records == nil {
		return []byte("[]"), nil
	}
	return railsjson.Marshal(h.records)
}

// IsZero reports whether the association is not loaded, for omitzero.
func (h HasManyThrough[T]) IsZero() bool { return !h.loaded }

// MarshalJSON is the loaded records ([] when there are none).
func (h HasManyThrough[T]) MarshalJSON() ([]byte, error) {
	if h.records == nil {
		return []byte("[]"), nil
	}
	return railsjson.Marshal(h.records)
}
