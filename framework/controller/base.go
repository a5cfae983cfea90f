package controller

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"sync"
	"unsafe"

	"github.com/gorails/gorails/framework/dispatch"
	"github.com/gorails/gorails/framework/event"
	"github.com/gorails/gorails/framework/security"
	"github.com/gorails/gorails/framework/view"
)

// ErrDoubleRender is returned when an action renders or redirects twice.
var ErrDoubleRender = errors.New("render and/or redirect were called multiple times in this action; render or redirect at most once per action (return after the first)")

// Env runs an app's controllers: it is the route set's [dispatch.Invoker]
// (dispatch.Config.Invoker), handed over once at boot. Build it with a
// composite literal, then give it the app's services with [Provide]; its
// zero value (plus Views) works. It caches what boot learns about each
// controller type (callbacks, rescue handlers, services, view data) and is
// safe for concurrent use.
type Env struct {
	Views  *view.Set
	Logger *slog.Logger
	// Debug shows more detail in development (template errors, ...).
	Debug bool
	// RaiseOnUnpermitted makes Permit fail with an *UnpermittedError (a 400)
	// when params hold keys that were not permitted, instead of dropping them
	// with a debug log line.
	RaiseOnUnpermitted bool
	// RateStore counts the requests of RateLimit callbacks; the framework
	// sets the app's cache, shared by workers and machines when the cache
	// is. nil: each limiter counts in its own process memory.
	RateStore security.RateStore
	// ClientIP identifies the client of a request for RateLimit without a
	// by function: the framework resolves it through the trusted proxies
	// (X-Forwarded-For). nil: the peer's address.
	ClientIP func(*http.Request) string
	// Events, when set, receives a StartProcessing before each action
	// (with its params filtered through ParamFilter) and a Redirect per
	// redirect; the action is recorded in the request's event.Runtime for
	// the App's ProcessAction.
	Events *event.Bus
	// ParamFilter hides sensitive params in StartProcessing; nil is Rails'
	// default list (security.DefaultFilterParams).
	ParamFilter *security.Filter

	mu        sync.Mutex
	types     map[reflect.Type]*typeInfo
	sequences map[actionKey]*sequence
	services  map[reflect.Type]any
	views     []viewsKey // the controllers whose views CheckViews checks
}

var _ dispatch.Invoker = (*Env)(nil)

type actionKey struct {
	typ    reflect.Type
	action string
}

// viewsKey is a controller type with the folder its views are in.
type viewsKey struct {
	typ  reflect.Type
	path string
}

// Base is embedded by every app controller. It holds the request, the
// response writer and the rendering state of one request; a fresh controller
// (and so a fresh Base) is made per request, so it is never shared between
// goroutines. A controller must not keep the request or the writer after its
// action returns.
//
// Base's methods are the controller's API for actions and callbacks. The
// machinery that runs actions lives in [Env], never on the controller, and
// views get the controller's exported fields, never the controller: no
// method of a controller is callable from a template.
type Base struct {
	w         http.ResponseWriter
	req       *dispatch.Request
	env       *Env
	log       *slog.Logger
	action    dispatch.Action
	act       *wrapper
	performed bool
	halted    bool
	out       bodyWriter
	params    *Params
	ps        Params                // what params points at, here so that it costs no allocation
	jw        jsonWriter            // JSON's writer, here so that it costs no allocation
	started   event.StartProcessing // the action's StartProcessing, here for the same reason
	logParams logParams             // its params' source
}

// base lets the wrapper reach the embedded Base of any app controller type.
// The method is unexported, so only types embedding Base implement it, and
// neither app code nor templates can call it.
func (b *Base) base() *Base { return b }

type embedsBase interface{ base() *Base }

// wrapper is one action compiled at boot: its callback sequence, its
// controller type's rescue handlers, services and view data.
type wrapper struct {
	env     *Env
	log     *slog.Logger // Env.Logger, or one that discards
	action  dispatch.Action
	name    string // "PostsController", "Admin::UsersController": the log's name of the controller
	ti      *typeInfo
	uses    []service
	seq     *sequence
	newCtrl func() any
	run     func(any) error
	ctypes  *sharedTypes // the renderers' Content-Type values
}

// types is the action's shared Content-Type values; nil without an action
// (get then makes new ones).
func (w *wrapper) types() *sharedTypes {
	if w == nil {
		return nil
	}
	return w.ctypes
}

