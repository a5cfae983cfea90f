package errorpage

import (
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net/http"
	"reflect"
	"sort"
	"strings"

	"github.com/gorails/gorails/framework/view"
)

// DebugInfo is what the development error page shows.
type DebugInfo struct {
	Err     error
	Stack   []byte        // runtime/debug.Stack() of a recovered panic, or nil
	Request *http.Request // may be nil
	Params  map[string][]string
	Status  int // 0 = 500
	// Views, when set, is the views FS: for a template error (view.Locate)
	// the page shows the lines around it.
	Views fs.FS
	// Routes, when set, is the route table, shown under a routing error
	// as Rails' routing error page lists the routes.
	Routes string
}

// anonymousWrapper reports whether t is one of the standard library's
// unnamed wrappers (fmt.Errorf, errors.New, errors.Join), which say nothing
// about what went wrong.
func anonymousWrapper(t string) bool {
	switch t {
	case "*fmt.wrapError", "*fmt.wrapErrors", "*errors.errorString", "*errors.joinError":
		return true
	}
	return false
}

// filtered reports whether the debug page hides the value of a parameter
// or header: names containing Rails' filter_parameters defaults, cookies
// and credentials.
func filtered(name string) bool {
	n := strings.ToLower(name)
	for _, f := range [...]string{"passw", "secret", "token", "_key", "crypt", "salt", "certificate", "otp", "ssn", "cvv", "cvc", "cookie", "authorization"} {
		if strings.Contains(n, f) {
			return true
		}
	}
	return false
}

type debugKV struct{ Key, Value string }

type debugLine struct {
	N    int
	Text string
	Bad  bool
}

type debugPage struct {
	Status     int
	StatusText string
	Type       string
	Message    string
	Chain      []string
	Location   string
	Extract    []debugLine
	Routes     string
	Stack      string
	Method     string
	URL        string
	Headers    []debugKV
	Params     []debugKV
}

const debugHTML = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Type}} ({{.Status}})</title>
<style>body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#222}header{background:#c52f24;color:#fff;padding:1em 2em}
main{padding:1em 2em}pre{background:#f5f5f5;padding:1em;overflow:auto;font-size:12px}table{border-collapse:collapse}
td{border-bottom:1px solid #ddd;padding:.2em 1em .2em 0;vertical-align:top;font-family:monospace}</style></head>
<body><header><h1>{{.Type}}</h1><p>{{.Status}} {{.StatusText}}</p></header><main>
<h2>Error</h2><pre>{{.Message}}</pre>
{{with .Location}}<p>At <code>{{.}}</code></p>{{end}}
{{with .Extract}}<pre>{{range .}}{{if .Bad}}<b>{{printf "%4d" .N}}  {{.Text}}</b>{{else}}{{printf "%4d" .N}}  {{.Text}}{{end}}
{{end}}</pre>{{end}}
{{with .Routes}}<h2>Routes (config/routes.go)</h2><pre>{{.}}</pre>{{end}}
{{if gt (len .Chain) 1}}<h3>Wrapped errors</h3><ol>{{range .Chain}}<li><code>{{.}}</code></li>{{end}}</ol>{{end}}
{{with .Stack}}<h2>Trace</h2><pre>{{.}}</pre>{{end}}
{{if .Method}}<h2>Request</h2><p><code>{{.Method}} {{.URL}}</code></p>
<h3>Parameters</h3>{{if .Params}}<table>{{range .Params}}<tr><td>{{.Key}}</td><td>{{.Value}}</td></tr>{{end}}</table>{{else}}<p>None</p>{{end}}
<h3>Headers</h3><table>{{range .Headers}}<tr><td>{{.Key}}</td><td>{{.Value}}</td></tr>{{end}}</table>{{end}}
</main></body></html>
`

// Debug writes the development error page for info to w: the error, its
// wrapped chain, a template error's file and line with the lines around
// it, the routes of a routing error, the stack, the request line,
// parameters and headers. Everything is escaped; values of secret-looking
// parameters and headers (password, token, cookie, ...) are shown as
// [FILTERED]. It never goes to production: Public does. The caller sets the
// status and the Content-Type (text/html).
func Debug(w io.Writer, info DebugInfo) error {
	t, err := template.New("debug").Parse(debugHTML)
	if err != nil {
		return fmt.Errorf("errorpage: debug page: %w", err)
	}
	p := debugPage{Status: info.Status, Stack: string(info.Stack), Routes: info.Routes, Type: "Error", Message: "(no error)"}
	if p.Status == 0 {
		p.Status = http.StatusInternalServerError
	}
	p.StatusText = http.StatusText(p.Status)
	if info.Err != nil {
		p.Message = info.Err.Error()
		p.Type = reflect.TypeOf(info.Err).String()
		for e := info.Err; e != nil; e = errors.Unwrap(e) {
			p.Chain = append(p.Chain, fmt.Sprintf("%T: %v", e, e))
			if t := reflect.TypeOf(e).String(); !anonymousWrapper(t) {
				p.Type = t // the innermost error with a type of its own names the page
			}
		}
		if te := view.Locate(info.Err); te != nil {
			p.Location = fmt.Sprintf("%s:%d", te.File, te.Line)
			p.Extract = extract(info.Views, te.File, te.Line)
		}
	}
	if r := info.Request; r != nil {
		p.Method, p.URL = r.Method, r.URL.String()
		if q := r.URL.Query(); len(q) > 0 {
			p.URL = r.URL.Path + "?" + filterValues(q)
		}
		for _, k := range sortedKeys(r.Header) {
			p.Headers = append(p.Headers, debugKV{k, filterValue(k, strings.Join(r.Header[k], ", "))})
		}
	}
	for _, k := range sortedKeys(info.Params) {
		p.Params = append(p.Params, debugKV{k, filterValue(k, strings.Join(info.Params[k], ", "))})
	}
	if err := t.Execute(w, p); err != nil {
		return fmt.Errorf("errorpage: debug page: %w", err)
	}
	return nil
}

// extract returns the lines around line of file, or nil.
func extract(views fs.FS, file string, line int) []debugLine {
	if views == nil || line < 1 {
		return nil
	}
	src, err := fs.ReadFile(views, file)
	if err != nil {
		return nil
	}
	lines := strings.Split(string(src), "\n")
	var out []debugLine
	for n := max(line-3, 1); n <= min(line+3, len(lines)); n++ {
		out = append(out, debugLine{N: n, Text: lines[n-1], Bad: n == line})
	}
	return out
}

func filterValue(k, v string) string {
	if filtered(k) {
		return "[FILTERED]"
	}
	return v
}

func filterValues(q map[string][]string) string {
	var parts []string
	for _, k := range sortedKeys(q) {
		for _, v := range q[k] {
			parts = append(parts, k+"="+filterValue(k, v))
		}
	}
	return strings.Join(parts, "&")
}

func sortedKeys(m map[string][]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
