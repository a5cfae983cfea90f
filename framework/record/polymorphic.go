package record

import (
	"context"
	"fmt"
	"unsafe"
)

// Polymorphic is a BelongsTo whose target model is named by a type column
// (Rails' belongs_to polymorphic: true): Commentable reads commentable_type
// ("Post", the Go type name) and commentable_id.
//
//	type Comment struct {
//		record.Model
//		CommentableType string
//		CommentableID   int64
//		Commentable     record.Polymorphic
//	}
//
// The targets are found by type name among the models used on the DB:
// Register them at boot. The other side is a HasMany or HasOne with
// AssocOptions.As ("commentable").
type Polymorphic struct {
	link
	record any
}

func (*Polymorphic) assocSpec() spec {
	return spec{kind: polymorphic, set: func(unsafe.Pointer, rowSet, []int) {}}
}

// Record returns the loaded record (a pointer to the target model, such as
// *Post), or nil when there is none or it is not loaded.
func (p *Polymorphic) Record() any { return p.record }

// Load returns the associated record as a pointer to its model (*Post),
// querying it unless it is loaded: nil when the columns are empty,
// ErrNotFound when the row is gone. See BelongsTo.Load for strict loading.
func (p *Polymorphic) Load(ctx context.Context, ex Executor) (any, error) {
	db := ex.on()
	if p.loaded {
		return p.record, nil
	}
	if p.meta != nil && p.key == nil { // nothing to query
		p.record, p.loaded = nil, true
		return nil, nil
	}
	if err := p.lazy("Polymorphic"); err != nil {
		return nil, err
	}
	found, err := p.meta.fetchPoly(ctx, db, []any{p.key}, nil)
	if err != nil {
		return nil, err
	}
	rec, ok := found[p.key]
	if !ok {
		k := p.key.(polyKey)
		return nil, fmt.Errorf("record: %s.%s: %s %v: %w", p.meta.owner.name, p.meta.name, k.typ, k.id, ErrNotFound)
	}
	p.record, p.loaded = rec, true
	return rec, nil
}

// polyKey is the owner key of a polymorphic association.
type polyKey struct {
	typ string
	id  any
}

func polyKeyOf(typ, id any) any {
	s, _ := typ.(string)
	id = normKey(id)
	if s == "" || id == nil {
		return nil
	}
	return polyKey{typ: s, id: id}
}

// planNamed finds the plan of the model type called name on db.
func (db *DB) planNamed(name string) *plan {
	var found *plan
	db.plans.Range(func(_, v any) bool {
		if p := v.(*plan); p.name == name {
			found = p
			return false
		}
		return true
	})
	return found
}

// fetchPoly loads the targets of keys, one query per target type (and
// chunk), preloading children on each, and returns them by key.
func (a *assoc) fetchPoly(ctx context.Context, db *DB, keys []any, children []*preloadNode) (map[any]any, error) {
	byType := map[string][]any{}
	var order []string
	for _, k := range keys {
		pk := k.(polyKey)
		if _, ok := byType[pk.typ]; !ok {
			order = append(order, pk.typ)
		}
		byType[pk.typ] = append(byType[pk.typ], pk.id)
	}
	found := make(map[any]any, len(keys))
	for _, typ := range order {
		tp := db.planNamed(typ)
		if tp == nil {
			return nil, fmt.Errorf("record: %s.%s: no model named %q is registered on this DB: %w", a.owner.name, a.name, typ, ErrNoAssociation)
		}
		rs, err := tp.ops.in(ctx, db, func(ids []any) Cond { return Cond{tp.table + ".id": ids} }, byType[typ], nil)
		if err != nil {
			return nil, err
		}
		if kids := childrenOf(tp, children); len(kids) > 0 && rs.n > 0 {
			if err := preloadLevel(ctx, db, tp, rs, kids); err != nil {
				return nil, err
			}
		}
		for i := range rs.n {
			found[polyKey{typ: typ, id: normKey(tp.pk.val(rs.at(i)))}] = tp.ops.ptr(rs, i)
		}
	}
	return found, nil
}

// preloadPoly is preload for a Polymorphic association.
func (a *assoc) preloadPoly(ctx context.Context, db *DB, owners rowSet, children []*preloadNode) error {
	found, err := a.fetchPoly(ctx, db, uniqueKeys(owners, a.ownerKey), children)
	if err != nil {
		return err
	}
	for i := range owners.n {
		base := owners.at(i)
		f := (*Polymorphic)(unsafe.Add(base, a.off))
		f.record, f.loaded = nil, true
		if k := a.ownerKey(base); k != nil {
			f.record = found[k]
		}
	}
	return nil
}

// childrenOf keeps the nested preloads the target type has: behind a
// polymorphic association, "commentable.author" preloads author on the
// types that have one and skips the others.
func childrenOf(tp *plan, children []*preloadNode) []*preloadNode {
	var out []*preloadNode
	for _, c := range children {
		if tp.assocByName[c.name] != nil {
			out = append(out, c)
		}
	}
	return out
}
