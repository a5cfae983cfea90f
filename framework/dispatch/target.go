package dispatch

import (
	"fmt"
	"net/http"
	"reflect"
	"runtime"
	"strings"

	"github.com/gorails/gorails/internal/inflect"
)

// Action names a controller action, derived once at boot from the controller
// type and the method expression: Controller "posts" or "admin/users", Name
// "show".
type Action struct {
	Controller string
	Name       string
}

// String returns the action in Rails' "controller#action" form.
func (a Action) String() string { return a.Controller + "#" + a.Name }

// ActionFunc serves one request for one controller action. An error it
// returns goes to [Config].ErrorHandler.
type ActionFunc func(w http.ResponseWriter, r *Request) error

// ControllerAction is what a RouteSet knows of a route's controller action
// when it draws: the action's names, the controller type, how to make a
// fresh controller and how to run the action on it. An [Invoker] turns it
// into the [ActionFunc] that serves the route.
type ControllerAction struct {
	Action
	// Type is the controller struct type C of the route's target.
	Type reflect.Type
	// New returns a fresh *C, one per request.
	New func() any
	// Run runs the action on a *C made by New.
	Run func(c any) error
}

// Invoker runs controller actions for a RouteSet: the implementer's side of
// a controller layer (framework/controller's Env is one). Draw calls Invoke
// once per action route, at boot, so everything that can be learned about a
// controller type (callbacks, rescue handlers, what its views may read) is
// learned there; an error stops Draw. The returned func runs per request.
// The controller types themselves implement nothing for dispatch.
type Invoker interface {
	Invoke(a ControllerAction) (ActionFunc, error)
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
	kindNamed // an action named by ToAction, resolved against the scope's controller
)

// Target is what a route points at: a controller action ([To]), an
// [http.Handler] ([Handle]) or a redirect ([Redirect]). The zero Target is
// invalid and makes Draw fail.
type Target struct {
	kind     targetKind
	ctrl     string // controller name from the type, before namespacing: "posts", "admin_users"
	typeName string // "PostsController", for messages
	action   string
	typ      reflect.Type
	newCtrl  func() any
	run      func(any) error
	handler  http.Handler
	redirect string
	status   int
	err      error
	// method finds the action method named (Go's name, "Preview") on the
	// controller type, for ToAction targets.
	method func(name string) func(any) error
}

// To builds a target from a method expression:
//
//	dispatch.To((*PostsController).Show)
//
// The controller name comes from the type (PostsController -> "posts") and
// the action name from the method (Show -> "show"), once, here. A func that is
// not a method expression (a closure) makes Draw fail unless renamed with
// [Target.Named].
func To[C any](action func(*C) error) Target {
	t := controllerTarget[C]()
	if action == nil {
		t.err = fmt.Errorf("dispatch: To(nil) for %s: %w", t.typeName, ErrInvalidTarget)
		return t
	}
	t.action, t.err = actionName(action)
	t.run = func(c any) error { return action(c.(*C)) }
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
// means 301 Moved Permanently. As in Rails, the Location sent is a full
// URL: a path is put on the request's scheme and host; a target with a
// host is sent as it is.
func Redirect(to string, status int) Target {
	if status == 0 {
		status = http.StatusMovedPermanently
	}
	if status < 300 || status > 399 {
		return Target{err: fmt.Errorf("dispatch: Redirect(%q, %d): %w", to, status, ErrInvalidTarget)}
	}
	return Target{kind: kindRedirect, redirect: to, status: status}
}

func controllerTarget[C any]() Target {
	typ := reflect.TypeFor[C]()
	typeName := typ.Name()
	if i := strings.IndexByte(typeName, '['); i >= 0 {
		typeName = typeName[:i]
	}
	return Target{
		kind:     kindAction,
		ctrl:     controllerName(typeName),
		typeName: typeName,
		typ:      typ,
		newCtrl:  func() any { return new(C) },
		method: func(name string) func(any) error {
			m, ok := reflect.PointerTo(typ).MethodByName(name)
			if !ok {
				return nil
			}
			fn, ok := m.Func.Interface().(func(*C) error)
			if !ok {
				return nil
			}
			return func(c any) error { return fn(c.(*C)) }
		},
	}
}

// ToAction names an action of the controller of the enclosing
// [Mapper.Controller] or Resources block (Rails' controller :posts do
// get "preview" => :preview end): ToAction("preview") is the method
// Preview, ToAction("mark_read") MarkRead, which must be func() error on the
// controller's pointer type. It is checked when the routes are drawn (at
// boot and by gorails generate routes), not by the compiler: prefer [To]
// where the method expression is at hand.
func ToAction(name string) Target {
	if !paramName.MatchString(name) {
		return Target{err: fmt.Errorf("dispatch: ToAction(%q): not an action name: %w", name, ErrInvalidTarget)}
	}
	return Target{kind: kindNamed, action: name}
}

// resolve turns a ToAction target into the action of ctrl.
func (t Target) resolve(ctrl *Target) (Target, error) {
	if ctrl == nil {
		return Target{}, fmt.Errorf("dispatch: ToAction(%q) outside a Controller or Resources block: %w", t.action, ErrInvalidTarget)
	}
	method := inflect.Camelize(t.action)
	run := ctrl.method(method)
	if run == nil || inflect.Underscore(method) != t.action {
		return Target{}, fmt.Errorf("dispatch: ToAction(%q): %s has no method %s() error: %w", t.action, ctrl.typeName, method, ErrInvalidTarget)
	}
	c := *ctrl
	c.action, c.run = t.action, run
	return c, nil
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
	actions map[string]func(any) error
}

// For builds a resource target, detecting once which standard actions
// (Index, Show, New, Create, Edit, Update, Destroy) the controller type has
// through [Indexer], [Shower], [Newer], [Creator], [Editor], [Updater] and
// [Destroyer]. Resources draws routes only for those.
func For[C any]() Resource {
	base := controllerTarget[C]()
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

func standardActions(sample any) map[string]func(any) error {
	acts := make(map[string]func(any) error, 7)
	if _, ok := sample.(Indexer); ok {
		acts["index"] = func(c any) error { return c.(Indexer).Index() }
	}
	if _, ok := sample.(Shower); ok {
		acts["show"] = func(c any) error { return c.(Shower).Show() }
	}
	if _, ok := sample.(Newer); ok {
		acts["new"] = func(c any) error { return c.(Newer).New() }
	}
	if _, ok := sample.(Creator); ok {
		acts["create"] = func(c any) error { return c.(Creator).Create() }
	}
	if _, ok := sample.(Editor); ok {
		acts["edit"] = func(c any) error { return c.(Editor).Edit() }
	}
	if _, ok := sample.(Updater); ok {
		acts["update"] = func(c any) error { return c.(Updater).Update() }
	}
	if _, ok := sample.(Destroyer); ok {
		acts["destroy"] = func(c any) error { return c.(Destroyer).Destroy() }
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
