package record

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/gorails/gorails/framework/record/driver"
	"github.com/gorails/gorails/internal/inflect"
)

// Tabler is implemented by models whose table is not the conventional
// pluralized snake_case of the type name.
type Tabler interface{ TableName() string }

// field is one mapped column of a model, with accessors built once so that
// rows are scanned straight into field addresses with no per-row reflection.
type field struct {
	name   string // Go field name
	column string
	off    uintptr
	typ    reflect.Type
	ptr    func(unsafe.Pointer) any // address, for Scan
	val    func(unsafe.Pointer) any // value, for binds
	eq     func(a, b unsafe.Pointer) bool
	model  bool // declared by Model/UUIDModel
}

// plan is everything record knows about a model type on one DB: built by
// reflection once (Register or first use), checked against the table, cached.
type plan struct {
	typ      reflect.Type
	name     string
	table    string
	qtable   string
	pk       *field
	uuid     bool
	fields   []*field
	byColumn map[string]*field
	stateOff uintptr

	createdAt, updatedAt, lockVersion *field

	selectList  string // "posts"."id", "posts"."title", ...
	findSQL     string // SELECT ... WHERE pk = ? LIMIT 1, rebound
	insertSQL   string
	insertCols  []*field
	insertNames []string
	hooks       hooks
	columns     []driver.Column
	colSet      map[string]struct{} // names of columns, for checking column terms
	opQuery     string              // "query posts", the log message
	opInsert    string
	opUpdate    string
	opDelete    string
	index       map[*field]uint // position in fields, for the update cache key
	updates     sync.Map        // changed-columns bitmask -> UPDATE text

	// Associations (association.go), in field order.
	assocs      []*assoc
	assocByName map[string]*assoc
	required    []*assoc  // BelongsTo with Required
	counters    []*assoc  // BelongsTo with CounterCache
	dependents  []*assoc  // HasMany/HasOne with Dependent
	ops         targetOps // typed operations on T, for polymorphic associations to it
}

func (p *plan) state(base unsafe.Pointer) *state { return (*state)(unsafe.Add(base, p.stateOff)) }

// Register builds and checks the plan of model type T against its table:
// every mapped field must have a column, or Register fails with an error
// matching ErrSchema that names both. Call it at boot for every model; a
// model used without Register is checked on first use. Register also
// resolves T's associations: their target tables and foreign key columns
// must exist (ErrSchema) and their options fit (ErrNoAssociation).
// Safe for concurrent use.
func Register[T any](ctx context.Context, ex Executor) error {
	db := ex.on()
	p, err := planFor[T](ctx, db)
	if err != nil {
		return err
	}
	return p.resolveAssocs(ctx, db)
}

// Column is a column of a table as the database reports it.
type Column = driver.Column

// Columns returns the reflected columns of T's table (cached by Register).
func Columns[T any](ctx context.Context, ex Executor) ([]Column, error) {
	p, err := planFor[T](ctx, ex.on())
	if err != nil {
		return nil, err
	}
	return p.columns, nil
}

// Tables lists the tables of the database ex is on (of the current schema
// on PostgreSQL), sorted, as the database's catalog reports them.
func Tables(ctx context.Context, ex Executor) ([]string, error) {
	db := ex.on()
	tables, err := db.drv.Tables(ctx, db.q)
	return tables, db.wrapErr("list tables", err)
}

// TableColumns reads the columns of table as the database reports them, in
// order; none when the table does not exist.
func TableColumns(ctx context.Context, ex Executor, table string) ([]Column, error) {
	db := ex.on()
	cols, err := db.drv.Columns(ctx, db.q, table)
	return cols, db.wrapErr("reflect "+table, err)
}

// TableName returns the table T maps to.
func TableName[T any](ctx context.Context, ex Executor) (string, error) {
	p, err := planFor[T](ctx, ex.on())
	if err != nil {
		return "", err
	}
	return p.table, nil
}

func planFor[T any](ctx context.Context, db *DB) (*plan, error) {
	t := typeKey[T]()
	if p, ok := db.plans.Load(t); ok {
		return p.(*plan), nil
	}
	// Built without a lock: two goroutines may both reflect the table once,
	// and the first stored plan wins. Holding a lock across the query could
	// block a transaction that owns the last free connection.
	p, err := buildPlan(t)
	if err != nil {
		return nil, err
	}
	p.ops = targetOf[T]{}
	if err := db.checkSchema(ctx, p); err != nil {
		return nil, err
	}
	p.finish(&db.dialect)
	if db.dialect.TextTimes {
		p.scanTextTimes()
	}
	got, _ := db.plans.LoadOrStore(t, p)
	return got.(*plan), nil
}

