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
//
// It lists public's files once, when the middleware is built, and answers
// from that in-memory index: a request that names no file costs no file
// system call. Files added to public later are not served; use
// StaticReload where they may change while the app runs (development).
// When public cannot be listed, Static looks each request up as
// StaticReload does.
func Static(public fs.FS) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		if public == nil {
			return next
		}
		files, err := indexFiles(public)
		if err != nil {
			return static(public, nil, next)
		}
		return static(public, files, next)
	}
}

// StaticReload is Static looking each request's path up in public (one
// stat per GET or HEAD), so that files added, changed or removed while the
// app runs are served as they are: the development server uses it.
func StaticReload(public fs.FS) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		if public == nil {
			return next
		}
		return static(public, nil, next)
	}
}

// indexFiles lists the regular files (and symlinks to them) under public by
// their clean slash-separated names.
func indexFiles(public fs.FS) (map[string]struct{}, error) {
	files := map[string]struct{}{}
	err := fs.WalkDir(public, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		if !d.Type().IsRegular() { // a symlink: served when it names a file
			if st, err := fs.Stat(public, name); err != nil || st.IsDir() {
				return nil
			}
		}
		if fs.ValidPath(name) { // as WalkDir's names are: static relies on it
			files[name] = struct{}{}
		}
		return nil
	})
	return files, err
}

// static serves public's files; files is the index, nil to stat each
// request.
func static(public fs.FS, files map[string]struct{}, next http.Handler) http.Handler {
	server := http.FileServerFS(public)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			next.ServeHTTP(w, r)
			return
		}
		name := staticName(r.URL.Path)
		if name == "" || files == nil && !fs.ValidPath(name) {
			next.ServeHTTP(w, r)
			return
		}
		if files != nil {
			// The index holds valid paths only: a name missing from it
			// is not served, valid or not.
			if _, ok := files[name]; !ok {
				next.ServeHTTP(w, r)
				return
			}
		} else if st, err := fs.Stat(public, name); err != nil || st.IsDir() {
			next.ServeHTTP(w, r)
			return
		}
		server.ServeHTTP(w, r)
	})
}

// staticName is the file a request's path names: path.Clean's, without
// the leading slash. A path already clean (rooted, no empty, "." or ".."
// element, no trailing slash), as nearly all are, is its own Clean: it is
// only checked, not rebuilt.
func staticName(p string) string {
	if isCleanRooted(p) {
		return p[1:]
	}
	return strings.TrimPrefix(path.Clean(p), "/")
}

// isCleanRooted reports whether path.Clean(p) is p, for a p that starts
// with a slash and is not "/" alone.
func isCleanRooted(p string) bool {
	if len(p) < 2 || p[0] != '/' || p[len(p)-1] == '/' {
		return false
	}
	start := 1 // of the current element
	for i := 1; i <= len(p); i++ {
		if i < len(p) && p[i] != '/' {
			continue
		}
		switch p[start:i] {
		case "", ".", "..":
			return false
		}
		start = i + 1
	}
	return true
}
