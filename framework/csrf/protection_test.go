package csrf_test

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gorails/gorails/framework/csrf"
	"github.com/gorails/gorails/framework/secrets"
	"github.com/gorails/gorails/framework/session"
)

const (
	sameOrigin = "http://example.com" // httptest's default Host is example.com
	evilOrigin = "https://evil.example"
	trusted    = "https://admin.example.org"
)

type fixture struct {
	h      http.Handler
	log    *strings.Builder
	cookie *http.Cookie // session cookie holding a CSRF secret
	token  string       // a valid token for that session
	other  string       // a valid token for another session
}

func setup(t testing.TB, cfg csrf.Config) *fixture {
	t.Helper()
	keys, err := secrets.New(strings.Repeat("s", 64))
	if err != nil {
		t.Fatal(err)
	}
	m, err := session.New(session.Config{Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{log: &strings.Builder{}}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(f.log, nil))
	}
	p, err := csrf.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.h = m.Handler(p.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/form" {
			io.WriteString(w, csrf.Token(r))
			return
		}
		io.WriteString(w, "ok")
	})))
	f.cookie, f.token = f.newSession(t)
	_, f.other = f.newSession(t)
	return f
}

func (f *fixture) newSession(t testing.TB) (*http.Cookie, string) {
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, httptest.NewRequest("GET", "/form", nil))
	cs := rec.Result().Cookies()
	if len(cs) != 1 || rec.Body.Len() == 0 {
		t.Fatalf("GET /form gave cookies %v token %q", cs, rec.Body)
	}
	return cs[0], rec.Body.String()
}

type tokenKind string

const (
	noToken     tokenKind = "no token"
	headerToken tokenKind = "token in header"
	formToken   tokenKind = "token in form"
	wrongToken  tokenKind = "another session's token"
	junkToken   tokenKind = "junk token"
)

type matrixCase struct {
	method, secFetchSite, origin string
	token                        tokenKind
	optOut                       bool
}

func (c matrixCase) String() string {
	return fmt.Sprintf("%s sfs=%q origin=%q %s optout=%v", c.method, c.secFetchSite, c.origin, c.token, c.optOut)
}

// allowed is the specification the middleware must meet, written
// independently of it.
func (c matrixCase) allowed() bool {
	if c.method == "GET" || c.method == "HEAD" || c.method == "OPTIONS" || c.optOut {
		return true
	}
	switch c.secFetchSite {
	case "same-origin", "none":
		return true
	case "same-site", "cross-site":
		return c.origin == trusted
	}
	switch c.origin {
	case sameOrigin, trusted:
		return true
	case evilOrigin:
		return false
	}
	// The token is read from the header, or from the form body of any
	// unsafe method (the body is scanned, not consumed).
	return c.token == formToken || c.token == headerToken
}

func (f *fixture) request(c matrixCase) *http.Request {
	path := "/posts"
	if c.optOut {
		path = "/api/posts"
	}
	var body io.Reader
	form := url.Values{"title": {"x"}}
	switch c.token {
	case formToken:
		form.Set(csrf.ParamName, f.token)
	case wrongToken:
		form.Set(csrf.ParamName, f.other)
	case junkToken:
		form.Set(csrf.ParamName, "AAAA"+strings.Repeat("-", 82))
	}
	if c.method != "GET" && c.method != "HEAD" {
		body = strings.NewReader(form.Encode())
	}
	r := httptest.NewRequest(c.method, path, body)
	if body != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if c.token == headerToken {
		r.Header.Set(csrf.HeaderName, f.token)
	}
	if c.secFetchSite != "" {
		r.Header.Set("Sec-Fetch-Site", c.secFetchSite)
	}
	if c.origin != "" {
		r.Header.Set("Origin", c.origin)
	}
	r.AddCookie(f.cookie)
	return r
}

func TestMatrix(t *testing.T) {
	t.Parallel()
	f := setup(t, csrf.Config{TrustedOrigins: []string{trusted}, BypassPatterns: []string{"/api/"}})
	n := 0
	for _, method := range []string{"GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"} {
		for _, sfs := range []string{"", "same-origin", "none", "same-site", "cross-site"} {
			for _, origin := range []string{"", sameOrigin, evilOrigin, trusted} {
				for _, tok := range []tokenKind{noToken, headerToken, formToken, wrongToken, junkToken} {
					for _, optOut := range []bool{false, true} {
						c := matrixCase{method, sfs, origin, tok, optOut}
						rec := httptest.NewRecorder()
						f.h.ServeHTTP(rec, f.request(c))
						want := http.StatusOK
						if !c.allowed() {
							want = http.StatusUnprocessableEntity
						}
						if rec.Code != want {
							t.Errorf("%v: status %d, want %d", c, rec.Code, want)
						}
						n++
					}
				}
			}
		}
	}
	t.Logf("%d combinations", n)
}

