package auth

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/gorails/gorails/framework/session"
)

func returnKey(scope string) string { return "return_to_" + scope }

// maxReturnPath bounds a kept return path; longer ones are not kept.
const maxReturnPath = 2048

// Failure returns the failure handler (Warden's failure app) for err, an
// error from Authenticate: an HTML request is redirected to the scope's
// SignInPath with the message as the "alert" flash, and, for a GET, its
// path kept so that ReturnPath can send the user back after signing in;
// a JSON or API request (Accept or Content-Type JSON, a .json path, an
// Authorization header, an XMLHttpRequest) gets 401 with WWW-Authenticate
// and {"error": message}.
func (p *Proxy) Failure(scope string, err error) http.Handler {
	s, serr := p.m.scope(scope)
	if serr != nil {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "Unauthorized", http.StatusUnauthorized)
		})
	}
	msg := s.Message
	var f *Failure
	if errors.As(err, &f) && f.Message != "" {
		msg = f.Message
	}
	bearer := f != nil && f.Strategy == "bearer"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if WantsJSON(r) {
			challenge := `Bearer realm="` + s.Realm + `"`
			if bearer {
				challenge += `, error="invalid_token"`
			}
			w.Header().Set("WWW-Authenticate", challenge)
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.Header().Set("Cache-Control", "no-store")
			w.WriteHeader(http.StatusUnauthorized)
			_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
			return
		}
		if sess := session.FromContext(r.Context()); sess != nil {
			if r.Method == http.MethodGet && SafeReturnPath(r.URL.RequestURI()) {
				sess.Set(returnKey(s.Name), r.URL.RequestURI())
			}
			sess.Flash().Set("alert", msg)
		}
		status := http.StatusFound
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			status = http.StatusSeeOther
		}
		http.Redirect(w, r, s.SignInPath, status)
	})
}

// WantsJSON reports whether a request is an API or JSON request, which a
// failure answers with 401 rather than a redirect.
func WantsJSON(r *http.Request) bool {
	if r.Header.Get("Authorization") != "" || r.Header.Get("X-Requested-With") == "XMLHttpRequest" {
		return true
	}
	if strings.HasSuffix(r.URL.Path, ".json") {
		return true
	}
	if ct := r.Header.Get("Content-Type"); strings.HasPrefix(ct, "application/json") {
		return true
	}
	accept := r.Header.Get("Accept")
	return strings.Contains(accept, "application/json") && !strings.Contains(accept, "text/html")
}

// ReturnPath returns, once, the path the failure handler kept for the
// scope (the page the user asked for before signing in), or fallback. A
// kept path is checked again: only a path on this site comes back.
func (p *Proxy) ReturnPath(scope, fallback string) string {
	s, err := p.m.scope(scope)
	if err != nil {
		return fallback
	}
	sess := session.FromContext(p.r.Context())
	if sess == nil {
		return fallback
	}
	back, ok := sess.Get(returnKey(s.Name))
	if !ok {
		return fallback
	}
	sess.Delete(returnKey(s.Name))
	if !SafeReturnPath(back) {
		return fallback
	}
	return back
}

// SafeReturnPath reports whether s is a path on this site that is safe to
// redirect to: it starts with one "/", and has no scheme, host,
// backslash, or control character ("//evil.example", "/\evil.example" and
// "https://evil.example" are not).
func SafeReturnPath(s string) bool {
	if len(s) == 0 || len(s) > maxReturnPath || s[0] != '/' {
		return false
	}
	if len(s) > 1 && (s[1] == '/' || s[1] == '\\') {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f || c == '\\' {
			return false
		}
	}
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "" && u.Host == "" && u.User == nil && strings.HasPrefix(u.Path, "/") && !strings.HasPrefix(u.Path, "//")
}
