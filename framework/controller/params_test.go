package controller_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gorails/gorails/framework/controller"
	"github.com/gorails/gorails/framework/dispatch"
)

// ParamsController answers with the permitted params as JSON, or with the
// error's status and message.
type ParamsController struct{ controller.Base }

func (c *ParamsController) Create() error {
	p, err := c.Params().Require("post").Permit(
		"title", "body", "published",
		controller.List("tags"),
		controller.Nested("author", "name", "email"),
		controller.Nested("comments", "body", controller.List("votes")),
		controller.Nested("settings"),
	)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p.Raw())
}

// Typed reads one typed param named by ?get= and answers it as JSON.
func (c *ParamsController) Typed() error {
	p := c.Params()
	var v any
	var err error
	switch c.Request().HTTP().URL.Query().Get("get") {
	case "int":
		v, err = p.Int("n")
	case "int64":
		v, err = p.Int64("n")
	case "float":
		v, err = p.Float("n")
	case "bool":
		v, err = p.Bool("n")
	case "time":
		var t time.Time
		t, err = p.Time("n", nil)
		v = t.Format(time.RFC3339)
	case "string":
		v, err = p.String("n")
	case "strings":
		v, err = p.Strings("n")
	case "nested-int":
		v, err = p.Require("post").Int("n")
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

func paramsApp(t *testing.T, configure ...func(*controller.Env)) *app {
	return newApp(t, func(r *dispatch.Mapper) {
		r.Post("posts", dispatch.To((*ParamsController).Create))
		r.Get("typed", dispatch.To((*ParamsController).Typed))
	}, configure...)
}

func postForm(t *testing.T, a *app, form string) (int, string) {
	t.Helper()
	rec := a.do(t, http.MethodPost, "/posts", strings.NewReader(form))
	return rec.Code, strings.TrimSpace(rec.Body.String())
}

func TestPermit(t *testing.T) {
	t.Parallel()
	a := paramsApp(t)
	tests := []struct {
		name, form string
		status     int
		want       string
	}{
		{"scalars are permitted and other keys dropped",
			"post[title]=Hi&post[body]=Text&post[admin]=1&post[published]", 200,
			`{"body":"Text","published":null,"title":"Hi"}`},
		{"a list of scalars is permitted by List",
			"post[title]=Hi&post[tags][]=go&post[tags][]=web", 200,
			`{"tags":["go","web"],"title":"Hi"}`},
		{"a list where a scalar is permitted is dropped",
			"post[title][]=a&post[body]=b", 200, `{"body":"b"}`},
		{"a hash where a scalar is permitted is dropped",
			"post[title][x]=a&post[body]=b", 200, `{"body":"b"}`},
		{"a nested hash keeps only its permitted keys",
			"post[author][name]=Ann&post[author][email]=a@x&post[author][role]=admin", 200,
			`{"author":{"email":"a@x","name":"Ann"}}`},
		{"a list of hashes is filtered element by element",
			"post[comments][][body]=one&post[comments][][body]=two&post[comments][][spam]=1", 200,
			`{"comments":[{"body":"one"},{"body":"two"}]}`},
		{"a hash of hashes by index is filtered like a list",
			"post[comments][0][body]=one&post[comments][1][body]=two&post[comments][1][votes][]=3&post[comments][1][admin]=1", 200,
			`{"comments":{"0":{"body":"one"},"1":{"body":"two","votes":["3"]}}}`},
		{"Nested without keys permits any hash of scalars",
			"post[settings][theme]=dark&post[settings][font][size]=12", 200,
			`{"settings":{"font":{"size":"12"},"theme":"dark"}}`},
		{"a missing required key is a 400 naming it", "title=Hi", 400,
			"error: param is missing or the value is empty: post"},
		{"a blank required key is missing too", "post=", 400,
			"error: param is missing or the value is empty: post"},
		{"a required key that is not a hash is a 400", "post=text", 400,
			"error: param post: invalid param: expected nested params (post[...])"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			status, body := postForm(t, a, tt.form)
			if status != tt.status || body != tt.want {
				t.Errorf("got %d %s\nwant %d %s", status, body, tt.status, tt.want)
			}
		})
	}
}

func TestUnpermittedParams(t *testing.T) {
	t.Parallel()
	t.Run("unpermitted keys are logged at debug level with their full names", func(t *testing.T) {
		t.Parallel()
		a := paramsApp(t)
		status, _ := postForm(t, a, "post[title]=Hi&post[admin]=1&post[author][role]=x&post[author][name]=A")
		if status != 200 {
			t.Fatalf("status = %d", status)
		}
		log := a.log.String()
		if !strings.Contains(log, "unpermitted params") || !strings.Contains(log, `keys="post[admin], post[author][role]"`) {
			t.Errorf("log does not report post[admin] and post[author][role]:\n%s", log)
		}
	})
	t.Run("with RaiseOnUnpermitted they are a 400", func(t *testing.T) {
		t.Parallel()
		a := paramsApp(t, func(e *controller.Env) { e.RaiseOnUnpermitted = true })
		status, body := postForm(t, a, "post[title]=Hi&post[admin]=1")
		if status != 400 || body != "error: found unpermitted params: post[admin]" {
			t.Errorf("got %d %s", status, body)
		}
	})
}

func TestTypedGetters(t *testing.T) {
	t.Parallel()
	a := paramsApp(t)
	tests := []struct {
		name, query string
		status      int
		want        string
	}{
		{"Int reads an integer", "get=int&n=42", 200, "42"},
		{"Int of a word is a 400 naming the param", "get=int&n=abc", 400, `error: param n: "abc": invalid param: not an integer: invalid syntax`},
		{"Int of nothing is a missing param", "get=int", 400, "error: param is missing or the value is empty: n"},
		{"Int of a list is a 400", "get=int&n[]=1", 400, "error: param n: invalid param: expected a single value, got a list"},
		{"Int64 reads a large integer", "get=int64&n=9007199254740993", 200, "9007199254740993"},
		{"Int64 out of range is a 400", "get=int64&n=99999999999999999999", 400, `error: param n: "99999999999999999999": invalid param: not an integer: value out of range`},
		{"Float reads a number", "get=float&n=2.5", 200, "2.5"},
		{"Float refuses infinity", "get=float&n=Inf", 400, `error: param n: "Inf": invalid param: not a number: not finite`},
		{"Bool reads Rails' true values", "get=bool&n=on", 200, "true"},
		{"Bool reads Rails' false values", "get=bool&n=0", 200, "false"},
		{"Bool of a word is a 400", "get=bool&n=maybe", 400, `error: param n: "maybe": invalid param: not a boolean: use true/false, 1/0 or on/off`},
		{"Time reads RFC 3339", "get=time&n=" + url.QueryEscape("2026-11-23T10:20:00+01:00"), 200, `"2026-11-23T10:20:00+01:00"`},
		{"Time reads a datetime-local input", "get=time&n=2026-11-23T10:20", 200, `"2026-11-23T10:20:00Z"`},
		{"Time reads a date", "get=time&n=2026-11-23", 200, `"2026-11-23T00:00:00Z"`},
		{"Time of a word is a 400", "get=time&n=soon", 400, `error: param n: "soon": invalid param: not a time: use RFC 3339 or YYYY-MM-DD[THH:MM[:SS]]`},
		{"String of a hash is a 400", "get=string&n[a]=1", 400, "error: param n: invalid param: expected a string, got a hash"},
		{"Strings reads a list", "get=strings&n[]=a&n[]=b", 200, `["a","b"]`},
		{"a nested param's error has its full name", "get=nested-int&post[n]=x", 400, `error: param post[n]: "x": invalid param: not an integer: invalid syntax`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := a.get(t, "/typed?"+tt.query)
			if body := strings.TrimSpace(rec.Body.String()); rec.Code != tt.status || body != tt.want {
				t.Errorf("got %d %s\nwant %d %s", rec.Code, body, tt.status, tt.want)
			}
		})
	}
}

