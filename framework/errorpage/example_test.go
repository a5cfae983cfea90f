package errorpage_test

import (
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"

	"github.com/gorails/gorails/framework/errorpage"
)

// In production the app's public/404.html and friends are served, and
// nothing of the error.
func ExamplePublic() {
	pages := errorpage.Public{FS: mapFS(map[string]string{"404.html": "<h1>Not here</h1>\n"})}
	w := httptest.NewRecorder()
	pages.ServeError(w, httptest.NewRequest("GET", "/missing", nil), 404)
	fmt.Print(w.Code, " ", w.Header().Get("Content-Type"), " ", w.Body.String())
	w = httptest.NewRecorder()
	pages.ServeError(w, httptest.NewRequest("GET", "/boom", nil), 500)
	fmt.Print(w.Code, " ", strings.TrimSpace(w.Body.String()))
	// Output:
	// 404 text/html; charset=utf-8 <h1>Not here</h1>
	// 500 <!DOCTYPE html>
	// <html lang="en"><head><meta charset="utf-8"><title>500 Internal Server Error</title></head><body><h1>500 Internal Server Error</h1></body></html>
}

// In development the page shows the error, escaped, and what the request
// carried, with secrets filtered.
func ExampleDebug() {
	var page strings.Builder
	err := errorpage.Debug(&page, errorpage.DebugInfo{
		Err:     fmt.Errorf("posts#show: %w", errors.New("<no> such post")),
		Request: httptest.NewRequest("GET", "/posts/7?token=s3cret", nil),
		Status:  404,
	})
	fmt.Println(err)
	for _, s := range []string{"404 Not Found", "posts#show: &lt;no&gt; such post", "GET /posts/7?token=[FILTERED]", "s3cret"} {
		fmt.Printf("%q shown: %v\n", s, strings.Contains(page.String(), s))
	}
	// Output:
	// <nil>
	// "404 Not Found" shown: true
	// "posts#show: &lt;no&gt; such post" shown: true
	// "GET /posts/7?token=[FILTERED]" shown: true
	// "s3cret" shown: false
}
