package errorpage_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gorails/gorails/framework/errorpage"
	"github.com/gorails/gorails/framework/view"
)

func mapFS(files map[string]string) fstest.MapFS {
	m := fstest.MapFS{}
	for name, data := range files {
		m[name] = &fstest.MapFile{Data: []byte(data)}
	}
	return m
}

const evil = `<script>alert("x")</script>`

func TestDebugPageEscapesEverything(t *testing.T) {
	t.Parallel()
	r := httptest.NewRequest("POST", "/posts?q="+strings.ReplaceAll(evil, " ", "+")+"&api_token=s3cr3t", nil)
	r.Header.Set("X-Evil", evil)
	r.Header.Set("Cookie", "session=s3cr3t")
	r.Header.Set("Authorization", "Bearer s3cr3t")
	inner := &view.TemplateError{File: "posts/" + evil + ".html.tmpl", Line: 3, Msg: evil}
	views := mapFS(map[string]string{inner.File: "line 1\nline 2\n{{bad " + evil + "}}\nline 4"})
	var b strings.Builder
	err := errorpage.Debug(&b, errorpage.DebugInfo{
		Err:     fmt.Errorf("render %s: %w", evil, inner),
		Stack:   []byte("goroutine 1 [running]:\nmain." + evil + "()"),
		Request: r,
		Params:  map[string][]string{"title": {evil}, "user[password]": {"s3cr3t"}},
		Status:  http.StatusInternalServerError,
		Views:   views,
	})
	if err != nil {
		t.Fatal(err)
	}
	page := b.String()
	if strings.Contains(page, "<script>") || strings.Contains(page, `alert("x")`) {
		t.Errorf("debug page has unescaped input:\n%s", page)
	}
	if strings.Contains(page, "s3cr3t") {
		t.Errorf("debug page leaks a filtered value:\n%s", page)
	}
	for _, want := range []string{
		"&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;", // the error, params, headers, stack
		"*view.TemplateError: ",
		"posts/&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;.html.tmpl:3",
		"POST /posts?api_token=[FILTERED]&amp;q=",
		"Panic · 500 Internal Server Error",
		"[FILTERED]",
		"500 Internal Server Error",
		"goroutine 1 [running]",
		"<mark>   3  {{bad &lt;script&gt;",
		"   4  line 4",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("debug page lacks %q", want)
		}
	}
}

func TestDebugPageLocatesExecutionErrors(t *testing.T) {
	t.Parallel()
	files := map[string]string{"posts/index.html.tmpl": "one\ntwo\n{{index \"ab\" 5}}\nfour"}
	set, err := view.New(view.Config{FS: mapFS(files)})
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()
	err = set.Render(new(strings.Builder), view.Options{Controller: "posts", Template: "index"})
	if err == nil {
		t.Fatal("no error")
	}
	var b strings.Builder
	if err := errorpage.Debug(&b, errorpage.DebugInfo{Err: err, Views: mapFS(files)}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"At <code>posts/index.html.tmpl:3</code>", "<mark>   3  {{index &#34;ab&#34; 5}}</mark>"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("page lacks %q:\n%s", want, b.String())
		}
	}
}

func TestDebugPageWithoutRequest(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	if err := errorpage.Debug(&b, errorpage.DebugInfo{Err: errors.New("boom")}); err != nil || !strings.Contains(b.String(), "boom") {
		t.Fatalf("got %v:\n%s", err, b.String())
	}
}

