package dispatch

import (
	"fmt"
	"net/http"
	"reflect"
	"runtime"
	"strings"

	"github.com/gorails/gorails/internal/inflect"
)

// Controller is what every route target type implements; controller.Base
// does, through embedding. Init is called on a fresh value for each request,
// before the action.
type Controller interface {
	Init(w http.ResponseWriter, r *Request)
}

// Action names a controller action, derived once at boot from the controller
// type and the method expression: Controller "posts" or "admin/users", Name
// "show".
type Action struct {
	Controller string
	Name       string
}

// String returns the action in Rails' "controller#action" form.
func (a Action) String() string { return a.Controller + "#" + a.Name }

// ActionWrapper is optionally implemented by a controller type. Draw calls it
// once per route (sample is a fresh controller value, deps is [Config].Deps)
// and the RouteSet uses the returned func for each request instead of run. An
// error stops Draw.
type ActionWrapper interface {
	WrapAction(a Action, sample Controller, deps any, run func(Controller) error) (func(Controller) error, error)
}

// The standard resource actions, detected on a controller type by [For].
type (
	Indexer   interface{ Index() error }
	Shower    interface{ Show() error }
	Newer     interface{ New() error }
	Creator   interface{ Create() error }
	Editor    interface{ Edit() error }
	Updater   interface{ Update() error }
	Destroyer interface{ Destroy() error }
)

type targetKind uint8

const (
	kindNone targetKind = iota
	kindAction
	kindHandler
	kindRedirect
)

// Target is what a route points at: a controller action ([To]), an
// [http.Handler] ([Handle]) or a redirect ([Redirect]). The zero Target is
// invalid and makes Draw fail.
type Target struct {
	kind     targetKind
	ctrl     string // controller name from the type, before namespacing: "posts", "admin_users"
	typeName string // "PostsController", for messages
	action   string
	newCtrl  func() Controller
	run      func(Controller) error
	handler  http.Handler
	redirect string
	status   int
	err      error
}

// To builds a target from a method expression:
//
//	dispatch.To((*PostsController).Show)
//
// The controller name comes from the type (PostsController -> "posts") and
// the action name from the method (Show -> "show"), once, here. A func that is
// not a method expression (a closure) makes Draw fail unless renamed with
// [Target.Named].
func To[C any, PC interface {
	*C
	Controller
}](action func(PC) error) Target {
	t := controllerTarget[C, PC]()
	if action == nil {
		t.err = fmt.Errorf("dispatch: To(nil) for %s: %w", t.typeName, ErrInvalidTarget)
		return t
	}
	t.action, t.err = actionName(action)
	t.run = func(c Controller) error { return action(c.(PC)) }
	return t
}

// Named returns a copy of t with its action name set explicitly; use it for
// targets that are closures rather than method expressions.
func (t Target) Named(action string) Target {
	t.action = action
	t.err = nil
	return t
}

// Handle builds a target that serves the route with h. Path params are set on
// the request with [http.Request.SetPathValue].
func Handle(h http.Handler) Target {
	if h == nil {
		return Target{err: fmt.Errorf("dispatch: Handle(nil): %w", ErrInvalidTarget)}
	}
	return Target{kind: kindHandler, handler: h}
}

// Redirect builds a target that redirects to to, in which %{name} is replaced
// by the path param name (Rails' redirect("/articles/%{id}")). A status of 0
// means 301 Moved Permanently.
func Redirect(to string, status int) Target {
	if status == 0 {
		status = http.StatusMovedPermanently
	}
	if status < 300 || status > 399 {
		return Target{err: fmt.Errorf("dispatch: Redirect(%q, %d): %w", to, status, ErrInvalidTarget)}
	}
	return Target{kind: kindRedirect, redirect: to, status: status}
}

func controllerTarget[C any, PC interface {
	*C
	Controller
}]() Target {
	typeName := reflect.TypeFor[C]().Name()
	if i := strings.IndexByte(typeName, '['); i >= 0 {
		typeName = typeName[:i]
	}
	return Target{
		kind:     kindAction,
		ctrl:     controllerName(typeName),
		typeName: typeName,
		newCtrl:  func() Controller { return PC(new(C)) },
	}
}

// actionName derives "show" from the runtime name of (*PostsController).Show,
// "pkg/path.(*PostsController).Show".
func actionName(fn any) (string, error) {
	f := runtime.FuncForPC(reflect.ValueOf(fn).Pointer())
	if f == nil {
		return "", fmt.Errorf("dispatch: cannot name action: %w", ErrInvalidTarget)
	}
	full := strings.TrimSuffix(f.Name(), "-fm")
	method := full[strings.LastIndexByte(full, '.')+1:]
	if !strings.Contains(full, ").") || method == "" || strings.HasPrefix(method, "func") {
		return "", fmt.Errorf("dispatch: cannot derive an action name from %s; use a method expression like (*PostsController).Show or Target.Named: %w", full, ErrInvalidTarget)
	}
	return inflect.Underscore(method), nil
}

// Resource is a controller type as a resource target for [Mapper.Resources]
// and [Mapper.Resource]: the standard actions it has, found once by [For].
type Resource struct {
	base    Target
	actions map[string]func(Controller) error
}

// For builds a resource target, detecting once which standard actions
// (Index, Show, New, Create, Edit, Update, Destroy) the controller type has
// through [Indexer], [Shower], [Newer], [Creator], [Editor], [Updater] and
// [Destroyer]. Resources draws routes only for those.
func For[C any, PC interface {
	*C
	Controller
}]() Resource {
	base := controllerTarget[C, PC]()
	return Resource{base: base, actions: standardActions(base.newCtrl())}
}

// Actions lists the standard actions found on the type, in Rails' order.
func (r Resource) Actions() []string {
	var out []string
	for _, a := range standardOrder {
		if r.actions[a] != nil {
			out = append(out, a)
		}
	}
	return out
}

var standardOrder = [...]string{"index", "create", "new", "edit", "show", "update", "destroy"}

func standardActions(sample Controller) map[string]func(Controller) error {
	acts := make(map[string]func(Controller) error, 7)
	if _, ok := sample.(Indexer); ok {
		acts["index"] = func(c Controller) error { return c.(Indexer).Index() }
	}
	if _, ok := sample.(Shower); ok {
		acts["show"] = func(c Controller) error { return c.(Shower).Show() }
	}
	if _, ok := sample.(Newer); ok {
		acts["new"] = func(c Controller) error { return c.(Newer).New() }
	}
	if _, ok := sample.(Creator); ok {
		acts["create"] = func(c Controller) error { return c.(Creator).Create() }
	}
	if _, ok := sample.(Editor); ok {
		acts["edit"] = func(c Controller) error { return c.(Editor).Edit() }
	}
	if _, ok := sample.(Updater); ok {
		acts["update"] = func(c Controller) error { return c.(Updater).Update() }
	}
	if _, ok := sample.(Destroyer); ok {
		acts["destroy"] = func(c Controller) error { return c.(Destroyer).Destroy() }
	}
	return acts
}

// target returns the Target for one standard action of the resource.
func (r Resource) target(action string) Target {
	t := r.base
	t.action = action
	t.run = r.actions[action]
	return t
}
