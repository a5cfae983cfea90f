package framework_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gorails/gorails/framework/event"
	"github.com/gorails/gorails/framework/middleware"
	"github.com/gorails/gorails/framework/secrets"
	"github.com/gorails/gorails/framework/security"
	"github.com/gorails/gorails/framework/session"
)

// TestStackCopiesTheRequestOnce: inside request_id, force_ssl, the
// session and the CSP nonce put what they add in the request's
// event.RequestScope (force_ssl on the stack's own copy of the request), so
// the app gets the request request_id made, still with the scope as its
// context; used alone, each still gives the app its value.
func TestStackCopiesTheRequestOnce(t *testing.T) {
	t.Parallel()
	keys, err := secrets.New(strings.Repeat("k", 64))
	if err != nil {
		t.Fatal(err)
	}
	sessions, err := session.New(session.Config{Keys: keys, Secure: true})
	if err != nil {
		t.Fatal(err)
	}
	csp, err := security.DefaultCSP().Middleware()
	if err != nil {
		t.Fatal(err)
	}
	ssl := security.ForceSSL(security.SSL{AssumeSSL: true})
	for _, tc := range []struct {
		name    string
		inScope bool
	}{
		{"in the default stack", true},
		{"alone", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var made, got *http.Request
			app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got = r
				if session.FromContext(r.Context()) == nil {
					t.Error("no session in the request's context")
				}
				if security.Nonce(r) == "" {
					t.Error("no CSP nonce")
				}
				if r.URL.Scheme != "https" {
					t.Errorf("URL scheme %q, want https", r.URL.Scheme)
				}
			})
			h := ssl(sessions.Handler(csp(app)))
			if tc.inScope {
				inner := h
				h = middleware.RequestID(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					made = r
					inner.ServeHTTP(w, r)
				}))
			}
			req := httptest.NewRequest(http.MethodGet, "http://example.com/posts", nil)
			h.ServeHTTP(httptest.NewRecorder(), req)
			if got == nil {
				t.Fatal("the app was not called")
			}
			if req.URL.Scheme == "https" {
				t.Error("force_ssl changed the client's request's URL")
			}
			if !tc.inScope {
				return
			}
			if got != made {
				t.Error("the request was copied inside request_id")
			}
			if event.ScopeOf(got.Context()) == nil {
				t.Errorf("the app's context is %v, want the request scope with no layer on it", got.Context())
			}
		})
	}
}
