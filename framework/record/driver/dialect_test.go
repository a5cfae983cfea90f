package driver_test

import (
	"testing"

	"github.com/gorails/gorails/framework/record/driver"
	"github.com/gorails/gorails/framework/record/mysql"
	"github.com/gorails/gorails/framework/record/postgres"
	"github.com/gorails/gorails/framework/record/sqlite"
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
		if got := postgres.Dialect().Rebind(tt.in); got != tt.pg {
			t.Errorf("postgres Rebind(%q) = %q, want %q", tt.in, got, tt.pg)
		}
		if got := mysql.Dialect().Rebind(tt.in); got != tt.other {
			t.Errorf("mysql Rebind(%q) = %q", tt.in, got)
		}
	}
}

func TestPlaceholdersFollowTheDialectsStrings(t *testing.T) {
	t.Parallel()
	const sql = `c = 'a\' AND d = ?`
	if n := mysql.Dialect().Placeholders(sql); n != 0 {
		t.Errorf("MySQL (\\' escapes the quote, so the string goes on): %d placeholders, want 0", n)
	}
	if n := postgres.Dialect().Placeholders(sql); n != 1 {
		t.Errorf("PostgreSQL (standard strings: \\ is a character): %d placeholders, want 1", n)
	}
}

func TestQuote(t *testing.T) {
	t.Parallel()
	tests := []struct {
		d    driver.Dialect
		in   string
		want string
	}{
		{postgres.Dialect(), "posts", `"posts"`},
		{postgres.Dialect(), "posts.title", `"posts"."title"`},
		{postgres.Dialect(), `we"ird`, `"we""ird"`},
		{mysql.Dialect(), "posts.title", "`posts`.`title`"},
		{mysql.Dialect(), "we`ird", "`we``ird`"},
		{sqlite.Dialect(), "posts.*", `"posts".*`},
	}
	for _, tt := range tests {
		if got := tt.d.Quote(tt.in); got != tt.want {
			t.Errorf("%s.Quote(%q) = %s, want %s", tt.d.Name, tt.in, got, tt.want)
		}
	}
}

func TestUpsertClause(t *testing.T) {
	t.Parallel()
	tests := []struct {
		d             driver.Dialect
		conflict, upd []string
		want          string
	}{
		{postgres.Dialect(), []string{"email"}, []string{"name"}, ` ON CONFLICT ("email") DO UPDATE SET "name" = EXCLUDED."name"`},
		{sqlite.Dialect(), []string{"a", "b"}, nil, ` ON CONFLICT ("a", "b") DO NOTHING`},
		{mysql.Dialect(), []string{"email"}, []string{"name", "age"}, " ON DUPLICATE KEY UPDATE `name` = VALUES(`name`), `age` = VALUES(`age`)"},
		{mysql.Dialect(), []string{"email"}, nil, " ON DUPLICATE KEY UPDATE `email` = `email`"},
	}
	for _, tt := range tests {
		if got := tt.d.UpsertClause(tt.conflict, tt.upd); got != tt.want {
			t.Errorf("%s.UpsertClause = %s, want %s", tt.d.Name, got, tt.want)
		}
	}
}

// Each driver's name is the adapter name its dialect reports.
func TestDriversNameTheirDialect(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		drv driver.Driver
		d   driver.Dialect
	}{{sqlite.Driver{}, sqlite.Dialect()}, {postgres.Driver{}, postgres.Dialect()}, {mysql.Driver{}, mysql.Dialect()}} {
		if tt.drv.Name() != tt.d.Name {
			t.Errorf("driver %s has the dialect of %s", tt.drv.Name(), tt.d.Name)
		}
	}
}
