package controller_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/gorails/gorails/framework/controller"
	"github.com/gorails/gorails/framework/dispatch"
)

// AppController plays the app's ApplicationController: its callbacks apply
// to every controller that embeds it.
type AppController struct {
	controller.Base
	User string
}

func (c *AppController) Callbacks(cb *controller.Chain[AppController]) {
	cb.Before((*AppController).authenticate)
	cb.After((*AppController).appAfter)
}

func (c *AppController) authenticate() error {
	step(c.Request(), "authenticate")
	if c.Request().HTTP().URL.Query().Has("deny") {
		return c.Redirect("/login")
	}
	c.User = "ann"
	return nil
}

func (c *AppController) appAfter() error { step(c.Request(), "appAfter"); return nil }

// Audit is a concern: a struct embedded for its callbacks.
type Audit struct{ audited bool }

func (a *Audit) Callbacks(cb *controller.Chain[Audit]) {
	cb.Before((*Audit).audit, controller.Except("index"))
}

func (a *Audit) audit() error { a.audited = true; return nil }

// PostsController declares callbacks of its own on top of AppController's.
type PostsController struct {
	AppController
	Audit
	Title string
	Items []string
}

func (c *PostsController) Callbacks(cb *controller.Chain[PostsController]) {
	cb.Before((*PostsController).setPost, controller.Only("show"))
	cb.Around((*PostsController).around)
	cb.Before((*PostsController).inner, controller.If((*PostsController).wantsInner))
	cb.After((*PostsController).after1)
	cb.After((*PostsController).after2, controller.Unless((*AppController).anonymous))
	cb.SkipBefore((*AppController).authenticate, controller.Only("index"))
}

func (c *AppController) anonymous() bool { return c.User == "" }

func (c *PostsController) wantsInner() bool {
	return !c.Request().HTTP().URL.Query().Has("skip_inner")
}

func (c *PostsController) setPost() error {
	step(c.Request(), "setPost")
	c.Title = "Hello"
	return nil
}

func (c *PostsController) around(next func() error) error {
	step(c.Request(), "around:before")
	err := next()
	step(c.Request(), "around:after")
	return err
}

func (c *PostsController) inner() error {
	step(c.Request(), "inner")
	if c.Request().HTTP().URL.Query().Has("halt_inner") {
		return c.Text(http.StatusTeapot, "halted by inner")
	}
	return nil
}

func (c *PostsController) after1() error { step(c.Request(), "after1"); return nil }
func (c *PostsController) after2() error { step(c.Request(), "after2"); return nil }

func (c *PostsController) Index() error {
	step(c.Request(), "index")
	c.Items = []string{"a", "b"}
	return nil
}

func (c *PostsController) Show() error {
	step(c.Request(), "show")
	if c.User != "ann" || !c.audited {
		return errors.New("callbacks of the embedded structs did not run on this controller")
	}
	return nil
}

func postsRoutes(r *dispatch.Mapper) {
	r.Resources("posts", dispatch.For[PostsController](), dispatch.Only("index", "show"))
}

func TestCallbacks(t *testing.T) {
	t.Parallel()
	a := newApp(t, postsRoutes)
	tests := []struct {
		name, target string
		status       int
		trace        string
		body         string
	}{
		{
			// Rails' order: befores in declaration order (the embedded
			// AppController's first), an around wraps what was declared after
			// it, afters run in reverse declaration order, each inside the
			// around it was declared after.
			name: "callbacks run in Rails' order, inherited ones first", target: "/posts/1",
			status: 200, body: "<main><h1>Hello</h1></main>",
			trace: "authenticate,setPost,around:before,inner,show,after2,after1,around:after,appAfter",
		},
		{
			name: "only, except and a skip with only leave index its own callbacks", target: "/posts",
			status: 200, body: "<main><ul><li>a</li><li>b</li></ul></main>",
			trace: "around:before,inner,index,after1,around:after,appAfter",
		},
		{
			name: "a before callback that redirects halts the chain", target: "/posts/1?deny=1",
			status: http.StatusFound, trace: "authenticate",
		},
		{
			name: "a halt inside an around skips the action and the afters but ends the around", target: "/posts/1?halt_inner=1",
			status: http.StatusTeapot, body: "halted by inner",
			trace: "authenticate,setPost,around:before,inner,around:after",
		},
		{
			name: "an If condition that fails skips the callback", target: "/posts/1?skip_inner=1",
			status: 200, trace: "authenticate,setPost,around:before,show,after2,after1,around:after,appAfter",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := a.get(t, tt.target)
			if rec.Code != tt.status {
				t.Fatalf("status = %d, want %d; body %q", rec.Code, tt.status, rec.Body)
			}
			if got := traceOf(rec); got != tt.trace {
				t.Errorf("trace =\n  %s\nwant\n  %s", got, tt.trace)
			}
			if tt.body != "" && rec.Body.String() != tt.body {
				t.Errorf("body = %q, want %q", rec.Body, tt.body)
			}
		})
	}
}

