package dispatch_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gorails/gorails/framework/dispatch"
)

func FuzzParseQuery(f *testing.F) {
	for _, tc := range rackNested {
		f.Add(tc.query)
	}
	for _, s := range []string{"a=1&a[b]=2", "a&a[b]=1", "a&a[]=1&a[]", "a[b]=1&a", "a[][b]=1&a[][b]=2", "x[y]=1&x[y]z=2", "%zz", "a[[]]=1", "[]=1&[a]=2", "a[]]=1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		p, err := dispatch.ParseQuery(q)
		if err != nil {
			var pe *dispatch.ParamError
			if !errors.As(err, &pe) {
				t.Fatalf("ParseQuery(%q): %T %v, want *ParamError", q, err, err)
			}
			return
		}
		if p == nil {
			t.Fatalf("ParseQuery(%q): nil params without error", q)
		}
	})
}

// fuzzRoutes draws a table with every kind of route.
func fuzzRoutes(t testing.TB) *dispatch.RouteSet {
	return draw(t, dispatch.Config{}, func(r *dispatch.Mapper) {
		appRoutes(r)
		r.Get("p/:id", dispatch.To((*PostsController).Show), dispatch.As("p"))
		r.Get("o(/:x(/:y))", dispatch.To((*PostsController).Show), dispatch.As("o"), dispatch.Default("x", "0"))
		r.Get("s/:a-:b.:c", dispatch.To((*PostsController).Show), dispatch.As("s"), dispatch.Constrain("a", `\d+`))
		r.Get("(:locale)/l/:id(.:ext)", dispatch.To((*PostsController).Show), dispatch.As("l"), dispatch.Constrain("locale", "en|nl"))
		r.Scope("/api", dispatch.Format(true), func(r *dispatch.Mapper) {
			r.Resources("comments", dispatch.For[CommentsController](), dispatch.Constrain("id", `[0-9a-f]+`))
		})
	})
}

func FuzzMatch(f *testing.F) {
	for _, s := range []string{"/", "/posts", "/posts/1.json", "/posts/1/comments/2", "/files/a/b.c", "/jobs/x",
		"//posts//", "/posts/%2F", "/posts/a%zz", "/api/comments/ff.json", "/nums/1.2", "/old/%7B",
		"/o", "/o/1/2.json", "/s/1-a-b.c", "/s/1-a.b.json", "/nl/l/3.pdf", "/l/3.pdf.json", "/o/%2F/%zz"} {
		for _, m := range []string{"GET", "HEAD", "POST", "PATCH", "DELETE", "OPTIONS"} {
			f.Add(m, s)
		}
	}
	rs := fuzzRoutes(f)
	ok := map[int]bool{200: true, 301: true, 302: true, 400: true, 404: true, 405: true, 500: true}
	f.Fuzz(func(t *testing.T, method, target string) {
		u, err := url.ParseRequestURI(target)
		if err != nil || method == "" || strings.ContainsAny(method, " \t\r\n") {
			return
		}
		req := &http.Request{Method: method, URL: u, Host: "example.com", Header: http.Header{}, RequestURI: target}
		rec := httptest.NewRecorder()
		rs.ServeHTTP(rec, req)
		if !ok[rec.Code] {
			t.Fatalf("%s %s: status %d", method, target, rec.Code)
		}
	})
}

// FuzzPathRoundTrip checks that a generated path routes back to its param.
func FuzzPathRoundTrip(f *testing.F) {
	for _, s := range []string{"1", "a b", "a/b", "%", "é", "?x#y", "+"} {
		f.Add(s)
	}
	rs := fuzzRoutes(f)
	f.Fuzz(func(t *testing.T, id string) {
		if id == "" || strings.ContainsAny(id, ".") || !utf8.ValidString(id) {
			return
		}
		path, err := rs.Path("p", id)
		if err != nil {
			t.Fatalf("Path(p, %q): %v", id, err)
		}
		u, err := url.ParseRequestURI(path)
		if err != nil {
			t.Fatalf("Path(p, %q) = %q: %v", id, path, err)
		}
		rec := httptest.NewRecorder()
		rs.ServeHTTP(rec, &http.Request{Method: "GET", URL: u, Header: http.Header{}})
		if rec.Code != 200 || rec.Body.String() != "posts#show "+id {
			t.Fatalf("GET %s (from %q): %d %q", path, id, rec.Code, rec.Body)
		}
	})
}

