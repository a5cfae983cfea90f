package dispatch_test

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/gorails/gorails/framework/dispatch"
)

func appRoutes(r *dispatch.Mapper) {
	r.Root(dispatch.To((*WelcomeController).Index))
	r.Resources("posts", dispatch.For[PostsController](), func(r *dispatch.Mapper) {
		r.Resources("comments", dispatch.For[CommentsController](), dispatch.Only("index", "show"))
		r.Member(func(r *dispatch.Mapper) { r.Get("preview", dispatch.To((*PostsController).Preview)) })
		r.Collection(func(r *dispatch.Mapper) { r.Get("search", dispatch.To((*PostsController).Search)) })
	})
	r.Get("fail", dispatch.To((*PostsController).Fail))
	r.Match("echo", dispatch.To((*PostsController).Echo), dispatch.Via("get", "post", "put"))
	r.Get("files/*path", dispatch.Handle(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "file "+r.PathValue("path"))
	})))
	r.Get("nums/:id", dispatch.To((*PostsController).Show), dispatch.Constrain("id", `\d+`))
	r.Get("nums/:id", dispatch.To((*PostsController).Preview))
	r.Get("stories", dispatch.Redirect("/articles", 0))
	r.Get("old/:id", dispatch.Redirect("/posts/%{id}", 302))
	r.Mount("/jobs", jobsDashboard{})
	r.Constraints(dispatch.Subdomain("api"), func(r *dispatch.Mapper) {
		r.Get("status", dispatch.To((*WelcomeController).About))
	})
	r.Get("status", dispatch.To((*WelcomeController).Index))
	r.Get("dotted/:name", dispatch.To((*PostsController).Show), dispatch.Constrain("name", `[^/]+`), dispatch.Format(false))
}

func TestServeHTTP(t *testing.T) {
	t.Parallel()
	rs := draw(t, dispatch.Config{}, appRoutes)
	tests := []struct {
		name, method, target, host string
		status                     int
		body                       string
		header                     map[string]string
	}{
		{name: "root", target: "/", status: 200, body: "welcome#index"},
		{name: "a static collection route", target: "/posts", status: 200, body: "posts#index"},
		{name: "a trailing slash is ignored", target: "/posts/", status: 200, body: "posts#index"},
		{name: "a format suffix on a static route", target: "/posts.json", status: 200, body: "posts#index"},
		{name: "new wins over :id", target: "/posts/new", status: 200, body: "posts#new"},
		{name: "a param route", target: "/posts/42", status: 200, body: "posts#show 42"},
		{name: "the format is split off a param", target: "/posts/42.json", status: 200, body: "posts#show 42"},
		{name: "an escaped param is unescaped", target: "/posts/a%20b", status: 200, body: "posts#show a b"},
		{name: "a member route", target: "/posts/42/preview", status: 200, body: "posts#preview 42"},
		{name: "a collection route beats :id", target: "/posts/search", status: 200, body: "posts#search"},
		{name: "a nested route", target: "/posts/1/comments/2", status: 200, body: "comments#show"},
		{name: "PATCH update", method: "PATCH", target: "/posts/7", status: 200, body: "posts#update 7"},
		{name: "HEAD answered by GET without a body", method: "HEAD", target: "/posts/7", status: 200, body: ""},
		{name: "an unknown path is 404", target: "/nope", status: 404},
		{name: "an unknown nested path is 404", target: "/posts/1/nope", status: 404},
		{name: "a wrong method is 405 with Allow", method: "DELETE", target: "/posts", status: 405,
			header: map[string]string{"Allow": "GET, HEAD, POST"}},
		{name: "an action error goes to the error handler", target: "/fail", status: 500},
		{name: "a glob takes the rest of the path", target: "/files/a/b/c", status: 200, body: "file a/b/c"},
		{name: "a glob gives up its format", target: "/files/a/b.txt", status: 200, body: "file a/b"},
		{name: "a constrained param matches first", target: "/nums/12", status: 200, body: "posts#show 12"},
		{name: "an unconstrained param takes the rest", target: "/nums/ab", status: 200, body: "posts#preview ab"},
		{name: "a redirect", target: "/stories", status: 301, header: map[string]string{"Location": "http://example.com/articles", "Content-Length": "0"}},
		{name: "a redirect with a param", target: "/old/9", status: 302, header: map[string]string{"Location": "http://example.com/posts/9"}},
		{name: "a mount sees the path below its prefix", target: "/jobs/queues/1", status: 200, body: "jobs /queues/1"},
		{name: "a mount answers any method", method: "DELETE", target: "/jobs", status: 200, body: "jobs "},
		{name: "a mount does not match a longer segment", target: "/jobsx", status: 404},
		{name: "a subdomain constraint", target: "/status", host: "api.example.com", status: 200, body: "welcome#about"},
		{name: "without the subdomain", target: "/status", host: "www.example.com", status: 200, body: "welcome#index"},
		{name: "a dot in a param needs a constraint", target: "/dotted/a.b", status: 200, body: "posts#show "},
		{name: "a doubled slash is squeezed", target: "//posts//42", status: 200, body: "posts#show 42"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			method := tc.method
			if method == "" {
				method = http.MethodGet
			}
			req := httptest.NewRequest(method, tc.target, nil)
			if tc.host != "" {
				req.Host = tc.host
			}
			rec := httptest.NewRecorder()
			rs.ServeHTTP(rec, req)
			if rec.Code != tc.status {
				t.Fatalf("%s %s: status %d, want %d (body %q)", method, tc.target, rec.Code, tc.status, rec.Body)
			}
			if tc.body != "" || tc.status == 200 {
				if got := rec.Body.String(); got != tc.body {
					t.Errorf("body %q, want %q", got, tc.body)
				}
			}
			for k, v := range tc.header {
				if got := rec.Header().Get(k); got != v {
					t.Errorf("header %s = %q, want %q", k, got, v)
				}
			}
		})
	}
}

