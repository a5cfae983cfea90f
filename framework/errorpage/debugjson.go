package errorpage

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path"
	"strings"
)

// WantsJSON reports whether r is a JSON request, answered with a JSON
// error body rather than a page: its path ends in .json (the format
// suffix, as Rails' request.format reads it first), or it accepts JSON but
// not HTML (a fetch or an API client's Accept: application/json).
func WantsJSON(r *http.Request) bool {
	if r == nil {
		return false
	}
	if r.URL != nil && path.Ext(r.URL.Path) == ".json" {
		return true
	}
	a := r.Header.Get("Accept")
	return strings.Contains(a, "application/json") && !strings.Contains(a, "text/html")
}

// debugTrace is one line of a JSON debug body's traces.
type debugTrace struct {
	ID    int    `json:"id"`
	Trace string `json:"trace"`
}

// DebugJSON writes the development error body of a JSON request, as Rails'
// DebugExceptions answers an API request:
//
//	{"status":404,"error":"Not Found","exception":"record.ErrNotFound: ...",
//	 "traces":{"Application Trace":[{"id":0,"trace":"app/controllers/posts_controller.go:31:in (*PostsController).Show"}],
//	           "Framework Trace":[...],"Full Trace":[...]}}
//
// exception is the error's message, led by its type when the type is the
// error's own (not a fmt.Errorf wrapper) and by the action that failed;
// the traces are a panic's frames (the app's with paths relative to
// info.Root), or for an error an action returned, where the action is.
// Params, session and headers are not in it (a JSON client shows no page).
// The caller sets the status and the Content-Type (application/json).
func DebugJSON(w io.Writer, info DebugInfo) error {
	status := info.Status
	if status == 0 {
		status = http.StatusInternalServerError
	}
	exception := "(no error)"
	if info.Err != nil {
		exception = chain(info.Err)[0]
	}
	if info.Action != "" {
		exception = controllerTitle(info.Controller, info.Action) + ": " + exception
	}
	app, framework, full := []debugTrace{}, []debugTrace{}, []debugTrace{}
	if info.Stack == nil {
		if src, ok := locateAction(info.Root, info.Controller, info.Action); ok {
			if _, rel, ok := appFile(info.Root, src.File); ok {
				t := debugTrace{ID: 0, Trace: fmt.Sprintf("%s:%d:in (*%s).%s", rel, src.Start, src.Type, src.Method)}
				app, full = append(app, t), append(full, t)
			}
		}
	}
	for i, f := range ParseStack(info.Stack) {
		t := debugTrace{ID: i, Trace: fmt.Sprintf("%s:%d:in %s", f.File, f.Line, f.ShortFunc())}
		if _, rel, ok := appFile(info.Root, f.File); ok {
			t.Trace = fmt.Sprintf("%s:%d:in %s", rel, f.Line, f.ShortFunc())
			app = append(app, t)
		} else {
			framework = append(framework, t)
		}
		full = append(full, t)
	}
	body, err := json.Marshal(struct {
		Status    int                     `json:"status"`
		Error     string                  `json:"error"`
		Exception string                  `json:"exception"`
		Traces    map[string][]debugTrace `json:"traces"`
	}{status, statusText(status), exception, map[string][]debugTrace{
		"Application Trace": app, "Framework Trace": framework, "Full Trace": full,
	}})
	if err != nil {
		return fmt.Errorf("errorpage: debug JSON: %w", err)
	}
	if _, err := w.Write(body); err != nil {
		return fmt.Errorf("errorpage: debug JSON: %w", err)
	}
	return nil
}

// statusText is the status's reason phrase, Internal Server Error for one
// without.
func statusText(status int) string {
	if t := http.StatusText(status); t != "" {
		return t
	}
	return http.StatusText(http.StatusInternalServerError)
}
