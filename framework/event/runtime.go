package event

import (
	"context"
	"sync/atomic"
	"time"
)

// Runtime is what one request's instrumentation learns as the request runs:
// the action that served it (set by the controller) and the time spent in
// views (added by the view set). The App's request instrumentation puts
// one in the request's context and reads it for ProcessAction. Safe for
// concurrent use.
type Runtime struct {
	views atomic.Int64
	// action is set once, by the goroutine that runs the action, before
	// the request's instrumentation reads it when the handler returned.
	action atomic.Pointer[Action]
	err    atomic.Pointer[error]
	// first holds the first action set, so that SetAction allocates
	// nothing for it; claimed says it is taken.
	first   Action
	claimed atomic.Bool
}

// Action names the controller action that serves a request.
type Action struct {
	Controller, Action, Format string
}

type runtimeKey struct{}

// WithRuntime returns ctx carrying a fresh Runtime, and the Runtime. When
// ctx is a RequestScope without one yet (the request's instrumentation
// calls it first), the Runtime is the scope's and ctx is returned as it
// is: no context layer, no copy of the request.
func WithRuntime(ctx context.Context) (context.Context, *Runtime) {
	if s := ScopeOf(ctx); s != nil && !s.rtUsed {
		s.rtUsed = true
		return ctx, &s.rt
	}
	rt := new(Runtime)
	return context.WithValue(ctx, runtimeKey{}, rt), rt
}

// RuntimeFrom returns ctx's Runtime, or nil.
func RuntimeFrom(ctx context.Context) *Runtime {
	rt, _ := ctx.Value(runtimeKey{}).(*Runtime)
	return rt
}

// AddViews adds d to the time spent rendering views. A nil Runtime does
// nothing.
func (rt *Runtime) AddViews(d time.Duration) {
	if rt != nil {
		rt.views.Add(int64(d))
	}
}

// Views is the time spent rendering views.
func (rt *Runtime) Views() time.Duration { return time.Duration(rt.views.Load()) }

// SetAction records the action serving the request. A nil Runtime does
// nothing.
func (rt *Runtime) SetAction(a Action) {
	if rt == nil {
		return
	}
	if rt.claimed.CompareAndSwap(false, true) {
		// Written once, before the Store that publishes it.
		rt.first = a
		rt.action.Store(&rt.first)
		return
	}
	rt.storeAction(a)
}

// storeAction publishes a copy of a (on the heap: only this path
// allocates).
func (rt *Runtime) storeAction(a Action) { rt.action.Store(&a) }

// Action is the action serving the request; the zero Action when none did.
func (rt *Runtime) Action() Action {
	if a := rt.action.Load(); a != nil {
		return *a
	}
	return Action{}
}

// SetErr records the error the request failed with (the App's error
// handler calls it), for ProcessAction. A nil Runtime does nothing.
func (rt *Runtime) SetErr(err error) {
	if rt != nil && err != nil {
		rt.err.Store(&err)
	}
}

// Err is the error SetErr recorded, or nil.
func (rt *Runtime) Err() error {
	if e := rt.err.Load(); e != nil {
		return *e
	}
	return nil
}
