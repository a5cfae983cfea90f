package middleware

import (
	"io/fs"
	"net/http"
	"path"
	"strings"
)

// Static serves the files of public (an app's public/ directory) for GET
// and HEAD requests whose path names a file there, like
// ActionDispatch::Static; every other request, directories included, goes
// on to next. A nil public passes every request on.
func Static(public fs.FS) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		if public == nil {
			return next
		}
		return static(public, next)
	}
}

func static(public fs.FS, next http.Handler) http.Handler {
	files := http.FileServerFS(public)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			next.ServeHTTP(w, r)
			return
		}
		name := strings.TrimPrefix(path.Clean(r.URL.Path), "/")
		if name == "" || !fs.ValidPath(name) {
			next.ServeHTTP(w, r)
			return
		}
		if st, err := fs.Stat(public, name); err != nil || st.IsDir() {
			next.ServeHTTP(w, r)
			return
		}
		files.ServeHTTP(w, r)
	})
}
