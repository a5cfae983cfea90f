package record

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"unsafe"

	"github.com/gorails/gorails/framework/record/driver"
)

// Create inserts a new record on ex (a *DB or a *Tx): validations,
// callbacks, timestamps, then INSERT of every mapped column (zero values
// included) and the generated id read back. It fails if the record is
// already persisted.
func Create[T any](ctx context.Context, ex Executor, m *T) error {
	db := ex.on()
	p, err := planFor[T](ctx, db)
	if err != nil {
		return err
	}
	if p.state(unsafe.Pointer(m)).persisted {
		return fmt.Errorf("record: Create: %s %v is already persisted", p.name, p.pk.val(unsafe.Pointer(m)))
	}
	return saveWith(ctx, db, p, m)
}

// Save inserts a new record or updates a persisted one. An UPDATE writes
// only the changed columns (a change to false, 0, "" or nil included) plus
// updated_at, and with a lock_version column checks and increments it
// (ErrStaleObject when someone else changed the row). Failed validations
// return a *ValidationError (errors.Is ErrInvalid) and write nothing.
// When the model has callbacks, Save runs in a transaction (joining ex when
// it is one) so that a callback's error undoes the write.
func Save[T any](ctx context.Context, ex Executor, m *T) error {
	db := ex.on()
	p, err := planFor[T](ctx, db)
	if err != nil {
		return err
	}
	return saveWith(ctx, db, p, m)
}

func saveWith[T any](ctx context.Context, db *DB, p *plan, m *T) error {
	if p.hooks.save || p.hooks.commit {
		return Transaction(ctx, db, func(tx *Tx) error { return save(ctx, tx.db, p, m) })
	}
	return save(ctx, db, p, m)
}

// Update assigns attrs (by column or field name) and saves.
func Update[T any](ctx context.Context, ex Executor, m *T, attrs Attributes) error {
	if err := Assign(ctx, ex, m, attrs); err != nil {
		return err
	}
	return Save(ctx, ex, m)
}

// Assign sets attributes by column or field name without saving (as a form
// submit does): Attrs the program wrote, or a controller's permitted params
// (params not permitted are refused with the error they give, wrapping
// controller.ErrForbiddenAttributes). Numbers are converted, text is cast
// to the field's type as Rails casts form values ("1" and "on" are true,
// blank is zero or nil), and nil sets the zero value. A value that does not
// convert is an *AttributeError naming the attribute (400 when it came
// from a request); nothing is assigned then.
func Assign[T any](ctx context.Context, ex Executor, m *T, attrs Attributes) error {
	p, err := planFor[T](ctx, ex.on())
	if err != nil {
		return err
	}
	values, err := attrs.AttributeValues()
	if err != nil {
		return fmt.Errorf("record: assign %s: %w", p.name, err)
	}
	var tmp T // convert into a copy first: all or nothing
	if len(values) > 0 {
		tmp = *m
	}
	for _, k := range sortedKeys(values) {
		f, err := p.attr(k)
		if err != nil {
			return err
		}
		if err := p.assignValue(f, unsafe.Pointer(&tmp), values[k]); err != nil {
			return err
		}
	}
	for _, k := range sortedKeys(values) {
		f, _ := p.attr(k)
		reflect.NewAt(f.typ, unsafe.Add(unsafe.Pointer(m), f.off)).Elem().Set(reflect.NewAt(f.typ, unsafe.Add(unsafe.Pointer(&tmp), f.off)).Elem())
	}
	return nil
}

