package csrf_test

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/gorails/gorails/framework/csrf"
)

// sameSecret reports whether two tokens unmask to the same secret; written
// here independently of the package.
func sameSecret(a, b string) bool {
	ra, err1 := base64.RawURLEncoding.DecodeString(a)
	rb, err2 := base64.RawURLEncoding.DecodeString(b)
	if err1 != nil || err2 != nil || len(ra) != 64 || len(rb) != 64 {
		return false
	}
	for i := range 32 {
		if ra[i]^ra[32+i] != rb[i]^rb[32+i] {
			return false
		}
	}
	return true
}

// FuzzCheck: the middleware never panics, and an unsafe request it lets
// through is one the specification allows: a same-origin or trusted browser
// request, or one whose token unmasks to the session's secret.
func FuzzCheck(f *testing.F) {
	fx := setup(f, csrf.Config{TrustedOrigins: []string{trusted}})
	methods := []string{"POST", "PUT", "PATCH", "DELETE", "GET"}
	f.Add(uint8(0), "", "", fx.token)
	f.Add(uint8(0), "", "", fx.other)
	f.Add(uint8(1), "cross-site", evilOrigin, fx.token)
	f.Add(uint8(2), "same-site", trusted, "")
	f.Add(uint8(3), "", "http://example.com:80", "x")
	f.Add(uint8(0), "Same-Origin", "null", "")
	f.Fuzz(func(t *testing.T, m uint8, sfs, origin, token string) {
		method := methods[int(m)%len(methods)]
		r := httptest.NewRequest(method, "/posts", nil)
		r.Header.Set("Sec-Fetch-Site", sfs)
		r.Header.Set("Origin", origin)
		r.Header.Set(csrf.HeaderName, token)
		r.AddCookie(fx.cookie)
		rec := httptest.NewRecorder()
		fx.h.ServeHTTP(rec, r)
		if rec.Code != http.StatusOK {
			return
		}
		ok := method == "GET"
		switch {
		case ok:
		case sfs == "same-origin" || sfs == "none":
			ok = true
		case sfs != "":
			ok = origin == trusted
		case origin != "":
			u, err := url.Parse(origin)
			ok = origin == trusted || err == nil && u.Host == "example.com"
		default:
			ok = sameSecret(token, fx.token)
		}
		if !ok {
			t.Fatalf("%s sfs=%q origin=%q token=%q accepted", method, sfs, origin, token)
		}
	})
}