// The named rows of the matrix, as sentences.
func TestMatrixExamples(t *testing.T) {
	t.Parallel()
	f := setup(t, csrf.Config{TrustedOrigins: []string{trusted}, BypassPatterns: []string{"/api/"}})
	tests := []struct {
		name string
		c    matrixCase
		want int
	}{
		{"a same-origin form post from a modern browser passes without a token", matrixCase{"POST", "same-origin", sameOrigin, noToken, false}, 200},
		{"a cross-site post is rejected even with a valid token", matrixCase{"POST", "cross-site", evilOrigin, formToken, false}, 422},
		{"a same-site (sibling subdomain) post is rejected", matrixCase{"POST", "same-site", "https://x.example.com", noToken, false}, 422},
		{"a cross-site post from a trusted origin passes", matrixCase{"POST", "cross-site", trusted, noToken, false}, 200},
		{"an old browser's post from another origin is rejected", matrixCase{"POST", "", evilOrigin, formToken, false}, 422},
		{"an old browser's same-origin post passes", matrixCase{"POST", "", sameOrigin, noToken, false}, 200},
		{"a post with neither header needs the token", matrixCase{"POST", "", "", noToken, false}, 422},
		{"a post with neither header passes with the form token", matrixCase{"POST", "", "", formToken, false}, 200},
		{"a post with neither header passes with the X-CSRF-Token header", matrixCase{"DELETE", "", "", headerToken, false}, 200},
		{"another session's token is rejected", matrixCase{"POST", "", "", wrongToken, false}, 422},
		{"junk is rejected", matrixCase{"POST", "", "", junkToken, false}, 422},
		{"an opted-out API path passes a cross-site post", matrixCase{"POST", "cross-site", evilOrigin, noToken, true}, 200},
		{"a cross-site GET passes (safe method)", matrixCase{"GET", "cross-site", evilOrigin, noToken, false}, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			f.h.ServeHTTP(rec, f.request(tt.c))
			if rec.Code != tt.want {
				t.Fatalf("status %d, want %d", rec.Code, tt.want)
			}
			if (tt.c.allowed() && tt.want != 200) || (!tt.c.allowed() && tt.want != 422) {
				t.Fatal("example disagrees with the specification")
			}
		})
	}
}

func TestRejectionIsLoggedWithoutToken(t *testing.T) {
	t.Parallel()
	f := setup(t, csrf.Config{})
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, f.request(matrixCase{"POST", "", "", wrongToken, false}))
	if rec.Code != 422 {
		t.Fatalf("status %d", rec.Code)
	}
	log := f.log.String()
	if !strings.Contains(log, "csrf: rejected request") || !strings.Contains(log, "path=/posts") || !strings.Contains(log, "authenticity token invalid") {
		t.Fatalf("log = %q", log)
	}
	if strings.Contains(log, f.other) || strings.Contains(log, f.cookie.Value) {
		t.Fatal("log contains a token or the session cookie")
	}
}

func TestConfiguredFailure(t *testing.T) {
	t.Parallel()
	t.Run("status", func(t *testing.T) {
		f := setup(t, csrf.Config{FailureStatus: http.StatusForbidden})
		rec := httptest.NewRecorder()
		f.h.ServeHTTP(rec, f.request(matrixCase{"POST", "cross-site", evilOrigin, noToken, false}))
		if rec.Code != http.StatusForbidden {
			t.Fatalf("status %d", rec.Code)
		}
	})
	t.Run("handler and skip predicate", func(t *testing.T) {
		var got error
		f := setup(t, csrf.Config{
			OnFailure: func(w http.ResponseWriter, r *http.Request, err error) { got = err; w.WriteHeader(418) },
			Skip:      func(r *http.Request) bool { return r.Header.Get("Authorization") != "" },
		})
		rec := httptest.NewRecorder()
		f.h.ServeHTTP(rec, f.request(matrixCase{"POST", "cross-site", evilOrigin, noToken, false}))
		if rec.Code != 418 || !errors.Is(got, csrf.ErrCrossOrigin) {
			t.Fatalf("status %d err %v", rec.Code, got)
		}
		r := f.request(matrixCase{"POST", "cross-site", evilOrigin, noToken, false})
		r.Header.Set("Authorization", "Bearer x")
		rec = httptest.NewRecorder()
		f.h.ServeHTTP(rec, r)
		if rec.Code != 200 {
			t.Fatalf("skipped request status %d", rec.Code)
		}
	})
}