func TestParamErrorIsABadRequest(t *testing.T) {
	t.Parallel()
	rs := draw(t, dispatch.Config{}, appRoutes)
	rec := httptest.NewRecorder()
	rs.ServeHTTP(rec, httptest.NewRequest("GET", "/echo?a=1&a[b]=2", nil))
	if rec.Code != 400 || !strings.Contains(rec.Body.String(), "expected Hash (got String)") {
		t.Fatalf("got %d %q, want 400 with Rack's message", rec.Code, rec.Body)
	}
}

func TestCustomErrorHandlerGetsTheActionError(t *testing.T) {
	t.Parallel()
	var got error
	var action dispatch.Action
	rs := draw(t, dispatch.Config{ErrorHandler: func(w http.ResponseWriter, r *dispatch.Request, err error) {
		got, action = err, r.Action()
		w.WriteHeader(418)
	}}, appRoutes)
	rec := httptest.NewRecorder()
	rs.ServeHTTP(rec, httptest.NewRequest("GET", "/fail", nil))
	if rec.Code != 418 || got == nil || got.Error() != "boom" || action.String() != "posts#fail" {
		t.Fatalf("status %d, err %v, action %v", rec.Code, got, action)
	}
}

func TestNotFoundAndMethodNotAllowedHandlers(t *testing.T) {
	t.Parallel()
	rs := draw(t, dispatch.Config{
		NotFound:         http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(410) }),
		MethodNotAllowed: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(409) }),
	}, appRoutes)
	for target, want := range map[string]int{"/missing": 410} {
		rec := httptest.NewRecorder()
		rs.ServeHTTP(rec, httptest.NewRequest("GET", target, nil))
		if rec.Code != want {
			t.Errorf("GET %s: %d, want %d", target, rec.Code, want)
		}
	}
	rec := httptest.NewRecorder()
	rs.ServeHTTP(rec, httptest.NewRequest("POST", "/posts/1", nil))
	if rec.Code != 409 || rec.Header().Get("Allow") != "GET, HEAD, PATCH, PUT, DELETE" {
		t.Errorf("POST /posts/1: %d Allow %q", rec.Code, rec.Header().Get("Allow"))
	}
}

// countingInvoker records the actions it was asked for and tags each
// response with the action, as controller.Env wraps actions in callbacks.
type countingInvoker struct {
	asked []string
	fail  bool
}

