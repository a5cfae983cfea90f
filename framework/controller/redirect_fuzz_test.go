package controller

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzRedirectTarget: whatever target Redirect accepts, a browser resolving
// it against the request's page stays on the request's host, and its
// scheme is http or https.
func FuzzRedirectTarget(f *testing.F) {
	for _, s := range []string{
		"/posts/1", "posts", "http://example.com/a", "https://evil.com", "//evil.com", "///evil.com",
		`/\evil.com`, "javascript:alert(1)", "https:evil.com", "http:/evil.com", "/\t/evil.com",
		"https://example.com@evil.com", "data:text/html,x", " //evil.com", "/a?b=\\c", "HTTP://EXAMPLE.COM",
	} {
		f.Add(s)
	}
	base, _ := url.Parse("https://example.com/login/form")
	f.Fuzz(func(t *testing.T, target string) {
		if unsafeRedirect("example.com", target, false) != "" {
			return
		}
		u, err := base.Parse(target)
		if err != nil {
			t.Fatalf("accepted %q, which does not parse: %v", target, err)
		}
		if u.Scheme != "http" && u.Scheme != "https" {
			t.Fatalf("accepted %q: scheme %q", target, u.Scheme)
		}
		if !strings.EqualFold(u.Host, "example.com") {
			t.Fatalf("accepted %q: resolves to host %q", target, u.Host)
		}
		if strings.ContainsAny(target, "\r\n\t\x00") {
			t.Fatalf("accepted %q with a control character", target)
		}
		if unsafeRedirect("example.com", target, true) != "" {
			t.Fatalf("RedirectOtherHost refuses %q, which Redirect accepts", target)
		}
	})
}
