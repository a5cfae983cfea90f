package middleware_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing/fstest"

	"github.com/gorails/gorails/framework/middleware"
)

// The middleware wrap any http.Handler; here a plain ServeMux. Static
// answers for the files it has, Recover turns the panic into a page, and
// every response carries its request id.
func Example() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hello", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "hello, request", middleware.RequestIDFrom(r.Context()))
	})
	mux.HandleFunc("GET /boom", func(http.ResponseWriter, *http.Request) { panic("kaboom") })
	public := fstest.MapFS{"robots.txt": {Data: []byte("User-agent: *\n")}}

	var h http.Handler = mux
	h = middleware.Static(public)(h)
	h = middleware.Recover(func(w http.ResponseWriter, r *http.Request, err error, _ []byte) {
		http.Error(w, "sorry: "+err.Error(), http.StatusInternalServerError)
	})(h)
	h = middleware.RequestID(h)

	for _, path := range []string{"/hello", "/robots.txt", "/boom"} {
		w := httptest.NewRecorder()
		r := httptest.NewRequest("GET", path, nil)
		r.Header.Set("X-Request-Id", "req-1")
		h.ServeHTTP(w, r)
		fmt.Printf("%s %d %s %q\n", path, w.Code, w.Header().Get("X-Request-Id"), w.Body.String())
	}
	// Output:
	// /hello 200 req-1 "hello, request req-1\n"
	// /robots.txt 200 req-1 "User-agent: *\n"
	// /boom 500 req-1 "sorry: panic: kaboom\n"
}