// UpdateColumns writes attrs straight to the row: no validations, no
// callbacks, no updated_at, no lock_version check. The record must be persisted.
func UpdateColumns[T any](ctx context.Context, ex Executor, m *T, attrs Attrs) error {
	db := ex.on()
	p, err := planFor[T](ctx, db)
	if err != nil {
		return err
	}
	base := unsafe.Pointer(m)
	st := p.state(base)
	if !st.Persisted() {
		return fmt.Errorf("record: UpdateColumns on %s: %w", p.name, ErrNotPersisted)
	}
	if err := Assign(ctx, db, m, attrs); err != nil {
		return err
	}
	set, args, names, err := setClause(db, p, attrs)
	if err != nil || set == "" {
		return err
	}
	sql := db.dialect.Rebind("UPDATE " + p.qtable + " SET " + set + " WHERE " + db.dialect.Quote("id") + " = ?")
	if _, err := db.exec(ctx, p.opUpdate, sql, append(args, p.pk.val(base)), append(names, "id")); err != nil {
		return err
	}
	if orig, ok := st.orig.(*T); ok { // the written values are no longer changes
		for k := range attrs {
			f, _ := p.attr(k)
			reflect.NewAt(f.typ, unsafe.Add(unsafe.Pointer(orig), f.off)).Elem().Set(reflect.NewAt(f.typ, unsafe.Add(base, f.off)).Elem())
		}
	}
	return nil
}

// setClause renders attrs as col = ?, ... with sorted keys.
// names are the binds' columns (see DB.exec).
func setClause(db *DB, p *plan, attrs Attrs) (string, []any, []string, error) {
	var b strings.Builder
	args := make([]any, 0, len(attrs))
	names := make([]string, 0, len(attrs))
	for i, k := range sortedKeys(attrs) {
		f, err := p.attr(k)
		if err != nil {
			return "", nil, nil, err
		}
		if i > 0 {
			b.WriteString(", ")
		}
		db.dialect.QuoteTo(&b, f.column)
		b.WriteString(" = ?")
		args = append(args, attrs[k])
		names = append(names, f.column)
	}
	return b.String(), args, names, nil
}

