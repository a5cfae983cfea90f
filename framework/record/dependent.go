package record

import (
	"context"
	"fmt"
	"unsafe"
)

// afterWrite links the association fields of a record just inserted or
// updated to its (possibly new) keys and keeps counter caches: +1 on
// create; on update, when a foreign key changed, -1 on the old target
// (prev holds the values as loaded) and +1 on the new one.
func afterWrite(ctx context.Context, db *DB, p *plan, base unsafe.Pointer, create bool, prev unsafe.Pointer) error {
	if err := p.resolveAssocs(ctx, db); err != nil {
		return err
	}
	for _, a := range p.assocs {
		l := (*link)(unsafe.Add(base, a.off))
		strict := l.strict && l.meta == a
		k := a.ownerKey(base)
		if l.meta != a || l.key != k {
			l.loaded = false
		}
		l.meta, l.key, l.strict = a, k, strict
	}
	if create {
		return bumpCounters(ctx, db, p, base, +1)
	}
	if prev == nil {
		return nil
	}
	for _, a := range p.counters {
		if old, cur := a.ownerKey(prev), a.ownerKey(base); old != cur {
			if err := bumpCounter(ctx, db, a, old, -1); err != nil {
				return err
			}
			if err := bumpCounter(ctx, db, a, cur, +1); err != nil {
				return err
			}
		}
	}
	return nil
}

// bumpCounters adds by to the counter cache column of each BelongsTo with
// CounterCache, in the row the record at base points at. Writes that skip
// callbacks (UpdateColumns, UpdateAll, Delete, InsertAll) leave the counts
// alone, as in Rails.
func bumpCounters(ctx context.Context, db *DB, p *plan, base unsafe.Pointer, by int64) error {
	for _, a := range p.counters {
		if err := bumpCounter(ctx, db, a, a.ownerKey(base), by); err != nil {
			return err
		}
	}
	return nil
}

// bumpCounter adds by to a's counter in the target row with id key (none when nil).
func bumpCounter(ctx context.Context, db *DB, a *assoc, key any, by int64) error {
	if key == nil {
		return nil
	}
	if err := a.resolve(ctx, db); err != nil {
		return err
	}
	d := db.dialect
	col := d.Quote(a.ctr.column)
	sql := d.Rebind("UPDATE " + a.tp.qtable + " SET " + col + " = " + col + " + ? WHERE " + d.Quote("id") + " = ?")
	if _, err := db.exec(ctx, a.tp.opUpdate, sql, []any{by, key}, []string{a.ctr.column, "id"}); err != nil {
		return fmt.Errorf("record: counter cache %s.%s: %w", a.tp.name, a.ctr.column, err)
	}
	return nil
}

// destroyDependents applies the Dependent option of each HasMany and
// HasOne association, inside Destroy's transaction: every restrict check
// first, so that a restricted record leaves everything in place.
func destroyDependents(ctx context.Context, db *DB, p *plan, base unsafe.Pointer) error {
	if err := p.resolveAssocs(ctx, db); err != nil {
		return err
	}
	key := normKey(p.pk.val(base))
	for _, pass := range []bool{true, false} {
		for _, a := range p.dependents {
			if (a.opts.Dependent == DependentRestrict) != pass {
				continue
			}
			cond := a.where([]any{key})
			var nullify []string
			if a.opts.Dependent == DependentNullify {
				nullify = []string{a.tfk.column}
				if a.ttyp != nil {
					nullify = append(nullify, a.ttyp.column)
				}
			}
			found, err := a.target.dependent(ctx, db, a.opts.Dependent, cond, a.opts.Scope.fn, nullify)
			if err != nil {
				return fmt.Errorf("record: destroy %s %v: dependent %s: %w", p.name, key, a.name, err)
			}
			if found && a.opts.Dependent == DependentRestrict {
				return fmt.Errorf("record: destroy %s %v: %s.%s has dependent records: %w", p.name, key, p.name, a.name, ErrRestricted)
			}
		}
	}
	return nil
}
