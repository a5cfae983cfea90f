package sqlscan

import (
	"strconv"
	"strings"
	"testing"
)

type token struct {
	kind Kind
	text string
}

func tokens(sql string, backslash bool) []token {
	var out []token
	for i := 0; i < len(sql); {
		k, n := Next(sql[i:], backslash)
		out = append(out, token{k, sql[i : i+n]})
		i += n
	}
	return out
}

func TestNext(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		sql       string
		backslash bool
		want      []token
	}{
		{"a placeholder after a name", "a = ?", false, []token{{Text, "a = "}, {Question, "?"}}},
		{"a question mark in a string is not a placeholder", "a = '?' AND b = ?", false,
			[]token{{Text, "a = "}, {String, "'?'"}, {Text, " AND b = "}, {Question, "?"}}},
		{"a doubled quote stays inside the string", "'it''s ?'?", false, []token{{String, "'it''s ?'"}, {Question, "?"}}},
		{"a backslash escapes a quote when the dialect says so", `'a\'?'?`, true, []token{{String, `'a\'?'`}, {Question, "?"}}},
		{"a backslash is plain text otherwise", `'a\'?'`, false, []token{{String, `'a\'`}, {Question, "?"}, {String, "'"}}},
		{"quoted names are opaque", "\"we?ird\" = ? AND `b?` = ?", false,
			[]token{{QuotedIdent, `"we?ird"`}, {Text, " = "}, {Question, "?"}, {Text, " AND "}, {QuotedIdent, "`b?`"}, {Text, " = "}, {Question, "?"}}},
		{"a line comment runs to the end of the line", "a -- why?\n= ?", false,
			[]token{{Text, "a "}, {Comment, "-- why?\n"}, {Text, "= "}, {Question, "?"}}},
		{"a block comment", "a /* ? */ = ?", false, []token{{Text, "a "}, {Comment, "/* ? */"}, {Text, " = "}, {Question, "?"}}},
		{"a minus and a slash are text", "a - b / c", false, []token{{Text, "a - b / c"}}},
		{"dollar placeholders", "a = $1 AND b IN ($2, $10)", false,
			[]token{{Text, "a = "}, {Dollar, "$1"}, {Text, " AND b IN ("}, {Dollar, "$2"}, {Text, ", "}, {Dollar, "$10"}, {Text, ")"}}},
		{"a dollar-quoted string", "$$ ? $$ || $tag$ $$ ? $tag$ ?", false,
			[]token{{String, "$$ ? $$"}, {Text, " || "}, {String, "$tag$ $$ ? $tag$"}, {Text, " "}, {Question, "?"}}},
		{"a dollar inside a name is part of it", "a$b = ?", false, []token{{Text, "a$b = "}, {Question, "?"}}},
		{"an unterminated string runs to the end", "a = 'x ?", false, []token{{Text, "a = "}, {String, "'x ?"}}},
		{"an unterminated comment runs to the end", "/* ?", false, []token{{Comment, "/* ?"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tokens(tt.sql, tt.backslash)
			if len(got) != len(tt.want) {
				t.Fatalf("tokens(%q) = %q, want %q", tt.sql, got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("tokens(%q) = %q, want %q", tt.sql, got, tt.want)
				}
			}
		})
	}
}

func TestRebind(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"a = ?", "a = $1"},
		{"a = ? AND b IN (?, ?)", "a = $1 AND b IN ($2, $3)"},
		{"a = '?' AND b = ?", "a = '?' AND b = $1"},
		{`"we?ird" = ?`, `"we?ird" = $1`},
		{"a = ? -- and ?\n AND b = ?", "a = $1 -- and ?\n AND b = $2"},
		{"no binds", "no binds"},
	}
	for _, tt := range tests {
		if got := Rebind(tt.in, false); got != tt.want {
			t.Errorf("Rebind(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if n, want := Count(tt.in, false), strings.Count(tt.want, "$"); n != want {
			t.Errorf("Count(%q) = %d, want %d", tt.in, n, want)
		}
	}
}

// FuzzScan checks the scanner's promises on any text: the tokens cover the
// input exactly, each is non-empty and starts as its kind says, Text holds
// no byte that starts a quote or a placeholder, Count counts the ? tokens,
// and Rebind replaces exactly those, in order, and nothing else.
func FuzzScan(f *testing.F) {
	for _, s := range []string{"a = ?", "'?'", `"?"`, "`?`", "-- ?\n?", "/* ? */?", "$1 ?", "$$ ? $$ ?", "$t$ ? $t$", `'\'?'`, "'", "$", "a$?", "\x00?\xff"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, sql string, backslash bool) {
		var want strings.Builder
		questions := 0
		for i := 0; i < len(sql); {
			k, n := Next(sql[i:], backslash)
			if n <= 0 || i+n > len(sql) {
				t.Fatalf("Next(%q) = %d bytes", sql[i:], n)
			}
			tok := sql[i : i+n]
			ok := true
			switch k {
			case Question:
				ok = tok == "?"
				questions++
				want.WriteString("$" + strconv.Itoa(questions))
			case Dollar:
				_, err := strconv.ParseUint(tok[1:], 10, 64)
				ok = tok[0] == '$' && (err == nil || strings.Trim(tok[1:], "0123456789") == "")
			case String:
				ok = tok[0] == '\'' || tok[0] == '$'
			case QuotedIdent:
				ok = tok[0] == '"' || tok[0] == '`'
			case Comment:
				ok = strings.HasPrefix(tok, "--") || strings.HasPrefix(tok, "/*")
			case Text:
				ok = !strings.ContainsAny(tok, "?'\"`")
			}
			if !ok {
				t.Fatalf("token %q is not a %d", tok, k)
			}
			if k != Question {
				want.WriteString(tok)
			}
			i += n
		}
		if got := Count(sql, backslash); got != questions {
			t.Fatalf("Count(%q) = %d, want %d", sql, got, questions)
		}
		if got := Rebind(sql, backslash); got != want.String() {
			t.Fatalf("Rebind(%q) = %q, want %q", sql, got, want.String())
		}
		if !strings.ContainsAny(sql, "'\"`-/$") && questions != strings.Count(sql, "?") {
			t.Fatalf("Count(%q) = %d: plain text has %d", sql, questions, strings.Count(sql, "?"))
		}
	})
}