func sortedKeys[M ~map[string]any](a M) []string {
	keys := make([]string, 0, len(a))
	for k := range a {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func save[T any](ctx context.Context, db *DB, p *plan, m *T) error {
	base := unsafe.Pointer(m)
	st := p.state(base)
	if st.destroyed {
		return fmt.Errorf("record: save %s: destroyed: %w", p.name, ErrNotPersisted)
	}
	create := !st.persisted
	registerTxCallbacks(ctx, db, p, m)
	if p.hooks.validate {
		if err := validate(ctx, db, p, m, create); err != nil {
			return err
		}
	}
	var h any = m
	if p.hooks.save {
		if c, ok := h.(BeforeSaver); ok {
			if err := halt("BeforeSave", c.BeforeSave(ctx, db.tx)); err != nil {
				return err
			}
		}
		if c, ok := h.(BeforeCreator); ok && create {
			if err := halt("BeforeCreate", c.BeforeCreate(ctx, db.tx)); err != nil {
				return err
			}
		}
		if c, ok := h.(BeforeUpdater); ok && !create {
			if err := halt("BeforeUpdate", c.BeforeUpdate(ctx, db.tx)); err != nil {
				return err
			}
		}
	}
	prev, _ := st.orig.(*T) // the values as loaded: counter caches follow a changed foreign key
	var err error
	if create {
		err = insert(ctx, db, p, m)
	} else {
		err = update(ctx, db, p, m)
	}
	if err != nil {
		return err
	}
	if len(p.assocs) > 0 {
		if err := afterWrite(ctx, db, p, base, create, unsafe.Pointer(prev)); err != nil {
			return err
		}
	}
	if p.hooks.save {
		if c, ok := h.(AfterCreator); ok && create {
			if err := c.AfterCreate(ctx, db.tx); err != nil {
				return fmt.Errorf("record: AfterCreate: %w", err)
			}
		}
		if c, ok := h.(AfterUpdater); ok && !create {
			if err := c.AfterUpdate(ctx, db.tx); err != nil {
				return fmt.Errorf("record: AfterUpdate: %w", err)
			}
		}
		if c, ok := h.(AfterSaver); ok {
			if err := c.AfterSave(ctx, db.tx); err != nil {
				return fmt.Errorf("record: AfterSave: %w", err)
			}
		}
	}
	return nil
}

// registerTxCallbacks queues AfterCommit/AfterRollback for the end of
// ctx's transaction and, on rollback, restores the record's state (new or
// persisted, id, destroyed, clean values) to what it was now.
func registerTxCallbacks[T any](ctx context.Context, db *DB, p *plan, m *T) {
	if db.tx == nil {
		return
	}
	base := unsafe.Pointer(m)
	st := p.state(base)
	prev := *st
	prevID := p.pk.val(base)
	var commit func(context.Context)
	if c, ok := any(m).(AfterCommitter); ok {
		commit = c.AfterCommit
	}
	ar, hasAR := any(m).(AfterRollbacker)
	rollback := func(ctx context.Context) {
		st := p.state(base)
		st.persisted, st.destroyed, st.orig, st.saved = prev.persisted, prev.destroyed, prev.orig, prev.saved
		_ = p.pk.assign(base, prevID)
		if lv := p.lockVersion; lv != nil {
			if o, ok := prev.orig.(*T); ok {
				_ = lv.assign(base, intAt(unsafe.Pointer(o), lv))
			}
		}
		if hasAR {
			ar.AfterRollback(ctx)
		}
	}
	db.onCommit(ctx, commit, rollback)
}

func validate[T any](ctx context.Context, db *DB, p *plan, m *T, create bool) error {
	base := unsafe.Pointer(m)
	st := p.state(base)
	errs := &Errors{}
	st.errs = errs
	var h any = m
	if c, ok := h.(BeforeValidator); ok {
		if err := halt("BeforeValidation", c.BeforeValidation(ctx, db.executor())); err != nil {
			return err
		}
	}
	if c, ok := h.(Validator); ok {
		v := &Validation{Errors: errs, ctx: ctx, db: db, p: p, create: create}
		if !create {
			v.id = p.pk.val(base)
		}
		c.Validate(ctx, v)
	}
	for _, a := range p.required {
		exists, err := requiredExists(ctx, db, p, a, base)
		if err != nil {
			return err
		}
		if !exists {
			errs.Add(a.name, "must exist")
		}
	}
	if c, ok := h.(AfterValidator); ok {
		if err := halt("AfterValidation", c.AfterValidation(ctx, db.executor())); err != nil {
			return err
		}
	}
	if !errs.Empty() {
		return &ValidationError{Model: p.name, Errors: errs}
	}
	return nil
}

// requiredExists checks a required BelongsTo as Rails does: the foreign key
// is set and a row of the target has that id (a form's hand-edited
// author_id=999 is "must exist", not a foreign key error at INSERT).
// Polymorphic associations are checked for a key only.
func requiredExists(ctx context.Context, db *DB, p *plan, a *assoc, base unsafe.Pointer) (bool, error) {
	key := a.ownerKey(base)
	if key == nil || a.kind != belongsTo {
		return key != nil, nil
	}
	if err := p.resolveAssocs(ctx, db); err != nil {
		return false, err
	}
	d := &db.dialect
	var one int64
	return scanValue(ctx, db, "query", d.Rebind("SELECT 1 FROM "+a.tp.qtable+" WHERE "+d.Quote("id")+" = ? LIMIT 1"), []any{key}, pkName, &one)
}

// Valid runs the validations (and validation callbacks) without saving;
// the messages are in m's Errors(). err is a database or callback failure.
func Valid[T any](ctx context.Context, ex Executor, m *T) (bool, error) {
	db := ex.on()
	p, err := planFor[T](ctx, db)
	if err != nil {
		return false, err
	}
	err = validate(ctx, db, p, m, !p.state(unsafe.Pointer(m)).persisted)
	if errors.Is(err, ErrInvalid) {
		return false, nil
	}
	return err == nil, err
}

func insert[T any](ctx context.Context, db *DB, p *plan, m *T) error {
	base := unsafe.Pointer(m)
	t := db.now()
	if p.createdAt != nil && p.createdAt.typ == timeType && (*timeAt(base, p.createdAt)).IsZero() {
		*timeAt(base, p.createdAt) = t
	}
	if p.updatedAt != nil && p.updatedAt.typ == timeType && (*timeAt(base, p.updatedAt)).IsZero() {
		*timeAt(base, p.updatedAt) = t
	}
	if p.uuid && p.pk.val(base) == "" {
		*(*string)(unsafe.Add(base, p.pk.off)) = NewUUID()
	}
	args := make([]any, len(p.insertCols))
	for i, f := range p.insertCols {
		args[i] = f.val(base)
	}
	op := p.opInsert
	switch {
	case p.uuid:
		if _, err := db.exec(ctx, op, p.insertSQL, args, p.insertNames); err != nil {
			return err
		}
	case db.dialect.Returning:
		if _, err := scanValue(ctx, db, op, p.insertSQL, args, p.insertNames, p.pk.ptr(base)); err != nil {
			return err
		}
	default:
		res, err := db.exec(ctx, op, p.insertSQL, args, p.insertNames)
		if err != nil {
			return err
		}
		if err := p.pk.assign(base, res.LastInsertID); err != nil {
			return err
		}
	}
	st := p.state(base)
	st.persisted = true
	st.table = p.table
	st.saved = p.insertNames
	snapshot(p, m)
	return nil
}

var timeType = reflect.TypeFor[timeT]()

func update[T any](ctx context.Context, db *DB, p *plan, m *T) error {
	base := unsafe.Pointer(m)
	st := p.state(base)
	orig, _ := st.orig.(*T)
	var changed []*field
	for _, f := range p.fields {
		if f == p.pk || f == p.lockVersion {
			continue
		}
		if orig == nil || !f.eq(base, unsafe.Pointer(orig)) {
			changed = append(changed, f)
		}
	}
	if len(changed) == 0 {
		st.saved = nil
		return nil
	}
	if u := p.updatedAt; u != nil && u.typ == timeType && (orig == nil || u.eq(base, unsafe.Pointer(orig))) {
		*timeAt(base, u) = db.now()
		changed = append(changed, u)
		// Field order, so that the cached statement for this set of columns fits.
		slices.SortFunc(changed, func(a, b *field) int { return int(p.index[a]) - int(p.index[b]) })
	}
	args := make([]any, 0, len(changed)+3)
	names := make([]string, 0, len(changed)+3)
	for _, f := range changed {
		args = append(args, f.val(base))
		names = append(names, f.column)
	}
	var oldLock int64
	if lv := p.lockVersion; lv != nil {
		oldLock = intAt(base, lv)
		args, names = append(args, oldLock+1), append(names, lv.column)
	}
	args, names = append(args, p.pk.val(base)), append(names, "id")
	if lv := p.lockVersion; lv != nil {
		args, names = append(args, oldLock), append(names, lv.column)
	}
	sql := p.updateSQL(&db.dialect, changed)
	res, err := db.exec(ctx, p.opUpdate, sql, args, names)
	if err != nil {
		return err
	}
	if res.RowsAffected == 0 {
		if p.lockVersion != nil {
			return fmt.Errorf("record: update %s %v (lock_version %d): %w", p.name, p.pk.val(base), oldLock, ErrStaleObject)
		}
		return fmt.Errorf("record: update %s %v: row is gone: %w", p.name, p.pk.val(base), ErrNotFound)
	}
	if lv := p.lockVersion; lv != nil {
		_ = lv.assign(base, oldLock+1)
	}
	st.saved = make([]string, len(changed))
	for i, f := range changed {
		st.saved[i] = f.column
	}
	snapshot(p, m)
	return nil
}

// updateSQL returns the UPDATE statement writing changed (plus
// lock_version), cached per set of columns.
func (p *plan) updateSQL(d *driver.Dialect, changed []*field) string {
	var key uint64
	cacheable := len(p.fields) <= 64
	if cacheable {
		for _, f := range changed {
			key |= 1 << p.index[f]
		}
		if s, ok := p.updates.Load(key); ok {
			return s.(string)
		}
	}
	var b strings.Builder
	b.WriteString("UPDATE ")
	b.WriteString(p.qtable)
	b.WriteString(" SET ")
	for i, f := range changed {
		if i > 0 {
			b.WriteString(", ")
		}
		d.QuoteTo(&b, f.column)
		b.WriteString(" = ?")
	}
	if lv := p.lockVersion; lv != nil {
		b.WriteString(", ")
		d.QuoteTo(&b, lv.column)
		b.WriteString(" = ?")
	}
	b.WriteString(" WHERE ")
	d.QuoteTo(&b, "id")
	b.WriteString(" = ?")
	if lv := p.lockVersion; lv != nil {
		b.WriteString(" AND ")
		d.QuoteTo(&b, lv.column)
		b.WriteString(" = ?")
	}
	sql := d.Rebind(b.String())
	if cacheable {
		p.updates.Store(key, sql)
	}
	return sql
}

// snapshot records m's current values as the clean state.
func snapshot[T any](p *plan, m *T) {
	cp := new(T)
	*cp = *m
	cs := p.state(unsafe.Pointer(cp))
	cs.orig, cs.saved, cs.errs = nil, nil, nil
	p.state(unsafe.Pointer(m)).orig = cp
}

// Destroy deletes a persisted record with its callbacks (BeforeDestroy,
// AfterDestroy, AfterCommit) in a transaction when it has any, checking
// lock_version when the model has one (ErrStaleObject). Associations
// declared with a Dependent option are handled first, in the same
// transaction (ErrRestricted and nothing deleted for DependentRestrict),
// and counter caches of its BelongsTo targets are decremented.
func Destroy[T any](ctx context.Context, ex Executor, m *T) error {
	p, err := planFor[T](ctx, ex.on())
	if err != nil {
		return err
	}
	if !p.hooks.destroy && !p.hooks.commit {
		return remove(ctx, ex.on(), p, m)
	}
	return Transaction(ctx, ex, func(tx *Tx) error {
		db := tx.db
		registerTxCallbacks(ctx, db, p, m)
		if len(p.dependents) > 0 {
			if err := destroyDependents(ctx, db, p, unsafe.Pointer(m)); err != nil {
				return err
			}
		}
		var h any = m
		if c, ok := h.(BeforeDestroyer); ok {
			if err := halt("BeforeDestroy", c.BeforeDestroy(ctx, tx)); err != nil {
				return err
			}
		}
		if err := remove(ctx, db, p, m); err != nil {
			return err
		}
		if err := bumpCounters(ctx, db, p, unsafe.Pointer(m), -1); err != nil {
			return err
		}
		if c, ok := h.(AfterDestroyer); ok {
			if err := c.AfterDestroy(ctx, tx); err != nil {
				return fmt.Errorf("record: AfterDestroy: %w", err)
			}
		}
		return nil
	})
}

// Delete deletes a persisted record's row with one statement: no callbacks,
// no lock_version check.
func Delete[T any](ctx context.Context, ex Executor, m *T) error {
	db := ex.on()
	p, err := planFor[T](ctx, db)
	if err != nil {
		return err
	}
	base := unsafe.Pointer(m)
	st := p.state(base)
	if !st.Persisted() {
		return fmt.Errorf("record: Delete %s: %w", p.name, ErrNotPersisted)
	}
	sql := db.dialect.Rebind("DELETE FROM " + p.qtable + " WHERE " + db.dialect.Quote("id") + " = ?")
	if _, err := db.exec(ctx, p.opDelete, sql, []any{p.pk.val(base)}, pkName); err != nil {
		return err
	}
	st.destroyed = true
	return nil
}

func remove[T any](ctx context.Context, db *DB, p *plan, m *T) error {
	base := unsafe.Pointer(m)
	st := p.state(base)
	if !st.Persisted() {
		return fmt.Errorf("record: Destroy %s: %w", p.name, ErrNotPersisted)
	}
	d := db.dialect
	sql := "DELETE FROM " + p.qtable + " WHERE " + d.Quote("id") + " = ?"
	args, names := []any{p.pk.val(base)}, pkName
	if lv := p.lockVersion; lv != nil {
		sql += " AND " + d.Quote(lv.column) + " = ?"
		args, names = append(args, intAt(base, lv)), []string{"id", lv.column}
	}
	res, err := db.exec(ctx, p.opDelete, d.Rebind(sql), args, names)
	if err != nil {
		return err
	}
	if res.RowsAffected == 0 && p.lockVersion != nil {
		return fmt.Errorf("record: destroy %s %v: %w", p.name, args[0], ErrStaleObject)
	}
	st.destroyed = true
	return nil
}

// Reload reads the record's row again, discarding unsaved changes;
// ErrNotFound when the row is gone.
func Reload[T any](ctx context.Context, ex Executor, m *T) error {
	db := ex.on()
	p, err := planFor[T](ctx, db)
	if err != nil {
		return err
	}
	buf := new(oneRow[T])
	buf.arg[0] = p.pk.val(unsafe.Pointer(m))
	fresh, err := loadOne(ctx, db, p, p.findSQL, buf.arg[:], pkName, false, buf)
	if err != nil {
		return err
	}
	*m = fresh
	return nil
}

// Upsert says which unique columns conflict (PostgreSQL and SQLite; MySQL
// uses any unique key) and which columns to overwrite (nil: every inserted
// column but the conflict columns and created_at).
type Upsert struct {
	Conflict []string
	Update   []string
}

// InsertAll inserts rows with one statement per chunk of the bind limit
// (chunks run in one transaction): no validations, no callbacks; zero
// timestamps and empty UUIDs are filled in the slice. IDs are not read back
// and the rows are not marked persisted. Returns the rows inserted.
func InsertAll[T any](ctx context.Context, ex Executor, rows []T) (int64, error) {
	return insertAll(ctx, ex.on(), rows, nil)
}

// UpsertAll is InsertAll with the dialect's conflict clause (ON CONFLICT ...
// DO UPDATE, or ON DUPLICATE KEY UPDATE on MySQL). The count is what the
// database reports (MySQL counts an updated row twice).
func UpsertAll[T any](ctx context.Context, ex Executor, rows []T, u Upsert) (int64, error) {
	if len(u.Conflict) == 0 {
		return 0, errors.New("record: UpsertAll needs the conflict columns")
	}
	return insertAll(ctx, ex.on(), rows, &u)
}

func insertAll[T any](ctx context.Context, db *DB, rows []T, u *Upsert) (int64, error) {
	if len(rows) == 0 {
		return 0, nil
	}
	p, err := planFor[T](ctx, db)
	if err != nil {
		return 0, err
	}
	cols := p.insertCols
	per := max(1, db.maxBinds()/len(cols))
	var suffix string
	if u != nil {
		upd := u.Update
		if upd == nil {
			skip := map[string]bool{"created_at": true, "id": true}
			for _, c := range u.Conflict {
				skip[c] = true
			}
			for _, f := range cols {
				if !skip[f.column] {
					upd = append(upd, f.column)
				}
			}
		}
		suffix = db.dialect.UpsertClause(u.Conflict, upd)
	}
	run := func(db *DB) (int64, error) {
		var total int64
		for start := 0; start < len(rows); start += per {
			chunk := rows[start:min(len(rows), start+per)]
			n, err := insertChunk(ctx, db, p, chunk, suffix)
			if err != nil {
				return total, err
			}
			total += n
		}
		return total, nil
	}
	if len(rows) <= per {
		return run(db)
	}
	var total int64
	err = Transaction(ctx, db, func(tx *Tx) error {
		total, err = run(tx.db)
		return err
	})
	return total, err
}

func insertChunk[T any](ctx context.Context, db *DB, p *plan, rows []T, suffix string) (int64, error) {
	t := db.now()
	var b strings.Builder
	head := p.insertSQL
	if i := strings.Index(head, " VALUES "); i >= 0 {
		head = head[:i]
	}
	b.Grow(len(head) + len(rows)*(len(p.insertCols)*4+4) + len(suffix))
	b.WriteString(head)
	b.WriteString(" VALUES ")
	args := make([]any, 0, len(rows)*len(p.insertCols))
	names := make([]string, 0, cap(args))
	for i := range rows {
		base := unsafe.Pointer(&rows[i])
		if p.createdAt != nil && p.createdAt.typ == timeType && timeAt(base, p.createdAt).IsZero() {
			*timeAt(base, p.createdAt) = t
		}
		if p.updatedAt != nil && p.updatedAt.typ == timeType && timeAt(base, p.updatedAt).IsZero() {
			*timeAt(base, p.updatedAt) = t
		}
		if p.uuid && p.pk.val(base) == "" {
			*(*string)(unsafe.Add(base, p.pk.off)) = NewUUID()
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for j, f := range p.insertCols {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('?')
			args = append(args, f.val(base))
		}
		names = append(names, p.insertNames...)
		b.WriteByte(')')
	}
	b.WriteString(suffix)
	res, err := db.exec(ctx, p.opInsert, db.dialect.Rebind(b.String()), args, names)
	return res.RowsAffected, err
}
