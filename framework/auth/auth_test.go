package auth_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gorails/gorails/framework/auth"
	"github.com/gorails/gorails/framework/secrets"
	"github.com/gorails/gorails/framework/session"
)

const secret = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

// site is a small app: a sign-in form for "user" (password "secret"), an
// API token for "admin", a private page, sign-out and sign-out-everywhere.
type site struct {
	t        *testing.T
	srv      *httptest.Server
	sessions *auth.MemorySessions
	apiToken string
}

func newSite(t *testing.T) *site {
	t.Helper()
	keys, err := secrets.New(secret)
	if err != nil {
		t.Fatal(err)
	}
	sm, err := session.New(session.Config{Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	s := &site{t: t, sessions: &auth.MemorySessions{}}
	tok, digest := auth.NewToken()
	s.apiToken = tok
	check := func(_ context.Context, login, pw string) (auth.User, error) {
		switch {
		case login == "locked@example.com":
			return nil, auth.ErrLocked
		case pw == "secret" && (login == "ann@example.com" || login == "bob@example.com"):
			return auth.IDUser(login), nil
		}
		return nil, nil
	}
	m, err := auth.New(auth.Config{
		Sessions: s.sessions,
		Scopes: []auth.Scope{
			{Name: "user", SignInPath: "/signin", Strategies: []auth.Strategy{
				&auth.PasswordStrategy{Check: check}, auth.RememberMe(),
			}},
			{Name: "admin", SignInPath: "/admin/signin", Strategies: []auth.Strategy{
				&auth.BearerStrategy{Find: func(_ context.Context, d string) (auth.User, error) {
					if d == digest {
						return auth.IDUser("root"), nil
					}
					return nil, nil
				}},
			}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	require := func(scope string, h func(w http.ResponseWriter, r *http.Request, u auth.User)) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			p := auth.FromRequest(r)
			u, err := p.Authenticate(scope)
			if err != nil {
				p.Failure(scope, err).ServeHTTP(w, r)
				return
			}
			h(w, r, u)
		}
	}
	mux.HandleFunc("GET /signin", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "sign in: %s", session.FlashOf(r).Get("alert"))
	})
	mux.HandleFunc("POST /signin", require("user", func(w http.ResponseWriter, r *http.Request, u auth.User) {
		http.Redirect(w, r, auth.FromRequest(r).ReturnPath("user", "/"), http.StatusSeeOther)
	}))
	mux.HandleFunc("GET /private", require("user", func(w http.ResponseWriter, r *http.Request, u auth.User) {
		fmt.Fprintf(w, "hello %s", u.AuthID())
	}))
	mux.HandleFunc("GET /maybe", func(w http.ResponseWriter, r *http.Request) {
		if u := auth.FromRequest(r).User("user"); u != nil {
			fmt.Fprintf(w, "hello %s", u.AuthID())
			return
		}
		fmt.Fprint(w, "hello stranger")
	})
	mux.HandleFunc("POST /signout", func(w http.ResponseWriter, r *http.Request) {
		if err := auth.FromRequest(r).SignOut("user"); err != nil {
			http.Error(w, err.Error(), 500)
		}
	})
	mux.HandleFunc("POST /signout_all", func(w http.ResponseWriter, r *http.Request) {
		if err := auth.FromRequest(r).SignOutEverywhere("user"); err != nil {
			http.Error(w, err.Error(), 500)
		}
	})
	mux.HandleFunc("GET /api/stats", require("admin", func(w http.ResponseWriter, r *http.Request, u auth.User) {
		fmt.Fprintf(w, "stats for %s", u.AuthID())
	}))
	s.srv = httptest.NewServer(sm.Handler(m.Handler(mux)))
	t.Cleanup(s.srv.Close)
	return s
}

// browser returns a client that keeps cookies and does not follow
// redirects.
func (s *site) browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func (s *site) do(c *http.Client, method, path string, form url.Values, header ...string) (*http.Response, string) {
	s.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, s.srv.URL+path, body)
	if err != nil {
		s.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := c.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func (s *site) signIn(c *http.Client, login string, remember bool) *http.Response {
	s.t.Helper()
	f := url.Values{"email_address": {login}, "password": {"secret"}}
	if remember {
		f["remember_me"] = []string{"0", "1"} // a check box: its hidden "0", then its "1"
	} else {
		f.Set("remember_me", "0")
	}
	res, _ := s.do(c, "POST", "/signin", f)
	if res.StatusCode != http.StatusSeeOther {
		s.t.Fatalf("sign in as %s: status %d, want 303", login, res.StatusCode)
	}
	return res
}

// copyCookies is an attacker's copy of a browser's cookies.
func (s *site) copyCookies(c *http.Client) *http.Client {
	u, _ := url.Parse(s.srv.URL)
	cp := s.browser()
	cp.Jar.SetCookies(u, c.Jar.Cookies(u))
	return cp
}

func assertBody(t *testing.T, res *http.Response, body string, status int, want string) {
	t.Helper()
	if res.StatusCode != status || !strings.Contains(body, want) {
		t.Fatalf("got %d %q (Location %q), want %d containing %q", res.StatusCode, body, res.Header.Get("Location"), status, want)
	}
}

func TestSignInAndOut(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	b := s.browser()

	res, body := s.do(b, "GET", "/private?page=2", nil)
	assertBody(t, res, body, http.StatusFound, "")
	if got := res.Header.Get("Location"); got != "/signin" {
		t.Fatalf("an anonymous GET /private redirects to %q, want /signin", got)
	}
	res, body = s.do(b, "GET", "/signin", nil)
	assertBody(t, res, body, 200, "You need to sign in or sign up before continuing.")

	res, _ = s.do(b, "POST", "/signin", url.Values{"email_address": {"ann@example.com"}, "password": {"wrong"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/signin" {
		t.Fatalf("a wrong password: %d to %q, want 303 to /signin", res.StatusCode, res.Header.Get("Location"))
	}
	res, body = s.do(b, "GET", "/signin", nil)
	assertBody(t, res, body, 200, "Try another email address or password.")

	res = s.signIn(b, "ann@example.com", false)
	if got := res.Header.Get("Location"); got != "/private?page=2" {
		t.Errorf("after sign-in the user goes to %q, want the kept return path /private?page=2", got)
	}
	res, body = s.do(b, "GET", "/private", nil)
	assertBody(t, res, body, 200, "hello ann@example.com")
	if s.sessions.Len() != 1 {
		t.Errorf("%d server-side sessions, want 1", s.sessions.Len())
	}

	res, _ = s.do(b, "POST", "/signout", nil)
	if res.StatusCode != 200 || s.sessions.Len() != 0 {
		t.Fatalf("sign out: %d, %d sessions left", res.StatusCode, s.sessions.Len())
	}
	res, body = s.do(b, "GET", "/private", nil)
	assertBody(t, res, body, http.StatusFound, "")
}

func TestLockedAccount(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	b := s.browser()
	s.do(b, "POST", "/signin", url.Values{"email_address": {"locked@example.com"}, "password": {"secret"}})
	res, body := s.do(b, "GET", "/signin", nil)
	assertBody(t, res, body, 200, "Your account is locked")
}

// A copy of the cookies taken while signed in (stolen, or left on a shared
// computer) signs no one in once the user has signed out.
func TestSignedOutCookieReplay(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	b := s.browser()
	s.signIn(b, "ann@example.com", true)
	stolen := s.copyCookies(b)
	res, body := s.do(stolen, "GET", "/private", nil)
	assertBody(t, res, body, 200, "hello ann@example.com") // the copy works while the session lives
	s.do(b, "POST", "/signout", nil)
	for _, path := range []string{"/private", "/maybe"} {
		res, body = s.do(stolen, "GET", path, nil)
		if res.StatusCode == 200 && strings.Contains(body, "ann") {
			t.Fatalf("GET %s with cookies copied before sign-out: %d %q, want signed out", path, res.StatusCode, body)
		}
	}
}

// Cookies an attacker planted before the victim signs in (session
// fixation) are not the victim's session after it.
func TestSessionFixation(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	victim := s.browser()
	s.do(victim, "GET", "/private", nil) // gets a cookie session (the return path)
	planted := s.copyCookies(victim)
	before := cookieValues(s, victim)
	s.signIn(victim, "ann@example.com", false)
	after := cookieValues(s, victim)
	for name, v := range before {
		if after[name] == v {
			t.Errorf("cookie %s kept its value across sign-in", name)
		}
	}
	res, body := s.do(planted, "GET", "/private", nil)
	if res.StatusCode == 200 {
		t.Fatalf("the attacker's pre-sign-in cookies reach the private page: %q", body)
	}
	res, body = s.do(victim, "GET", "/private", nil)
	assertBody(t, res, body, 200, "hello ann@example.com")
}

func cookieValues(s *site, c *http.Client) map[string]string {
	u, _ := url.Parse(s.srv.URL)
	m := map[string]string{}
	for _, ck := range c.Jar.Cookies(u) {
		m[ck.Name] = ck.Value
	}
	return m
}

func TestSignOutEverywhere(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	laptop, phone, other := s.browser(), s.browser(), s.browser()
	s.signIn(laptop, "ann@example.com", false)
	s.signIn(phone, "ann@example.com", true)
	s.signIn(other, "bob@example.com", false)
	s.do(laptop, "POST", "/signout_all", nil)
	res, _ := s.do(phone, "GET", "/private", nil)
	if res.StatusCode != http.StatusFound {
		t.Errorf("the phone is still signed in after sign-out everywhere: %d", res.StatusCode)
	}
	res, body := s.do(other, "GET", "/private", nil)
	assertBody(t, res, body, 200, "hello bob@example.com")
}

// The remember-me cookie signs the user in again after the browser
// session ended, once: it is rotated, so a copy of the old one is dead.
func TestRememberMe(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	b := s.browser()
	s.signIn(b, "ann@example.com", true)
	u, _ := url.Parse(s.srv.URL)
	var kept []*http.Cookie
	for _, c := range b.Jar.Cookies(u) {
		if strings.HasPrefix(c.Name, "_remember_") {
			kept = append(kept, c)
		}
	}
	if len(kept) != 1 {
		t.Fatalf("remember-me cookies after sign-in: %v", kept)
	}
	restarted := s.browser() // the browser restarted: only the persistent cookie is left
	restarted.Jar.SetCookies(u, kept)
	old := s.copyCookies(restarted)
	res, body := s.do(restarted, "GET", "/maybe", nil)
	assertBody(t, res, body, 200, "hello ann@example.com")
	res, body = s.do(restarted, "GET", "/private", nil)
	assertBody(t, res, body, 200, "hello ann@example.com")
	res, body = s.do(old, "GET", "/private", nil)
	if res.StatusCode == 200 {
		t.Fatalf("a used remember-me cookie worked again: %q", body)
	}
}

func TestJSONFailure(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	res, body := s.do(s.browser(), "GET", "/private", nil, "Accept", "application/json")
	if res.StatusCode != 401 || res.Header.Get("WWW-Authenticate") != `Bearer realm="Application"` {
		t.Fatalf("JSON request: %d, WWW-Authenticate %q", res.StatusCode, res.Header.Get("WWW-Authenticate"))
	}
	var got map[string]string
	if err := json.Unmarshal([]byte(body), &got); err != nil || got["error"] == "" {
		t.Fatalf("JSON failure body %q: %v", body, err)
	}
}

func TestBearerToken(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	tests := []struct {
		name, header string
		status       int
		challenge    string
	}{
		{"the right token", "Bearer " + s.apiToken, 200, ""},
		{"the scheme in any case", "bearer " + s.apiToken, 200, ""},
		{"a wrong token", "Bearer " + s.apiToken + "x", 401, `Bearer realm="Application", error="invalid_token"`},
		{"an empty token (no credentials at all)", "Bearer ", 401, `Bearer realm="Application"`},
		{"a huge token", "Bearer " + strings.Repeat("a", 5000), 401, `Bearer realm="Application", error="invalid_token"`},
		{"another scheme", "Basic dXNlcjpwYXNz", 401, `Bearer realm="Application"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, body := s.do(s.browser(), "GET", "/api/stats", nil, "Authorization", tt.header)
			if res.StatusCode != tt.status {
				t.Fatalf("status %d %q, want %d", res.StatusCode, body, tt.status)
			}
			if got := res.Header.Get("WWW-Authenticate"); got != tt.challenge {
				t.Errorf("WWW-Authenticate %q, want %q", got, tt.challenge)
			}
			if len(res.Cookies()) > 0 && tt.status == 200 {
				for _, c := range res.Cookies() {
					if strings.Contains(c.Name, "admin") {
						t.Errorf("a stateless token sign-in set cookie %s", c.Name)
					}
				}
			}
		})
	}
	if s.sessions.Len() != 0 {
		t.Errorf("API requests created %d sessions", s.sessions.Len())
	}
}

func TestSafeReturnPath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		path string
		safe bool
	}{
		{"/", true},
		{"/posts/1?tab=comments#c2", true},
		{"", false},
		{"posts", false},
		{"//evil.example", false},
		{"/\\evil.example", false},
		{"/a\\b", false},
		{"https://evil.example/", false},
		{"javascript:alert(1)", false},
		{"/\x00", false},
		{"/a\r\nLocation: //evil.example", false},
		{"/" + strings.Repeat("a", 3000), false},
	}
	for _, tt := range tests {
		if got := auth.SafeReturnPath(tt.path); got != tt.safe {
			t.Errorf("SafeReturnPath(%q) = %v, want %v", tt.path, got, tt.safe)
		}
	}
}

func FuzzSafeReturnPath(f *testing.F) {
	for _, s := range []string{"/", "//x", "/\\x", "/%2F%2Fx", "http://x", "/a?b=//c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !auth.SafeReturnPath(s) {
			return
		}
		u, err := url.Parse(s)
		if err != nil || u.Host != "" || u.Scheme != "" || strings.HasPrefix(s, "//") {
			t.Fatalf("SafeReturnPath(%q) but it leaves the site", s)
		}
		// What a browser resolves it to stays on the site.
		base, _ := url.Parse("https://example.com/x")
		if got := base.ResolveReference(u); got.Host != "example.com" {
			t.Fatalf("SafeReturnPath(%q) resolves to host %q", s, got.Host)
		}
	})
}

func TestTokens(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	key := []byte(strings.Repeat("k", 32))
	reset, err := auth.NewTokens(key, "password_reset", 15*time.Minute, clock)
	if err != nil {
		t.Fatal(err)
	}
	confirm, _ := auth.NewTokens(key, "email_confirmation", 15*time.Minute, clock)
	fp := "digest-end"
	lookup := func(id string) (string, error) {
		if id != "42" {
			return "", fmt.Errorf("user %s: not found", id)
		}
		return fp, nil
	}
	tok := reset.Generate("42", fp)
	if id, err := reset.Verify(tok, lookup); err != nil || id != "42" {
		t.Fatalf("Verify of a fresh token: %q, %v", id, err)
	}
	bad := map[string]string{
		"another purpose's token": confirm.Generate("42", fp),
		"a tampered id":           strings.Replace(tok, tok[:4], "NDM", 1),
		"a truncated token":       tok[:len(tok)-3],
		"no signature":            tok[:len(tok)-43],
		"garbage":                 "%%%.%%%",
		"an unknown user":         reset.Generate("7", fp),
		"a huge token":            strings.Repeat("a", 10000),
	}
	for name, tk := range bad {
		if _, err := reset.Verify(tk, lookup); err == nil {
			t.Errorf("%s verified", name)
		}
	}
	fp = "changed!!!" // the password changed
	if _, err := reset.Verify(tok, lookup); err == nil {
		t.Error("a token made before the password changed still verifies")
	}
	fp = "digest-end"
	now = now.Add(16 * time.Minute)
	if _, err := reset.Verify(tok, lookup); err == nil {
		t.Error("an expired token verifies")
	}
	if _, err := auth.NewTokens([]byte("short"), "p", time.Minute, nil); err == nil {
		t.Error("NewTokens accepted a 5-byte key")
	}
}

func FuzzTokensVerify(f *testing.F) {
	key := []byte(strings.Repeat("k", 32))
	tk, _ := auth.NewTokens(key, "p", time.Hour, nil)
	f.Add(tk.Generate("1", "fp"))
	f.Add("a.b")
	f.Add(strings.Repeat("A", 44))
	f.Fuzz(func(t *testing.T, s string) {
		id, err := tk.Verify(s, func(string) (string, error) { return "fp", nil })
		if err == nil && (id == "" || len(s) <= 43) {
			t.Fatalf("%q verified as %q", s, id)
		}
	})
}

func TestNewRefusesBadConfig(t *testing.T) {
	t.Parallel()
	store := &auth.MemorySessions{}
	tests := map[string]auth.Config{
		"no store":         {Scopes: []auth.Scope{{Name: "user", SignInPath: "/s"}}},
		"no scopes":        {Sessions: store},
		"a bad scope name": {Sessions: store, Scopes: []auth.Scope{{Name: "User!", SignInPath: "/s"}}},
		"a scope twice":    {Sessions: store, Scopes: []auth.Scope{{Name: "user", SignInPath: "/s"}, {Name: "user", SignInPath: "/s"}}},
		"an offsite path":  {Sessions: store, Scopes: []auth.Scope{{Name: "user", SignInPath: "https://evil.example"}}},
		"a nil strategy":   {Sessions: store, Scopes: []auth.Scope{{Name: "user", SignInPath: "/s", Strategies: []auth.Strategy{nil}}}},
		"no sign-in path":  {Sessions: store, Scopes: []auth.Scope{{Name: "user"}}},
	}
	for name, cfg := range tests {
		if _, err := auth.New(cfg); err == nil {
			t.Errorf("New with %s: no error", name)
		}
	}
}

func TestUnknownScopeAndNoSessionMiddleware(t *testing.T) {
	t.Parallel()
	m, err := auth.New(auth.Config{Sessions: &auth.MemorySessions{}, Scopes: []auth.Scope{{Name: "user", SignInPath: "/s"}}})
	if err != nil {
		t.Fatal(err)
	}
	var got [3]error
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := auth.FromRequest(r)
		_, got[0] = p.Authenticate("admin")
		got[1] = p.SignIn("user", auth.IDUser("1"))
		_, got[2] = p.Authenticate("user")
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	if got[0] == nil || got[1] == nil || got[2] == nil {
		t.Fatalf("errors %v: want an unknown scope, no session middleware, not authenticated", got)
	}
	if auth.FromRequest(httptest.NewRequest("GET", "/", nil)) != nil {
		t.Error("FromRequest without the middleware is not nil")
	}
}

// A scope's Default strategies run when Authenticate names none; the
// password strategy then runs only where the sign-in action names it, so
// a form elsewhere with the same fields signs no one in.
func TestNamedAndDefaultStrategies(t *testing.T) {
	t.Parallel()
	keys, _ := secrets.New(secret)
	sm, _ := session.New(session.Config{Keys: keys})
	pwd := &auth.PasswordStrategy{Check: func(context.Context, string, string) (auth.User, error) { return auth.IDUser("1"), nil }}
	m, err := auth.New(auth.Config{Sessions: &auth.MemorySessions{}, Scopes: []auth.Scope{{
		Name: "user", SignInPath: "/s", Strategies: []auth.Strategy{pwd, auth.RememberMe()}, Default: []string{"remember_me"},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	var got []error
	h := sm.Handler(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := auth.FromRequest(r)
		_, e1 := p.Authenticate("user")
		_, e2 := p.Authenticate("user", "bearer")
		_, e3 := p.Authenticate("user", "password")
		got = []error{e1, e2, e3}
	})))
	form := url.Values{"email_address": {"a@example.com"}, "password": {"x"}}
	req := httptest.NewRequest("POST", "/", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	h.ServeHTTP(httptest.NewRecorder(), req)
	if !errors.Is(got[0], auth.ErrUnauthenticated) {
		t.Errorf("the default strategies signed in a form post: %v", got[0])
	}
	if got[1] == nil || errors.Is(got[1], auth.ErrUnauthenticated) {
		t.Errorf("naming a strategy the scope lacks: %v, want a configuration error", got[1])
	}
	if got[2] != nil {
		t.Errorf("naming the password strategy: %v", got[2])
	}
	if _, err := auth.New(auth.Config{Sessions: &auth.MemorySessions{}, Scopes: []auth.Scope{{Name: "u", SignInPath: "/s", Default: []string{"nope"}}}}); err == nil {
		t.Error("New accepted a default strategy the scope lacks")
	}
}

// BenchmarkResumeSession is the per-request cost of a signed-in request:
// the auth middleware and reading the user from the session cookie (a
// memory store), against the session middleware alone.
func BenchmarkResumeSession(b *testing.B) {
	keys, _ := secrets.New(secret)
	sm, _ := session.New(session.Config{Keys: keys})
	store := &auth.MemorySessions{}
	m, _ := auth.New(auth.Config{Sessions: store, Scopes: []auth.Scope{{Name: "user", SignInPath: "/s"}}})
	var cookies []*http.Cookie
	signin := sm.Handler(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = auth.FromRequest(r).SignIn("user", auth.IDUser("1"))
	})))
	rec := httptest.NewRecorder()
	signin.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	cookies = rec.Result().Cookies()
	run := func(b *testing.B, h http.Handler) {
		req := httptest.NewRequest("GET", "/", nil)
		for _, c := range cookies {
			req.AddCookie(c)
		}
		b.ReportAllocs()
		for b.Loop() {
			h.ServeHTTP(httptest.NewRecorder(), req)
		}
	}
	b.Run("baseline=session only", func(b *testing.B) {
		run(b, sm.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})))
	})
	b.Run("auth", func(b *testing.B) {
		run(b, sm.Handler(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if auth.FromRequest(r).User("user") == nil {
				b.Fatal("not signed in")
			}
		}))))
	})
}
