package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// notesController is added to a generated app with a Note model: pages
// validated by FreshWhen, a cached collection, the app's cache, a rate
// limit and a plain page for the default ETag middleware.
const notesController = `package controllers

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gorails/gorails/framework/cache"
	"github.com/gorails/gorails/framework/controller"
	"github.com/gorails/gorails/framework/record"

	"MODULE/app/models"
)

type NotesController struct {
	ApplicationController
	Note  models.Note
	Notes []models.Note
}

func (c *NotesController) Callbacks(cb *controller.Chain[NotesController]) {
	cb.RateLimit(5, time.Minute, nil, controller.Only("limited"))
}

func (c *NotesController) id() int64 {
	id, _ := strconv.ParseInt(c.Request().Param("id"), 10, 64)
	return id
}

func (c *NotesController) Seed() error {
	n := models.Note{Title: c.Request().HTTP().URL.Query().Get("title")}
	if err := record.Create(c.Request().Context(), c.DB(), &n); err != nil {
		return err
	}
	return c.Text(http.StatusOK, strconv.FormatInt(n.ID, 10))
}

func (c *NotesController) Show() error {
	n, err := record.Query[models.Note](c.DB()).Find(c.Request().Context(), c.id())
	if err != nil {
		return err
	}
	c.Note = n
	return c.FreshWhen(controller.Fresh{ETag: n, LastModified: n.UpdatedAt})
}

func (c *NotesController) Rename() error {
	ctx := c.Request().Context()
	n, err := record.Query[models.Note](c.DB()).Find(ctx, c.id())
	if err != nil {
		return err
	}
	n.Title = c.Request().HTTP().PostFormValue("title")
	if err := record.Save(ctx, c.DB(), &n); err != nil {
		return err
	}
	return c.Redirect("/notes/"+strconv.FormatInt(n.ID, 10), http.StatusSeeOther)
}

// Sneak changes a title without touching updated_at, as a cache key cannot see.
func (c *NotesController) Sneak() error {
	_, err := c.DB().Exec(c.Request().Context(), "UPDATE notes SET title = ? WHERE id = ?", c.Request().HTTP().URL.Query().Get("title"), c.id())
	if err != nil {
		return err
	}
	return c.Text(http.StatusOK, "sneaked")
}

func (c *NotesController) Index() error {
	notes, err := record.Query[models.Note](c.DB()).Order("id").All(c.Request().Context())
	c.Notes = notes
	return err
}

func (c *NotesController) Counter() error {
	n, err := c.Cache().Increment(c.Request().Context(), "hits", 1, cache.Options{})
	if err != nil {
		return err
	}
	return c.Text(http.StatusOK, strconv.FormatInt(n, 10))
}

func (c *NotesController) Plain() error { return c.Text(http.StatusOK, "the same every time\n") }

func (c *NotesController) Limited() error { return c.Text(http.StatusOK, "allowed\n") }
`

var notesRoutes = []string{
	`r.Get("notes", dispatch.To((*controllers.NotesController).Index))`,
	`r.Get("notes/seed", dispatch.To((*controllers.NotesController).Seed))`,
	`r.Get("notes/:id", dispatch.To((*controllers.NotesController).Show))`,
	`r.Post("notes/:id/rename", dispatch.To((*controllers.NotesController).Rename))`,
	`r.Get("notes/:id/sneak", dispatch.To((*controllers.NotesController).Sneak))`,
	`r.Get("cache/counter", dispatch.To((*controllers.NotesController).Counter))`,
	`r.Get("cache/plain", dispatch.To((*controllers.NotesController).Plain))`,
	`r.Get("cache/limited", dispatch.To((*controllers.NotesController).Limited))`,
}

