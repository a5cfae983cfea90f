package framework

import (
	"io/fs"
	"net/http"
	"path"
	"strings"
)

// static serves the app's public/ files for GET and HEAD requests whose path
// names a file there, like ActionDispatch::Static; every other request goes on
// to next.
func (a *App) static(next http.Handler) http.Handler {
	public, err := fs.Sub(a.files, "public")
	if err != nil || a.files == nil {
		return next
	}
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
