package view

import (
	"strings"
	"testing"
	"unicode/utf8"
)

const evil = `<script>alert("x")</script>`

// FuzzHelpersEscape checks that no input gets markup through the helpers
// that build HTML: the only tags and quotes in their output are their own.
func FuzzHelpersEscape(f *testing.F) {
	for _, s := range []string{"", "plain", evil, `"><img src=x onerror=alert(1)>`, "javascript:alert(1)", "a\n\nb\r\nc", "&amp;", "'\"<>&\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := linkTo(s, s, "title", s, "data-x", s)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Count(string(a), "<") != 2 || strings.Count(string(a), ">") != 2 || strings.Count(string(a), `"`) != 6 {
			t.Fatalf("link_to(%q) = %s", s, a)
		}
		p := string(simpleFormat(s))
		for _, own := range []string{"<p>", "</p>", "<br />"} {
			p = strings.ReplaceAll(p, own, "")
		}
		if strings.ContainsAny(p, `<>"'`) {
			t.Fatalf("simple_format(%q) leaks markup: %s", s, p)
		}
		tr, err := truncate(s, 5)
		if err != nil || len([]rune(tr)) > max(5, len([]rune(s))) {
			t.Fatalf("truncate(%q, 5) = %q, %v", s, tr, err)
		}
	})
}

// FuzzParseLocated checks the parser of template error locations never
// panics and keeps the message.
func FuzzParseLocated(f *testing.F) {
	for _, s := range []string{"template: a.tmpl:3: bad", "html/template:a.tmpl:3:7: bad", "a:b:c", "", ":", "template: x:-1: y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		te := parseLocated(s, "fallback")
		if te.File == "" && te.Line != 0 {
			t.Fatalf("parseLocated(%q) = %+v", s, te)
		}
		_ = te.Error()
	})
}

// truncateRunes is truncate as it was written first (over a []rune of the
// whole text): the reference FuzzTruncate holds the allocation-free one to.
func truncateRunes(text string, length int, omission, separator string) string {
	rs := []rune(text)
	if len(rs) <= length {
		return text
	}
	stop := max(length-len([]rune(omission)), 0)
	cut := string(rs[:stop])
	if separator != "" {
		if i := strings.LastIndex(string(rs[:stop+1]), separator); i >= 0 && i <= len(cut) {
			cut = cut[:i]
		}
	}
	return cut + omission
}

// FuzzTruncate checks truncate against the []rune reference on any text,
// length, omission and separator (invalid UTF-8 included).
func FuzzTruncate(f *testing.F) {
	for _, s := range []string{"", "short", "A body that is long enough", "héllo wörld ünïcode", "日本語のテキストです", "a\xffb\xfec d e"} {
		f.Add(s, 5, "...", " ")
		f.Add(s, 0, "…", "")
		f.Add(s, 12, "", "ö")
	}
	f.Fuzz(func(t *testing.T, s string, length int, omission, separator string) {
		if length < -1 || length > 1000 {
			return
		}
		got, err := truncate(s, length, "omission", omission, "separator", separator)
		if !utf8.ValidString(s + omission + separator) {
			// The reference turns invalid bytes into U+FFFD; truncate
			// keeps them: its result is a prefix of s, then the omission.
			if err != nil || got != s && !(strings.HasSuffix(got, omission) && strings.HasPrefix(s, strings.TrimSuffix(got, omission))) {
				t.Fatalf("truncate(%q, %d, omission %q, separator %q) = %q, %v", s, length, omission, separator, got, err)
			}
			return
		}
		want := truncateRunes(s, length, omission, separator)
		if err != nil || got != want {
			t.Fatalf("truncate(%q, %d, omission %q, separator %q) = %q, %v; want %q", s, length, omission, separator, got, err, want)
		}
		if omission == "..." && separator == "" {
			if got, _ := truncate(s, length); got != want {
				t.Fatalf("truncate(%q, %d) = %q; want %q", s, length, got, want)
			}
		}
	})
}
