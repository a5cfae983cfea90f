package dispatch

import (
	"net/http"
	"strings"

	"github.com/gorails/gorails/internal/formpeek"
)

// overrideScan bounds how much of a POST body MethodOverride reads to find
// _method; the rest is left for the params parser.
const overrideScan = 64 << 10

// MethodOverride lets HTML forms send PUT, PATCH and DELETE: a POST whose
// form body has a _method field (Rails' hidden field), or whose
// X-HTTP-Method-Override header names one of those methods, reaches the
// router with that method. Like Rack::MethodOverride, it only looks at the
// first 64 KiB of the body, which it puts back for the params parser.
func MethodOverride(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			if m := overrideMethod(r); m != "" {
				r2 := new(http.Request)
				*r2 = *r
				r2.Method = m
				r = r2
			}
		}
		next.ServeHTTP(w, r)
	})
}

func overrideMethod(r *http.Request) string {
	m := r.Header.Get("X-HTTP-Method-Override")
	if m == "" {
		m = formpeek.Field(r, "_method", formpeek.Limits{URLEncoded: overrideScan, Multipart: overrideScan, Value: 16})
	}
	switch m = strings.ToUpper(m); m {
	case http.MethodPut, http.MethodPatch, http.MethodDelete:
		return m
	}
	return ""
}
