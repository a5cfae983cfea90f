package security

import "net/http"

// DefaultHeaders returns Rails' default security headers (a new map on each
// call):
//
//	X-Frame-Options: SAMEORIGIN
//	X-XSS-Protection: 0
//	X-Content-Type-Options: nosniff
//	X-Permitted-Cross-Domain-Policies: none
//	Referrer-Policy: strict-origin-when-cross-origin
func DefaultHeaders() http.Header {
	return http.Header{
		"X-Frame-Options":                   {"SAMEORIGIN"},
		"X-Xss-Protection":                  {"0"},
		"X-Content-Type-Options":            {"nosniff"},
		"X-Permitted-Cross-Domain-Policies": {"none"},
		"Referrer-Policy":                   {"strict-origin-when-cross-origin"},
	}
}

// Headers returns middleware that sets each of h on every response before
// calling the next handler, which may still change or delete them. h is
// copied; later changes to it have no effect.
func Headers(h http.Header) func(http.Handler) http.Handler {
	// A list, not the map: walking a map costs several times a slice's
	// walk, on every response. The value slices are shared by every
	// response, as they were: nothing writes a header's values in place
	// (Set replaces the slice, Add appends to a copy once it is full).
	type header struct {
		key    string
		values []string
	}
	list := make([]header, 0, len(h))
	for k, v := range h.Clone() {
		list = append(list, header{k, v[:len(v):len(v)]})
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			dst := w.Header()
			for _, kv := range list {
				dst[kv.key] = kv.values
			}
			next.ServeHTTP(w, r)
		})
	}
}
