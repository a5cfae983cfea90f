package migrate

import (
	"context"
	"fmt"
	"strings"

	"github.com/gorails/gorails/framework/record"
	"github.com/gorails/gorails/framework/record/driver"
)

// step is one recorded operation of a migration.
type step interface {
	String() string
	// inverse is the step that undoes this one inside a Change.
	inverse() (step, error)
	run(ctx context.Context, x *executor) error
}

var (
	_ step = (*createTable)(nil)
	_ step = (*dropTable)(nil)
	_ step = (*renameTable)(nil)
	_ step = (*addColumn)(nil)
	_ step = (*removeColumn)(nil)
	_ step = (*renameColumn)(nil)
	_ step = (*changeColumn)(nil)
	_ step = (*addIndex)(nil)
	_ step = (*removeIndex)(nil)
	_ step = (*addForeignKey)(nil)
	_ step = (*removeForeignKey)(nil)
	_ step = (*execute)(nil)
	_ step = (*reversible)(nil)
)

func irreversible(s step) error { return fmt.Errorf("%s cannot be reversed: %w", s, ErrIrreversible) }

// executor runs a migration's statements on the DB or the migration's
// transaction (record logs each one), remembering the statement being run
// so that a failure can name it.
type executor struct {
	d    *driver.Dialect
	q    record.Executor
	last string
	ran  []string // statements that succeeded since the last step ended
}

func (x *executor) exec(ctx context.Context, sql string) error {
	x.last = sql
	_, err := x.q.Exec(ctx, sql) // no binds: sent as written
	if err == nil {
		x.ran = append(x.ran, sql)
	}
	return err
}

// queryRows runs a query with ? binds and calls fn per row.
func (x *executor) queryRows(ctx context.Context, sql string, args []any, fn func(scan func(...any) error) error) error {
	x.last = sql
	return x.q.QueryRows(ctx, sql, args, fn)
}

func (x *executor) execAll(ctx context.Context, stmts []string) error {
	for _, s := range stmts {
		if err := x.exec(ctx, s); err != nil {
			return err
		}
	}
	return nil
}

type createTable struct{ table *Table }

func (s *createTable) String() string { return describe("create_table", s.table.Name) }
func (s *createTable) inverse() (step, error) {
	return &dropTable{name: s.table.Name, table: s.table}, nil
}
func (s *createTable) run(ctx context.Context, x *executor) error {
	stmts, err := createTableSQL(x.d, s.table)
	if err != nil {
		return err
	}
	return x.execAll(ctx, stmts)
}

type dropTable struct {
	name  string
	table *Table // nil: irreversible
}

func (s *dropTable) String() string { return describe("drop_table", s.name) }
func (s *dropTable) inverse() (step, error) {
	if s.table == nil {
		return nil, irreversible(s)
	}
	return &createTable{table: s.table}, nil
}
func (s *dropTable) run(ctx context.Context, x *executor) error {
	return x.exec(ctx, "DROP TABLE "+x.d.Quote(s.name))
}

type renameTable struct{ from, to string }

func (s *renameTable) String() string         { return describe("rename_table", s.from, s.to) }
func (s *renameTable) inverse() (step, error) { return &renameTable{from: s.to, to: s.from}, nil }
func (s *renameTable) run(ctx context.Context, x *executor) error {
	sql := "ALTER TABLE " + x.d.Quote(s.from) + " RENAME TO " + x.d.Quote(s.to)
	if x.d.Name == record.MySQL {
		sql = "RENAME TABLE " + x.d.Quote(s.from) + " TO " + x.d.Quote(s.to)
	}
	if err := x.exec(ctx, sql); err != nil {
		return err
	}
	return renameDefaultIndexes(ctx, x, s.from, s.to)
}