// FuzzDraw checks that any route path or name gives a route or an error,
// never a panic, that a drawn route serves its own generated path, and
// that a route helper built from the route's pattern (as generated app
// helpers are) builds the same path.
func FuzzDraw(f *testing.F) {
	for _, s := range [][2]string{{"posts/:id", "post"}, {"*path", "x"}, {"", ""}, {"a/(b)", "-"}, {":a/:a", "a b"}, {"//x//", "news"},
		{"photos(/:id)", "photos"}, {"(:l)/x(/:a(/:b))", "x"}, {":id-:slug", "s"}, {"f/:name.:ext(.:format)", "f"}, {"a(.:b)", "a"}, {"((((a))))", "a"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, path, name string) {
		rs := dispatch.NewRouteSet(withInvoker(dispatch.Config{}))
		err := rs.Draw(func(r *dispatch.Mapper) {
			r.Scope(path, func(r *dispatch.Mapper) {
				r.Get(path, dispatch.To((*PostsController).Show), dispatch.As(name))
				r.Resources(name, dispatch.For[PostsController](), dispatch.Only("index"))
			})
		})
		if err != nil {
			return
		}
		for _, ri := range rs.Routes() {
			if ri.Name == "" {
				continue
			}
			named := dispatch.Params{"id": "1", "path": "a/b"}
			p, err := rs.Path(ri.Name, named)
			if err != nil {
				continue // a param name the route does not have: fine
			}
			var reqs []string
			for k, v := range ri.Requirements {
				reqs = append(reqs, k, v)
			}
			if hp := dispatch.NewRouteHelper(ri.Name, ri.Path, reqs...).Path([]dispatch.Params{named}); hp != p {
				t.Fatalf("route %s %s: the helper builds %q, the route set %q", ri.Name, ri.Path, hp, p)
			}
			u, err := url.ParseRequestURI(p)
			if err != nil {
				t.Fatalf("Path(%q) = %q: %v", ri.Name, p, err)
			}
			rec := httptest.NewRecorder()
			rs.ServeHTTP(rec, &http.Request{Method: "GET", URL: u, Header: http.Header{}})
			if rec.Code == 404 {
				t.Fatalf("route %s %s: its own path %q is 404", ri.Name, ri.Path, p)
			}
		}
	})
}

// FuzzRequestQuery: a query ParseQuery accepts is accepted by every action
// (and one it rejects is a 400 before the action runs), and the request's
// params hold no nil inside an array (Rails' deep_munge).
func FuzzRequestQuery(f *testing.F) {
	for _, s := range []string{"a[]", "a&a[b]=1", "a[][b]&a[]&a[][c][]", "%zz", "x[y][]=1&x[y][]"} {
		f.Add(s)
	}
	rs := draw(f, dispatch.Config{}, func(r *dispatch.Mapper) {
		r.Match("things/:id", dispatch.To((*captureController).Show), dispatch.Via("all"))
	})
	f.Fuzz(func(t *testing.T, q string) {
		if strings.ContainsAny(q, "# \t\r\n") {
			return
		}
		req := httptest.NewRequest("GET", "/things/1", nil)
		req.URL.RawQuery = q
		c := &capture{}
		req = req.WithContext(context.WithValue(req.Context(), captureKey{}, c))
		rec := httptest.NewRecorder()
		rs.ServeHTTP(rec, req)
		_, perr := dispatch.ParseQuery(q)
		switch {
		case perr != nil && rec.Code != 400:
			t.Fatalf("?%s: ParseQuery fails (%v) but the request got %d", q, perr, rec.Code)
		case perr == nil && (rec.Code != 200 || c.err != nil):
			t.Fatalf("?%s: ParseQuery succeeds but the request got %d (%v)", q, rec.Code, c.err)
		case perr == nil && hasNilInList(c.params):
			t.Fatalf("?%s: params %#v keep a nil in a list", q, c.params)
		}
	})
}

func hasNilInList(v any) bool {
	switch v := v.(type) {
	case dispatch.Params:
		for _, e := range v {
			if hasNilInList(e) {
				return true
			}
		}
	case []any:
		for _, e := range v {
			if e == nil || hasNilInList(e) {
				return true
			}
		}
	}
	return false
}