func TestResetRotatesToken(t *testing.T) {
	t.Parallel()
	keys, _ := secrets.New(strings.Repeat("s", 64))
	m, _ := session.New(session.Config{Keys: keys})
	p, _ := csrf.New(csrf.Config{})
	var before, after string
	h := m.Handler(p.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		before = csrf.Token(r)
		session.FromContext(r.Context()).Reset()
		after = csrf.Token(r)
	})))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	if before == "" || before == after {
		t.Fatal("tokens missing or equal")
	}
}

func TestCheckWithoutSession(t *testing.T) {
	t.Parallel()
	p, _ := csrf.New(csrf.Config{})
	r := httptest.NewRequest("POST", "/", nil)
	if err := p.Check(r); !errors.Is(err, csrf.ErrNoSession) {
		t.Fatalf("err = %v", err)
	}
	if csrf.Token(r) != "" {
		t.Fatal("token without a session")
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	t.Parallel()
	for _, cfg := range []csrf.Config{
		{TrustedOrigins: []string{"example.com"}},
		{TrustedOrigins: []string{"https://example.com/path"}},
		{BypassPatterns: []string{"/api/{bad"}},
		{BypassPatterns: []string{"/api/", "/api/"}},
	} {
		if _, err := csrf.New(cfg); err == nil {
			t.Errorf("New(%+v) accepted", cfg)
		}
	}
}

func TestTokensAreMaskedAndFresh(t *testing.T) {
	t.Parallel()
	f := setup(t, csrf.Config{})
	seen := map[string]bool{}
	for range 5 {
		req := httptest.NewRequest("GET", "/form", nil)
		req.AddCookie(f.cookie)
		rec := httptest.NewRecorder()
		f.h.ServeHTTP(rec, req)
		tok := rec.Body.String()
		if seen[tok] {
			t.Fatal("token repeated")
		}
		seen[tok] = true
		// Every fresh token verifies.
		post := httptest.NewRequest("POST", "/posts", nil)
		post.Header.Set(csrf.HeaderName, tok)
		post.AddCookie(f.cookie)
		rec = httptest.NewRecorder()
		f.h.ServeHTTP(rec, post)
		if rec.Code != 200 {
			t.Fatalf("fresh token rejected: %d", rec.Code)
		}
	}
}

func TestMultipartFormToken(t *testing.T) {
	t.Parallel()
	f := setup(t, csrf.Config{})
	for _, tc := range []struct {
		name  string
		token string
		want  int
	}{
		{"a multipart form with its token passes", f.token, 200},
		{"a multipart form with another session's token is rejected", f.other, 422},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var body strings.Builder
			mw := multipart.NewWriter(&body)
			mw.WriteField(csrf.ParamName, tc.token)
			fw, _ := mw.CreateFormFile("upload", "a.txt")
			io.WriteString(fw, "hello")
			mw.Close()
			r := httptest.NewRequest("POST", "/posts", strings.NewReader(body.String()))
			r.Header.Set("Content-Type", mw.FormDataContentType())
			r.AddCookie(f.cookie)
			rec := httptest.NewRecorder()
			f.h.ServeHTTP(rec, r)
			if rec.Code != tc.want {
				t.Fatalf("status %d, want %d", rec.Code, tc.want)
			}
		})
	}
}

func TestTheFormBodyIsLeftForTheHandler(t *testing.T) {
	t.Parallel()
	keys, err := secrets.New(strings.Repeat("s", 64))
	if err != nil {
		t.Fatal(err)
	}
	m, err := session.New(session.Config{Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	p, err := csrf.New(csrf.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	h := m.Handler(p.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/form" {
			io.WriteString(w, csrf.Token(r))
			return
		}
		io.Copy(w, r.Body) // echo what the handler can still read
	})))
	f := &fixture{h: h}
	cookie, token := f.newSession(t)
	tests := []struct {
		name, contentType, body string
	}{
		{"a urlencoded form", "application/x-www-form-urlencoded", "authenticity_token=" + url.QueryEscape(token) + "&post%5Btitle%5D=hello"},
		{"a urlencoded form with the token last", "application/x-www-form-urlencoded", "post%5Btitle%5D=hello&authenticity_token=" + url.QueryEscape(token)},
		{"a multipart form", "multipart/form-data; boundary=XX", "--XX\r\nContent-Disposition: form-data; name=\"authenticity_token\"\r\n\r\n" + token +
			"\r\n--XX\r\nContent-Disposition: form-data; name=\"post[title]\"\r\n\r\nhello\r\n--XX--\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := httptest.NewRequest("POST", "/posts", strings.NewReader(tt.body))
			req.Header.Set("Content-Type", tt.contentType)
			req.AddCookie(cookie)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != 200 {
				t.Fatalf("status %d, want 200: %s", rec.Code, rec.Body)
			}
			if got := rec.Body.String(); got != tt.body {
				t.Errorf("the handler read %q, want the whole body %q", got, tt.body)
			}
		})
	}
}
