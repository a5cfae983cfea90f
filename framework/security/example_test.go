package security_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"time"

	"github.com/gorails/gorails/framework/security"
)

func ExampleFilter() {
	f := security.NewFilter() // Rails' list
	fmt.Println(f.Values(url.Values{"user[password]": {"hunter2"}, "user[name]": {"ann"}}).Encode())
	// Output: user%5Bname%5D=ann&user%5Bpassword%5D=%5BFILTERED%5D
}

func ExampleHostAuthorization() {
	mw, _ := security.HostAuthorization(security.Hosts{Allowed: []string{".example.com"}})
	h := mw(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	for _, host := range []string{"www.example.com", "evil.test"} {
		r := httptest.NewRequest("GET", "/", nil)
		r.Host = host
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		fmt.Println(host, rec.Code)
	}
	// Output:
	// www.example.com 200
	// evil.test 403
}

func ExampleCSP() {
	policy := new(security.CSP).
		Set("default-src", security.Self).
		Set("script-src", security.Self, "https://cdn.example.com").
		NonceFor("script-src")
	fmt.Println(policy.String("abc123"))
	// Output: default-src 'self'; script-src 'self' https://cdn.example.com 'nonce-abc123'
}

func ExampleRateLimit() {
	limit, _ := security.RateLimit(2, time.Minute, nil) // 2 per minute per client IP
	h := limit.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	for range 3 {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", "/session", nil))
		fmt.Println(rec.Code)
	}
	// Output:
	// 200
	// 200
	// 429
}
