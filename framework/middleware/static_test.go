package middleware_test

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
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
		for _, mw := range []struct {
			name   string
			static func(fs.FS) func(http.Handler) http.Handler
		}{{"index", middleware.Static}, {"reload", middleware.StaticReload}} {
			t.Run(mw.name+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				var h http.Handler
				if tt.fs == nil {
					h = mw.static(nil)(app)
				} else {
					h = mw.static(tt.fs)(app)
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
}

// TestStaticIndexAndReload: Static answers from the index it built (a file
// added later goes to the app), StaticReload from the file system (the
// added file is served, a removed one goes to the app).
func TestStaticIndexAndReload(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "old.txt"), []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "the app", http.StatusTeapot) })
	index := middleware.Static(os.DirFS(dir))(app)
	reload := middleware.StaticReload(os.DirFS(dir))(app)
	if err := os.WriteFile(filepath.Join(dir, "new.txt"), []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	get := func(h http.Handler, p string) (int, string) {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", p, nil))
		return w.Code, w.Body.String()
	}
	for _, tc := range []struct {
		name string
		h    http.Handler
		path string
		code int
		body string
	}{
		{"index: a file there at boot", index, "/old.txt", 200, "old"},
		{"index: a file added later goes to the app", index, "/new.txt", 418, "the app\n"},
		{"reload: a file added later is served", reload, "/new.txt", 200, "new"},
	} {
		if code, body := get(tc.h, tc.path); code != tc.code || body != tc.body {
			t.Errorf("%s: %d %q, want %d %q", tc.name, code, body, tc.code, tc.body)
		}
	}
	if err := os.Remove(filepath.Join(dir, "new.txt")); err != nil {
		t.Fatal(err)
	}
	if code, _ := get(reload, "/new.txt"); code != 418 {
		t.Errorf("reload: a removed file answers %d, want the app's 418", code)
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
