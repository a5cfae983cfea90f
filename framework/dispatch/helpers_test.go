package dispatch_test

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"testing"

	"github.com/gorails/gorails/framework/dispatch"
)

// helperRoutes are appRoutes plus routes whose helpers have more to do: a
// constraint, a glob, a required format, a mount.
func helperRoutes(r *dispatch.Mapper) {
	appRoutes(r)
	r.Get("n/:id", dispatch.To((*PostsController).Show), dispatch.As("num"), dispatch.Constrain("id", `\d+`))
	r.Get("raw/*path", dispatch.To((*PostsController).Show), dispatch.As("raw"))
	r.Get("feed", dispatch.To((*PostsController).Index), dispatch.As("feed"), dispatch.Format(true))
	r.Mount("/admin", http.NotFoundHandler(), dispatch.As("admin"))
}

// generatedHelpers builds each named route's helper the way a generated
// app/routes package does: from the pattern and requirements alone.
func generatedHelpers(t *testing.T, infos []dispatch.RouteInfo) map[string]*dispatch.RouteHelper {
	t.Helper()
	out := map[string]*dispatch.RouteHelper{}
	for _, ri := range infos {
		if ri.Name == "" {
			continue
		}
		var reqs []string
		for p, re := range ri.Requirements {
			reqs = append(reqs, p, re)
		}
		out[ri.Name] = dispatch.NewRouteHelper(ri.Name, ri.Path, reqs...)
	}
	return out
}

func TestRouteHelpersBuildWhatTheRouteSetBuilds(t *testing.T) {
	t.Parallel()
	rs := draw(t, dispatch.Config{}, helperRoutes)
	helpers := generatedHelpers(t, rs.Routes())
	args := [][]any{{}, {7}, {"a b/c"}, {7, 8}, {7, dispatch.Params{"format": "json", "page": 2}}, {"x"}, {"json"}, {"12", "xml"}}
	for name, h := range helpers {
		for _, a := range args {
			want, wantErr := rs.Path(name, a...)
			var query []dispatch.Params
			params := a
			if n := len(a); n > 0 {
				if q, ok := a[n-1].(dispatch.Params); ok {
					query, params = []dispatch.Params{q}, a[:n-1]
				}
			}
			got, gotErr := pathOf(h, query, params)
			if (wantErr == nil) != (gotErr == nil) || got != want {
				t.Errorf("%s%v: helper %q (%v), route set %q (%v)", name, a, got, gotErr, want, wantErr)
			}
		}
	}
}

// pathOf calls h.Path, turning its panic into an error.
func pathOf(h *dispatch.RouteHelper, query []dispatch.Params, params []any) (p string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = r.(error)
		}
	}()
	return h.Path(query, params...), nil
}

func TestRouteHelperPanicsOnABrokenLink(t *testing.T) {
	t.Parallel()
	num := dispatch.NewRouteHelper("num", "/n/:id", "id", `\d+`)
	for _, tc := range []struct {
		name string
		args []any
		want error
	}{
		{"an empty param", []any{""}, dispatch.ErrMissingParam},
		{"a nil param", []any{nil}, dispatch.ErrMissingParam},
		{"a param its requirement rejects", []any{"12abc"}, dispatch.ErrInvalidParam},
		{"a format on a route without one", []any{1, "json"}, dispatch.ErrInvalidParam},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := pathOf(num, nil, tc.args)
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), "num_path") {
				t.Fatalf("Path(%v): %v, want %v naming num_path", tc.args, err, tc.want)
			}
		})
	}
	if got := num.URL("https://example.com/", []dispatch.Params{{"q": "a b"}}, 5); got != "https://example.com/n/5?q=a+b" {
		t.Errorf("URL = %q", got)
	}
}