func TestParamErrorsMatchTheirSentinels(t *testing.T) {
	t.Parallel()
	var missing error = &controller.ParamError{Key: "post", Err: controller.ErrParamMissing}
	if !errors.Is(missing, controller.ErrParamMissing) {
		t.Error("a missing param does not match ErrParamMissing")
	}
	var sc interface{ StatusCode() int }
	if !errors.As(missing, &sc) || sc.StatusCode() != 400 {
		t.Error("a ParamError is not a 400")
	}
	if !errors.Is(&controller.UnpermittedError{Keys: []string{"x"}}, controller.ErrUnpermittedParams) {
		t.Error("an UnpermittedError does not match ErrUnpermittedParams")
	}
}

// PathParamsController reads the param its path names (/lazy/n/5 reads n)
// with Int64, before anything built the params or, on a route with the
// default built=1, after Raw built them, and answers what it got.
type PathParamsController struct{ controller.Base }

func (c *PathParamsController) Show() error {
	p := c.Params()
	if c.Request().PathParam("built") != "" {
		_ = p.Raw()
	}
	key := c.Request().PathParam("key")
	n, err := p.Int64(key)
	s, serr := p.String(key)
	return c.Text(http.StatusOK, fmt.Sprintf("%d %v %q %v has=%v", n, err, s, serr, p.Has(key)))
}

// TestPathParamsReadBeforeTheParamsAreBuilt: a GET without query or body
// reads a path param without building its params, and gets what the built
// params give, whatever the key (a default, the format, the route's own
// keys, a blank or malformed value, a missing one).
func TestPathParamsReadBeforeTheParamsAreBuilt(t *testing.T) {
	t.Parallel()
	a := newApp(t, func(r *dispatch.Mapper) {
		r.Get("lazy/:key/:n(.:format)", dispatch.To((*PathParamsController).Show), dispatch.Default("page", "3"))
		r.Get("built/:key/:n(.:format)", dispatch.To((*PathParamsController).Show), dispatch.Default("page", "3"), dispatch.Default("built", "1"))
	})
	for _, path := range []string{
		"n/5", "n/%205%20", "n/%20", "n/abc", "n/99999999999999999999", "n/7.json",
		"page/1", "format/1.12", "action/1", "controller/1", "nope/1", "key/1",
	} {
		lazy := a.do(t, http.MethodGet, "/lazy/"+path, nil)
		built := a.do(t, http.MethodGet, "/built/"+path, nil)
		if lazy.Code != http.StatusOK || lazy.Body.String() != built.Body.String() {
			t.Errorf("%s: read first %d %q, after the params were built %d %q", path, lazy.Code, lazy.Body, built.Code, built.Body)
		}
	}
	if got := a.do(t, http.MethodGet, "/lazy/n/5", nil).Body.String(); got != `5 <nil> "5" <nil> has=true` {
		t.Errorf("/lazy/n/5: %q", got)
	}
	// With a query string the params are built first: the query's n is
	// under the path's.
	if got := a.do(t, http.MethodGet, "/lazy/n/5?n=6&x=%zz", nil); got.Code != http.StatusBadRequest {
		t.Errorf("a malformed query: %d %q, want 400", got.Code, got.Body)
	}
}
