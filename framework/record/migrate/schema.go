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
	"github.com/gorails/gorails/framework/record/internal/adapter"
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
	a := db.Conn()
	d := a.Dialect()
	tables, err := a.Tables(ctx, a)
	if err != nil {
		return "", fmt.Errorf("migrate: dump schema: %w", err)
	}
	slices.Sort(tables)
	var b strings.Builder
	b.WriteString(schemaHeader)
	b.WriteString("-- adapter: " + d.Name + "\n\n")
	switch d {
	case adapter.Postgres:
		err = dumpPostgres(ctx, a, tables, &b)
	case adapter.MySQL:
		err = dumpMySQL(ctx, a, tables, &b)
	default:
		err = dumpSQLite(ctx, a, &b)
	}
	if err != nil {
		return "", fmt.Errorf("migrate: dump schema: %w", err)
	}
	versions, err := appliedVersions(ctx, a, a)
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
func collect(ctx context.Context, q adapter.Querier, sql string, args []any, ncols int) ([][]string, error) {
	rows, err := q.Query(ctx, sql, args)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][]string
	for rows.Next() {
		vals := make([]*string, ncols)
		dest := make([]any, ncols)
		for i := range vals {
			dest[i] = &vals[i]
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		row := make([]string, ncols)
		for i, v := range vals {
			if v != nil {
				row[i] = *v
			}
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, rows.Close()
}

func dumpSQLite(ctx context.Context, q adapter.Querier, b *strings.Builder) error {
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

func dumpMySQL(ctx context.Context, q adapter.Querier, tables []string, b *strings.Builder) error {
	b.WriteString("SET FOREIGN_KEY_CHECKS = 0;\n\n")
	for _, t := range tables {
		rows, err := collect(ctx, q, "SHOW CREATE TABLE "+adapter.MySQL.Quote(t), nil, 2)
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

func dumpPostgres(ctx context.Context, q adapter.Querier, tables []string, b *strings.Builder) error {
	d := adapter.Postgres
	var fks []string
	for _, t := range tables {
		rel := d.Quote(t)
		cols, err := collect(ctx, q, `SELECT a.attname, format_type(a.atttypid, a.atttypmod), CASE WHEN a.attnotnull THEN 't' ELSE 'f' END,
  pg_get_expr(ad.adbin, ad.adrelid), a.attidentity::text
FROM pg_attribute a LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`, []any{rel}, 5)
		if err != nil {
			return err
		}
		var defs []string
		for _, c := range cols {
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
WHERE conrelid = $1::regclass ORDER BY contype, conname`, []any{rel}, 3)
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
		idx, err := collect(ctx, q, `SELECT indexdef FROM pg_indexes i WHERE schemaname = current_schema() AND tablename = $1
AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname AND c.conrelid = $2::regclass)
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

// LoadSchema runs the statements of a schema dump (DumpSchema's text) in
// one transaction on one connection. The database should be empty (see
// Reset). On PostgreSQL and SQLite a failure leaves it as it was.
func LoadSchema(ctx context.Context, db *record.DB, schema string) error {
	a := db.Conn()
	tx, err := a.Begin(ctx)
	if err != nil {
		return fmt.Errorf("migrate: load schema: %w", err)
	}
	for _, s := range SplitStatements(schema) {
		if _, err := tx.Exec(ctx, s, nil); err != nil {
			if a.Dialect() == adapter.MySQL { // the connection goes back to the pool: restore the dump's session setting
				_, _ = tx.Exec(context.WithoutCancel(ctx), "SET FOREIGN_KEY_CHECKS = 1", nil)
			}
			rerr := tx.Rollback(context.WithoutCancel(ctx))
			return fmt.Errorf("migrate: load schema: statement %q: %w", truncate(s, 300), errors.Join(err, rerr))
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("migrate: load schema: %w", err)
	}
	return nil
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
// `...`), dollar-quoted bodies ($tag$...$tag$) and comments. Statements
// are trimmed; empty and comment-only ones are dropped.
func SplitStatements(sql string) []string {
	var out []string
	var cur strings.Builder
	onlyComments := true
	flush := func() {
		if s := strings.TrimSpace(cur.String()); s != "" && !onlyComments {
			out = append(out, s)
		}
		cur.Reset()
		onlyComments = true
	}
	for i := 0; i < len(sql); i++ {
		c := sql[i]
		switch {
		case c == ';':
			flush()
			continue
		case c == '-' && i+1 < len(sql) && sql[i+1] == '-':
			j := strings.IndexByte(sql[i:], '\n')
			if j < 0 {
				j = len(sql) - i
			}
			cur.WriteString(sql[i : i+j])
			i += j - 1
			continue
		case c == '/' && i+1 < len(sql) && sql[i+1] == '*':
			j := strings.Index(sql[i+2:], "*/")
			end := len(sql)
			if j >= 0 {
				end = i + 2 + j + 2
			}
			cur.WriteString(sql[i:end])
			i = end - 1
			continue
		case c == '\'' || c == '"' || c == '`':
			j := i + 1
			for j < len(sql) {
				if sql[j] == c {
					if j+1 < len(sql) && sql[j+1] == c { // doubled quote
						j += 2
						continue
					}
					break
				}
				if sql[j] == '\\' && c == '\'' && j+1 < len(sql) { // MySQL's backslash escapes
					j++
				}
				j++
			}
			end := min(j+1, len(sql))
			cur.WriteString(sql[i:end])
			i = end - 1
		case c == '$':
			if tag, ok := dollarTag(sql[i:]); ok {
				j := strings.Index(sql[i+len(tag):], tag)
				end := len(sql)
				if j >= 0 {
					end = i + len(tag) + j + len(tag)
				}
				cur.WriteString(sql[i:end])
				i = end - 1
			} else {
				cur.WriteByte(c)
			}
		default:
			cur.WriteByte(c)
		}
		if c != ' ' && c != '\n' && c != '\t' && c != '\r' {
			onlyComments = false
		}
	}
	flush()
	return out
}

// dollarTag returns the $tag$ that s starts with.
func dollarTag(s string) (string, bool) {
	for j := 1; j < len(s); j++ {
		c := s[j]
		switch {
		case c == '$':
			return s[:j+1], true
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || (j > 1 && c >= '0' && c <= '9'):
		default:
			return "", false
		}
	}
	return "", false
}
