package controller

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"sync"

	"github.com/gorails/gorails/framework/dispatch"
	"github.com/gorails/gorails/framework/job"
	"github.com/gorails/gorails/framework/record"
	"github.com/gorails/gorails/framework/view"
)

// ErrDoubleRender is returned when an action renders or redirects twice.
var ErrDoubleRender = errors.New("render and/or redirect were called multiple times in this action; render or redirect at most once per action (return after the first)")

// ErrBadEnv is returned at boot when the route set's Deps is not an *Env.
var ErrBadEnv = errors.New("controller: the route set's Deps must be a *controller.Env")

// Env is what controllers need from the application, handed over once at
// boot through dispatch.Config.Deps. Build it with a composite literal; its
// zero value (plus Views) works. It caches what boot learns about each
// controller type (callbacks, rescue handlers) and is safe for concurrent
// use.
type Env struct {
	Views  *view.Set
	Logger *slog.Logger
	// DB is the app's database (c.DB()); nil when it has none.
	DB *record.DB
	// Jobs is the app's job client (c.Jobs()); nil when it has none.
	Jobs *job.Client
	// Debug shows more detail in development (template errors, ...).
	Debug bool
	// RaiseOnUnpermitted makes Permit fail with an *UnpermittedError (a 400)
	// when params hold keys that were not permitted, instead of dropping them
	// with a debug log line.
	RaiseOnUnpermitted bool

	mu        sync.Mutex
	types     map[reflect.Type]*typeInfo
	sequences map[actionKey]*sequence
}

type actionKey struct {
	typ    reflect.Type
	action string
}

// Base is embedded by every app controller. It holds the request, the
// response writer and the rendering state of one request; a fresh controller
// (and so a fresh Base) is made per request, so it is never shared between
// goroutines. A controller must not keep the request or the writer after its
// action returns.
type Base struct {
	w         http.ResponseWriter
	req       *dispatch.Request
	env       *Env
	log       *slog.Logger
	action    dispatch.Action
	self      any
	performed bool
	halted    bool
	out       bodyWriter
	params    *Params
}

var (
	_ dispatch.Controller    = (*Base)(nil)
	_ dispatch.ActionWrapper = (*Base)(nil)
)

// Init gives the fresh controller its response writer and request. dispatch
// calls it before the action.
func (b *Base) Init(w http.ResponseWriter, r *dispatch.Request) { b.w, b.req = w, r }

// base lets the wrapper reach the embedded Base of any app controller type.
// The method is unexported, so only types embedding Base implement it.
func (b *Base) base() *Base { return b }

type embedsBase interface{ base() *Base }

// wrapper is one action compiled at boot: its callback sequence and its
// controller type's rescue handlers.
type wrapper struct {
	env      *Env
	log      *slog.Logger // Env.Logger, or one that discards
	action   dispatch.Action
	layout   *layout
	seq      *sequence
	rescuers []rescuer
	run      func(dispatch.Controller) error
}

// WrapAction wraps an action once at boot: it collects the controller type's
// callbacks and rescue handlers (once per type), compiles the callback
// sequence of this action (once per type and action), and returns the func
// dispatch calls per request. Per request: set up the Base, run the
// callbacks around the action, render by convention when the action wrote
// nothing, and hand errors to the rescue handlers. dispatch calls it; app
// code does not.
func (b *Base) WrapAction(a dispatch.Action, sample dispatch.Controller, deps any, run func(dispatch.Controller) error) (func(dispatch.Controller) error, error) {
	env, ok := deps.(*Env)
	if !ok || env == nil {
		return nil, fmt.Errorf("%s#%s: %w (got %T)", a.Controller, a.Name, ErrBadEnv, deps)
	}
	if _, ok := sample.(embedsBase); !ok {
		return nil, fmt.Errorf("%s#%s: %T does not embed controller.Base", a.Controller, a.Name, sample)
	}
	t := reflect.TypeOf(sample)
	if t.Kind() != reflect.Pointer {
		return nil, fmt.Errorf("%s#%s: controller %s is not a pointer to a struct", a.Controller, a.Name, t)
	}
	w, err := env.wrapperFor(t.Elem(), a, run)
	if err != nil {
		return nil, fmt.Errorf("%s#%s: %w", a.Controller, a.Name, err)
	}
	return w.serve, nil
}

func (e *Env) wrapperFor(t reflect.Type, a dispatch.Action, run func(dispatch.Controller) error) (*wrapper, error) {
	ti, err := e.typeInfoFor(t)
	if err != nil {
		return nil, err
	}
	seq, err := e.sequenceFor(ti, t, a.Name)
	if err != nil {
		return nil, err
	}
	log := e.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &wrapper{env: e, log: log, action: a, layout: ti.layout, seq: seq, rescuers: ti.rescuers, run: run}, nil
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

// serve runs one request: callbacks, action, implicit render, rescue.
func (w *wrapper) serve(c dispatch.Controller) error {
	b := c.(embedsBase).base()
	b.env, b.log, b.action, b.self = w.env, w.log, w.action, c
	self := w.layout.self(b)
	if err := w.seq.run(self, b, c, w); err != nil {
		return rescue(w.rescuers, self, err)
	}
	return nil
}

// act runs the action itself and, when it performed nothing, renders its
// view (Rails' implicit render, inside the callbacks).
func (w *wrapper) act(b *Base, c dispatch.Controller) error {
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

// DB is the app's database: record.Query[models.Post](c.DB()).
func (b *Base) DB() *record.DB {
	if b.env == nil {
		return nil
	}
	return b.env.DB
}

// Jobs is the app's job client, to enqueue background jobs:
// job.For[jobs.WelcomeArgs](c.Jobs()).PerformLater(ctx, args).
func (b *Base) Jobs() *job.Client {
	if b.env == nil {
		return nil
	}
	return b.env.Jobs
}

func (b *Base) perform() error {
	if b.performed {
		return fmt.Errorf("%s#%s: %w", b.action.Controller, b.action.Name, ErrDoubleRender)
	}
	b.performed = true
	return nil
}
