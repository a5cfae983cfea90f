package view

import (
	"strings"
	"testing"
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