func (ci *countingInvoker) Invoke(a dispatch.ControllerAction) (dispatch.ActionFunc, error) {
	ci.asked = append(ci.asked, a.String()+" "+a.Type.Name())
	if ci.fail {
		return nil, errors.New("refused")
	}
	return func(w http.ResponseWriter, r *dispatch.Request) error {
		c := a.New()
		c.(requestSetter).setRequest(w, r)
		_, _ = fmt.Fprintf(w, "[%s] ", a)
		return a.Run(c)
	}, nil
}

func TestInvokerPreparesEachActionRouteOnceAtDraw(t *testing.T) {
	t.Parallel()
	routes := func(r *dispatch.Mapper) {
		r.Get("hello", dispatch.To((*WelcomeController).Index))
		r.Get("about", dispatch.To((*WelcomeController).About))
		r.Get("file", dispatch.Handle(http.NotFoundHandler()))
	}
	ci := &countingInvoker{}
	rs := draw(t, dispatch.Config{Invoker: ci}, routes)
	if want := []string{"welcome#index WelcomeController", "welcome#about WelcomeController"}; !slices.Equal(ci.asked, want) {
		t.Fatalf("Invoke calls %q, want %q", ci.asked, want)
	}
	for range 2 {
		rec := httptest.NewRecorder()
		rs.ServeHTTP(rec, httptest.NewRequest("GET", "/hello", nil))
		if got := rec.Body.String(); got != "[welcome#index] welcome#index" {
			t.Fatalf("body %q", got)
		}
	}
	if len(ci.asked) != 2 {
		t.Errorf("requests called Invoke again: %q", ci.asked)
	}

	t.Run("an Invoker's error stops Draw", func(t *testing.T) {
		err := dispatch.NewRouteSet(dispatch.Config{Invoker: &countingInvoker{fail: true}}).Draw(routes)
		if err == nil || !strings.Contains(err.Error(), "refused") || !strings.Contains(err.Error(), "GET /hello(.:format) (welcome#index)") {
			t.Fatalf("Draw with a failing Invoker: %v", err)
		}
	})
	t.Run("action routes do not draw without an Invoker", func(t *testing.T) {
		err := dispatch.NewRouteSet(dispatch.Config{}).Draw(routes)
		if !errors.Is(err, dispatch.ErrNoInvoker) || !strings.Contains(err.Error(), "welcome#about") {
			t.Fatalf("Draw without an Invoker: %v", err)
		}
	})
	t.Run("handlers and redirects need no Invoker", func(t *testing.T) {
		err := dispatch.NewRouteSet(dispatch.Config{}).Draw(func(r *dispatch.Mapper) {
			r.Get("file", dispatch.Handle(http.NotFoundHandler()))
			r.Get("old", dispatch.Redirect("/new", 0))
		})
		if err != nil {
			t.Fatal(err)
		}
	})
	t.Run("Describe lists the routes without an Invoker", func(t *testing.T) {
		infos, err := dispatch.Describe(routes)
		if err != nil || len(infos) != 3 || infos[0].Endpoint != "welcome#index" {
			t.Fatalf("Describe = %+v, %v", infos, err)
		}
		_, err = dispatch.Describe(func(r *dispatch.Mapper) {
			r.Get("x/:id", dispatch.To((*WelcomeController).Index), dispatch.Constrain("id", "("))
		})
		if !errors.Is(err, dispatch.ErrInvalidRoute) {
			t.Fatalf("Describe of a bad route: %v", err)
		}
	})
}

func TestMethodOverride(t *testing.T) {
	t.Parallel()
	rs := draw(t, dispatch.Config{}, appRoutes)
	h := dispatch.MethodOverride(rs)
	tests := []struct {
		name, ct, body, want string
	}{
		{"urlencoded _method", "application/x-www-form-urlencoded", "_method=patch&post[title]=x", "posts#update 3"},
		{"multipart _method", "multipart/form-data; boundary=XX", "--XX\r\nContent-Disposition: form-data; name=\"_method\"\r\n\r\nDELETE\r\n--XX--\r\n", "posts#destroy"},
		{"no _method", "application/x-www-form-urlencoded", "a=1", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest("POST", "/posts/3", strings.NewReader(tc.body))
			req.Header.Set("Content-Type", tc.ct)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if tc.want == "" {
				if rec.Code != 405 {
					t.Fatalf("status %d, want 405", rec.Code)
				}
				return
			}
			if rec.Body.String() != tc.want {
				t.Fatalf("body %q, want %q", rec.Body, tc.want)
			}
		})
	}
}

