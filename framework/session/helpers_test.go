package session_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gorails/gorails/framework/secrets"
	"github.com/gorails/gorails/framework/session"
)

const (
	secretA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	secretB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
)

// *secrets.Secrets is what the framework passes as Keys.
var _ session.Keys = (*secrets.Secrets)(nil)

func keys(t testing.TB, base string, old ...string) *secrets.Secrets {
	t.Helper()
	s, err := secrets.New(base, old...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func manager(t testing.TB, cfg session.Config) *session.Manager {
	t.Helper()
	if cfg.Keys == nil {
		cfg.Keys = keys(t, secretA)
	}
	m, err := session.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// browser carries cookies between requests like a user agent that keeps
// every cookie it is given (an attacker may keep expired ones too).
type browser struct {
	t       testing.TB
	h       http.Handler
	cookies map[string]string
}

func newBrowser(t testing.TB, h http.Handler) *browser {
	return &browser{t: t, h: h, cookies: map[string]string{}}
}

func (b *browser) get(target string) *httptest.ResponseRecorder {
	return b.do(httptest.NewRequest(http.MethodGet, target, nil))
}

func (b *browser) do(req *http.Request) *httptest.ResponseRecorder {
	for name, v := range b.cookies {
		req.AddCookie(&http.Cookie{Name: name, Value: v})
	}
	rec := httptest.NewRecorder()
	b.h.ServeHTTP(rec, req)
	for _, c := range rec.Result().Cookies() {
		if c.MaxAge < 0 {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c.Value
		}
	}
	return rec
}

func setCookies(rec *httptest.ResponseRecorder) string {
	return strings.Join(rec.Header().Values("Set-Cookie"), "\n")
}