// An Unless condition on an embedded struct's method: after2 is skipped
// when AppController says the user is anonymous (index skips authenticate).
func TestUnlessConditionReadsTheEmbeddedStruct(t *testing.T) {
	t.Parallel()
	a := newApp(t, postsRoutes)
	if got := traceOf(a.get(t, "/posts")); strings.Contains(got, "after2") {
		t.Errorf("trace %q has after2, want it skipped for an anonymous user", got)
	}
}

type AroundController struct {
	controller.Base
}

func (c *AroundController) Callbacks(cb *controller.Chain[AroundController]) {
	cb.Around((*AroundController).deny)
	cb.After((*AroundController).after)
}

func (c *AroundController) deny(next func() error) error {
	step(c.Request(), "deny")
	return c.Head(http.StatusForbidden)
}
func (c *AroundController) after() error { step(c.Request(), "after"); return nil }
func (c *AroundController) Index() error { step(c.Request(), "index"); return nil }

func TestAroundThatDoesNotCallNextHalts(t *testing.T) {
	t.Parallel()
	a := newApp(t, func(r *dispatch.Mapper) { r.Get("around", dispatch.To((*AroundController).Index)) })
	rec := a.get(t, "/around")
	if rec.Code != http.StatusForbidden || traceOf(rec) != "deny" {
		t.Errorf("got %d with trace %q, want 403 with trace deny", rec.Code, traceOf(rec))
	}
}

type BadSkipController struct{ AppController }

func (c *BadSkipController) Callbacks(cb *controller.Chain[BadSkipController]) {
	cb.SkipBefore((*BadSkipController).Index)
}
func (c *BadSkipController) Index() error { return nil }

type NilCallbackController struct{ controller.Base }

func (c *NilCallbackController) Callbacks(cb *controller.Chain[NilCallbackController]) {
	cb.Before(nil)
}
func (c *NilCallbackController) Index() error { return nil }

type ForeignCondController struct{ controller.Base }

func (c *ForeignCondController) Callbacks(cb *controller.Chain[ForeignCondController]) {
	cb.Before((*ForeignCondController).Index, controller.If((*PostsController).wantsInner))
}
func (c *ForeignCondController) Index() error { return nil }

type TypoController struct{ controller.Base }

func (c *TypoController) Callbacks(cb *controller.Chain[TypoController]) {
	cb.Before((*TypoController).load, controller.Only("shwo"))
}
func (c *TypoController) load() error { return nil }
func (c *TypoController) Show() error { return nil }

func TestBadDeclarationsFailTheBoot(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		routes func(r *dispatch.Mapper)
		want   string
	}{
		{"skipping a callback that was never declared", func(r *dispatch.Mapper) {
			r.Get("x", dispatch.To((*BadSkipController).Index))
		}, "no such before callback"},
		{"a nil callback", func(r *dispatch.Mapper) {
			r.Get("x", dispatch.To((*NilCallbackController).Index))
		}, "callback is nil"},
		{"a condition on a struct the controller does not embed", func(r *dispatch.Mapper) {
			r.Get("x", dispatch.To((*ForeignCondController).Index))
		}, "is not embedded"},
		{"Only naming an action the controller does not have", func(r *dispatch.Mapper) {
			r.Get("x", dispatch.To((*TypoController).Show))
		}, `names action "shwo"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, _, err := drawApp(tt.routes)
			if !errors.Is(err, controller.ErrBadCallback) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Draw error = %v, want ErrBadCallback with %q", err, tt.want)
			}
		})
	}
}
