package errorpage

import (
	"fmt"
	"io/fs"
	"net/http"
	"strconv"
)

// Public serves the production error pages: the app's public/404.html,
// 422.html, 500.html (<status>.html for any status) from FS, rooted at
// public/. A status without a file gets a minimal built-in page. Nothing of
// the error or the app's internals is ever shown. The zero value serves
// the built-in pages only. Safe for concurrent use.
type Public struct {
	FS fs.FS
}

// ServeError writes the page for status to w. A JSON request (WantsJSON:
// a .json path, or an Accept of JSON without HTML) gets
// {"status":404,"error":"Not Found"}.
func (p Public) ServeError(w http.ResponseWriter, r *http.Request, status int) {
	if status < 400 || status > 599 {
		status = http.StatusInternalServerError
	}
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	if WantsJSON(r) {
		body := fmt.Sprintf(`{"status":%d,"error":%q}`, status, http.StatusText(status))
		write(w, r, status, "application/json; charset=utf-8", []byte(body))
		return
	}
	write(w, r, status, "text/html; charset=utf-8", p.page(status))
}

// page returns the file for status, or the built-in page.
func (p Public) page(status int) []byte {
	if p.FS != nil {
		if b, err := fs.ReadFile(p.FS, strconv.Itoa(status)+".html"); err == nil {
			return b
		}
	}
	text := http.StatusText(status)
	return []byte(fmt.Sprintf("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>%d %s</title></head>"+
		"<body><h1>%d %s</h1></body></html>\n", status, text, status, text))
}

func write(w http.ResponseWriter, r *http.Request, status int, ctype string, body []byte) {
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	if r != nil && r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(body)
}