func TestNewRouteHelperRefusesABadPattern(t *testing.T) {
	t.Parallel()
	for _, tc := range [][]string{
		{"bad name", "/x"},
		{"x", "/a/:id:slug"},
		{"x", "/a(/:id"},
		{"x", "/a/:id", "id"},
		{"x", "/a/:id", "slug", `\d+`},
		{"x", "/a/:id", "id", `(`},
	} {
		func() {
			defer func() {
				if r := recover(); r == nil {
					t.Errorf("NewRouteHelper%q did not panic", tc)
				}
			}()
			dispatch.NewRouteHelper(tc[0], tc[1], tc[2:]...)
		}()
	}
}

type baseURL string

func (b baseURL) BaseURL() string { return string(b) }

func TestRouteHelperFuncsInTemplates(t *testing.T) {
	t.Parallel()
	rs := draw(t, dispatch.Config{}, helperRoutes)
	funcs := rs.Helpers().Funcs()
	render := func(src string, data any) (string, error) {
		tmpl, err := template.New("t").Funcs(funcs).Parse(src)
		if err != nil {
			return "", err
		}
		var b strings.Builder
		err = tmpl.Execute(&b, data)
		return b.String(), err
	}
	for _, tc := range []struct{ name, src, want string }{
		{"a path is escaped into its attribute", `<a href="{{post_path .}}">x</a>`, `<a href="/posts/1&amp;2">x</a>`},
		{"a nested path", `{{post_comment_path . 3}}`, `/posts/1&amp;2/comments/3`},
		{"a URL on a base from the context", `{{post_url $ 5}}`, `http://example.com/posts/5`},
		{"a URL on a string base", `{{post_url "https://a.test/" 5}}`, `https://a.test/posts/5`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := any(`1&2`)
			if strings.Contains(tc.src, "$") {
				data = baseURL("http://example.com")
			}
			got, err := render(tc.src, data)
			if err != nil || got != tc.want {
				t.Fatalf("%s = %q, %v; want %q", tc.src, got, err, tc.want)
			}
		})
	}
	t.Run("a missing param fails the template", func(t *testing.T) {
		if _, err := render(`{{post_path .}}`, ""); !errors.Is(err, dispatch.ErrMissingParam) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("a URL helper without a base fails the template", func(t *testing.T) {
		if _, err := render(`{{post_url 5}}`, nil); err == nil || !strings.Contains(err.Error(), "base URL") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("a missing route does not parse", func(t *testing.T) {
		_, err := render(`{{article_path 1}}`, nil)
		if err == nil || !strings.Contains(err.Error(), `function "article_path" not defined`) {
			t.Fatalf("got %v", err)
		}
	})
}

// TestRouteHelperFixedArity checks that each fixed-arity form (NAME__N,
// which view sets call instead of NAME with N arguments) answers what the
// variadic helper answers, its errors included, for every named route and
// hostile arguments.
func TestRouteHelperFixedArity(t *testing.T) {
	t.Parallel()
	rs := draw(t, dispatch.Config{}, helperRoutes)
	funcs := rs.Helpers().Funcs()
	call := func(fn any, args ...any) (out string, err error) {
		defer func() {
			if r := recover(); r != nil {
				err = r.(error)
			}
		}()
		switch f := fn.(type) {
		case func(...any) (string, error):
			return f(args...)
		case func(any, ...any) (string, error):
			return f(args[0], args[1:]...)
		case func() string:
			return f(), nil
		case func(any) string:
			return f(args[0]), nil
		case func(any, any) string:
			return f(args[0], args[1]), nil
		}
		t.Fatalf("unexpected helper type %T", fn)
		return "", nil
	}
	values := []any{7, "a b/c", "../x", "", nil, -1, 3.5, dispatch.Params{"page": 2}, map[string]any{"id": 3}, []int{1}, "json", struct{}{}}
	bases := []any{"http://example.com/", baseURL("https://b.test"), 5, nil}
	fixed := 0
	for name, fn := range funcs {
		variadic, n, ok := strings.Cut(name, "__")
		if !ok {
			continue
		}
		fixed++
		var argSets [][]any
		switch {
		case n == "0":
			argSets = [][]any{{}}
		case n == "1" && strings.HasSuffix(variadic, "_path"):
			for _, v := range values {
				argSets = append(argSets, []any{v})
			}
		case n == "1":
			for _, b := range bases {
				argSets = append(argSets, []any{b})
			}
		case n == "2":
			for _, b := range bases {
				for _, v := range values {
					argSets = append(argSets, []any{b, v})
				}
			}
		default:
			t.Fatalf("unexpected fixed form %s", name)
		}
		for _, args := range argSets {
			want, wantErr := call(funcs[variadic], args...)
			got, err := call(fn, args...)
			if got != want || fmt.Sprint(err) != fmt.Sprint(wantErr) {
				t.Errorf("%s%v = %q, %v; %s answers %q, %v", name, args, got, err, variadic, want, wantErr)
			}
		}
	}
	if fixed == 0 {
		t.Fatal("no fixed-arity forms")
	}
	if _, ok := funcs["post_path__0"]; ok {
		t.Error("post_path has a param: it has no form without arguments")
	}
}

func TestRouteHelpersCheck(t *testing.T) {
	t.Parallel()
	infos, err := dispatch.Describe(helperRoutes)
	if err != nil {
		t.Fatal(err)
	}
	fresh := func() dispatch.RouteHelpers {
		var hs dispatch.RouteHelpers
		for _, ri := range infos {
			if ri.Name != "" {
				var reqs []string
				for p, re := range ri.Requirements {
					reqs = append(reqs, p, re)
				}
				hs = append(hs, dispatch.NewRouteHelper(ri.Name, ri.Path, reqs...))
			}
		}
		return hs
	}
	if err := fresh().Check(infos); err != nil {
		t.Fatalf("fresh helpers: %v", err)
	}
	for _, tc := range []struct {
		name  string
		edit  func(dispatch.RouteHelpers) dispatch.RouteHelpers
		infos func([]dispatch.RouteInfo) []dispatch.RouteInfo
		want  string
	}{
		{"a route without a helper", func(hs dispatch.RouteHelpers) dispatch.RouteHelpers { return hs[1:] }, nil, "route root (GET /) has no helper"},
		{"a helper without a route", func(hs dispatch.RouteHelpers) dispatch.RouteHelpers {
			return append(hs, dispatch.NewRouteHelper("gone", "/gone"))
		}, nil, "helper gone_path names no route"},
		{"a moved route", nil, func(in []dispatch.RouteInfo) []dispatch.RouteInfo {
			out := append([]dispatch.RouteInfo(nil), in...)
			for i := range out {
				if out[i].Name == "post" {
					out[i].Path = "/articles/:id(.:format)"
				}
			}
			return out
		}, "route post is /articles/:id(.:format), its helper builds /posts/:id(.:format)"},
		{"a changed requirement", nil, func(in []dispatch.RouteInfo) []dispatch.RouteInfo {
			out := append([]dispatch.RouteInfo(nil), in...)
			for i := range out {
				if out[i].Name == "num" {
					out[i].Requirements = map[string]string{"id": `[0-9a-f]+`}
				}
			}
			return out
		}, "route num requires"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			hs, ri := fresh(), infos
			if tc.edit != nil {
				hs = tc.edit(hs)
			}
			if tc.infos != nil {
				ri = tc.infos(ri)
			}
			err := hs.Check(ri)
			if !errors.Is(err, dispatch.ErrStaleHelpers) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Check: %v, want %q", err, tc.want)
			}
		})
	}
}

func ExampleNewRouteHelper() {
	// What `gorails generate routes` writes into app/routes for the route
	// edit_post of r.Resources("posts", ...):
	editPost := dispatch.NewRouteHelper("edit_post", "/posts/:id/edit(.:format)")
	EditPostPath := func(id any, query ...dispatch.Params) string { return editPost.Path(query, id) }

	fmt.Println(EditPostPath(7))
	fmt.Println(EditPostPath("a/b", dispatch.Params{"format": "json", "preview": true}))
	// Output:
	// /posts/7/edit
	// /posts/a%2Fb/edit.json?preview=true
}