// addNotes adds the Note model, its migration, NotesController, its views
// and routes to the app in dir, regenerates the route helpers and migrates.
func addNotes(t *testing.T, dir string) {
	t.Helper()
	write := func(rel, data string) {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if out, code := runCLI(t, dir, "generate", "model", "Note", "title:string"); code != 0 {
		t.Fatalf("generate model: exit %d\n%s", code, out)
	}
	gomod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	module := strings.Fields(strings.SplitN(string(gomod), "\n", 2)[0])[1]
	write("app/controllers/notes_controller.go", strings.ReplaceAll(notesController, "MODULE", module))
	write("app/views/notes/show.html.tmpl", `<h1>{{.Data.Note.Title}}</h1>
<form method="post" action="/notes/{{.Data.Note.ID}}/rename">
  <input type="hidden" name="authenticity_token" value="{{csrf_token .}}">
  <input name="title">
</form>
`)
	write("app/views/notes/index.html.tmpl", `<ul>{{render_collection_cached . "note" .Data.Notes}}</ul>`+"\n")
	write("app/views/notes/_note.html.tmpl", `<li>{{.Locals.note.Title}}</li>`)
	routes := filepath.Join(dir, "config", "routes.go")
	src, err := os.ReadFile(routes)
	if err != nil {
		t.Fatal(err)
	}
	root := "r.Root(dispatch.To((*controllers.WelcomeController).Index))"
	out := strings.Replace(string(src), root, root+"\n\t"+strings.Join(notesRoutes, "\n\t"), 1)
	if out == string(src) {
		t.Fatal("could not add the routes")
	}
	write("config/routes.go", out)
	for _, args := range [][]string{{"generate", "routes"}, {"db:migrate"}} {
		if out, code := runCLI(t, dir, args...); code != 0 {
			t.Fatalf("gorails %v: exit %d\n%s", args, code, out)
		}
	}
}

// client is an HTTP client with a cookie jar (one browser session).
func newClient(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func do(t *testing.T, c *http.Client, method, url string, header http.Header, form url.Values) (*http.Response, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

// TestConditionalGet: a page validated by FreshWhen answers 304 to a
// browser that has it, until its record changes; the default ETag
// middleware does the same for a page without validators; with the CSRF
// token in the page (TestConditionalGetWithCSRFTokens below), a 304 leaves
// the browser with a form whose token still works. Then fragment caching
// and the app's cache, in the same app.
func TestConditionalGet(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds binaries; skipped with -short")
	}
	dir := generateApp(t, "cachingapp")
	addNotes(t, dir)
	srv := startServer(t, dir)
	c := newClient(t)
	_, id := do(t, c, "GET", srv.base+"/notes/seed?title=First", nil, nil)

	res, body := do(t, c, "GET", srv.base+"/notes/"+id, nil, nil)
	etag := res.Header.Get("ETag")
	if res.StatusCode != 200 || !strings.Contains(body, "<h1>First</h1>") || !strings.HasPrefix(etag, `W/"`) || res.Header.Get("Last-Modified") == "" {
		t.Fatalf("GET /notes/%s: %d ETag %q Last-Modified %q\n%s\n%s", id, res.StatusCode, etag, res.Header.Get("Last-Modified"), body, srv.out)
	}
	res, body = do(t, c, "GET", srv.base+"/notes/"+id, http.Header{"If-None-Match": {etag}}, nil)
	if res.StatusCode != 304 || body != "" {
		t.Fatalf("revalidation: %d %q; want an empty 304", res.StatusCode, body)
	}
	res, _ = do(t, c, "GET", srv.base+"/notes/"+id, http.Header{"If-Modified-Since": {res.Header.Get("Last-Modified")}}, nil)
	if res.StatusCode != 304 {
		t.Fatalf("If-Modified-Since: %d; want 304", res.StatusCode)
	}

	t.Run("TestConditionalGetWithCSRFTokens", func(t *testing.T) {
		// The browser kept the page of the first GET (its 304s said so):
		// the token in its form must still be accepted.
		_, first := do(t, c, "GET", srv.base+"/notes/"+id, nil, nil)
		m := tokenRE.FindStringSubmatch(first)
		if m == nil {
			t.Fatalf("no token in the page:\n%s", first)
		}
		if res, _ := do(t, c, "GET", srv.base+"/notes/"+id, http.Header{"If-None-Match": {etag}}, nil); res.StatusCode != 304 {
			t.Fatalf("the same session: %d; want 304", res.StatusCode)
		}
		// Another session (another CSRF secret) must not reuse the page.
		if res, _ := do(t, newClient(t), "GET", srv.base+"/notes/"+id, http.Header{"If-None-Match": {etag}}, nil); res.StatusCode != 200 {
			t.Fatalf("another session got %d for the first session's ETag; want 200 (its tokens would not verify)", res.StatusCode)
		}
		res, _ := do(t, c, "POST", srv.base+"/notes/"+id+"/rename", http.Header{"Origin": {srv.base}},
			url.Values{"authenticity_token": {m[1]}, "title": {"Renamed"}})
		if res.StatusCode != 303 {
			t.Fatalf("POST with the cached page's token: %d; want 303", res.StatusCode)
		}
		// The record changed: the old ETag is stale.
		res, body := do(t, c, "GET", srv.base+"/notes/"+id, http.Header{"If-None-Match": {etag}}, nil)
		if res.StatusCode != 200 || !strings.Contains(body, "Renamed") {
			t.Fatalf("after the rename: %d\n%s", res.StatusCode, body)
		}
	})

	t.Run("the default ETag middleware", func(t *testing.T) {
		res, body := do(t, c, "GET", srv.base+"/cache/plain", nil, nil)
		etag := res.Header.Get("ETag")
		if res.StatusCode != 200 || !strings.HasPrefix(etag, `W/"`) || res.Header.Get("Cache-Control") != "max-age=0, private, must-revalidate" {
			t.Fatalf("GET /cache/plain: %d %v %q", res.StatusCode, res.Header, body)
		}
		if res, body := do(t, c, "GET", srv.base+"/cache/plain", http.Header{"If-None-Match": {etag}}, nil); res.StatusCode != 304 || body != "" {
			t.Fatalf("revalidation: %d %q; want an empty 304", res.StatusCode, body)
		}
		// A page with a masked CSRF token differs each time: never a 304
		// for an older body.
		r1, _ := do(t, c, "GET", srv.base+"/", nil, nil)
		r2, _ := do(t, c, "GET", srv.base+"/", http.Header{"If-None-Match": {r1.Header.Get("ETag")}}, nil)
		if r2.StatusCode != 200 {
			t.Fatalf("the welcome page (a CSRF token in its layout) answered %d to the previous ETag; want 200", r2.StatusCode)
		}
	})

	t.Run("fragments are cached after dev:cache and follow the template", func(t *testing.T) {
		do(t, c, "GET", srv.base+"/notes/seed?title=Second", nil, nil)
		page := func() string {
			t.Helper()
			res, body := do(t, c, "GET", srv.base+"/notes", nil, nil)
			if res.StatusCode != 200 {
				t.Fatalf("GET /notes: %d\n%s\n%s", res.StatusCode, body, srv.out)
			}
			return body
		}
		do(t, c, "GET", srv.base+"/notes/"+id+"/sneak?title=Sneaked", nil, nil)
		if !strings.Contains(page(), "<li>Sneaked</li>") {
			t.Fatal("without dev:cache the fragment was cached")
		}
		if out, code := runCLI(t, dir, "dev:cache"); code != 0 || !strings.Contains(out, "Development mode is now being cached.") {
			t.Fatalf("dev:cache: exit %d %q", code, out)
		}
		if !strings.Contains(page(), "<li>Sneaked</li>") {
			t.Fatal("first cached render is wrong")
		}
		do(t, c, "GET", srv.base+"/notes/"+id+"/sneak?title=Hidden", nil, nil)
		if got := page(); !strings.Contains(got, "<li>Sneaked</li>") || !strings.Contains(got, "<li>Second</li>") {
			t.Fatalf("with dev:cache the fragment was not served from the cache:\n%s", got)
		}
		// Editing the partial changes its digest: rendered again.
		if err := os.WriteFile(filepath.Join(dir, "app", "views", "notes", "_note.html.tmpl"), []byte(`<li class="note">{{.Locals.note.Title}}</li>`), 0o644); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(30 * time.Second)
		for !strings.Contains(page(), `<li class="note">Hidden</li>`) {
			if time.Now().After(deadline) {
				t.Fatalf("the edited partial never showed:\n%s", page())
			}
			time.Sleep(200 * time.Millisecond)
		}
		if out, code := runCLI(t, dir, "dev:cache"); code != 0 || !strings.Contains(out, "no longer") {
			t.Fatalf("dev:cache again: exit %d %q", code, out)
		}
	})

	t.Run("controllers reach the app's cache", func(t *testing.T) {
		var got []string
		for range 3 {
			_, body := do(t, c, "GET", srv.base+"/cache/counter", nil, nil)
			got = append(got, body)
		}
		if !slices.Equal(got, []string{"1", "2", "3"}) {
			t.Fatalf("the counter read %q; want 1, 2, 3", got)
		}
	})
}

// TestRateLimitHoldsAcrossWorkersAndRestarts: with the database cache
// store, `cb.RateLimit(5, time.Minute, ...)` allows 5 requests per client
// across two workers and a phased restart, and a client behind a trusted
// proxy (X-Forwarded-For) has a bucket of its own.
func TestRateLimitHoldsAcrossWorkersAndRestarts(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds binaries; skipped with -short")
	}
	dir := generateApp(t, "limited")
	addNotes(t, dir)
	srv := startServerEnv(t, dir, []string{"GORAILS_CACHE_STORE=database"}, "-w", "2", "-t", "5")
	pids := waitWorkers(t, dir, srv, nil)
	// No keep-alive: each request is a new connection, taken by either
	// worker.
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}
	count := func(n int, header http.Header) map[int]int {
		codes := map[int]int{}
		for range n {
			res, _ := do(t, c, "GET", srv.base+"/cache/limited", header, nil)
			codes[res.StatusCode]++
		}
		return codes
	}
	if got := count(30, nil); got[200] != 5 || got[429] != 25 {
		t.Fatalf("30 requests from one client on 2 workers: %v; want 5 allowed and 25 refused\n%s", got, srv.out)
	}
	if out, code := runCLI(t, dir, "ctl", "phased-restart"); code != 0 {
		t.Fatalf("ctl phased-restart: exit %d\n%s", code, out)
	}
	waitWorkers(t, dir, srv, pids)
	if got := count(5, nil); got[429] != 5 {
		t.Fatalf("after a phased restart: %v; want every request refused", got)
	}
	proxied := http.Header{"X-Forwarded-For": {"203.0.113.7"}}
	if got := count(7, proxied); got[200] != 5 || got[429] != 2 {
		t.Fatalf("a client behind the (trusted, loopback) proxy: %v; want a bucket of its own: 5 allowed, 2 refused", got)
	}
}

// waitWorkers waits until two workers are booted, none of them in old,
// and returns their pids.
func waitWorkers(t *testing.T, dir string, srv *server, old []int) []int {
	t.Helper()
	var stats struct {
		BootedWorkers int `json:"booted_workers"`
		WorkerStatus  []struct {
			Pid    int  `json:"pid"`
			Booted bool `json:"booted"`
		} `json:"worker_status"`
	}
	deadline := time.Now().Add(3 * time.Minute)
	for {
		out, code := runCLI(t, dir, "ctl", "stats")
		if i := strings.Index(out, "{"); code == 0 && i >= 0 && json.Unmarshal([]byte(out[i:]), &stats) == nil && stats.BootedWorkers == 2 {
			var pids []int
			for _, w := range stats.WorkerStatus {
				if w.Booted && !slices.Contains(old, w.Pid) {
					pids = append(pids, w.Pid)
				}
			}
			if len(pids) == 2 {
				return pids
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("workers not booted (old %v): %+v\n%s", old, stats, srv.out)
		}
		time.Sleep(300 * time.Millisecond)
	}
}
