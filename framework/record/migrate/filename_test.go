package migrate_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/gorails/gorails/framework/record/migrate"
)

func TestParseFileName(t *testing.T) {
	cases := []struct {
		file    string
		version int64
		name    string
		ok      bool
	}{
		{"20261123085000_create_posts.go", 20261123085000, "create_posts", true},
		{"db/migrate/20261123085000_add_published_to_posts.go", 20261123085000, "add_published_to_posts", true},
		{`db\migrate\20261123085000_a1.go`, 20261123085000, "a1", true},
		{"20261123085000_create_posts.rb", 0, "", false},
		{"20261123085000_create_posts_test.go", 0, "", false},
		{"2026112308500_create_posts.go", 0, "", false},
		{"2026112308500x_create_posts.go", 0, "", false},
		{"20261123085000create_posts.go", 0, "", false},
		{"20261123085000_.go", 0, "", false},
		{"20261123085000_CreatePosts.go", 0, "", false},
		{"20261123085000_create__posts.go", 0, "", false},
		{"20261123085000_create_posts_.go", 0, "", false},
		{"20261123085000_1create.go", 0, "", false},
		{"00000000000000_zero.go", 0, "", false},
		{"migrations.go", 0, "", false},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			v, n, err := migrate.ParseFileName(tc.file)
			if !tc.ok {
				if !errors.Is(err, migrate.ErrBadFileName) || !strings.Contains(err.Error(), tc.file) {
					t.Fatalf("err = %v, want ErrBadFileName naming the file", err)
				}
				return
			}
			if err != nil || v != tc.version || n != tc.name {
				t.Fatalf("= %d, %q, %v; want %d, %q", v, n, err, tc.version, tc.name)
			}
		})
	}
}

func FuzzParseFileName(f *testing.F) {
	for _, s := range []string{"20261123085000_create_posts.go", "db/migrate/20261123085000_a.go", "x.go", "20261123085000__.go", "99999999999999_z9.go"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, file string) {
		v, name, err := migrate.ParseFileName(file)
		if err != nil {
			if !errors.Is(err, migrate.ErrBadFileName) {
				t.Fatalf("error %v does not wrap ErrBadFileName", err)
			}
			return
		}
		// A valid name round-trips: VERSION_name.go parses to the same parts.
		if v <= 0 || name == "" {
			t.Fatalf("accepted %q as %d %q", file, v, name)
		}
		again := strconv.FormatInt(v, 10)
		for len(again) < 14 {
			again = "0" + again
		}
		v2, n2, err := migrate.ParseFileName(again + "_" + name + ".go")
		if err != nil || v2 != v || n2 != name {
			t.Fatalf("%q -> %d %q does not round-trip: %d %q %v", file, v, name, v2, n2, err)
		}
		for _, c := range name {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
				t.Fatalf("accepted name %q with %q", name, c)
			}
		}
	})
}

func FuzzSplitStatements(f *testing.F) {
	for _, s := range []string{"SELECT 1; SELECT 2", "INSERT INTO a VALUES ('x;y');", "$a$ ; $a$; -- c\n/* ; */", "'unterminated; x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		for _, s := range migrate.SplitStatements(sql) {
			if s == "" || s != strings.TrimSpace(s) {
				t.Fatalf("statement %q is empty or untrimmed", s)
			}
		}
	})
}
