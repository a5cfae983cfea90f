package adapter

import (
	"errors"
	"fmt"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
)

func TestRebind(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, pg, other string }{
		{"a = ?", "a = $1", "a = ?"},
		{"a = ? AND b IN (?, ?)", "a = $1 AND b IN ($2, $3)", "a = ? AND b IN (?, ?)"},
		{"a = '?' AND b = ?", "a = '?' AND b = $1", "a = '?' AND b = ?"},
		{`"we?ird" = ?`, `"we?ird" = $1`, `"we?ird" = ?`},
		{"no binds", "no binds", "no binds"},
	}
	for _, tt := range tests {
		if got := Postgres.Rebind(tt.in); got != tt.pg {
			t.Errorf("Postgres.Rebind(%q) = %q, want %q", tt.in, got, tt.pg)
		}
		if got := MySQL.Rebind(tt.in); got != tt.other {
			t.Errorf("MySQL.Rebind(%q) = %q", tt.in, got)
		}
	}
}

func TestQuote(t *testing.T) {
	t.Parallel()
	tests := []struct {
		d    *Dialect
		in   string
		want string
	}{
		{Postgres, "posts", `"posts"`},
		{Postgres, "posts.title", `"posts"."title"`},
		{Postgres, `we"ird`, `"we""ird"`},
		{MySQL, "posts.title", "`posts`.`title`"},
		{MySQL, "we`ird", "`we``ird`"},
		{SQLite, "posts.*", `"posts".*`},
	}
	for _, tt := range tests {
		if got := tt.d.Quote(tt.in); got != tt.want {
			t.Errorf("%s.Quote(%q) = %s, want %s", tt.d.Name, tt.in, got, tt.want)
		}
	}
}

func TestUpsert(t *testing.T) {
	t.Parallel()
	tests := []struct {
		d             *Dialect
		conflict, upd []string
		want          string
	}{
		{Postgres, []string{"email"}, []string{"name"}, ` ON CONFLICT ("email") DO UPDATE SET "name" = EXCLUDED."name"`},
		{SQLite, []string{"a", "b"}, nil, ` ON CONFLICT ("a", "b") DO NOTHING`},
		{MySQL, []string{"email"}, []string{"name", "age"}, " ON DUPLICATE KEY UPDATE `name` = VALUES(`name`), `age` = VALUES(`age`)"},
		{MySQL, []string{"email"}, nil, " ON DUPLICATE KEY UPDATE `email` = `email`"},
	}
	for _, tt := range tests {
		if got := tt.d.Upsert(tt.conflict, tt.upd); got != tt.want {
			t.Errorf("%s.Upsert = %s, want %s", tt.d.Name, got, tt.want)
		}
	}
}

func TestClassify(t *testing.T) {
	t.Parallel()
	pg, my := &pg{}, &sqlDB{classify: classifyMySQL}
	tests := []struct {
		name string
		a    Adapter
		err  error
		want Kind
	}{
		{"pg unique", pg, &pgconn.PgError{Code: "23505"}, KindUnique},
		{"pg not null", pg, &pgconn.PgError{Code: "23502"}, KindNotNull},
		{"pg foreign key", pg, &pgconn.PgError{Code: "23503"}, KindForeignKey},
		{"pg deadlock", pg, &pgconn.PgError{Code: "40P01"}, KindDeadlock},
		{"pg serialization failure", pg, fmt.Errorf("wrapped: %w", &pgconn.PgError{Code: "40001"}), KindDeadlock},
		{"pg other", pg, errors.New("x"), KindUnknown},
		{"mysql duplicate", my, &mysql.MySQLError{Number: 1062}, KindUnique},
		{"mysql null", my, &mysql.MySQLError{Number: 1048}, KindNotNull},
		{"mysql fk", my, &mysql.MySQLError{Number: 1452}, KindForeignKey},
		{"mysql deadlock", my, &mysql.MySQLError{Number: 1213}, KindDeadlock},
		{"mysql lock wait timeout", my, &mysql.MySQLError{Number: 1205}, KindDeadlock},
	}
	for _, tt := range tests {
		if got := tt.a.Classify(tt.err); got != tt.want {
			t.Errorf("%s: Classify = %v, want %v", tt.name, got, tt.want)
		}
	}
}
