package framework

import (
	"bytes"
	"fmt"
	"io/fs"
	"net/http"

	"github.com/gorails/gorails/framework/view"
)

// debugPage writes the development error page: the error, its chain, the
// stack of a panic, the request and its query parameters, all escaped, with
// secret-looking values filtered.
func (a *App) debugPage(w http.ResponseWriter, r *http.Request, status int, err error, stack []byte) {
	var buf bytes.Buffer
	if re, ok := err.(*routingError); ok {
		err = fmt.Errorf("%w\n\nRoutes (config/routes.go):\n%s", re.err, re.routes)
	}
	info := view.DebugInfo{Err: err, Stack: stack, Request: r, Params: r.URL.Query(), Status: status}
	if views, verr := fs.Sub(a.files, "app/views"); verr == nil {
		info.Views = views // shows the lines around a template error
	}
	if perr := view.DebugPage(&buf, info); perr != nil {
		a.Logger.Error("debug page", "error", perr.Error())
		a.publicPage(w, r, status)
		return
	}
	h := w.Header()
	h.Del("Content-Length")
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
