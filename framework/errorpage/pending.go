package errorpage

import (
	"encoding/json"
	"html/template"
	"net/http"
	"strings"
)

// PendingInfo is what the pending migrations page shows.
type PendingInfo struct {
	// Migrations are the file names of the migrations not applied yet, in
	// version order ("20261123085000_add_slug_to_articles.go").
	Migrations []string
	// RunPath is where the page's button posts to run them; "" leaves the
	// button out (a request that is not local may not run them).
	RunPath string
	// Token is the authenticity token the button's form carries.
	Token string
	// ReturnTo is the path the button comes back to once they ran.
	ReturnTo string
	// Err is a run that failed, shown above the list.
	Err error
}

// pendingMigration is one line of the list.
type pendingMigration struct{ Version, Name, File string }

type pendingPage struct {
	PendingInfo
	List    []pendingMigration
	Message string
}

const pendingHTML = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Migrations are pending</title>
<style>{{css}}</style></head>
<body><header><p class="where" id="where">Pending migrations · 500 Internal Server Error</p>
<h1 id="message">Migrations are pending</h1></header><main>
{{with .Err}}<h2>The migrations failed</h2><pre id="run-error">{{.}}</pre>{{end}}
<p>The database is behind the app's migrations. To resolve this, run <code>gorails db:migrate</code>{{if .RunPath}} or press the button{{end}}.</p>
<table id="pending">{{range .List}}<tr><td>{{.Version}}</td><td>{{.Name}}</td><td class="note">db/migrate/{{.File}}</td></tr>{{end}}</table>
{{if .RunPath}}<form method="post" action="{{.RunPath}}"><input type="hidden" name="authenticity_token" value="{{.Token}}"><input type="hidden" name="return_to" value="{{.ReturnTo}}">
<p><button type="submit" id="run-pending">Run pending migrations</button></p></form>
{{else}}<p class="note">Only a request from this machine may run them from here.</p>{{end}}
</main></body></html>
`

var pendingTemplate = template.Must(template.New("pending").Funcs(template.FuncMap{"css": func() template.CSS { return debugCSS }}).Parse(pendingHTML))

// ServePending answers a request while the app has migrations its
// database has not applied, as Rails' PendingMigrationError page does, with
// 500: an HTML page that lists them, says to run `gorails db:migrate` and,
// when info.RunPath is set, has a button that runs them (a form carrying
// info.Token, for CSRF protection); a client that accepts JSON but not HTML
// gets {"status":500,"error":"Migrations are pending: ...","pending":[...]}.
// It is for development only: it names the app's migrations.
func ServePending(w http.ResponseWriter, r *http.Request, info PendingInfo) {
	p := pendingPage{PendingInfo: info, Message: PendingMessage(info.Migrations)}
	for _, f := range info.Migrations {
		v, n, _ := strings.Cut(strings.TrimSuffix(f, ".go"), "_")
		n = strings.ReplaceAll(n, "_", " ")
		if n != "" {
			n = strings.ToUpper(n[:1]) + n[1:]
		}
		p.List = append(p.List, pendingMigration{Version: v, Name: n, File: f})
	}
	status := http.StatusInternalServerError
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	if WantsJSON(r) {
		body, err := json.Marshal(struct {
			Status  int      `json:"status"`
			Error   string   `json:"error"`
			Pending []string `json:"pending"`
		}{status, p.Message, info.Migrations})
		if err == nil {
			write(w, r, status, "application/json; charset=utf-8", body)
			return
		}
	}
	var b strings.Builder
	if err := pendingTemplate.Execute(&b, p); err != nil {
		http.Error(w, p.Message, status)
		return
	}
	write(w, r, status, "text/html; charset=utf-8", []byte(b.String()))
}

// PendingMessage is the one line that names pending migrations and says
// what to do: "Migrations are pending: 20261123085000_add_slug_to_articles.go.
// Run gorails db:migrate to apply them."
func PendingMessage(files []string) string {
	return "Migrations are pending: " + strings.Join(files, ", ") + ". Run gorails db:migrate to apply them."
}
