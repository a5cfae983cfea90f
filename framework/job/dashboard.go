package job

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// DashboardConfig configures Dashboard.
type DashboardConfig struct {
	// CSRFField returns the hidden form field carrying the request's
	// authenticity token (the framework passes csrf.HiddenField). Mount
	// the dashboard behind the app's CSRF middleware, which checks it.
	CSRFField func(r *http.Request) template.HTML
	// DeadLimit is how many jobs each list (scheduled, retrying, dead)
	// shows (50).
	DeadLimit int
}

// Dashboard returns an http.Handler, mountable at any path, that shows the
// queues' counts (ready by queue, scheduled, retrying, running, dead), the
// scheduled and retrying jobs with Run now and Discard buttons, and the dead
// jobs with Retry and Discard buttons. The buttons POST to the same path
// and redirect back to it; a POST whose Sec-Fetch-Site or Origin says it
// comes from another site is refused (403) even before the app's CSRF
// check. The client's backend must be a Store; the buttons need a DeadSet
// and a WaitingMover (Database and Redis are both).
// Authentication is the app's: mount it behind an admin check.
func Dashboard(c *Client, cfg DashboardConfig) http.Handler {
	if cfg.DeadLimit <= 0 {
		cfg.DeadLimit = 50
	}
	return &dashboard{c: c, cfg: cfg}
}

type dashboard struct {
	c   *Client
	cfg DashboardConfig
}

type dashboardQueue struct {
	Name  string
	Ready int
}

type dashboardPage struct {
	Stats     Stats
	Queues    []dashboardQueue
	Dead      []*Record
	Scheduled []*Record
	Retrying  []*Record
	CSRF      template.HTML
	Notice    string
}

// waitingTable is what the "waiting" template renders: jobs and the form's
// CSRF field.
type waitingTable struct {
	Jobs []*Record
	CSRF template.HTML
}

