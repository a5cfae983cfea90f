package csrf_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gorails/gorails/framework/csrf"
	"github.com/gorails/gorails/framework/secrets"
	"github.com/gorails/gorails/framework/session"
)

// BenchmarkMiddleware measures what cookies, session, flash and CSRF cost a
// request: the same handler with and without the stack, in the same run.
// "page" is a GET that reads the session and flash and renders a form token
// for a browser that already has a session; "post" is a form POST verified
// by its token (no Sec-Fetch-Site/Origin, the slowest path).
func BenchmarkMiddleware(b *testing.B) {
	keys, _ := secrets.New(strings.Repeat("s", 64))
	m, _ := session.New(session.Config{Keys: keys})
	p, _ := csrf.New(csrf.Config{})
	page := func(w http.ResponseWriter, r *http.Request) {
		user, notice, token := "", "", ""
		if s := session.FromContext(r.Context()); s != nil {
			user, _ = s.Get("user_id")
			notice = s.Flash().Notice()
			token = csrf.Token(r)
		}
		io.WriteString(w, user+notice+token)
	}
	bare := http.HandlerFunc(page)
	stack := m.Handler(p.Handler(bare))

	// A browser with a session holding a user and a CSRF secret.
	setup := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		session.FromContext(r.Context()).Set("user_id", "42")
		io.WriteString(w, csrf.Token(r))
	}))
	rec := httptest.NewRecorder()
	setup.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	cookie := rec.Result().Cookies()[0]
	token := rec.Body.String()
	form := url.Values{"title": {"x"}, csrf.ParamName: {token}}.Encode()

	getReq := httptest.NewRequest("GET", "/posts/new", nil)
	getReq.AddCookie(cookie)
	postReq := httptest.NewRequest("POST", "/posts", nil)
	postReq.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	postReq.AddCookie(cookie)
	get := func() *http.Request { return getReq }
	post := func() *http.Request {
		postReq.Body = io.NopCloser(strings.NewReader(form))
		return postReq
	}
	for _, bc := range []struct {
		name string
		h    http.Handler
		req  func() *http.Request
	}{
		{"page/bare", bare, get},
		{"page/stack", stack, get},
		{"post/bare", bare, post},
		{"post/stack", stack, post},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			w := &discard{h: http.Header{}}
			for b.Loop() {
				// The request is reused (the middleware works on a copy);
				// only the POST body is renewed, in both variants.
				clear(w.h)
				w.code = 0
				bc.h.ServeHTTP(w, bc.req())
				if w.code != 0 && w.code != 200 {
					b.Fatalf("status %d", w.code)
				}
			}
		})
	}
}

// discard is a ResponseWriter that keeps nothing but headers and status.
type discard struct {
	h    http.Header
	code int
}

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }
func (d *discard) WriteHeader(code int)        { d.code = code }