func TestOverriddenBodyIsStillParsed(t *testing.T) {
	t.Parallel()
	rs := draw(t, dispatch.Config{}, appRoutes)
	req := httptest.NewRequest("POST", "/echo", strings.NewReader("_method=put&post[title]=hi"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	dispatch.MethodOverride(rs).ServeHTTP(rec, req)
	if !strings.Contains(rec.Body.String(), "post:map[title:hi]") {
		t.Fatalf("body %q", rec.Body)
	}
}

func TestManySlashesDoNotRecurse(t *testing.T) {
	t.Parallel()
	rs := draw(t, dispatch.Config{}, appRoutes)
	rec := httptest.NewRecorder()
	rs.ServeHTTP(rec, httptest.NewRequest("GET", "/posts"+strings.Repeat("/", 1<<20)+"42", nil))
	if rec.Body.String() != "posts#show 42" {
		t.Fatalf("got %d %q", rec.Code, rec.Body)
	}
}

// TestConcurrentRequestsDoNotShareState hammers one RouteSet from many
// goroutines: pooled Requests must never leak params between requests.
func TestConcurrentRequestsDoNotShareState(t *testing.T) {
	t.Parallel()
	rs := draw(t, dispatch.Config{}, appRoutes)
	done := make(chan error)
	for g := range 8 {
		go func() {
			var err error
			for i := range 200 {
				id := fmt.Sprintf("%d-%d", g, i)
				rec := httptest.NewRecorder()
				rs.ServeHTTP(rec, httptest.NewRequest("GET", "/echo?id="+id, nil))
				if !strings.Contains(rec.Body.String(), "id:"+id+"]") && err == nil {
					err = fmt.Errorf("request %s got %q", id, rec.Body)
				}
				rec = httptest.NewRecorder()
				rs.ServeHTTP(rec, httptest.NewRequest("GET", "/posts/"+id, nil))
				if rec.Body.String() != "posts#show "+id && err == nil {
					err = fmt.Errorf("request %s got %q", id, rec.Body)
				}
			}
			done <- err
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

type namedController struct{ base }

func (c *namedController) Show() error {
	return c.say("%s %s %s %s", c.r.RouteName(), c.r.Action(), c.r.Param("id"), c.r.Param("q"))
}

func TestRequestAccessorsAndNamedTargets(t *testing.T) {
	t.Parallel()
	var logs strings.Builder
	rs := draw(t, dispatch.Config{Logger: slog.New(slog.NewTextHandler(&logs, nil))}, func(r *dispatch.Mapper) {
		r.Get("n/:id", dispatch.To((*namedController).Show), dispatch.As("named"))
		r.Get("c", dispatch.To(func(c *namedController) error { return errors.New("closure failed") }).Named("closure"))
	})
	rec := httptest.NewRecorder()
	rs.ServeHTTP(rec, httptest.NewRequest("GET", "/n/5?q=x", nil))
	if got := rec.Body.String(); got != "named named#show 5 x" {
		t.Fatalf("body %q", got)
	}
	rec = httptest.NewRecorder()
	rs.ServeHTTP(rec, httptest.NewRequest("GET", "/c", nil))
	if rec.Code != 500 || !strings.Contains(logs.String(), "closure failed") || !strings.Contains(logs.String(), "named#closure") {
		t.Fatalf("status %d, log %q", rec.Code, logs.String())
	}
	if got := dispatch.For[PostsController]().Actions(); strings.Join(got, ",") != "index,create,new,edit,show,update,destroy" {
		t.Fatalf("Actions = %v", got)
	}
}

// TestRedirectRoutesSendFullURLs follows ActionDispatch::Routing::Redirect:
// a path target gets the request's scheme, host and port; a relative one
// is rooted; a target with a host is kept; the body is empty.
func TestRedirectRoutesSendFullURLs(t *testing.T) {
	t.Parallel()
	rs := draw(t, dispatch.Config{}, func(r *dispatch.Mapper) {
		r.Get("a", dispatch.Redirect("/articles", 0))
		r.Get("rel/:id", dispatch.Redirect("posts/%{id}", 302))
		r.Get("ext", dispatch.Redirect("https://other.example/x", 0))
		r.Get("esc/:id", dispatch.Redirect("/p/%{id}", 0))
	})
	tests := []struct {
		name, target, host string
		tls                bool
		want               string
	}{
		{name: "a path on the request's host", target: "/a", host: "example.com", want: "http://example.com/articles"},
		{name: "the port is kept", target: "/a", host: "localhost:3000", want: "http://localhost:3000/articles"},
		{name: "https when the request is TLS", target: "/a", host: "example.com", tls: true, want: "https://example.com/articles"},
		{name: "a relative target is rooted", target: "/rel/4", host: "example.com", want: "http://example.com/posts/4"},
		{name: "a target with a host is kept", target: "/ext", host: "example.com", want: "https://other.example/x"},
		{name: "an interpolated param stays escaped", target: "/esc/a%20b%3F", host: "example.com", want: "http://example.com/p/a%20b%3F"},
		{name: "a query string is not carried over", target: "/a?x=1", host: "example.com", want: "http://example.com/articles"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req := httptest.NewRequest("GET", tc.target, nil)
			req.Host = tc.host
			if tc.tls {
				req.TLS = &tls.ConnectionState{}
			}
			rec := httptest.NewRecorder()
			rs.ServeHTTP(rec, req)
			if loc := rec.Header().Get("Location"); loc != tc.want || rec.Body.Len() != 0 {
				t.Fatalf("GET %s: Location %q body %q, want %q and no body", tc.target, loc, rec.Body, tc.want)
			}
		})
	}
}

// TestMethodOverrideMethods follows Rack::MethodOverride: only a POST is
// overridden; _method wins over the header; Rack's methods in any case;
// QUERY only from the header; anything else leaves the POST alone.
func TestMethodOverrideMethods(t *testing.T) {
	t.Parallel()
	h := dispatch.MethodOverride(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.Method)
	}))
	tests := []struct {
		name, method, field, header, want string
	}{
		{name: "PUT from _method", method: "POST", field: "put", want: "PUT"},
		{name: "OPTIONS from the header", method: "POST", header: "options", want: "OPTIONS"},
		{name: "OPTIONS not from _method (csrf does not check OPTIONS)", method: "POST", field: "OPTIONS", want: "POST"},
		{name: "LINK from _method", method: "POST", field: "Link", want: "LINK"},
		{name: "UNLINK from the header", method: "POST", header: "unlink", want: "UNLINK"},
		{name: "GET from _method", method: "POST", field: "GET", want: "GET"},
		{name: "HEAD from the header", method: "POST", header: "HEAD", want: "HEAD"},
		{name: "QUERY from the header", method: "POST", header: "query", want: "QUERY"},
		{name: "QUERY not from _method", method: "POST", field: "QUERY", want: "POST"},
		{name: "_method wins over the header", method: "POST", field: "DELETE", header: "PATCH", want: "DELETE"},
		{name: "an unknown method is ignored", method: "POST", field: "BREW", want: "POST"},
		{name: "an unknown _method does not fall back to the header", method: "POST", field: "BREW", header: "PUT", want: "POST"},
		{name: "CONNECT is not overridable", method: "POST", header: "CONNECT", want: "POST"},
		{name: "TRACE is not overridable", method: "POST", header: "TRACE", want: "POST"},
		{name: "a GET is never overridden", method: "GET", header: "DELETE", want: "GET"},
		{name: "a PUT is never overridden", method: "PUT", field: "DELETE", want: "PUT"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			body := "a=1"
			if tc.field != "" {
				body = "_method=" + tc.field
			}
			req := httptest.NewRequest(tc.method, "/x", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tc.header != "" {
				req.Header.Set("X-HTTP-Method-Override", tc.header)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Body.String() != tc.want {
				t.Fatalf("%s with _method=%q, header %q: %s, want %s", tc.method, tc.field, tc.header, rec.Body, tc.want)
			}
		})
	}
}