var dashboardTmpl = template.Must(template.New("jobs").Funcs(template.FuncMap{
	"waiting": func(jobs []*Record, csrf template.HTML) waitingTable { return waitingTable{jobs, csrf} },
}).Parse(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Jobs</title>
<style>body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}pre{margin:0;max-width:60em;white-space:pre-wrap}</style>
</head><body>
<h1>Jobs</h1>
{{with .Notice}}<p><strong>{{.}}</strong></p>{{end}}
<table>
<tr><th>Scheduled</th><th>Retrying</th><th>Running</th><th>Dead</th></tr>
<tr><td>{{.Stats.Scheduled}}</td><td>{{.Stats.Retrying}}</td><td>{{.Stats.Running}}</td><td>{{.Stats.Dead}}</td></tr>
</table>
<h2>Queues</h2>
<table><tr><th>Queue</th><th>Ready</th></tr>
{{range .Queues}}<tr><td>{{.Name}}</td><td>{{.Ready}}</td></tr>
{{else}}<tr><td colspan="2">no queued jobs</td></tr>{{end}}
</table>
{{define "waiting"}}<table><tr><th>ID</th><th>Kind</th><th>Queue</th><th>Runs at (UTC)</th><th>Attempts</th><th>Arguments</th><th>Last error</th><th></th></tr>
{{range .Jobs}}<tr><td>{{.ID}}</td><td>{{.Kind}}</td><td>{{.Queue}}</td><td>{{.RunAt.Format "2006-01-02 15:04:05"}}</td><td>{{.Attempt}}/{{.MaxAttempts}}</td><td><code>{{printf "%s" .Args}}</code></td><td><pre>{{.LastError}}</pre></td>
<td><form method="post">{{$.CSRF}}<input type="hidden" name="id" value="{{.ID}}"><button name="action" value="run">Run now</button> <button name="action" value="drop">Discard</button></form></td></tr>
{{else}}<tr><td colspan="8">none</td></tr>{{end}}
</table>{{end}}
<h2>Scheduled</h2>
{{template "waiting" (waiting .Scheduled .CSRF)}}
<h2>Retrying</h2>
{{template "waiting" (waiting .Retrying .CSRF)}}
<h2>Dead jobs</h2>
<table><tr><th>ID</th><th>Kind</th><th>Queue</th><th>Attempts</th><th>Arguments</th><th>Last error</th><th></th></tr>
{{range .Dead}}<tr><td>{{.ID}}</td><td>{{.Kind}}</td><td>{{.Queue}}</td><td>{{.Attempt}}/{{.MaxAttempts}}</td><td><code>{{printf "%s" .Args}}</code></td><td><pre>{{.LastError}}</pre></td>
<td><form method="post">{{$.CSRF}}<input type="hidden" name="id" value="{{.ID}}"><button name="action" value="retry">Retry</button> <button name="action" value="discard">Discard</button></form></td></tr>
{{else}}<tr><td colspan="7">none</td></tr>{{end}}
</table>
</body></html>
`))

func (d *dashboard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		d.show(w, r)
	case http.MethodPost:
		d.act(w, r)
	default:
		w.Header().Set("Allow", "GET, HEAD, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

func (d *dashboard) show(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	st, err := d.c.Stats(ctx)
	if err != nil {
		http.Error(w, "jobs: stats unavailable", http.StatusServiceUnavailable)
		return
	}
	page := dashboardPage{Stats: st, Notice: r.URL.Query().Get("notice")}
	for q, n := range st.Ready {
		page.Queues = append(page.Queues, dashboardQueue{Name: q, Ready: n})
	}
	sort.Slice(page.Queues, func(i, j int) bool { return page.Queues[i].Name < page.Queues[j].Name })
	if wl, ok := d.c.backend.(WaitingLister); ok {
		now := d.c.Now()
		page.Scheduled, err = wl.ListWaiting(ctx, Scheduled, d.cfg.DeadLimit, now)
		if err == nil {
			page.Retrying, err = wl.ListWaiting(ctx, Retrying, d.cfg.DeadLimit, now)
		}
		if err != nil {
			http.Error(w, "jobs: waiting jobs unavailable", http.StatusServiceUnavailable)
			return
		}
	}
	if ds, ok := d.c.backend.(DeadSet); ok {
		if page.Dead, err = ds.DeadJobs(ctx, d.cfg.DeadLimit); err != nil {
			http.Error(w, "jobs: dead jobs unavailable", http.StatusServiceUnavailable)
			return
		}
	}
	if d.cfg.CSRFField != nil {
		page.CSRF = d.cfg.CSRFField(r)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_ = dashboardTmpl.Execute(w, page)
}

// crossSite reports a request a browser says comes from another site.
func crossSite(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
	default:
		return true
	}
	if o := r.Header.Get("Origin"); o != "" {
		u, err := url.Parse(o)
		return err != nil || u.Host != r.Host
	}
	return false
}

func (d *dashboard) act(w http.ResponseWriter, r *http.Request) {
	if crossSite(r) {
		http.Error(w, "cross-site request refused", http.StatusForbidden)
		return
	}
	id, err := strconv.ParseInt(r.PostFormValue("id"), 10, 64)
	if err != nil {
		http.Error(w, "bad job id", http.StatusBadRequest)
		return
	}
	ds, dead := d.c.backend.(DeadSet)
	wm, waiting := d.c.backend.(WaitingMover)
	job, now := "Job "+strconv.FormatInt(id, 10), d.c.Now()
	var notice, what string
	switch action := r.PostFormValue("action"); {
	case action == "retry" && dead:
		err, notice, what = ds.RetryDead(r.Context(), id, now), job+" queued again.", "dead"
	case action == "discard" && dead:
		err, notice, what = ds.DiscardDead(r.Context(), id), job+" discarded.", "dead"
	case action == "run" && waiting:
		err, notice, what = wm.RunNow(r.Context(), id, now), job+" will run now.", "waiting"
	case action == "drop" && waiting:
		err, notice, what = wm.DiscardWaiting(r.Context(), id, now), job+" discarded.", "waiting"
	case action == "retry" || action == "discard" || action == "run" || action == "drop":
		http.Error(w, "this backend cannot "+action+" jobs", http.StatusNotImplemented)
		return
	default:
		http.Error(w, "unknown action", http.StatusBadRequest)
		return
	}
	switch {
	case errors.Is(err, ErrNotFound):
		http.Error(w, "no such "+what+" job", http.StatusNotFound)
		return
	case err != nil:
		http.Error(w, "jobs: action failed", http.StatusServiceUnavailable)
		return
	}
	// Back to the page as the browser addressed it: mounted under a prefix
	// (http.StripPrefix), r.URL.Path has lost it, r.RequestURI has not.
	back := r.URL.Path
	if p, _, _ := strings.Cut(r.RequestURI, "?"); strings.HasPrefix(p, "/") {
		back = p
	}
	http.Redirect(w, r, back+"?notice="+url.QueryEscape(notice), http.StatusSeeOther)
}
