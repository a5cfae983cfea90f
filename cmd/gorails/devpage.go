package main

import (
	"encoding/json"
	"html/template"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	gserver "github.com/gorails/gorails/framework/server"
)

// failurePage answers while the app cannot run in development: it did not
// compile, did not boot, or its server exited. HTML requests get a page
// with the output and the app's source around the first line it names;
// JSON requests a JSON error. Both are 500s, never cached.
func failurePage(root string) func(w http.ResponseWriter, r *http.Request, f gserver.Failure) {
	return func(w http.ResponseWriter, r *http.Request, f gserver.Failure) {
		p := newFailureView(root, f)
		if wantsJSON(r) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusInternalServerError)
			_ = json.NewEncoder(w).Encode(map[string]any{
				"status": http.StatusInternalServerError, "error": p.Title, "stage": f.Stage,
				"message": f.Message, "location": p.Location, "output": p.Output,
			})
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		_ = failureTemplate.Execute(w, p)
	}
}

// wantsJSON reports whether r asks for JSON: a .json path, or an Accept
// header that names JSON and not HTML.
func wantsJSON(r *http.Request) bool {
	if strings.HasSuffix(r.URL.Path, ".json") {
		return true
	}
	accept := r.Header.Get("Accept")
	return strings.Contains(accept, "json") && !strings.Contains(accept, "text/html")
}

// failureView is what the page shows.
type failureView struct {
	Title, Message, Hint string
	Location             string // app/controllers/posts_controller.go:12
	Lines                []sourceLine
	Output               string
}

type sourceLine struct {
	N    int
	Text string
	Bad  bool
}

func newFailureView(root string, f gserver.Failure) failureView {
	p := failureView{Message: f.Message, Output: strings.TrimSpace(f.Output)}
	switch f.Stage {
	case "build":
		p.Title = "Build failed"
		p.Hint = "The application does not compile. Fix the file and save: the server rebuilds, and the next request gets the new version."
	case "boot":
		p.Title = "The application did not boot"
		p.Hint = "The new build compiled but stopped while booting. Fix it and save: the server rebuilds and boots it again."
	default:
		p.Title = "The application's server exited"
		p.Hint = "The server stopped with an error (its last output is below). Save a file to rebuild and start it again."
	}
	if file, line, rest, ok := firstAppLocation(root, f.Message+"\n"+f.Output); ok {
		p.Location = file + ":" + strconv.Itoa(line)
		p.Lines = sourceAround(filepath.Join(root, file), line, 5)
		// A compiler error's own words make the best headline.
		if msg := strings.TrimSpace(strings.TrimLeft(rest, ":0123456789")); f.Stage == "build" && msg != "" {
			p.Message = msg
		}
	}
	return p
}

// locationRE finds file:line (and an optional :column) in compiler
// errors, boot errors and stack traces.
var locationRE = regexp.MustCompile(`((?:[A-Za-z]:)?[\w.@+\-/\\]*[\w\-]+\.(?:go|tmpl|yml|yaml|sql)):(\d+)`)

// firstAppLocation returns the first file:line in out that names a file
// of the app (relative to root), skipping the framework's and Go's own,
// with the rest of its line.
func firstAppLocation(root, out string) (file string, line int, rest string, ok bool) {
	for _, ix := range locationRE.FindAllStringSubmatchIndex(out, -1) {
		path := strings.TrimPrefix(out[ix[2]:ix[3]], "./")
		line, err := strconv.Atoi(out[ix[4]:ix[5]])
		if err != nil || line < 1 {
			continue
		}
		rel := path
		if filepath.IsAbs(path) {
			r, err := filepath.Rel(root, path)
			if err != nil || strings.HasPrefix(r, "..") {
				continue
			}
			rel = r
		}
		rel = filepath.ToSlash(filepath.Clean(rel))
		if strings.HasPrefix(rel, "../") || strings.HasPrefix(rel, "tmp/") {
			continue
		}
		if st, err := os.Stat(filepath.Join(root, rel)); err == nil && st.Mode().IsRegular() {
			rest, _, _ = strings.Cut(out[ix[1]:], "\n")
			return rel, line, rest, true
		}
	}
	return "", 0, "", false
}

// sourceAround returns the lines around line in file, marking it.
func sourceAround(file string, line, context int) []sourceLine {
	b, err := os.ReadFile(file)
	if err != nil || len(b) > 4<<20 {
		return nil
	}
	lines := strings.Split(string(b), "\n")
	var out []sourceLine
	for n := max(1, line-context); n <= min(len(lines), line+context); n++ {
		out = append(out, sourceLine{N: n, Text: strings.TrimRight(lines[n-1], "\r"), Bad: n == line})
	}
	return out
}

var failureTemplate = template.Must(template.New("failure").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}{{with .Location}} in {{.}}{{end}}</title>
<style>
body{margin:0;font:15px/1.45 -apple-system,BlinkMacSystemFont,"Segoe UI",Helvetica,Arial,sans-serif;color:#222;background:#fff}
header{background:#c52f24;color:#fff;padding:1.2em 2em}header h1{margin:.2em 0 0;font-size:1.5em;white-space:pre-wrap;word-break:break-word}
header .where{margin:0;opacity:.9;font-size:.95em}main{padding:1em 2em 3em;max-width:72em}
h2{font-size:1.1em;margin:1.6em 0 .5em;border-bottom:1px solid #ddd;padding-bottom:.2em}
pre{background:#f3f3f3;padding:.7em 1em;overflow:auto;font-size:12.5px;line-height:1.5;margin:.3em 0;tab-size:4}
.source{padding:0}.source span{display:block;padding:0 1em}.source mark{display:block;background:#fbe3e0;color:#000;padding:0 1em;font-weight:600}
.note{color:#666;font-size:.9em}
</style></head>
<body><header><p class="where" id="where">{{.Title}}{{with .Location}} in <b>{{.}}</b>{{end}} · 500 Internal Server Error</p>
<h1 id="message">{{.Message}}</h1></header><main>
<p class="note" id="hint">{{.Hint}}</p>
{{with .Location}}<h2>Source</h2><p>At <code id="location">{{.}}</code></p>{{end}}
{{with .Lines}}<pre class="source" id="source">{{range .}}{{if .Bad}}<mark>{{printf "%4d" .N}}  {{.Text}}</mark>{{else}}<span>{{printf "%4d" .N}}  {{.Text}}</span>{{end}}{{end}}</pre>{{end}}
{{with .Output}}<h2>Output</h2><pre id="output">{{.}}</pre>{{end}}
</main></body></html>
`))
