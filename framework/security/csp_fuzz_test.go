package security_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/gorails/gorails/framework/security"
)

// parseCSP reads a policy as a browser does (CSP3 section 2.2.1): split
// on ";", each directive's name and sources split on ASCII white space.
func parseCSP(header string) map[string][]string {
	out := map[string][]string{}
	for _, d := range strings.Split(header, ";") {
		fields := strings.FieldsFunc(d, func(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\f' || r == '\r' })
		if len(fields) == 0 {
			continue
		}
		name := strings.ToLower(fields[0])
		if _, dup := out[name]; dup {
			out["!duplicate "+name] = nil
			continue
		}
		out[name] = fields[1:]
	}
	return out
}

// FuzzCSP builds policies from any directive name and sources: the
// builder refuses what would corrupt the header with ErrInvalidCSP, and a
// policy it accepts reads back, as a browser parses it, as exactly the
// directives and sources set (with the request's nonce where asked).
func FuzzCSP(f *testing.F) {
	for _, s := range [][4]string{
		{"img-src", "'self'", "https://cdn.example.com", "style-src"},
		{"script-src", "'self'", "'unsafe-inline'", "script-src"},
		{"report-uri", "/csp-reports", "https://r.example.com/x?y=1", ""},
		{"img-src", "'self'; script-src *", "data:", ""},
		{"img-src", "a\r\nSet-Cookie: x=1", "b", ""},
		{"Img-Src", "x", "y", ""},
		{"img-src", "", "x", ""},
		{"img-src", "a,b", "é", ""},
		{"default-src", "'none'", "'nonce-forged'", "default-src"},
		{"-", "x", "y", "-"},
	} {
		f.Add(s[0], s[1], s[2], s[3])
	}
	f.Fuzz(func(t *testing.T, name, src1, src2, nonceFor string) {
		c := security.DefaultCSP().Set(name, src1, src2).NonceFor("script-src", nonceFor)
		mw, err := c.Middleware()
		if err != nil {
			if !errors.Is(err, security.ErrInvalidCSP) {
				t.Fatalf("Set(%q, %q, %q): error %v does not match ErrInvalidCSP", name, src1, src2, err)
			}
			return
		}
		var nonce string
		rec := httptest.NewRecorder()
		mw(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { nonce = security.Nonce(r) })).
			ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
		values := rec.Result().Header.Values("Content-Security-Policy")
		if len(values) != 1 {
			t.Fatalf("%d Content-Security-Policy headers", len(values))
		}
		h := values[0]
		if strings.ContainsFunc(h, func(r rune) bool { return r < 0x20 || r > 0x7e }) {
			t.Fatalf("the header holds a control or non-ASCII character: %q", h)
		}
		got := parseCSP(h)
		want := map[string][]string{
			"default-src": {"'self'", "https:"}, "font-src": {"'self'", "https:", "data:"}, "img-src": {"'self'", "https:", "data:"},
			"object-src": {"'none'"}, "script-src": {"'self'", "https:"}, "style-src": {"'self'", "https:"},
		}
		want[name] = []string{src1, src2}
		for d := range want {
			if d == "script-src" || d == nonceFor {
				want[d] = append(slices.Clone(want[d]), "'nonce-"+nonce+"'")
			}
		}
		if len(got) != len(want) {
			t.Fatalf("Set(%q, %q, %q): the header %q reads as %v", name, src1, src2, h, got)
		}
		for d, srcs := range want {
			if !slices.Equal(got[d], srcs) {
				t.Fatalf("Set(%q, %q, %q): directive %s reads %q, want %q (header %q)", name, src1, src2, d, got[d], srcs, h)
			}
		}
	})
}
