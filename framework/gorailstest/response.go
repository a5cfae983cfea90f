package gorailstest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/PuerkitoBio/goquery"
)

// Response is one response of a Session, with assertions that fail the
// test (with the response's status and an excerpt of its body) and
// return the Response, so they chain.
type Response struct {
	// Request is the request that was sent.
	Request *http.Request
	// Code is the status code, Header the headers, Body the body.
	Code   int
	Header http.Header
	Body   string

	c     *Case
	flash map[string]string
	doc   *goquery.Document
}

// Doc is the body parsed as HTML, for queries the assertions do not cover
// (goquery's API: Find, Attr, Text, Each).
func (r *Response) Doc() *goquery.Document {
	if r.doc == nil {
		doc, err := goquery.NewDocumentFromReader(strings.NewReader(r.Body))
		if err != nil {
			r.c.t.Fatalf("gorailstest: parse the body as HTML: %v", err)
		}
		r.doc = doc
	}
	return r.doc
}

// csrfToken is the page's CSRF token: a form's authenticity_token field,
// else the csrf-token meta tag; "" when the response is not HTML.
func (r *Response) csrfToken() string {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
		return ""
	}
	doc := r.Doc()
	if v, ok := doc.Find(`input[name="authenticity_token"]`).First().Attr("value"); ok {
		return v
	}
	v, _ := doc.Find(`meta[name="csrf-token"]`).First().Attr("content")
	return v
}

func (r *Response) fail(format string, args ...any) {
	r.c.t.Helper()
	r.c.t.Fatalf("%s %s: %s\n%s", r.Request.Method, r.Request.URL.RequestURI(), fmt.Sprintf(format, args...), r.excerpt())
}

// excerpt is what a failure shows of the response: its status, and its
// body (the part after <body> for a page), cut at 2 KB.
func (r *Response) excerpt() string {
	body := r.Body
	if i := strings.Index(body, "<body"); i >= 0 {
		body = body[i:]
	}
	if len(body) > 2048 {
		body = body[:2048] + "\n... (cut)"
	}
	return fmt.Sprintf("--- response: %d %s\n%s", r.Code, http.StatusText(r.Code), body)
}

// AssertStatus checks the status code.
func (r *Response) AssertStatus(code int) *Response {
	r.c.t.Helper()
	if r.Code != code {
		hint := ""
		if r.Code == http.StatusUnprocessableEntity && r.Request.Method != http.MethodGet && r.Request.Header.Get("X-CSRF-Token") == "" && !strings.Contains(r.Request.Header.Get("Content-Type"), "form") {
			hint = " (no CSRF token was sent: Get a page with a form or csrf_meta_tags first)"
		}
		r.fail("status %d, want %d%s", r.Code, code, hint)
	}
	return r
}

// AssertRedirectTo checks that the response redirects (3xx) to path (a
// route helper's result, such as routes.PostPath(id)); a Location with
// the session's host compares by its path and query.
func (r *Response) AssertRedirectTo(path string) *Response {
	r.c.t.Helper()
	if r.Code < 300 || r.Code > 399 {
		r.fail("status %d, want a redirect to %s", r.Code, path)
	}
	loc := r.Header.Get("Location")
	got := loc
	if u, err := url.Parse(loc); err == nil && (u.Host == "" || u.Host == r.Request.Host) {
		got = u.RequestURI()
	}
	if got != path {
		r.fail("redirects to %s, want %s", loc, path)
	}
	return r
}

// AssertFlash checks the flash message under key ("notice", "alert") as
// the request left it.
func (r *Response) AssertFlash(key, message string) *Response {
	r.c.t.Helper()
	if got := r.flash[key]; got != message {
		r.fail("flash[%q] = %q, want %q (flash: %v)", key, got, message, r.flash)
	}
	return r
}

// Flash is the flash as the request left it.
func (r *Response) Flash() map[string]string { return r.flash }

// AssertSelect checks that selector (CSS, as in a stylesheet) matches at
// least one element of the page and, when text is given, that one of them
// contains it (after collapsing whitespace).
func (r *Response) AssertSelect(selector string, text ...string) *Response {
	r.c.t.Helper()
	sel := r.Doc().Find(selector)
	if sel.Length() == 0 {
		r.fail("no element matches %q", selector)
	}
	for _, want := range text {
		var seen []string
		found := false
		sel.EachWithBreak(func(_ int, el *goquery.Selection) bool {
			got := strings.Join(strings.Fields(el.Text()), " ")
			seen = append(seen, got)
			found = strings.Contains(got, want)
			return !found
		})
		if !found {
			r.fail("no %q contains %q (texts: %q)", selector, want, seen)
		}
	}
	return r
}

// AssertSelectCount checks that selector matches exactly n elements.
func (r *Response) AssertSelectCount(selector string, n int) *Response {
	r.c.t.Helper()
	if got := r.Doc().Find(selector).Length(); got != n {
		r.fail("%d elements match %q, want %d", got, selector, n)
	}
	return r
}

// AssertNoSelect checks that selector matches nothing.
func (r *Response) AssertNoSelect(selector string) *Response {
	r.c.t.Helper()
	return r.AssertSelectCount(selector, 0)
}

// AssertAttr checks that the first element selector matches has the
// attribute attr with value.
func (r *Response) AssertAttr(selector, attr, value string) *Response {
	r.c.t.Helper()
	sel := r.Doc().Find(selector).First()
	if sel.Length() == 0 {
		r.fail("no element matches %q", selector)
	}
	got, ok := sel.Attr(attr)
	if !ok || got != value {
		r.fail("%s[%s] = %q (present: %v), want %q", selector, attr, got, ok, value)
	}
	return r
}

// AssertContains checks that the body contains s, as written.
func (r *Response) AssertContains(s string) *Response {
	r.c.t.Helper()
	if !strings.Contains(r.Body, s) {
		r.fail("the body does not contain %q", s)
	}
	return r
}

// AssertHeader checks a response header's value.
func (r *Response) AssertHeader(name, value string) *Response {
	r.c.t.Helper()
	if got := r.Header.Values(name); !slices.Contains(got, value) {
		r.fail("header %s = %q, want %q", name, got, value)
	}
	return r
}

// DecodeJSON decodes the body as JSON into v, failing the test when it is
// not JSON of v's shape (unknown fields are refused, so a renamed field
// shows).
func (r *Response) DecodeJSON(v any) *Response {
	r.c.t.Helper()
	dec := json.NewDecoder(strings.NewReader(r.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		r.fail("the body is not JSON of %T: %v", v, err)
	}
	return r
}