var stateType = reflect.TypeFor[state]()

func buildPlan(t reflect.Type) (*plan, error) {
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("record: %v is not a struct", t)
	}
	p := &plan{typ: t, name: t.Name(), byColumn: map[string]*field{}, stateOff: ^uintptr(0)}
	p.table = inflect.Tableize(t.Name())
	if tn, ok := reflect.New(t).Interface().(Tabler); ok {
		p.table = tn.TableName()
	}
	if err := p.walk(t, 0, false); err != nil {
		return nil, err
	}
	if p.stateOff == ^uintptr(0) {
		return nil, fmt.Errorf("record: %s must embed record.Model or record.UUIDModel", p.name)
	}
	p.pk = p.byColumn["id"]
	p.uuid = p.pk.typ.Kind() == reflect.String
	p.createdAt, p.updatedAt, p.lockVersion = p.byColumn["created_at"], p.byColumn["updated_at"], p.byColumn["lock_version"]
	if p.lockVersion != nil && p.lockVersion.typ.Kind() != reflect.Int && p.lockVersion.typ.Kind() != reflect.Int64 && p.lockVersion.typ.Kind() != reflect.Int32 {
		return nil, fmt.Errorf("record: %s.%s: lock_version must be an integer", p.name, p.lockVersion.name)
	}
	hooks, err := hooksOf(t)
	if err != nil {
		return nil, err
	}
	p.hooks = hooks
	if err := p.buildAssocs(t); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *plan) walk(t reflect.Type, base uintptr, inModel bool) error {
	for i := range t.NumField() {
		sf := t.Field(i)
		if sf.Type == stateType {
			p.stateOff = base + sf.Offset
			continue
		}
		tag := sf.Tag.Get("db")
		if tag == "-" || !sf.IsExported() && !sf.Anonymous {
			continue
		}
		if reflect.PointerTo(sf.Type).Implements(assocFieldType) {
			p.discoverAssoc(sf, base+sf.Offset)
			continue
		}
		if sf.Anonymous && sf.Type.Kind() == reflect.Struct && tag == "" {
			isModel := sf.Type == reflect.TypeFor[Model]() || sf.Type == reflect.TypeFor[UUIDModel]()
			if err := p.walk(sf.Type, base+sf.Offset, inModel || isModel); err != nil {
				return err
			}
			continue
		}
		col := strings.Split(tag, ",")[0]
		if col == "" {
			col = inflect.Underscore(sf.Name)
		}
		if prev, dup := p.byColumn[col]; dup {
			if prev.model { // a field of the model overrides Model's own (e.g. ID)
				p.removeField(prev)
			} else {
				return fmt.Errorf("record: %s: fields %s and %s both map to column %q", p.name, prev.name, sf.Name, col)
			}
		}
		f := &field{name: sf.Name, column: col, off: base + sf.Offset, typ: sf.Type, model: inModel}
		f.ptr, f.val, f.eq = accessors(sf.Type, f.off)
		p.fields = append(p.fields, f)
		p.byColumn[col] = f
	}
	return nil
}

func (p *plan) removeField(f *field) {
	for i, g := range p.fields {
		if g == f {
			p.fields = append(p.fields[:i:i], p.fields[i+1:]...)
			break
		}
	}
	delete(p.byColumn, f.column)
}

