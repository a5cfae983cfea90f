package record

import (
	"context"
	"fmt"
	"regexp"

	"github.com/gorails/gorails/framework/record/driver"
)

// assocNameRE matches what Joins takes as an association name rather than SQL.
var assocNameRE = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// checkJoin resolves the association a Joins names (ErrNoAssociation when
// there is none), so that build can write its SQL.
func (p *plan) checkJoin(ctx context.Context, db *DB, name string) error {
	a := p.assocByName[name]
	if a == nil {
		return fmt.Errorf("record: Joins(%q): %s has no association %q: %w", name, p.name, name, ErrNoAssociation)
	}
	if a.kind == polymorphic {
		return fmt.Errorf("record: Joins(%q): cannot join a polymorphic association: %w", name, ErrNoAssociation)
	}
	return a.resolve(ctx, db)
}

// join is the INNER JOIN of a resolved association, from the owner's table.
func (a *assoc) join(d *driver.Dialect) clause {
	owner := a.owner.table
	switch a.kind {
	case belongsTo:
		return clause{sql: "INNER JOIN " + a.tp.qtable + " ON " + d.Quote(a.tp.table+".id") + " = " + d.Quote(owner+"."+a.fk.column)}
	case hasManyThrough:
		via := a.via.join(d)
		src := a.src
		return clause{
			sql:   via.sql + " INNER JOIN " + a.tp.qtable + " ON " + d.Quote(a.tp.table+".id") + " = " + d.Quote(src.owner.table+"."+src.fk.column),
			args:  via.args,
			names: via.names,
		}
	}
	c := clause{sql: "INNER JOIN " + a.tp.qtable + " ON " + d.Quote(a.tp.table+"."+a.tfk.column) + " = " + d.Quote(owner+".id")}
	if a.ttyp != nil {
		c.sql += " AND " + d.Quote(a.tp.table+"."+a.ttyp.column) + " = ?"
		c.args, c.names = []any{a.owner.name}, []string{a.ttyp.column}
	}
	return c
}
