package dispatch_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gorails/gorails/framework/dispatch"
)

func TestRequestConstraintsAndFormats(t *testing.T) {
	t.Parallel()
	show := dispatch.To((*PostsController).Show)
	rs := draw(t, dispatch.Config{}, func(r *dispatch.Mapper) {
		r.Get("h", dispatch.To((*WelcomeController).About), dispatch.Host("admin.example.com"))
		r.Get("h", dispatch.To((*WelcomeController).Index))
		r.Get("beta", dispatch.To((*WelcomeController).About), dispatch.When(func(r *http.Request) bool { return r.Header.Get("X-Beta") == "1" }))
		r.Get("beta", dispatch.To((*WelcomeController).Index))
		r.Get("feed", dispatch.To((*WelcomeController).About), dispatch.Format(true), dispatch.Constrain("format", "rss|atom"))
		r.Get("plain", dispatch.To((*WelcomeController).About), dispatch.Format(false))
		r.Get("x/:id", show)
		r.Match("x/:id", dispatch.To((*PostsController).Preview), dispatch.Via("HEAD"))
		r.Resources("posts", dispatch.For[PostsController](), dispatch.Only("index"), dispatch.Subdomain("api"))
	})
	tests := []struct {
		name, method, target, host, beta string
		status                           int
		body                             string
	}{
		{name: "host matches", target: "/h", host: "admin.example.com:8080", status: 200, body: "welcome#about"},
		{name: "host differs", target: "/h", host: "www.example.com", status: 200, body: "welcome#index"},
		{name: "a When constraint holds", target: "/beta", beta: "1", status: 200, body: "welcome#about"},
		{name: "a When constraint fails", target: "/beta", status: 200, body: "welcome#index"},
		{name: "a required format", target: "/feed.rss", status: 200, body: "welcome#about"},
		{name: "a required format is missing", target: "/feed", status: 404},
		{name: "a format its constraint rejects", target: "/feed.json", status: 404},
		{name: "no format allowed", target: "/plain.json", status: 404},
		{name: "a resource with a subdomain", target: "/posts", host: "api.example.com", status: 200, body: "posts#index"},
		{name: "a resource on another subdomain", target: "/posts", host: "www.example.com", status: 404},
		{name: "an explicit HEAD route wins over GET", method: "HEAD", target: "/x/1", status: 200, body: "posts#preview 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			method := tc.method
			if method == "" {
				method = "GET"
			}
			req := httptest.NewRequest(method, tc.target, nil)
			if tc.host != "" {
				req.Host = tc.host
			}
			if tc.beta != "" {
				req.Header.Set("X-Beta", tc.beta)
			}
			rec := httptest.NewRecorder()
			rs.ServeHTTP(rec, req)
			if rec.Code != tc.status || (tc.status == 200 && rec.Body.String() != tc.body) {
				t.Fatalf("%s %s: %d %q, want %d %q", method, tc.target, rec.Code, rec.Body, tc.status, tc.body)
			}
		})
	}
}

func TestResourceConstraintReachesTheNestedParam(t *testing.T) {
	t.Parallel()
	rs := draw(t, dispatch.Config{}, func(r *dispatch.Mapper) {
		r.Resources("posts", dispatch.For[PostsController](), dispatch.Only("show"), dispatch.Constrain("id", `\d+`), func(r *dispatch.Mapper) {
			r.Resources("comments", dispatch.For[CommentsController](), dispatch.Only("index"))
			r.Get("search", dispatch.To((*PostsController).Search), dispatch.On("collection"))
		})
	})
	for target, want := range map[string]int{
		"/posts/1": 200, "/posts/x": 404, "/posts/1/comments": 200, "/posts/x/comments": 404, "/posts/search": 200,
	} {
		rec := httptest.NewRecorder()
		rs.ServeHTTP(rec, httptest.NewRequest("GET", target, nil))
		if rec.Code != want {
			t.Errorf("GET %s: %d, want %d", target, rec.Code, want)
		}
	}
	if _, err := rs.Path("post", "x"); err == nil {
		t.Error("Path(post, x) ignored the constraint")
	}
	if p, _ := rs.Path("search_posts"); p != "/posts/search" {
		t.Errorf("On(collection) route path %q", p)
	}
}

func TestDefaultFormat(t *testing.T) {
	t.Parallel()
	rs := draw(t, dispatch.Config{}, func(r *dispatch.Mapper) {
		r.Namespace("api", dispatch.DefaultFormat("json"), func(r *dispatch.Mapper) {
			r.Match("things/:id", dispatch.To((*captureController).Show), dispatch.Via("all"))
		})
	})
	for target, want := range map[string]string{"/api/things/1": "json", "/api/things/1.xml": "xml"} {
		c := &capture{}
		req := httptest.NewRequest("GET", target, nil)
		req = req.WithContext(context.WithValue(req.Context(), captureKey{}, c))
		req.Header.Set("Accept", "text/html")
		rs.ServeHTTP(httptest.NewRecorder(), req)
		if c.format != want || c.params["format"] != want {
			t.Errorf("GET %s: format %q, params[format] %v; want %q", target, c.format, c.params["format"], want)
		}
	}
}
