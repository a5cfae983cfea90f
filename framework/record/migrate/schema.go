package migrate

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/gorails/gorails/framework/record"
	"github.com/gorails/gorails/framework/record/driver"
	"github.com/gorails/gorails/framework/record/internal/sqlscan"
)

// schemaHeader starts every dump.
const schemaHeader = "-- This file is generated from the database by gorails after each migration\n" +
	"-- (migrate.DumpSchema). Change the schema with migrations, not by editing it;\n" +
	"-- db:schema:load (migrate.LoadSchema) recreates the database from it.\n"

// DumpSchema writes the database's schema as SQL: each table's CREATE
// TABLE, then its indexes, then the foreign keys, then the versions in
// schema_migrations, all sorted by name so that the same schema always
// gives the same text. The text is for the same kind of database only.
func DumpSchema(ctx context.Context, db *record.DB) (string, error) {
	d := db.Dialect()
	tables, err := record.Tables(ctx, db)
	if err != nil {
		return "", fmt.Errorf("migrate: dump schema: %w", err)
	}
	slices.Sort(tables)
	var b strings.Builder
	b.WriteString(schemaHeader)
	b.WriteString("-- adapter: " + d.Name + "\n\n")
	switch d.Name {
	case record.PostgreSQL:
		err = dumpPostgres(ctx, db, &d, tables, &b)
	case record.MySQL:
		err = dumpMySQL(ctx, db, &d, tables, &b)
	case record.SQLite:
		err = dumpSQLite(ctx, db, &b)
	default:
		err = supported(d)
	}
	if err != nil {
		return "", fmt.Errorf("migrate: dump schema: %w", err)
	}
	versions, err := appliedVersions(ctx, db)
	if err != nil {
		return "", err
	}
	if vs := descending(versions); len(vs) > 0 {
		slices.Reverse(vs)
		b.WriteString("INSERT INTO " + d.Quote(TableName) + " (" + d.Quote("version") + ") VALUES\n")
		for i, v := range vs {
			if i > 0 {
				b.WriteString(",\n")
			}
			b.WriteString("('" + strconv.FormatInt(v, 10) + "')")
		}
		b.WriteString(";\n")
	}
	return b.String(), nil
}

