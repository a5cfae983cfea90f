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
	Err error
	// Stack is runtime/debug.Stack() of a recovered panic, or nil for an
	// error an action returned (Go errors carry no stack).
	Stack   []byte
	Request *http.Request // may be nil
	// Params are the request's params (path, query and body), nested keys
	// flattened as "post[title]".
	Params map[string][]string
	// Session lists the names of the session's keys; their values are
	// never shown.
	Session []string
	Status  int // 0 = 500
	// Controller and Action name the action that failed ("posts", "show"),
	// shown as PostsController#show; empty when no action was reached.
	Controller, Action string
	// Root is the app's directory: frames in its files are the app's,
	// listed first with their source; for an error an action returned, the
	// action's source (found under app/controllers) is shown.
	Root string
	// Filter reports the parameter and header names whose values are shown
	// as [FILTERED] (the app's filter_parameters); nil uses Rails' default
	// list. Cookie, Authorization and other credential headers are always
	// filtered.
	Filter func(name string) bool
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
	case "*fmt.wrapError", "*fmt.wrapErrors", "*errors.errorString", "*errors.joinError", "runtime.boundsError", "runtime.plainError", "*runtime.TypeAssertionError":
		return true
	}
	return false
}

// defaultFiltered reports whether a name matches Rails' default
// filter_parameters.
func defaultFiltered(name string) bool {
	n := strings.ToLower(name)
	for _, f := range [...]string{"passw", "secret", "token", "_key", "crypt", "salt", "certificate", "otp", "ssn", "cvv", "cvc"} {
		if strings.Contains(n, f) {
			return true
		}
	}
	return false
}

// credentialHeader reports headers whose values are always hidden: those
// that carry credentials, sessions or signatures. Redaction fails closed:
// a header whose name merely looks like one of these is hidden too.
func credentialHeader(name string) bool {
	n := strings.ToLower(name)
	for _, f := range [...]string{"cookie", "auth", "token", "secret", "session", "signature", "api-key", "apikey", "password", "csrf"} {
		if strings.Contains(n, f) {
			return true
		}
	}
	return false
}

type debugKV struct{ Key, Value string }

// pageFrame is an app frame with its source.
type pageFrame struct {
	Where string // "app/controllers/posts_controller.go:12"
	Func  string
	Lines []debugLine
}

type debugPage struct {
	Status     int
	StatusText string
	Kind       string // "Error", "Panic", "Routing Error"
	Where      string // "PostsController#show"
	Message    string
	Chain      []string
	Location   string
	Extract    []debugLine
	Routes     string
	AppFrames  []pageFrame
	Returned   bool // AppFrames is the action that returned the error
	Framework  []string
	Stack      string
	Method     string
	URL        string
	Headers    []debugKV
	Params     []debugKV
	Session    []string
}

// debugCSS is the style of the development pages (debug and pending
// migrations).
const debugCSS = `body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#222;background:#fafafa}
header{background:#c52f24;color:#fff;padding:1.2em 2em}header h1{margin:.2em 0 0;font-size:1.5em;white-space:pre-wrap;word-break:break-word}
header .where{margin:0;opacity:.9;font-size:.95em}main{padding:1em 2em 3em;max-width:72em}
h2{font-size:1.1em;margin:1.6em 0 .5em;border-bottom:1px solid #ddd;padding-bottom:.2em}
pre{background:#f3f3f3;padding:.7em 1em;overflow:auto;font-size:12.5px;line-height:1.5;margin:.3em 0;tab-size:4}
.source{padding:0}.source span{display:block;padding:0 1em}.source mark{display:block;background:#fbe3e0;color:#000;padding:0 1em;font-weight:600}
.frame{margin:.8em 0 1.2em}.frame p{margin:0;font-family:ui-monospace,monospace;font-size:12.5px}
table{border-collapse:collapse}td{border-bottom:1px solid #e5e5e5;padding:.2em 1.2em .2em 0;vertical-align:top;font-family:ui-monospace,monospace;font-size:12.5px;word-break:break-all}td:first-child{white-space:nowrap}
details summary{cursor:pointer;color:#555;margin:.4em 0}.note{color:#666;font-size:.9em}
button{font:inherit;background:#c52f24;color:#fff;border:0;border-radius:4px;padding:.5em 1.2em;cursor:pointer}`

