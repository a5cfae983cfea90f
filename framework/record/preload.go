package record

import (
	"context"
	"fmt"
	"strings"
	"unsafe"
)

// Preload loads the named associations of the rows the relation finds,
// with one query per association and level (one per chunk of the
// database's bind limit when the keys are many), instead of one query per
// row: Preload("comments.author", "tags") loads the comments of every
// post, then the authors of every comment, then the tags. The loaded
// records are in each row's association fields (Records, Record, Loaded);
// their Load runs no query. An association's Scope applies; a Limit in a
// scope limits the whole query, not each owner. Unknown names make the
// finder fail with ErrNoAssociation.
func (r Relation[T]) Preload(paths ...string) Relation[T] {
	r.q.preload = grow(r.q.preload, paths...)
	return r
}

// Includes is Preload (Rails' includes). It always runs separate queries;
// to filter on an association's table, add Joins with the association's
// name as well.
func (r Relation[T]) Includes(paths ...string) Relation[T] { return r.Preload(paths...) }

// StrictLoading overrides Config.StrictLoading for the rows this relation
// loads: with on, lazily loading an association of a row of a collection
// fails with ErrStrictLoading; with off, it queries.
func (r Relation[T]) StrictLoading(on bool) Relation[T] {
	r.q.strict = -1
	if on {
		r.q.strict = 1
	}
	return r
}

func (r Relation[T]) strictLoading() bool {
	if r.q.strict != 0 {
		return r.q.strict > 0
	}
	return r.db.cfg.StrictLoading
}

// Preload loads the named associations (as Relation.Preload) of records
// already in memory, one query per association and level.
func Preload[T any](ctx context.Context, ex Executor, records []T, paths ...string) error {
	db := ex.on()
	p, err := planFor[T](ctx, db)
	if err != nil {
		return err
	}
	return Query[T](db).Preload(paths...).runPreload(ctx, p, rowsOf(p, records))
}

// preloadNode is one association of a Preload tree with its nested ones.
type preloadNode struct {
	name     string
	children []*preloadNode
}

// preloadTree merges paths ("comments.author", "comments.likes") into a tree.
func preloadTree(paths []string) []*preloadNode {
	var roots []*preloadNode
	for _, path := range paths {
		level := &roots
		for _, name := range strings.Split(path, ".") {
			name = strings.TrimSpace(name)
			var n *preloadNode
			for _, c := range *level {
				if c.name == name {
					n = c
				}
			}
			if n == nil {
				n = &preloadNode{name: name}
				*level = append(*level, n)
			}
			level = &n.children
		}
	}
	return roots
}

func (r Relation[T]) runPreload(ctx context.Context, p *plan, rows rowSet) error {
	if rows.n == 0 {
		return nil
	}
	return preloadLevel(ctx, r.db, p, rows, preloadTree(r.q.preload))
}

// preloadLevel loads each association of nodes for the owner rows, its
// nested associations on the loaded rows, then stores them in the owners.
func preloadLevel(ctx context.Context, db *DB, p *plan, owners rowSet, nodes []*preloadNode) error {
	for _, n := range nodes {
		a := p.assocByName[n.name]
		if a == nil {
			return fmt.Errorf("record: Preload(%q): %s has no association %q: %w", n.name, p.name, n.name, ErrNoAssociation)
		}
		if err := a.preload(ctx, db, owners, n.children); err != nil {
			return err
		}
	}
	return nil
}

func (a *assoc) preload(ctx context.Context, db *DB, owners rowSet, children []*preloadNode) error {
	if a.kind == polymorphic {
		return a.preloadPoly(ctx, db, owners, children)
	}
	keys := uniqueKeys(owners, a.ownerKey)
	rs, groups, err := a.fetch(ctx, db, keys)
	if err != nil {
		return err
	}
	if len(children) > 0 && rs.n > 0 {
		if err := preloadLevel(ctx, db, a.tp, rs, children); err != nil {
			return err
		}
	}
	for i := range owners.n {
		base := owners.at(i)
		a.set(unsafe.Add(base, a.off), rs, groups[a.ownerKey(base)])
	}
	return nil
}