// checkSchema reflects the table and matches every field with a column.
// Model's timestamps are dropped when the table has no such column.
func (db *DB) checkSchema(ctx context.Context, p *plan) error {
	cols, err := db.drv.Columns(ctx, db.q, p.table)
	if err != nil {
		return db.wrapErr("reflect "+p.table, err)
	}
	if len(cols) == 0 {
		return fmt.Errorf("record: model %s: table %q does not exist: %w", p.name, p.table, ErrSchema)
	}
	have := make(map[string]bool, len(cols))
	for _, c := range cols {
		have[c.Name] = true
	}
	var missing []string
	for _, f := range append([]*field(nil), p.fields...) {
		if have[f.column] {
			continue
		}
		if f.model && (f.column == "created_at" || f.column == "updated_at") {
			p.removeField(f)
			continue
		}
		missing = append(missing, fmt.Sprintf("field %s.%s has no column %q in table %q", p.name, f.name, f.column, p.table))
	}
	if len(missing) > 0 {
		return fmt.Errorf("record: %s: %w", strings.Join(missing, "; "), ErrSchema)
	}
	if p.byColumn["id"] == nil {
		return fmt.Errorf("record: model %s has no id field: %w", p.name, ErrSchema)
	}
	p.createdAt, p.updatedAt = p.byColumn["created_at"], p.byColumn["updated_at"]
	p.columns = cols
	p.colSet = make(map[string]struct{}, len(cols))
	for _, c := range cols {
		p.colSet[c.Name] = struct{}{}
	}
	return nil
}

// finish caches the SQL text that never changes.
func (p *plan) finish(d *driver.Dialect) {
	p.qtable = d.Quote(p.table)
	p.opQuery, p.opInsert, p.opUpdate, p.opDelete = "query "+p.table, "insert "+p.table, "update "+p.table, "delete "+p.table
	p.index = make(map[*field]uint, len(p.fields))
	for i, f := range p.fields {
		p.index[f] = uint(i)
	}
	var b strings.Builder
	for i, f := range p.fields {
		if i > 0 {
			b.WriteString(", ")
		}
		d.QuoteTo(&b, p.table+"."+f.column)
	}
	p.selectList = b.String()
	p.findSQL = d.Rebind("SELECT " + p.selectList + " FROM " + p.qtable + " WHERE " + d.Quote(p.table+".id") + " = ? LIMIT 1")

	p.insertCols = p.insertCols[:0]
	for _, f := range p.fields {
		if f == p.pk && !p.uuid {
			continue
		}
		p.insertCols = append(p.insertCols, f)
		p.insertNames = append(p.insertNames, f.column)
	}
	b.Reset()
	b.WriteString("INSERT INTO ")
	b.WriteString(p.qtable)
	b.WriteString(" (")
	for i, f := range p.insertCols {
		if i > 0 {
			b.WriteString(", ")
		}
		d.QuoteTo(&b, f.column)
	}
	b.WriteString(") VALUES (")
	for i := range p.insertCols {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('?')
	}
	b.WriteString(")")
	if d.Returning && !p.uuid {
		b.WriteString(" RETURNING ")
		d.QuoteTo(&b, "id")
	}
	p.insertSQL = d.Rebind(b.String())
}

// accessors returns typed closures for the common column types and
// reflect-based ones for the rest (types implementing sql.Scanner, ...).
func accessors(t reflect.Type, off uintptr) (ptr, val func(unsafe.Pointer) any, eq func(a, b unsafe.Pointer) bool) {
	switch t {
	case reflect.TypeFor[string]():
		return typed[string](off)
	case reflect.TypeFor[int64]():
		return typed[int64](off)
	case reflect.TypeFor[int]():
		return typed[int](off)
	case reflect.TypeFor[int32]():
		return typed[int32](off)
	case reflect.TypeFor[bool]():
		return typed[bool](off)
	case reflect.TypeFor[float64]():
		return typed[float64](off)
	case reflect.TypeFor[*string]():
		return typedPtr[string](off)
	case reflect.TypeFor[*int64]():
		return typedPtr[int64](off)
	case reflect.TypeFor[*int]():
		return typedPtr[int](off)
	case reflect.TypeFor[*bool]():
		return typedPtr[bool](off)
	case reflect.TypeFor[*float64]():
		return typedPtr[float64](off)
	case reflect.TypeFor[time.Time]():
		ptr, val, _ = typed[time.Time](off)
		return ptr, val, func(a, b unsafe.Pointer) bool {
			return (*time.Time)(unsafe.Add(a, off)).Equal(*(*time.Time)(unsafe.Add(b, off)))
		}
	case reflect.TypeFor[*time.Time]():
		ptr, val, _ = typed[*time.Time](off)
		return ptr, val, func(a, b unsafe.Pointer) bool {
			x, y := *(**time.Time)(unsafe.Add(a, off)), *(**time.Time)(unsafe.Add(b, off))
			return x == y || x != nil && y != nil && x.Equal(*y)
		}
	case reflect.TypeFor[[]byte]():
		ptr, val = typedAny[[]byte](off)
		return ptr, val, func(a, b unsafe.Pointer) bool {
			x, y := *(*[]byte)(unsafe.Add(a, off)), *(*[]byte)(unsafe.Add(b, off))
			return bytes.Equal(x, y) && (x == nil) == (y == nil)
		}
	}
	ptr = func(b unsafe.Pointer) any { return reflect.NewAt(t, unsafe.Add(b, off)).Interface() }
	val = func(b unsafe.Pointer) any { return reflect.NewAt(t, unsafe.Add(b, off)).Elem().Interface() }
	eq = func(a, b unsafe.Pointer) bool {
		return reflect.DeepEqual(reflect.NewAt(t, unsafe.Add(a, off)).Elem().Interface(), reflect.NewAt(t, unsafe.Add(b, off)).Elem().Interface())
	}
	return ptr, val, eq
}

