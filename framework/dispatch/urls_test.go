package dispatch_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gorails/gorails/framework/dispatch"
)

type post struct{ id int }

func (p post) ToParam() string { return "p" + string(rune('0'+p.id)) }

func TestPath(t *testing.T) {
	t.Parallel()
	rs := draw(t, dispatch.Config{}, func(r *dispatch.Mapper) {
		appRoutes(r)
		r.Get("raw/*path", dispatch.To((*PostsController).Show), dispatch.As("raw"))
		r.Get("n/:id", dispatch.To((*PostsController).Show), dispatch.As("num"), dispatch.Constrain("id", `\d+`))
	})
	tests := []struct {
		name  string
		route string
		args  []any
		want  string
		err   error
	}{
		{"root", "root", nil, "/", nil},
		{"a collection", "posts", nil, "/posts", nil},
		{"a member by int", "post", []any{42}, "/posts/42", nil},
		{"a member by URLParam", "post", []any{post{3}}, "/posts/p3", nil},
		{"a format as one more positional arg", "post", []any{1, "json"}, "/posts/1.json", nil},
		{"nested positional", "post_comment", []any{1, 2}, "/posts/1/comments/2", nil},
		{"named plus query", "post_comment", []any{dispatch.Params{"post_id": 1, "id": 2, "page": 3, "format": "xml"}}, "/posts/1/comments/2.xml?page=3", nil},
		{"positional then named query", "post", []any{5, dispatch.Params{"q": dispatch.Params{"a": "1 2"}, "tags": []any{"x", "y"}}}, "/posts/5?q%5Ba%5D=1+2&tags%5B%5D=x&tags%5B%5D=y", nil},
		// Rails' url_for: a nil drops the key, a nested nil is an empty value,
		// an empty list is one empty element, an empty hash is left out.
		{"a nil query value is dropped", "posts", []any{dispatch.Params{"page": nil, "q": "x"}}, "/posts?q=x", nil},
		{"only nil query values leave no ?", "posts", []any{dispatch.Params{"page": nil}}, "/posts", nil},
		{"a nested nil is an empty value", "posts", []any{dispatch.Params{"q": dispatch.Params{"a": nil}}}, "/posts?q%5Ba%5D=", nil},
		{"an empty list is written", "posts", []any{dispatch.Params{"tags": []any{}}}, "/posts?tags%5B%5D=", nil},
		{"an empty string list is written", "posts", []any{dispatch.Params{"tags": []string{}}}, "/posts?tags%5B%5D=", nil},
		{"a nil in a list is an empty element", "posts", []any{dispatch.Params{"tags": []any{nil, "a"}}}, "/posts?tags%5B%5D=&tags%5B%5D=a", nil},
		{"an empty hash is left out", "posts", []any{dispatch.Params{"q": dispatch.Params{}, "page": 2}}, "/posts?page=2", nil},
		{"segments are escaped", "post", []any{"a b/c?"}, "/posts/a%20b%2Fc%3F", nil},
		{"a glob keeps its slashes", "raw", []any{"a/b c"}, "/raw/a/b%20c", nil},
		{"an unknown name", "nope", nil, "", dispatch.ErrUnknownRoute},
		{"a missing param", "post_comment", []any{1}, "", dispatch.ErrMissingParam},
		{"an empty param", "post", []any{""}, "", dispatch.ErrMissingParam},
		{"a param its constraint rejects", "num", []any{"abc"}, "", dispatch.ErrInvalidParam},
		{"too many args", "posts", []any{1, 2}, "", dispatch.ErrInvalidParam},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := rs.Path(tc.route, tc.args...)
			if !errors.Is(err, tc.err) || got != tc.want {
				t.Fatalf("Path(%q, %v) = %q, %v; want %q, %v", tc.route, tc.args, got, err, tc.want, tc.err)
			}
		})
	}
}

type linker struct{ base }

func (c *linker) Show() error {
	u, err := c.r.URL("linker", c.r.PathParam("id"), dispatch.Params{"x": 1})
	if err != nil {
		return err
	}
	return c.say("%s", u)
}

func TestURLFromARequest(t *testing.T) {
	t.Parallel()
	rs := draw(t, dispatch.Config{}, func(r *dispatch.Mapper) {
		r.Get("l/:id", dispatch.To((*linker).Show), dispatch.As("linker"))
	})
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "http://example.com/l/7", nil)
	rs.ServeHTTP(rec, req)
	if got := rec.Body.String(); got != "http://example.com/l/7?x=1" {
		t.Fatalf("URL = %q", got)
	}
	if u, _ := rs.URL("https://a.test/", "linker", 1); u != "https://a.test/l/1" {
		t.Fatalf("RouteSet.URL = %q", u)
	}
}
