package record

import (
	"slices"
	"testing"

	"github.com/gorails/gorails/framework/record/driver"
)

func TestPlaceholderNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		sql  string
		n    int
		want []string
	}{
		{`SELECT 1 FROM "users" WHERE "email" = $1 AND password_digest = $2 LIMIT $3`, 3, []string{"email", "password_digest", ""}},
		{"SELECT 1 FROM users WHERE id IN (?, ?)", 2, []string{"id", "id"}},
		{`INSERT INTO "users" ("name", "api_token") VALUES ($1, $2), ($3, $4)`, 4, []string{"name", "api_token", "name", "api_token"}},
		{"UPDATE `users` SET `token` = ?, `name` = ? WHERE `id` = ?", 3, []string{"token", "name", "id"}},
		{"SELECT 1 FROM users WHERE note = 'a ? b' AND secret = ? -- why ?\n", 1, []string{"secret"}},
	}
	for _, tt := range tests {
		if got := placeholderNames(tt.sql, tt.n, false); !slices.Equal(got, tt.want) {
			t.Errorf("placeholderNames(%q) = %q, want %q", tt.sql, got, tt.want)
		}
	}
}

func TestReverseTerm(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"id", "id DESC"}, {"id DESC", "id ASC"}, {" title asc", "title DESC"},
	}
	for _, tt := range tests {
		if got, err := reverseTerm(tt.in); err != nil || got != tt.want {
			t.Errorf("reverseTerm(%q) = %q, %v", tt.in, got, err)
		}
	}
	if _, err := reverseTerm("COALESCE(a, b)"); err == nil {
		t.Error("a function call cannot be reversed")
	}
}

func TestExpandFragment(t *testing.T) {
	t.Parallel()
	dialect := driver.Dialect{IdentQuote: '"'}
	c, err := expandFragment(&dialect, "a IN (?) AND b = ? AND c IN (?) AND d = '?'", []any{[]int{1, 2}, "x", []string{}})
	if err != nil {
		t.Fatal(err)
	}
	if c.sql != "a IN (?, ?) AND b = ? AND c IN (NULL) AND d = '?'" || len(c.args) != 3 {
		t.Fatalf("%q %v", c.sql, c.args)
	}
	if _, err := expandFragment(&dialect, "a = ?", nil); err == nil {
		t.Fatal("missing bind not reported")
	}
}
