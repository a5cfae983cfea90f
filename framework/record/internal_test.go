package record

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorails/gorails/framework/record/driver"
)

func TestShownBindsFailClosed(t *testing.T) {
	t.Parallel()
	db := &DB{shared: &shared{filter: append(defaultFilter(), "email")}}
	tests := []struct {
		name  string
		args  []any
		names []string
		want  []string
	}{
		{"a known column shows its value", []any{"Hello", int64(1)}, []string{"title", bindLimit}, []string{"title=Hello", "LIMIT=1"}},
		{"a filtered column shows [FILTERED]", []any{"s3cret", "x"}, []string{"api_token", "users.password_digest"}, []string{"api_token=[FILTERED]", "users.password_digest=[FILTERED]"}},
		{"the app's filter applies", []any{"a@b.c"}, []string{"email"}, []string{"email=[FILTERED]"}},
		{"a fragment's binds are counted, not shown", []any{"s3cret", "t", int64(1)}, []string{"", "", bindLimit}, []string{"[2 binds]", "LIMIT=1"}},
		{"one unknown bind", []any{"s3cret"}, []string{""}, []string{"[1 bind]"}},
		{"no names at all", []any{"s3cret", "x"}, nil, []string{"[2 binds]"}},
		{"names that do not parallel the binds", []any{"s3cret", "x"}, []string{"title"}, []string{"[2 binds]"}},
		{"a table name does not filter its columns", []any{"v"}, []string{"tokens.name"}, []string{"tokens.name=v"}},
		{"long values are cut", []any{strings.Repeat("a", 150)}, []string{"body"}, []string{"body=" + strings.Repeat("a", 100) + "..."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := db.shownBinds(tt.args, tt.names); !slices.Equal(got, tt.want) {
				t.Errorf("shownBinds(%v, %q) = %q, want %q", tt.args, tt.names, got, tt.want)
			}
		})
	}
}

func TestBuildNamesTheBindsItKnows(t *testing.T) {
	t.Parallel()
	d := driver.Dialect{IdentQuote: '"'}
	tests := []struct {
		name  string
		where []clause
		want  []string
	}{
		{"a Cond names its keys, lists included", []clause{mustClause(t, &d, Cond{"id": []int{1, 2}, "name": "x"})}, []string{"id", "id", "name"}},
		{"a fragment names nothing", []clause{mustClause(t, &d, "api_token = lower(?)", "x")}, []string{""}},
		{"a row value names nothing", []clause{mustClause(t, &d, "(password_digest, email) = (?, ?)", "d", "e")}, []string{"", ""}},
		{"a bind before its column names nothing", []clause{mustClause(t, &d, "? = password_digest", "d")}, []string{""}},
		{"mixed clauses keep their places", []clause{mustClause(t, &d, "a = ?", 1), mustClause(t, &d, Cond{"b": 2})}, []string{"", "b"}},
		{"a struct condition names its fields", []clause{mustClause(t, &d, struct{ APIToken string }{"x"})}, []string{"api_token"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			args, names := writeClauses(&b, " WHERE ", tt.where, nil, nil)
			if len(args) != len(names) || !slices.Equal(names, tt.want) {
				t.Errorf("%s: names %q for %d binds, want %q", b.String(), names, len(args), tt.want)
			}
		})
	}
}

func mustClause(t *testing.T, d *driver.Dialect, cond any, args ...any) clause {
	t.Helper()
	c, err := makeClause(d, cond, args)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestScrub(t *testing.T) {
	t.Parallel()
	tests := []struct{ msg, v, want string }{
		{"Duplicate entry 'tok-1234567890' for key 'secrets.api_token'", "tok-1234567890", "Duplicate entry '[FILTERED]' for key 'secrets.api_token'"},
		{"Duplicate entry 'tok-12345678' for key", "tok-1234567890abcdef", "Duplicate entry '[FILTERED]' for key"}, // cut by the database
		{`invalid input syntax for type bigint: "abc"`, "abc", `invalid input syntax for type bigint: "[FILTERED]"`},
		{"Error 1062 (23000): x", "1", "Error 1062 (23000): x"}, // a short value inside a word stays
		{"value 7 is bad; 7", "7", "value [FILTERED] is bad; [FILTERED]"},
		{"nothing here", "secret-value", "nothing here"},
	}
	for _, tt := range tests {
		if got := scrub(tt.msg, tt.v); got != tt.want {
			t.Errorf("scrub(%q, %q) = %q, want %q", tt.msg, tt.v, got, tt.want)
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

// TestParseTimeText: the text forms of times Rails and SQLite write; a
// time without a zone is UTC.
func TestParseTimeText(t *testing.T) {
	t.Parallel()
	utc := func(y int, mo time.Month, d, h, mi, s, ns int) time.Time {
		return time.Date(y, mo, d, h, mi, s, ns, time.UTC)
	}
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"2026-12-05 07:45:57.123456", utc(2026, 12, 5, 7, 45, 57, 123456000), true},
		{"2026-12-05 07:45:57", utc(2026, 12, 5, 7, 45, 57, 0), true},
		{"2026-12-05 07:45:57.123456789+02:00", utc(2026, 12, 5, 5, 45, 57, 123456789), true},
		{"2026-12-05 07:45:57Z", utc(2026, 12, 5, 7, 45, 57, 0), true},
		{"2026-12-05T07:45:57.5Z", utc(2026, 12, 5, 7, 45, 57, 500000000), true},
		{"2026-12-05T07:45:57", utc(2026, 12, 5, 7, 45, 57, 0), true},
		{"2026-12-05 07:45", utc(2026, 12, 5, 7, 45, 0, 0), true},
		{"2026-12-05", utc(2026, 12, 5, 0, 0, 0, 0), true},
		{"", time.Time{}, false},
		{"yesterday", time.Time{}, false},
		{"2026-13-05", time.Time{}, false},
	}
	for _, tc := range tests {
		got, err := parseTimeText(tc.in)
		if (err == nil) != tc.ok || !got.Equal(tc.want) {
			t.Errorf("parseTimeText(%q) = %v, %v; want %v (ok %v)", tc.in, got, err, tc.want, tc.ok)
		}
	}
	var d timeDest
	if err := d.Scan(nil); err == nil {
		t.Error("NULL into a time.Time field scanned without an error")
	}
	n := nullTimeDest{t: new(time.Time)}
	if err := n.Scan(nil); err != nil || n.t != nil {
		t.Errorf("NULL into a *time.Time field: %v, %v", n.t, err)
	}
	if err := n.Scan([]byte("2026-12-05")); err != nil || n.t == nil || !n.t.Equal(utc(2026, 12, 5, 0, 0, 0, 0)) {
		t.Errorf("bytes into a *time.Time field: %v, %v", n.t, err)
	}
	if err := d.Scan(int64(5)); err == nil {
		t.Error("an integer scanned into a time")
	}
}