// Invoke compiles one action at boot, for dispatch (it is Env's side of
// [dispatch.Invoker]; app code does not call it): it collects the
// controller type's callbacks, rescue handlers, services and view data
// (once per type), compiles the callback sequence of this action (once per
// type and action) and returns the func dispatch calls per request. Per
// request: a fresh controller, its Base set up and its services handed
// over, the callbacks run around the action, the view rendered by
// convention when the action wrote nothing, errors handed to the rescue
// handlers.
func (e *Env) Invoke(a dispatch.ControllerAction) (dispatch.ActionFunc, error) {
	if _, ok := a.New().(embedsBase); !ok {
		return nil, fmt.Errorf("%s: %s does not embed controller.Base", a.Action, a.Type)
	}
	w, err := e.wrapperFor(a)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", a.Action, err)
	}
	return w.serve, nil
}

func (e *Env) wrapperFor(a dispatch.ControllerAction) (*wrapper, error) {
	ti, err := e.typeInfoFor(a.Type)
	if err != nil {
		return nil, err
	}
	uses, err := e.servicesFor(ti)
	if err != nil {
		return nil, err
	}
	seq, err := e.sequenceFor(ti, a.Type, a.Name)
	if err != nil {
		return nil, err
	}
	e.noteViews(a.Type, a.Controller)
	log := e.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &wrapper{env: e, log: log, action: a.Action, name: logName(a), ti: ti, uses: uses, seq: seq, newCtrl: a.New, run: a.Run, ctypes: newSharedTypes()}, nil
}

// sequenceFor returns the callback sequence of one action of type t,
// compiled once and shared by every route to that action.
func (e *Env) sequenceFor(ti *typeInfo, t reflect.Type, action string) (*sequence, error) {
	key := actionKey{t, action}
	e.mu.Lock()
	defer e.mu.Unlock()
	if seq := e.sequences[key]; seq != nil {
		return seq, nil
	}
	seq, err := ti.compile(action)
	if err != nil {
		return nil, err
	}
	if e.sequences == nil {
		e.sequences = make(map[actionKey]*sequence)
	}
	e.sequences[key] = seq
	return seq, nil
}

// serve runs one request: a fresh controller, its services, callbacks,
// action, implicit render, rescue.
func (w *wrapper) serve(rw http.ResponseWriter, r *dispatch.Request) error {
	c := w.newCtrl()
	b := c.(embedsBase).base()
	b.w, b.req, b.env, b.log, b.action, b.act = rw, r, w.env, w.log, w.action, w
	if bus := w.env.Events; bus.Enabled(event.KindProcessAction) || bus.Enabled(event.KindStartProcessing) {
		w.instrument(b, r)
	}
	self := w.ti.layout.self(b)
	for i := range w.uses {
		w.uses[i].set(unsafe.Add(self, w.uses[i].off))
	}
	if err := w.seq.run(self, b, c, w); err != nil {
		return rescue(w.ti.rescuers, self, err)
	}
	return nil
}

// act runs the action itself and, when it performed nothing, renders its
// view (Rails' implicit render, inside the callbacks).
func (w *wrapper) act(b *Base, c any) error {
	if err := w.run(c); err != nil {
		return err
	}
	if b.performed {
		return nil
	}
	return b.implicitRender()
}

// Request is the current request.
func (b *Base) Request() *dispatch.Request { return b.req }

// Response is the response writer. Writing to it directly counts as
// rendering only if the action also calls Head or a renderer; prefer those.
func (b *Base) Response() http.ResponseWriter { return b.w }

// ActionName is the running action, such as "show".
func (b *Base) ActionName() string { return b.action.Name }

// ControllerPath is the controller's path, such as "posts" or "admin/users".
func (b *Base) ControllerPath() string { return b.action.Controller }

// Performed reports whether the action has rendered, redirected or answered with Head.
func (b *Base) Performed() bool { return b.performed }

// Logger is the app's logger.
func (b *Base) Logger() *slog.Logger { return b.log }

func (b *Base) perform() error {
	if b.performed {
		return fmt.Errorf("%s#%s: %w", b.action.Controller, b.action.Name, ErrDoubleRender)
	}
	b.performed = true
	return nil
}
