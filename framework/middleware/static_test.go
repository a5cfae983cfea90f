package middleware_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"testing/fstest"

	"github.com/gorails/gorails/framework/middleware"
)

func TestStatic(t *testing.T) {
	t.Parallel()
	public := fstest.MapFS{
		"robots.txt":       {Data: []byte("User-agent: *\n")},
		"assets/app.css":   {Data: []byte("body{}")},
		"assets/.keep":     {Data: nil},
		"docs/index.html":  {Data: []byte("<h1>docs</h1>")},
		"weird name?.html": {Data: []byte("odd")},
	}
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "the app", http.StatusTeapot) })
	tests := []struct {
		name, method, path string
		fs                 fstest.MapFS
		status             int
		body               string
	}{
		{"a GET for a file serves it", "GET", "/robots.txt", public, 200, "User-agent: *\n"},
		{"a HEAD for a file serves its headers", "HEAD", "/assets/app.css", public, 200, ""},
		{"a POST goes to the app", "POST", "/robots.txt", public, 418, "the app\n"},
		{"a missing file goes to the app", "GET", "/posts", public, 418, "the app\n"},
		{"a directory goes to the app", "GET", "/assets", public, 418, "the app\n"},
		{"a directory with an index goes to the app", "GET", "/docs/", public, 418, "the app\n"},
		{"the root goes to the app", "GET", "/", public, 418, "the app\n"},
		{"a path that climbs out stays inside", "GET", "/../../robots.txt", public, 200, "User-agent: *\n"},
		{"an escaped name is found", "GET", "/weird%20name%3F.html", public, 200, "odd"},
		{"no public files: everything goes to the app", "GET", "/robots.txt", nil, 418, "the app\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var h http.Handler
			if tt.fs == nil {
				h = middleware.Static(nil)(app)
			} else {
				h = middleware.Static(tt.fs)(app)
			}
			w := httptest.NewRecorder()
			r := httptest.NewRequest(tt.method, "/", nil)
			r.URL.Path = mustUnescape(t, tt.path)
			h.ServeHTTP(w, r)
			if w.Code != tt.status || w.Body.String() != tt.body {
				t.Fatalf("%s %s: %d %q, want %d %q", tt.method, tt.path, w.Code, w.Body, tt.status, tt.body)
			}
		})
	}
}

func mustUnescape(t *testing.T, p string) string {
	t.Helper()
	u, err := url.PathUnescape(p)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