func TestPublic(t *testing.T) {
	t.Parallel()
	pages := errorpage.Public{FS: os.DirFS("testdata/public")}
	tests := []struct {
		name     string
		pages    errorpage.Public
		status   int
		accept   string
		method   string
		wantCode int
		want     string
	}{
		{"404 serves public/404.html", pages, 404, "text/html", "GET", 404, "Custom 404 page"},
		{"422 serves public/422.html", pages, 422, "", "GET", 422, "Custom 422 page"},
		{"500 serves public/500.html", pages, 500, "", "GET", 500, "Custom 500 page"},
		{"a status without a file gets a built-in page", pages, 403, "", "GET", 403, "<h1>403 Forbidden</h1>"},
		{"a non-error status becomes 500", pages, 200, "", "GET", 500, "Custom 500 page"},
		{"the zero value serves built-in pages", errorpage.Public{}, 404, "", "GET", 404, "<h1>404 Not Found</h1>"},
		{"a JSON client gets JSON", pages, 404, "application/json", "GET", 404, `{"status":404,"error":"Not Found"}`},
		{"HEAD gets no body", pages, 404, "", "HEAD", 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(tt.method, "/x?secret="+evil, nil)
			r.Header.Set("Accept", tt.accept)
			w := httptest.NewRecorder()
			tt.pages.ServeError(w, r, tt.status)
			if w.Code != tt.wantCode {
				t.Errorf("status %d, want %d", w.Code, tt.wantCode)
			}
			body := w.Body.String()
			if tt.want == "" && body != "" || !strings.Contains(body, tt.want) {
				t.Errorf("body %q lacks %q", body, tt.want)
			}
			if strings.Contains(body, "secret") || strings.Contains(body, "script") {
				t.Errorf("body leaks the request: %q", body)
			}
			if w.Header().Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("no nosniff header")
			}
		})
	}
}

func TestDebugPageHeadlineIsTheMessageAndTheAction(t *testing.T) {
	t.Parallel()
	inner := &view.TemplateError{File: "posts/index.html.tmpl", Line: 3, Msg: "bad"}
	var b strings.Builder
	err := errorpage.Debug(&b, errorpage.DebugInfo{Err: fmt.Errorf("posts#index: render: %w", inner), Controller: "admin/posts", Action: "index"})
	if err != nil {
		t.Fatal(err)
	}
	page := b.String()
	header := page[strings.Index(page, "<header>"):strings.Index(page, "</header>")]
	for _, want := range []string{"Error in <b>admin/PostsController#index</b> · 500 Internal Server Error", `<h1 id="message">posts#index: render: `} {
		if !strings.Contains(header, want) {
			t.Errorf("the headline lacks %q:\n%s", want, header)
		}
	}
	if strings.Contains(header, "*") || strings.Contains(header, "wrapError") || strings.Contains(header, "TemplateError") {
		t.Errorf("the headline names a Go type:\n%s", header)
	}
}

func TestDebugPageListsTheRoutesOfARoutingError(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	routes := "Prefix Verb URI Pattern Controller#Action\n  post GET  /posts/:id posts#show\n"
	if err := errorpage.Debug(&b, errorpage.DebugInfo{Err: errors.New("no route matches GET \"/x\""), Status: 404, Routes: routes}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "<h2>Routes (config/routes.go)</h2>") || !strings.Contains(b.String(), "/posts/:id posts#show") {
		t.Errorf("the page does not list the routes:\n%s", b.String())
	}
	b.Reset()
	if err := errorpage.Debug(&b, errorpage.DebugInfo{Err: errors.New("boom")}); err != nil || strings.Contains(b.String(), "Routes") {
		t.Errorf("a page without routes shows a routes section (%v):\n%s", err, b.String())
	}
}

func TestWantsJSON(t *testing.T) {
	tests := []struct {
		target, accept string
		want           bool
	}{
		{"/posts/1.json", "", true},
		{"/posts/1.json", "text/html,application/xhtml+xml", true}, // the suffix wins, as Rails' format
		{"/posts/1", "application/json", true},
		{"/posts/1", "application/json, text/plain, */*", true},
		{"/posts/1", "text/html,application/json", false},
		{"/posts/1", "", false},
		{"/posts/1.jsonx", "", false},
		{"/posts.json/1", "", false},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", tt.target, nil)
		if tt.accept != "" {
			r.Header.Set("Accept", tt.accept)
		}
		if got := errorpage.WantsJSON(r); got != tt.want {
			t.Errorf("WantsJSON(%s, Accept %q) = %v, want %v", tt.target, tt.accept, got, tt.want)
		}
	}
	if errorpage.WantsJSON(nil) {
		t.Error("WantsJSON(nil) = true")
	}
}
