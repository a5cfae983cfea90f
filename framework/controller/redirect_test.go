package controller_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gorails/gorails/framework/controller"
	"github.com/gorails/gorails/framework/dispatch"
)

// ReturnController redirects to its return_to param, as a login page does.
type ReturnController struct{ controller.Base }

func (c *ReturnController) Back() error {
	to := c.Request().HTTP().URL.Query().Get("return_to")
	if c.Request().HTTP().URL.Query().Get("other") == "1" {
		return c.RedirectOtherHost(to)
	}
	return c.Redirect(to)
}

// TestRedirectRefusesOtherHostsAndDangerousTargets: an open redirect
// through a return_to param (issue 15) is a 400 naming the problem, with no
// Location, for every trick a browser would follow off the site.
func TestRedirectRefusesOtherHostsAndDangerousTargets(t *testing.T) {
	t.Parallel()
	a := newApp(t, func(r *dispatch.Mapper) { r.Get("back", dispatch.To((*ReturnController).Back)) })
	tests := []struct {
		name, to string
		other    bool   // RedirectOtherHost
		location string // "" when refused
		reason   string
	}{
		{name: "a path", to: "/posts/1?x=1#c", location: "/posts/1?x=1#c"},
		{name: "a relative path", to: "posts", location: "/posts"},
		{name: "an absolute URL on the same host", to: "http://example.com/account", location: "http://example.com/account"},
		{name: "the same host in other case", to: "https://EXAMPLE.com/a", location: "https://EXAMPLE.com/a"},
		{name: "a backslash in the query is data", to: `/search?q=a\b`, location: `/search?q=a\b`},
		{name: "another host", to: "https://evil.com", reason: "another host (evil.com); use RedirectOtherHost"},
		{name: "another host over http", to: "http://evil.com/phish", reason: "another host"},
		{name: "a look-alike subdomain", to: "https://example.com.evil.com/", reason: "another host"},
		{name: "another port", to: "http://example.com:8080/", reason: "another host"},
		{name: "a userinfo trick", to: "https://example.com@evil.com/", reason: "credentials in the URL"},
		{name: "a protocol-relative URL", to: "//evil.com", reason: "protocol-relative"},
		{name: "three slashes", to: "///evil.com", reason: "protocol-relative"},
		{name: "a backslash as a slash", to: `/\evil.com`, reason: "backslash"},
		{name: "two backslashes", to: `\\evil.com`, reason: "backslash"},
		{name: "a backslash after the host", to: `https://example.com\@evil.com`, reason: "backslash"},
		{name: "a tab browsers drop", to: "/\t/evil.com", reason: "control character"},
		{name: "a newline (header injection)", to: "/a\r\nSet-Cookie: x=1", reason: "control character"},
		{name: "a NUL", to: "/a\x00", reason: "control character"},
		{name: "a leading space", to: " //evil.com", reason: "spaces"},
		{name: "javascript:", to: "javascript:alert(1)", reason: `the scheme "javascript"`},
		{name: "javascript: in capitals", to: "JaVaScRiPt:alert(document.domain)", reason: `the scheme "javascript"`},
		{name: "javascript: with a comment trick", to: "javascript://example.com/%0aalert(1)", reason: `the scheme "javascript"`},
		{name: "data:", to: "data:text/html,<script>alert(1)</script>", reason: `the scheme "data"`},
		{name: "vbscript:", to: "vbscript:msgbox(1)", reason: `the scheme "vbscript"`},
		{name: "file:", to: "file:///etc/passwd", reason: `the scheme "file"`},
		{name: "https without slashes", to: "https:evil.com", reason: "without a host"},
		{name: "http with one slash", to: "http:/evil.com", reason: "without a host"},
		{name: "https with three slashes", to: "https:///evil.com", reason: "without a host"},
		{name: "an empty target", to: "", reason: "empty"},
		{name: "RedirectOtherHost allows another host", to: "https://pay.example.net/checkout", other: true, location: "https://pay.example.net/checkout"},
		{name: "RedirectOtherHost still refuses javascript:", to: "javascript:alert(1)", other: true, reason: `the scheme "javascript"`},
		{name: "RedirectOtherHost still refuses a protocol-relative URL", to: "//evil.com", other: true, reason: "protocol-relative"},
		{name: "RedirectOtherHost still refuses a backslash", to: `/\evil.com`, other: true, reason: "backslash"},
		{name: "RedirectOtherHost still refuses data:", to: "data:text/html;base64,PHNjcmlwdD4=", other: true, reason: `the scheme "data"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			target := "/back?return_to=" + url.QueryEscape(tt.to)
			if tt.other {
				target += "&other=1"
			}
			rec := a.get(t, target)
			loc := rec.Header().Get("Location")
			if tt.location != "" {
				if rec.Code != http.StatusFound || loc != tt.location {
					t.Fatalf("status %d, Location %q; want 302 to %q (body %q)", rec.Code, loc, tt.location, rec.Body)
				}
				return
			}
			if rec.Code != http.StatusBadRequest || loc != "" {
				t.Fatalf("status %d, Location %q; want 400 without a Location", rec.Code, loc)
			}
			if body := rec.Body.String(); !strings.Contains(body, "unsafe redirect") || !strings.Contains(body, tt.reason) {
				t.Errorf("body %q does not say unsafe redirect: %s", body, tt.reason)
			}
		})
	}
}
