package migrate

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// sqliteTable is a SQLite table as reflected for a rebuild: SQLite's ALTER
// TABLE cannot change a column or add or drop a constraint, so those steps
// create a new table, copy the rows, drop the old one, rename the new one
// and recreate the indexes (https://sqlite.org/lang_altertable.html#otheralter).
// The runner turns foreign key enforcement off around the migration and
// checks the whole database with PRAGMA foreign_key_check before commit.
//
// Columns (name, declared type, NOT NULL, default, primary key), foreign
// keys (with their names, as migrate writes them) and indexes survive a
// rebuild; CHECK and inline UNIQUE constraints, triggers and views that a
// raw Execute created do not.
type sqliteTable struct {
	name    string
	cols    []sqliteColumn
	autoinc bool
	fks     []*ForeignKeyDef
	indexes []sqliteIndex
	dropped []string // columns not copied
}

type sqliteColumn struct {
	name, def string // def: the full definition when replaced
	typ       string
	notNull   bool
	dflt      *string
	pk        int
}

type sqliteIndex struct {
	name, sql string
	columns   []string
}

func loadSQLiteTable(ctx context.Context, x *executor, name string) (*sqliteTable, error) {
	t := &sqliteTable{name: name}
	var tableSQL string
	err := x.queryRows(ctx, `SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?`, []any{name}, func(scan func(...any) error) error {
		return scan(&tableSQL)
	})
	if err != nil {
		return nil, err
	}
	if tableSQL == "" {
		return nil, fmt.Errorf("table %s does not exist", name)
	}
	t.autoinc = strings.Contains(strings.ToUpper(tableSQL), "AUTOINCREMENT")
	err = x.queryRows(ctx, `SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info(?) ORDER BY cid`, []any{name}, func(scan func(...any) error) error {
		var c sqliteColumn
		if err := scan(&c.name, &c.typ, &c.notNull, &c.dflt, &c.pk); err != nil {
			return err
		}
		t.cols = append(t.cols, c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	names := foreignKeyNames(tableSQL)
	err = x.queryRows(ctx, `SELECT "table", "from", on_delete FROM pragma_foreign_key_list(?) ORDER BY id, seq`, []any{name}, func(scan func(...any) error) error {
		f := &ForeignKeyDef{From: name}
		var onDelete string
		if err := scan(&f.To, &f.Column, &onDelete); err != nil {
			return err
		}
		f.Name = names[f.Column]
		if onDelete != "NO ACTION" {
			f.OnDelete = Action(onDelete)
		}
		t.fks = append(t.fks, f)
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = x.queryRows(ctx, `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name`, []any{name}, func(scan func(...any) error) error {
		var i sqliteIndex
		if err := scan(&i.name, &i.sql); err != nil {
			return err
		}
		t.indexes = append(t.indexes, i)
		return nil
	})
	if err != nil {
		return nil, err
	}
	for k := range t.indexes {
		i := &t.indexes[k]
		err = x.queryRows(ctx, `SELECT name FROM pragma_index_info(?) ORDER BY seqno`, []any{i.name}, func(scan func(...any) error) error {
			var c *string
			if err := scan(&c); err != nil {
				return err
			}
			if c != nil {
				i.columns = append(i.columns, *c)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return t, nil
}

// The two forms of named foreign keys migrate writes: a table constraint
// (CreateTable, rebuilds) and a column constraint (AddColumn).
var (
	fkTableRE  = regexp.MustCompile(`CONSTRAINT "((?:[^"]|"")+)" FOREIGN KEY \("((?:[^"]|"")+)"\)`)
	fkColumnRE = regexp.MustCompile(`(?m)^\s*"?((?:[^",]|"")+)"? [^,]*?CONSTRAINT "((?:[^"]|"")+)" REFERENCES`)
)

// foreignKeyNames maps columns to the names of their foreign keys in a
// CREATE TABLE statement, since SQLite does not report them.
func foreignKeyNames(tableSQL string) map[string]string {
	out := map[string]string{}
	unq := func(s string) string { return strings.ReplaceAll(s, `""`, `"`) }
	for _, m := range fkTableRE.FindAllStringSubmatch(tableSQL, -1) {
		out[unq(m[2])] = unq(m[1])
	}
	for _, line := range strings.Split(strings.ReplaceAll(tableSQL, ", ", ",\n"), "\n") {
		if m := fkColumnRE.FindStringSubmatch(line); m != nil {
			out[unq(strings.Trim(m[1], `"`))] = unq(m[2])
		}
	}
	return out
}

func (t *sqliteTable) find(name string) int {
	return slices.IndexFunc(t.cols, func(c sqliteColumn) bool { return c.name == name })
}

func (t *sqliteTable) dropColumn(name string) error {
	i := t.find(name)
	if i < 0 {
		return fmt.Errorf("table %s has no column %s", t.name, name)
	}
	t.cols = slices.Delete(t.cols, i, i+1)
	t.dropped = append(t.dropped, name)
	t.fks = slices.DeleteFunc(t.fks, func(f *ForeignKeyDef) bool { return f.Column == name })
	t.indexes = slices.DeleteFunc(t.indexes, func(ix sqliteIndex) bool { return slices.Contains(ix.columns, name) })
	return nil
}

func (t *sqliteTable) replaceColumn(name, def string) error {
	i := t.find(name)
	if i < 0 {
		return fmt.Errorf("table %s has no column %s", t.name, name)
	}
	t.cols[i].def = def
	return nil
}

func (t *sqliteTable) dropForeignKey(column string) error {
	n := len(t.fks)
	t.fks = slices.DeleteFunc(t.fks, func(f *ForeignKeyDef) bool { return f.Column == column })
	if len(t.fks) == n {
		return fmt.Errorf("table %s has no foreign key on %s", t.name, column)
	}
	return nil
}

// createSQL is the CREATE TABLE of the rebuilt table under name.
func (t *sqliteTable) createSQL(x *executor, name string) string {
	var defs, pk []string
	for _, c := range t.cols {
		if c.pk > 0 {
			pk = append(pk, c.name)
		}
	}
	for _, c := range t.cols {
		if c.def != "" {
			defs = append(defs, c.def)
			continue
		}
		s := x.d.Quote(c.name)
		if c.typ != "" {
			s += " " + c.typ
		}
		if len(pk) == 1 && c.pk > 0 {
			s += " PRIMARY KEY"
			if t.autoinc {
				s += " AUTOINCREMENT"
			}
		}
		if c.notNull {
			s += " NOT NULL"
		}
		if c.dflt != nil {
			s += " DEFAULT " + *c.dflt
		}
		defs = append(defs, s)
	}
	if len(pk) > 1 {
		defs = append(defs, "PRIMARY KEY ("+quoteList(x.d, pk)+")")
	}
	for _, f := range t.fks {
		defs = append(defs, foreignKeySQL(x.d, f))
	}
	return "CREATE TABLE " + x.d.Quote(name) + " (\n  " + strings.Join(defs, ",\n  ") + "\n)"
}

// rebuild recreates table after modify changed its reflected definition.
func rebuild(ctx context.Context, x *executor, table string, modify func(*sqliteTable) error) error {
	t, err := loadSQLiteTable(ctx, x, table)
	if err != nil {
		return err
	}
	if err := modify(t); err != nil {
		return err
	}
	tmp := "_gorails_new_" + table
	names := make([]string, len(t.cols))
	for i, c := range t.cols {
		names[i] = c.name
	}
	cols := quoteList(x.d, names)
	stmts := []string{
		t.createSQL(x, tmp),
		"INSERT INTO " + x.d.Quote(tmp) + " (" + cols + ") SELECT " + cols + " FROM " + x.d.Quote(table),
		"DROP TABLE " + x.d.Quote(table),
		"ALTER TABLE " + x.d.Quote(tmp) + " RENAME TO " + x.d.Quote(table),
	}
	for _, i := range t.indexes {
		stmts = append(stmts, i.sql)
	}
	return x.execAll(ctx, stmts)
}

// rebuilds reports whether st rebuilds a table on SQLite.
func rebuilds(st step) bool {
	switch st := st.(type) {
	case *changeColumn, *removeColumn, *addForeignKey, *removeForeignKey:
		return true
	case *reversible:
		return slices.ContainsFunc(st.up, rebuilds)
	}
	return false
}
