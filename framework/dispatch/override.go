package dispatch

import (
	"net/http"
	"strings"

	"github.com/gorails/gorails/internal/formpeek"
)

// overrideScan bounds how much of a POST body MethodOverride reads to find
// _method; the rest is left for the params parser.
const overrideScan = 64 << 10

// MethodOverride lets HTML forms send other methods, as Rack's
// MethodOverride does: a POST whose form body has a _method field (Rails'
// hidden field), or else whose X-HTTP-Method-Override header names a
// method, reaches the router with that method. The methods are Rack's
// (GET, HEAD, PUT, POST, DELETE, OPTIONS, PATCH, LINK, UNLINK, in any
// case), and QUERY from the header only: a plain cross-site form can set
// _method but not a header. OPTIONS too is taken from the header only, a
// departure from Rack: package csrf lets OPTIONS through unchecked (Rails
// checks it), so a form field must not turn a POST into one. Other values,
// and requests other than POST, are left alone. It only looks at the first 64 KiB of the body, which it
// puts back for the params parser.
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
	if m := formpeek.Field(r, "_method", formpeek.Limits{URLEncoded: overrideScan, Multipart: overrideScan, Value: 16}); m != "" {
		return overridable(m, false)
	}
	return overridable(r.Header.Get("X-HTTP-Method-Override"), true)
}

// overridable returns m upper-cased if Rack lets a POST become it.
func overridable(m string, header bool) string {
	switch m = strings.ToUpper(m); m {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodPost, http.MethodDelete,
		http.MethodPatch, "LINK", "UNLINK":
		return m
	case "QUERY", http.MethodOptions:
		if header {
			return m
		}
	}
	return ""
}
