package middleware

import (
	"crypto/subtle"
	"net/http"
	"strings"
)

// BasicAuth guards a handler with HTTP basic authentication: a request
// without the user and password gets 401 and a WWW-Authenticate challenge
// for realm. The comparison takes the same time whatever the guess.
// An empty user or password would let anyone in, so BasicAuth refuses
// every request then (fail closed).
func BasicAuth(realm, user, password string) func(http.Handler) http.Handler {
	challenge := `Basic realm="` + quoteEscaper.Replace(realm) + `", charset="UTF-8"`
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			u, p, ok := r.BasicAuth()
			uok := subtle.ConstantTimeCompare([]byte(u), []byte(user)) == 1
			pok := subtle.ConstantTimeCompare([]byte(p), []byte(password)) == 1
			if !ok || !uok || !pok || user == "" || password == "" {
				w.Header().Set("WWW-Authenticate", challenge)
				http.Error(w, "401 Unauthorized", http.StatusUnauthorized)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// quoteEscaper escapes a quoted-string's quotes and backslashes (RFC 9110).
var quoteEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`)
