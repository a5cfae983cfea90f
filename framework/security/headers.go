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
	h = h.Clone()
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			dst := w.Header()
			for k, v := range h {
				dst[k] = v
			}
			next.ServeHTTP(w, r)
		})
	}
}
