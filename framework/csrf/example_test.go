package csrf_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/gorails/gorails/framework/csrf"
	"github.com/gorails/gorails/framework/secrets"
	"github.com/gorails/gorails/framework/session"
)

func Example() {
	keys, _ := secrets.New(strings.Repeat("k", 64))
	sessions, _ := session.New(session.Config{Keys: keys})
	protect, _ := csrf.New(csrf.Config{BypassPatterns: []string{"/api/"}})
	app := sessions.Handler(protect.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "done")
	})))

	post := func(path, sfs string) int {
		r := httptest.NewRequest("POST", path, nil)
		r.Header.Set("Sec-Fetch-Site", sfs)
		rec := httptest.NewRecorder()
		app.ServeHTTP(rec, r)
		return rec.Code
	}
	fmt.Println("same-origin:", post("/posts", "same-origin"))
	fmt.Println("cross-site:", post("/posts", "cross-site"))
	fmt.Println("cross-site API:", post("/api/posts", "cross-site"))
	// Output:
	// same-origin: 200
	// cross-site: 422
	// cross-site API: 200
}

func ExampleMetaTags() {
	keys, _ := secrets.New(strings.Repeat("k", 64))
	sessions, _ := session.New(session.Config{Keys: keys})
	h := sessions.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tags := string(csrf.MetaTags(r))
		fmt.Println(tags[:strings.Index(tags, `<meta name="csrf-token"`)])
		// Each call masks the token anew (BREACH), so two never look alike.
		first, second := csrf.Token(r), csrf.Token(r)
		fmt.Println(len(first), first != second)
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	// Output:
	// <meta name="csrf-param" content="authenticity_token">
	//
	// 86 true
}