// DumpSchemaFile writes DumpSchema's text to path (through a temporary
// file and a rename, so a reader never sees half a schema).
func DumpSchemaFile(ctx context.Context, db *record.DB, path string) error {
	s, err := DumpSchema(ctx, db)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("migrate: dump schema: %w", err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(s), 0o644); err != nil {
		return fmt.Errorf("migrate: dump schema: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("migrate: dump schema: %w", err)
	}
	return nil
}

// collect runs a query and returns each row's columns as strings (NULL as "").
func collect(ctx context.Context, q record.Executor, sql string, args []any, ncols int) ([][]string, error) {
	var out [][]string
	err := q.QueryRows(ctx, sql, args, func(scan func(...any) error) error {
		vals := make([]*string, ncols)
		dest := make([]any, ncols)
		for i := range vals {
			dest[i] = &vals[i]
		}
		if err := scan(dest...); err != nil {
			return err
		}
		row := make([]string, ncols)
		for i, v := range vals {
			if v != nil {
				row[i] = *v
			}
		}
		out = append(out, row)
		return nil
	})
	return out, err
}

func dumpSQLite(ctx context.Context, q record.Executor, b *strings.Builder) error {
	rows, err := collect(ctx, q, `SELECT type, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%'
ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 ELSE 2 END, name`, nil, 2)
	if err != nil {
		return err
	}
	for _, r := range rows {
		b.WriteString(r[1] + ";\n")
		if r[0] == "table" {
			b.WriteString("\n")
		}
	}
	if len(rows) > 0 && rows[len(rows)-1][0] != "table" {
		b.WriteString("\n")
	}
	return nil
}

var autoIncrementRE = regexp.MustCompile(` AUTO_INCREMENT=\d+`)

func dumpMySQL(ctx context.Context, q record.Executor, d *driver.Dialect, tables []string, b *strings.Builder) error {
	b.WriteString("SET FOREIGN_KEY_CHECKS = 0;\n\n")
	for _, t := range tables {
		rows, err := collect(ctx, q, "SHOW CREATE TABLE "+d.Quote(t), nil, 2)
		if err != nil {
			return err
		}
		if len(rows) != 1 {
			return fmt.Errorf("SHOW CREATE TABLE %s returned %d rows", t, len(rows))
		}
		b.WriteString(autoIncrementRE.ReplaceAllString(rows[0][1], "") + ";\n\n")
	}
	b.WriteString("SET FOREIGN_KEY_CHECKS = 1;\n\n")
	return nil
}

func dumpPostgres(ctx context.Context, q record.Executor, d *driver.Dialect, tables []string, b *strings.Builder) error {
	var fks []string
	for _, t := range tables {
		rel := d.Quote(t)
		cols, err := collect(ctx, q, `SELECT a.attname, format_type(a.atttypid, a.atttypmod), CASE WHEN a.attnotnull THEN 't' ELSE 'f' END,
  pg_get_expr(ad.adbin, ad.adrelid), a.attidentity::text
FROM pg_attribute a LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
WHERE a.attrelid = ?::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`, []any{rel}, 5)
		if err != nil {
			return err
		}
		var defs []string
		for _, c := range cols {
			if serial, ok := serialType(t, c[0], c[1], c[3]); ok {
				// A serial column (Rails' bigserial ids) owns its sequence:
				// dumped as serial, loading recreates it.
				c[1], c[3] = serial, ""
			}
			s := d.Quote(c[0]) + " " + c[1]
			switch c[4] {
			case "d":
				s += " GENERATED BY DEFAULT AS IDENTITY"
			case "a":
				s += " GENERATED ALWAYS AS IDENTITY"
			}
			if c[2] == "t" {
				s += " NOT NULL"
			}
			if c[3] != "" {
				s += " DEFAULT " + c[3]
			}
			defs = append(defs, s)
		}
		cons, err := collect(ctx, q, `SELECT conname, pg_get_constraintdef(oid), contype::text FROM pg_constraint
WHERE conrelid = ?::regclass ORDER BY contype, conname`, []any{rel}, 3)
		if err != nil {
			return err
		}
		for _, c := range cons {
			def := "CONSTRAINT " + d.Quote(c[0]) + " " + c[1]
			if c[2] == "f" {
				fks = append(fks, "ALTER TABLE ONLY "+rel+" ADD "+def+";\n")
				continue
			}
			defs = append(defs, def)
		}
		b.WriteString("CREATE TABLE " + rel + " (\n  " + strings.Join(defs, ",\n  ") + "\n);\n")
		idx, err := collect(ctx, q, `SELECT indexdef FROM pg_indexes i WHERE schemaname = current_schema() AND tablename = ?
AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname AND c.conrelid = ?::regclass)
ORDER BY indexname`, []any{t, rel}, 1)
		if err != nil {
			return err
		}
		for _, i := range idx {
			b.WriteString(i[0] + ";\n")
		}
		b.WriteString("\n")
	}
	slices.Sort(fks)
	for _, f := range fks {
		b.WriteString(f)
	}
	if len(fks) > 0 {
		b.WriteString("\n")
	}
	return nil
}

// serialType is the serial type a column declared serial (as Rails'
// bigserial primary keys are) dumps as: its default takes the next value
// of the sequence PostgreSQL named after it, table_column_seq.
func serialType(table, column, typ, def string) (string, bool) {
	seq, ok := strings.CutPrefix(def, "nextval('")
	if !ok {
		return "", false
	}
	seq, ok = strings.CutSuffix(seq, "'::regclass)")
	if !ok || strings.Trim(seq, `"`) != table+"_"+column+"_seq" {
		return "", false
	}
	switch typ {
	case "bigint":
		return "bigserial", true
	case "integer":
		return "serial", true
	case "smallint":
		return "smallserial", true
	}
	return "", false
}

// LoadSchema runs the statements of a schema dump (DumpSchema's text) in
// one transaction on one connection. The database should be empty (see
// Reset). On PostgreSQL and SQLite a failure leaves it as it was.
func LoadSchema(ctx context.Context, db *record.DB, schema string) error {
	_, err := loadSchema(ctx, db, schema, false)
	return err
}

// loadSchema is LoadSchema; with ifEmpty it first lists the tables inside
// its transaction and loads nothing (false) when there are any. On SQLite
// that transaction is immediate, so of two processes preparing one
// database only the first loads it; PostgreSQL and MySQL rely on the
// migrator lock its caller holds.
func loadSchema(ctx context.Context, db *record.DB, schema string, ifEmpty bool) (bool, error) {
	tx, err := db.Begin(ctx)
	if err != nil {
		return false, fmt.Errorf("migrate: load schema: %w", err)
	}
	if ifEmpty {
		tables, err := record.Tables(ctx, tx)
		if err != nil || len(tables) > 0 {
			rerr := tx.Rollback(context.WithoutCancel(ctx))
			if err != nil {
				return false, fmt.Errorf("migrate: load schema: %w", errors.Join(err, rerr))
			}
			return false, nil
		}
	}
	for _, s := range splitStatements(schema, db.Dialect().BackslashEscapes) {
		if _, err := tx.Exec(ctx, s); err != nil {
			if db.Adapter() == record.MySQL { // the connection goes back to the pool: restore the dump's session setting
				_, _ = tx.Exec(context.WithoutCancel(ctx), "SET FOREIGN_KEY_CHECKS = 1")
			}
			rerr := tx.Rollback(context.WithoutCancel(ctx))
			return false, fmt.Errorf("migrate: load schema: statement %q: %w", truncate(s, 300), errors.Join(err, rerr))
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return false, fmt.Errorf("migrate: load schema: %w", err)
	}
	return true, nil
}

// LoadSchemaFile is LoadSchema on the file at path.
func LoadSchemaFile(ctx context.Context, db *record.DB, path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("migrate: load schema: %w", err)
	}
	return LoadSchema(ctx, db, string(data))
}

// SplitStatements splits SQL text on the semicolons that end statements,
// ignoring those inside quoted strings and identifiers ('...', "...",
// `...`; a backslash escapes a quote, as MySQL reads it), dollar-quoted
// bodies ($tag$...$tag$) and comments. Statements are trimmed; empty and
// comment-only ones are dropped.
func SplitStatements(sql string) []string { return splitStatements(sql, true) }

// splitStatements is SplitStatements for a dialect: backslash says whether
// a backslash escapes a quote inside '...'.
func splitStatements(sql string, backslash bool) []string {
	var out []string
	start, code := 0, false // code: the statement has more than comments and spaces
	for i := 0; i < len(sql); {
		k, n := sqlscan.Next(sql[i:], backslash)
		tok := sql[i : i+n]
		switch {
		case k == sqlscan.Text:
			if j := strings.IndexByte(tok, ';'); j >= 0 {
				if code || strings.TrimSpace(tok[:j]) != "" {
					out = append(out, strings.TrimSpace(sql[start:i+j]))
				}
				i += j + 1
				start, code = i, false
				continue
			}
			code = code || strings.TrimSpace(tok) != ""
		case k != sqlscan.Comment:
			code = true
		}
		i += n
	}
	if code {
		out = append(out, strings.TrimSpace(sql[start:]))
	}
	return out
}