// renameDefaultIndexes renames the indexes of table (now named to) that
// carry the default name for its old name, index_FROM_on_..., as Rails
// does, so that later steps find them by their default name.
func renameDefaultIndexes(ctx context.Context, x *executor, from, to string) error {
	sql := `SELECT indexname, '' FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ? ORDER BY indexname`
	switch x.d.Name {
	case record.MySQL:
		sql = `SELECT DISTINCT index_name, '' FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = ? ORDER BY index_name`
	case record.SQLite:
		sql = `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name`
	}
	type index struct{ name, sql string }
	var found []index
	err := x.queryRows(ctx, sql, []any{to}, func(scan func(...any) error) error {
		var i index
		if err := scan(&i.name, &i.sql); err != nil {
			return err
		}
		if strings.HasPrefix(i.name, "index_"+from+"_on_") {
			found = append(found, i)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, i := range found {
		name := "index_" + to + "_on_" + strings.TrimPrefix(i.name, "index_"+from+"_on_")
		var stmts []string
		switch x.d.Name {
		case record.PostgreSQL:
			stmts = []string{"ALTER INDEX " + x.d.Quote(i.name) + " RENAME TO " + x.d.Quote(name)}
		case record.MySQL:
			stmts = []string{"ALTER TABLE " + x.d.Quote(to) + " RENAME INDEX " + x.d.Quote(i.name) + " TO " + x.d.Quote(name)}
		default: // SQLite cannot rename an index: recreate it under the new name
			stmts = []string{"DROP INDEX " + x.d.Quote(i.name), strings.Replace(i.sql, x.d.Quote(i.name), x.d.Quote(name), 1)}
		}
		if err := x.execAll(ctx, stmts); err != nil {
			return err
		}
	}
	return nil
}

type addColumn struct {
	table string
	col   *Column
}

func (s *addColumn) String() string { return describe("add_column", s.table, s.col.Name, s.col.Type) }
func (s *addColumn) inverse() (step, error) {
	return &removeColumn{table: s.table, name: s.col.Name, col: s.col}, nil
}
func (s *addColumn) run(ctx context.Context, x *executor) error {
	def, err := columnSQL(x.d, s.col)
	if err != nil {
		return err
	}
	var fk *ForeignKeyDef
	if s.col.ForeignKey {
		fk = &ForeignKeyDef{From: s.table, To: s.col.References, Column: s.col.Name, OnDelete: s.col.OnDelete}
		if x.d.Name == record.SQLite { // a column constraint is the only way to add one
			def += " CONSTRAINT " + x.d.Quote(fk.name()) + " REFERENCES " + x.d.Quote(fk.To) + " (" + x.d.Quote("id") + ")"
			if fk.OnDelete != "" {
				def += " ON DELETE " + string(fk.OnDelete)
			}
			fk = nil
		}
	}
	stmts := []string{"ALTER TABLE " + x.d.Quote(s.table) + " ADD " + def}
	if s.col.Index && !s.col.NoIndex {
		is, err := createIndexSQL(x.d, &IndexDef{Table: s.table, Columns: []string{s.col.Name}, Unique: s.col.Unique})
		if err != nil {
			return err
		}
		stmts = append(stmts, is)
	}
	if fk != nil {
		stmts = append(stmts, "ALTER TABLE "+x.d.Quote(s.table)+" ADD "+foreignKeySQL(x.d, fk))
	}
	return x.execAll(ctx, stmts)
}

type removeColumn struct {
	table, name string
	col         *Column // nil: irreversible
}

func (s *removeColumn) String() string { return describe("remove_column", s.table, s.name) }
func (s *removeColumn) inverse() (step, error) {
	if s.col == nil {
		return nil, irreversible(s)
	}
	return &addColumn{table: s.table, col: s.col}, nil
}
func (s *removeColumn) run(ctx context.Context, x *executor) error {
	switch x.d.Name {
	case record.SQLite:
		return rebuild(ctx, x, s.table, func(t *sqliteTable) error { return t.dropColumn(s.name) })
	case record.MySQL: // MySQL refuses to drop a column a foreign key uses
		names, err := mysqlForeignKeysOn(ctx, x, s.table, s.name)
		if err != nil {
			return err
		}
		for _, n := range names {
			if err := x.exec(ctx, "ALTER TABLE "+x.d.Quote(s.table)+" DROP FOREIGN KEY "+x.d.Quote(n)); err != nil {
				return err
			}
		}
	}
	return x.exec(ctx, "ALTER TABLE "+x.d.Quote(s.table)+" DROP COLUMN "+x.d.Quote(s.name))
}

func mysqlForeignKeysOn(ctx context.Context, x *executor, table, column string) ([]string, error) {
	var out []string
	err := x.queryRows(ctx, `SELECT constraint_name FROM information_schema.key_column_usage
WHERE table_schema = DATABASE() AND table_name = ? AND column_name = ? AND referenced_table_name IS NOT NULL ORDER BY constraint_name`, []any{table, column}, func(scan func(...any) error) error {
		var n string
		err := scan(&n)
		out = append(out, n)
		return err
	})
	return out, err
}

type renameColumn struct{ table, from, to string }

func (s *renameColumn) String() string { return describe("rename_column", s.table, s.from, s.to) }
func (s *renameColumn) inverse() (step, error) {
	return &renameColumn{table: s.table, from: s.to, to: s.from}, nil
}
func (s *renameColumn) run(ctx context.Context, x *executor) error {
	return x.exec(ctx, "ALTER TABLE "+x.d.Quote(s.table)+" RENAME COLUMN "+x.d.Quote(s.from)+" TO "+x.d.Quote(s.to))
}

type changeColumn struct {
	table string
	col   *Column
}

func (s *changeColumn) String() string {
	return describe("change_column", s.table, s.col.Name, s.col.Type)
}
func (s *changeColumn) inverse() (step, error) { return nil, irreversible(s) }
func (s *changeColumn) run(ctx context.Context, x *executor) error {
	def, err := columnSQL(x.d, s.col)
	if err != nil {
		return err
	}
	tbl, col := x.d.Quote(s.table), x.d.Quote(s.col.Name)
	switch x.d.Name {
	case record.SQLite:
		return rebuild(ctx, x, s.table, func(t *sqliteTable) error { return t.replaceColumn(s.col.Name, def) })
	case record.MySQL:
		return x.exec(ctx, "ALTER TABLE "+tbl+" MODIFY "+def)
	}
	typ, _ := sqlType(x.d, s.col)
	alter := "ALTER TABLE " + tbl + " ALTER COLUMN " + col
	stmts := []string{alter + " DROP DEFAULT", alter + " TYPE " + typ + " USING " + col + "::" + typ}
	if s.col.NotNull {
		stmts = append(stmts, alter+" SET NOT NULL")
	} else {
		stmts = append(stmts, alter+" DROP NOT NULL")
	}
	switch {
	case s.col.DefaultSQL != "":
		stmts = append(stmts, alter+" SET DEFAULT "+s.col.DefaultSQL)
	case s.col.HasDefault:
		lit, err := literal(x.d, s.col.Default)
		if err != nil {
			return err
		}
		stmts = append(stmts, alter+" SET DEFAULT "+lit)
	}
	return x.execAll(ctx, stmts)
}

type addIndex struct{ idx *IndexDef }

func (s *addIndex) String() string         { return describe("add_index", s.idx.Table, s.idx.Columns) }
func (s *addIndex) inverse() (step, error) { return &removeIndex{idx: s.idx}, nil }
func (s *addIndex) run(ctx context.Context, x *executor) error {
	sql, err := createIndexSQL(x.d, s.idx)
	if err != nil {
		return err
	}
	return x.exec(ctx, sql)
}

type removeIndex struct{ idx *IndexDef }

func (s *removeIndex) String() string { return describe("remove_index", s.idx.Table, s.idx.name()) }
func (s *removeIndex) inverse() (step, error) {
	if len(s.idx.Columns) == 0 {
		return nil, irreversible(s)
	}
	return &addIndex{idx: s.idx}, nil
}
func (s *removeIndex) run(ctx context.Context, x *executor) error {
	return x.exec(ctx, dropIndexSQL(x.d, s.idx))
}

type addForeignKey struct{ fk *ForeignKeyDef }

func (s *addForeignKey) String() string {
	return describe("add_foreign_key", s.fk.From, s.fk.To)
}
func (s *addForeignKey) inverse() (step, error) { return &removeForeignKey{fk: s.fk}, nil }
func (s *addForeignKey) run(ctx context.Context, x *executor) error {
	if x.d.Name == record.SQLite {
		return rebuild(ctx, x, s.fk.From, func(t *sqliteTable) error { t.fks = append(t.fks, s.fk); return nil })
	}
	return x.exec(ctx, "ALTER TABLE "+x.d.Quote(s.fk.From)+" ADD "+foreignKeySQL(x.d, s.fk))
}

type removeForeignKey struct{ fk *ForeignKeyDef }

func (s *removeForeignKey) String() string {
	return describe("remove_foreign_key", s.fk.From, s.fk.To)
}
func (s *removeForeignKey) inverse() (step, error) { return &addForeignKey{fk: s.fk}, nil }
func (s *removeForeignKey) run(ctx context.Context, x *executor) error {
	switch x.d.Name {
	case record.SQLite:
		return rebuild(ctx, x, s.fk.From, func(t *sqliteTable) error { return t.dropForeignKey(s.fk.Column) })
	case record.MySQL:
		return x.exec(ctx, "ALTER TABLE "+x.d.Quote(s.fk.From)+" DROP FOREIGN KEY "+x.d.Quote(s.fk.name()))
	}
	return x.exec(ctx, "ALTER TABLE "+x.d.Quote(s.fk.From)+" DROP CONSTRAINT "+x.d.Quote(s.fk.name()))
}

type execute struct{ sql string }

func (s *execute) String() string                             { return describe("execute", truncate(s.sql, 60)) }
func (s *execute) inverse() (step, error)                     { return nil, irreversible(s) }
func (s *execute) run(ctx context.Context, x *executor) error { return x.exec(ctx, s.sql) }

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

type reversible struct{ up, down []step }

func (s *reversible) String() string         { return describe("reversible", len(s.up), len(s.down)) }
func (s *reversible) inverse() (step, error) { return &reversible{up: s.down, down: s.up}, nil }
func (s *reversible) run(ctx context.Context, x *executor) error {
	for _, st := range s.up {
		if err := st.run(ctx, x); err != nil {
			return fmt.Errorf("%s: %w", st, err)
		}
	}
	return nil
}

// invert returns the steps that undo steps, last first.
func invert(steps []step) ([]step, error) {
	out := make([]step, 0, len(steps))
	for i := len(steps) - 1; i >= 0; i-- {
		inv, err := steps[i].inverse()
		if err != nil {
			return nil, err
		}
		out = append(out, inv)
	}
	return out, nil
}