func typed[V comparable](off uintptr) (ptr, val func(unsafe.Pointer) any, eq func(a, b unsafe.Pointer) bool) {
	ptr, val = typedAny[V](off)
	eq = func(a, b unsafe.Pointer) bool { return *(*V)(unsafe.Add(a, off)) == *(*V)(unsafe.Add(b, off)) }
	return ptr, val, eq
}

func typedAny[V any](off uintptr) (ptr, val func(unsafe.Pointer) any) {
	ptr = func(b unsafe.Pointer) any { return (*V)(unsafe.Add(b, off)) }
	val = func(b unsafe.Pointer) any { return *(*V)(unsafe.Add(b, off)) }
	return ptr, val
}

func typedPtr[V comparable](off uintptr) (ptr, val func(unsafe.Pointer) any, eq func(a, b unsafe.Pointer) bool) {
	ptr = func(b unsafe.Pointer) any { return (**V)(unsafe.Add(b, off)) }
	val = func(b unsafe.Pointer) any {
		if v := *(**V)(unsafe.Add(b, off)); v != nil {
			return *v
		}
		return nil
	}
	eq = func(a, b unsafe.Pointer) bool {
		x, y := *(**V)(unsafe.Add(a, off)), *(**V)(unsafe.Add(b, off))
		return x == y || x != nil && y != nil && *x == *y
	}
	return ptr, val, eq
}

// assign sets field f of the record at base to v, converting numeric kinds
// and wrapping values for pointer fields. nil sets the zero value.
func (f *field) assign(base unsafe.Pointer, v any) error {
	dst := reflect.NewAt(f.typ, unsafe.Add(base, f.off)).Elem()
	if v == nil {
		dst.SetZero()
		return nil
	}
	rv := reflect.ValueOf(v)
	switch {
	case rv.Type().AssignableTo(f.typ):
		dst.Set(rv)
	case f.typ.Kind() == reflect.Pointer && rv.Type().AssignableTo(f.typ.Elem()):
		n := reflect.New(f.typ.Elem())
		n.Elem().Set(rv)
		dst.Set(n)
	case f.typ.Kind() == reflect.Pointer && rv.Type().ConvertibleTo(f.typ.Elem()) && convertible(rv.Kind(), f.typ.Elem().Kind()):
		n := reflect.New(f.typ.Elem())
		n.Elem().Set(rv.Convert(f.typ.Elem()))
		dst.Set(n)
	case rv.Type().ConvertibleTo(f.typ) && convertible(rv.Kind(), f.typ.Kind()):
		dst.Set(rv.Convert(f.typ))
	default:
		return fmt.Errorf("record: cannot assign %T to %s (%v)", v, f.name, f.typ)
	}
	return nil
}

// convertible refuses the conversions Go allows but nobody means (int to string).
func convertible(from, to reflect.Kind) bool {
	num := func(k reflect.Kind) bool { return k >= reflect.Int && k <= reflect.Float64 }
	return num(from) && num(to) || from == to
}

var errNoField = errors.New("no such attribute")

func (p *plan) attr(name string) (*field, error) {
	if f, ok := p.byColumn[name]; ok {
		return f, nil
	}
	for _, f := range p.fields {
		if f.name == name {
			return f, nil
		}
	}
	return nil, fmt.Errorf("record: %s has no attribute %q: %w", p.name, name, errNoField)
}