const debugHTML = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Message}}{{with .Where}} in {{.}}{{end}} ({{.Status}})</title>
<style>{{css}}</style></head>
<body><header><p class="where" id="where">{{.Kind}}{{with .Where}} in <b>{{.}}</b>{{end}} · {{.Status}} {{.StatusText}}</p>
<h1 id="message">{{.Message}}</h1></header><main>
{{with .Location}}<h2>Template</h2><p>At <code>{{.}}</code></p>{{end}}
{{with .Extract}}<pre class="source">{{range .}}{{if .Bad}}<mark>{{printf "%4d" .N}}  {{.Text}}</mark>{{else}}<span>{{printf "%4d" .N}}  {{.Text}}</span>{{end}}{{end}}</pre>{{end}}
{{with .Routes}}<h2>Routes (config/routes.go)</h2><pre>{{.}}</pre>{{end}}
{{if or .AppFrames .Framework .Stack}}<section id="trace"><h2>Application trace</h2>
{{if .Returned}}<p class="note">The action returned this error. Go errors carry no stack, so the page shows the action's code.</p>{{end}}
{{range .AppFrames}}<div class="frame"><p><b>{{.Where}}</b> in <code>{{.Func}}</code></p>
{{with .Lines}}<pre class="source">{{range .}}{{if .Bad}}<mark>{{printf "%4d" .N}}  {{.Text}}</mark>{{else}}<span>{{printf "%4d" .N}}  {{.Text}}</span>{{end}}{{end}}</pre>{{end}}</div>
{{else}}<p class="note">No frame of the app's own code{{if not .Returned}} (the error happened in the framework or a library: see below){{end}}.</p>{{end}}
{{with .Framework}}<details id="framework-trace"><summary>Framework trace ({{len .}} frames)</summary><pre>{{range .}}{{.}}
{{end}}</pre></details>{{end}}
{{with .Stack}}<details id="full-trace"><summary>Full trace</summary><pre>{{.}}</pre></details>{{end}}
</section>{{end}}
{{if .Method}}<h2>Request</h2><p><code id="request-line">{{.Method}} {{.URL}}</code></p>
<h3>Parameters</h3>{{if .Params}}<table id="params">{{range .Params}}<tr><td>{{.Key}}</td><td>{{.Value}}</td></tr>{{end}}</table>{{else}}<p>None</p>{{end}}
<h3>Session</h3>{{if .Session}}<p id="session">Keys: {{range $i, $k := .Session}}{{if $i}}, {{end}}<code>{{$k}}</code>{{end}} <span class="note">(values are not shown)</span></p>{{else}}<p>Empty</p>{{end}}
<h3>Headers</h3><table id="headers">{{range .Headers}}<tr><td>{{.Key}}</td><td>{{.Value}}</td></tr>{{end}}</table>{{end}}
{{if gt (len .Chain) 1}}<details><summary>Wrapped errors</summary><ol>{{range .Chain}}<li><code>{{.}}</code></li>{{end}}</ol></details>{{end}}
</main></body></html>
`

var debugTemplate = template.Must(template.New("debug").Funcs(template.FuncMap{"css": func() template.CSS { return debugCSS }}).Parse(debugHTML))

// Debug writes the development error page for info to w, as Rails'
// debug exceptions page: the error's message and the failing action
// (PostsController#show) as the headline, never a Go type name; a template
// error's file and line with the lines around it; the routes of a routing
// error; the app's frames first, each with the lines around it (for an
// error an action returned, the action's source), the framework's and
// the standard library's folded; the request's method, path, parameters,
// session keys and headers. Everything is escaped; values of filtered
// parameters and of credential headers (Cookie, Authorization, ...) are
// shown as [FILTERED]. It never goes to production: Public does. The
// caller sets the status and the Content-Type (text/html).
func Debug(w io.Writer, info DebugInfo) error {
	p := debugPage{Status: info.Status, Stack: string(info.Stack), Routes: info.Routes, Kind: "Error", Message: "(no error)"}
	if p.Status == 0 {
		p.Status = http.StatusInternalServerError
	}
	p.StatusText = http.StatusText(p.Status)
	if info.Stack != nil {
		p.Kind = "Panic"
	}
	if info.Routes != "" {
		p.Kind = "Routing Error"
	}
	if info.Action != "" {
		p.Where = controllerTitle(info.Controller, info.Action)
	}
	if info.Err != nil {
		p.Message = info.Err.Error()
		p.Chain = chain(info.Err)
		if te := view.Locate(info.Err); te != nil {
			p.Location = fmt.Sprintf("%s:%d", te.File, te.Line)
			p.Extract = sourceFromFS(info.Views, te.File, te.Line)
		}
	}
	p.trace(info)
	filter := info.Filter
	if filter == nil {
		filter = defaultFiltered
	}
	if r := info.Request; r != nil {
		p.Method, p.URL = r.Method, r.URL.Path
		if q := r.URL.Query(); len(q) > 0 {
			p.URL += "?" + filterQuery(q, filter)
		}
		for _, k := range sortedKeys(r.Header) {
			v := strings.Join(r.Header[k], ", ")
			if credentialHeader(k) || filter(k) {
				v = "[FILTERED]"
			}
			p.Headers = append(p.Headers, debugKV{k, v})
		}
		p.Session = slicesSorted(info.Session)
	}
	for _, k := range sortedKeys(info.Params) {
		p.Params = append(p.Params, debugKV{k, filterValue(k, strings.Join(info.Params[k], ", "), filter)})
	}
	if err := debugTemplate.Execute(w, p); err != nil {
		return fmt.Errorf("errorpage: debug page: %w", err)
	}
	return nil
}

// chain lists the error and what it wraps, each with its type when that
// type is the error's own (a *view.TemplateError), not a standard wrapper.
func chain(err error) []string {
	var out []string
	for e := err; e != nil; e = errors.Unwrap(e) {
		if t := reflect.TypeOf(e).String(); !anonymousWrapper(t) {
			out = append(out, t+": "+e.Error())
			continue
		}
		out = append(out, e.Error())
	}
	return out
}

// trace fills the application trace: for a panic, the stack's frames in
// the app's files (with their source) and the others folded; for an error
// an action returned, the action's source.
func (p *debugPage) trace(info DebugInfo) {
	if info.Stack == nil {
		src, ok := locateAction(info.Root, info.Controller, info.Action)
		if !ok {
			return
		}
		code, rel, ok := appFile(info.Root, src.File)
		if !ok {
			return
		}
		p.Returned = true
		p.AppFrames = append(p.AppFrames, pageFrame{
			Where: fmt.Sprintf("%s:%d", rel, src.Start),
			Func:  fmt.Sprintf("(*%s).%s", src.Type, src.Method),
			Lines: excerpt(code, src.Start, min(src.End, src.Start+30), src.Start),
		})
		return
	}
	for _, f := range ParseStack(info.Stack) {
		if code, rel, ok := appFile(info.Root, f.File); ok {
			p.AppFrames = append(p.AppFrames, pageFrame{Where: fmt.Sprintf("%s:%d", rel, f.Line), Func: f.ShortFunc(), Lines: around(code, f.Line, 3)})
			continue
		}
		p.Framework = append(p.Framework, fmt.Sprintf("%s\n    %s:%d", f.ShortFunc(), f.File, f.Line))
	}
}

func filterValue(k, v string, filter func(string) bool) string {
	if filter(k) {
		return "[FILTERED]"
	}
	return v
}

func filterQuery(q map[string][]string, filter func(string) bool) string {
	var parts []string
	for _, k := range sortedKeys(q) {
		for _, v := range q[k] {
			parts = append(parts, k+"="+filterValue(k, v, filter))
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

func slicesSorted(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}
