package cache

import (
	"errors"
	"regexp"
	"strings"
	"testing"
)

func TestValidatePattern(t *testing.T) {
	tests := []struct {
		pattern string
		ok      bool
		why     string
	}{
		{"", true, "the empty pattern matches the empty key"},
		{"user:*", true, ""},
		{"a?b[cd][^e][0-9][z-a]", true, "reversed ranges are read as Redis reads them"},
		{`\*\?\[\]\\`, true, "quoted metacharacters"},
		{`[\]\-\\]`, true, "quoted ] - \\ inside a set"},
		{"[a-]", false, "a range without an end"},
		{"[-a]", false, "a - that is not in a range"},
		{"[]", false, "an empty set"},
		{"[^]", false, "an empty negated set"},
		{"[abc", false, "an unterminated set"},
		{`abc\`, false, "a trailing backslash"},
		{`[a\`, false, "a trailing backslash in a set"},
		{"[a-\\z]", false, "a quoted range end"},
	}
	for _, tt := range tests {
		err := ValidatePattern(tt.pattern)
		if (err == nil) != tt.ok || (err != nil && !errors.Is(err, ErrBadPattern)) {
			t.Errorf("ValidatePattern(%q) = %v; want ok %v (%s)", tt.pattern, err, tt.ok, tt.why)
		}
	}
}

func TestPatternMatching(t *testing.T) {
	tests := []struct {
		pattern, key string
		want         bool
	}{
		{"", "", true},
		{"", "a", false},
		{"*", "", true},
		{"*", "any/thing:at all", true},
		{"a*", "a", true},
		{"a*c", "abbbc", true},
		{"a*c", "abbbcd", false},
		{"*a*b*c*", "xxaxxbxxcxx", true},
		{"*a*b*c*", "xxaxxcxxbxx", false},
		{"a**b", "ab", true},
		{"?", "", false},
		{"?", "é", false}, // two bytes
		{"??", "é", true},
		{"[abc]", "b", true},
		{"[^abc]", "b", false},
		{"[^abc]", "d", true},
		{"[a-c]x", "bx", true},
		{"[c-a]x", "bx", true},
		{`\*`, "*", true},
		{`\*`, "a", false},
		{`[\]]`, "]", true},
		{"]", "]", true},
		{"a[0-9][0-9]", "a10", true},
		{"a[0-9][0-9]", "a1", false},
	}
	for _, tt := range tests {
		p, err := compilePattern(tt.pattern)
		if err != nil {
			t.Fatalf("compile %q: %v", tt.pattern, err)
		}
		if got := p.match(tt.key); got != tt.want {
			t.Errorf("%q matching %q = %v; want %v", tt.pattern, tt.key, got, tt.want)
		}
	}
}

func TestQuotePatternMatchesOnlyItself(t *testing.T) {
	for _, s := range []string{"", "plain", `a*b?c[d]e\f`, "ns:[x-y]^"} {
		p, err := compilePattern(QuotePattern(s))
		if err != nil {
			t.Fatalf("QuotePattern(%q) = %q does not compile: %v", s, QuotePattern(s), err)
		}
		if !p.match(s) || p.match(s+"x") || (s != "" && p.match(s[1:])) {
			t.Errorf("QuotePattern(%q) = %q matches more or less than %q", s, QuotePattern(s), s)
		}
	}
}

// FuzzPattern checks that compiling and matching never panic, that a
// valid pattern means what its translation into a regular expression
// means, and that a quoted string matches only itself.
func FuzzPattern(f *testing.F) {
	for _, s := range [][2]string{{"user:*", "user:1"}, {"a?[b-d][^x]\\*", "a1c!*"}, {"[z-a]*", "q"}, {"*a*b", "aab"}, {"[", ""}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, key string) {
		p, err := compilePattern(pattern)
		if q, qerr := compilePattern(QuotePattern(key)); qerr != nil || !q.match(key) {
			t.Fatalf("QuotePattern(%q) = %q: %v, or it does not match itself", key, QuotePattern(key), qerr)
		}
		if err != nil {
			return
		}
		got := p.match(key)
		re := regexp.MustCompile(toRegexp(p))
		if want := re.MatchString(key); isASCII(key) && got != want {
			t.Fatalf("%q matching %q = %v; the regexp %s says %v", pattern, key, got, re, want)
		}
	})
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// toRegexp translates a compiled pattern for ASCII keys.
func toRegexp(p pattern) string {
	var b strings.Builder
	b.WriteString(`^(?s)`)
	for _, t := range p {
		switch t.kind {
		case tokLiteral:
			b.WriteString(regexp.QuoteMeta(string(rune(t.b))))
		case tokAnyByte:
			b.WriteString(".")
		case tokStar:
			b.WriteString(".*")
		case tokSet:
			b.WriteString("[")
			if t.negate {
				b.WriteString("^")
			}
			for _, r := range t.ranges {
				b.WriteString(`\x{` + hexByte(r[0]) + `}-\x{` + hexByte(r[1]) + `}`)
			}
			b.WriteString("]")
		}
	}
	b.WriteString("$")
	return b.String()
}

func hexByte(c byte) string {
	return strings.ToUpper(string("0123456789abcdef"[c>>4]) + string("0123456789abcdef"[c&15]))
}
