package dispatch_test

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/gorails/gorails/framework/dispatch"
)

// base is a minimal controller.Base stand-in.
type base struct {
	w http.ResponseWriter
	r *dispatch.Request
}

func (b *base) setRequest(w http.ResponseWriter, r *dispatch.Request) { b.w, b.r = w, r }

// requestSetter is how testInvoker hands a controller its request: the
// test controllers' own (unexported) business, not dispatch's.
type requestSetter interface {
	setRequest(w http.ResponseWriter, r *dispatch.Request)
}

// testInvoker is the tests' Invoker, a minimal controller.Env stand-in:
// per request a fresh controller gets the writer and request, then the
// action runs.
type testInvoker struct{}

func (testInvoker) Invoke(a dispatch.ControllerAction) (dispatch.ActionFunc, error) {
	if _, ok := a.New().(requestSetter); !ok {
		return nil, fmt.Errorf("%s does not embed base", a.Type)
	}
	return func(w http.ResponseWriter, r *dispatch.Request) error {
		c := a.New()
		c.(requestSetter).setRequest(w, r)
		return a.Run(c)
	}, nil
}

// withInvoker is cfg with testInvoker unless it has an Invoker.
func withInvoker(cfg dispatch.Config) dispatch.Config {
	if cfg.Invoker == nil {
		cfg.Invoker = testInvoker{}
	}
	return cfg
}

func (b *base) say(format string, args ...any) error {
	_, err := fmt.Fprintf(b.w, format, args...)
	return err
}

type PostsController struct{ base }

func (c *PostsController) Index() error   { return c.say("posts#index") }
func (c *PostsController) Show() error    { return c.say("posts#show %s", c.r.PathParam("id")) }
func (c *PostsController) New() error     { return c.say("posts#new") }
func (c *PostsController) Create() error  { return c.say("posts#create") }
func (c *PostsController) Edit() error    { return c.say("posts#edit") }
func (c *PostsController) Update() error  { return c.say("posts#update %s", c.r.PathParam("id")) }
func (c *PostsController) Destroy() error { return c.say("posts#destroy") }
func (c *PostsController) Preview() error { return c.say("posts#preview %s", c.r.PathParam("id")) }
func (c *PostsController) Search() error  { return c.say("posts#search") }
func (c *PostsController) Fail() error    { return errors.New("boom") }

func (c *PostsController) Echo() error {
	p, err := c.r.Params()
	if err != nil {
		return err
	}
	return c.say("%v", p)
}

type CommentsController struct{ base }

func (c *CommentsController) Index() error   { return c.say("comments#index") }
func (c *CommentsController) Show() error    { return c.say("comments#show") }
func (c *CommentsController) New() error     { return c.say("comments#new") }
func (c *CommentsController) Create() error  { return c.say("comments#create") }
func (c *CommentsController) Edit() error    { return c.say("comments#edit") }
func (c *CommentsController) Update() error  { return c.say("comments#update") }
func (c *CommentsController) Destroy() error { return c.say("comments#destroy") }

// ProfilesController has no Index, like a singular resource's controller.
type ProfilesController struct{ base }

func (c *ProfilesController) Show() error    { return c.say("profiles#show") }
func (c *ProfilesController) New() error     { return c.say("profiles#new") }
func (c *ProfilesController) Create() error  { return c.say("profiles#create") }
func (c *ProfilesController) Edit() error    { return c.say("profiles#edit") }
func (c *ProfilesController) Update() error  { return c.say("profiles#update") }
func (c *ProfilesController) Destroy() error { return c.say("profiles#destroy") }

// AdminUsersController only has index and show.
type AdminUsersController struct{ base }

func (c *AdminUsersController) Index() error { return c.say("admin/users#index") }
func (c *AdminUsersController) Show() error  { return c.say("admin/users#show") }

type WelcomeController struct{ base }

func (c *WelcomeController) Index() error { return c.say("welcome#index") }
func (c *WelcomeController) About() error { return c.say("welcome#about") }
