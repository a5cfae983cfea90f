package middleware

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/gorails/gorails/framework/event"
)

// InstrumentConfig configures Instrument.
type InstrumentConfig struct {
	// Events receives the request's StartRequest and ProcessAction.
	Events *event.Bus
	// FilterQuery rewrites the raw query string for StartRequest's Path,
	// hiding secret values (security.Filter's Query); nil leaves the query
	// out of the Path, so nothing leaks by default.
	FilterQuery func(rawQuery string) string
	// ClientIP is the client's address as the app trusts its proxies; nil
	// is the peer's address.
	ClientIP func(*http.Request) string
	// Context derives the request's context before the handler runs (the
	// App starts counting the request's database statements there), and
	// DB reads that count back for ProcessAction.
	Context func(context.Context) context.Context
	DB      func(context.Context) (time.Duration, int64)
}

// Instrument reports each request on cfg.Events: StartRequest when it
// comes in, through Events.Start (so a tracer's Wrapper derives the
// context the request runs with), and ProcessAction when it is done, with
// the status written, the action the controller recorded in the request's
// event.Runtime, the time spent in views and, through cfg.DB, in the
// database. With no subscriber and no wrapper it only calls the next
// handler.
func Instrument(cfg InstrumentConfig) func(http.Handler) http.Handler {
	bus := cfg.Events
	// The status writers are reused (a handler must not use its
	// ResponseWriter after it returned); the events are not: they are the
	// request scope's, or allocated per request.
	writers := &sync.Pool{New: func() any { return new(statusWriter) }}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !bus.Enabled(event.KindStartRequest) && !bus.Enabled(event.KindProcessAction) && !bus.Wrapped() {
				next.ServeHTTP(w, r)
				return
			}
			start := time.Now()
			// The events are the request scope's when the request has one
			// (the default stack's), or one allocation for both.
			startEv, doneEv := event.ScopeOf(r.Context()).ClaimRequestEvents()
			if startEv == nil {
				ev := new(requestEvents)
				startEv, doneEv = &ev.start, &ev.done
			}
			sw := writers.Get().(*statusWriter)
			*sw = statusWriter{ResponseWriter: w}
			serveInstrumented(bus, &cfg, next, sw, r, start, startEv, doneEv)
			// Not deferred: after a panic the writer is left to the GC.
			*sw = statusWriter{}
			writers.Put(sw)
		})
	}
}

// serveInstrumented is Instrument's handler for a request that is
// instrumented: it emits start, calls next with sw, and emits done.
func serveInstrumented(bus *event.Bus, cfg *InstrumentConfig, next http.Handler, sw *statusWriter, r *http.Request, start time.Time, startEv *event.StartRequest, doneEv *event.ProcessAction) {
	ctx, rt := event.WithRuntime(r.Context())
	if cfg.Context != nil {
		ctx = cfg.Context(ctx)
	}
	path := r.URL.Path
	if cfg.FilterQuery != nil && r.URL.RawQuery != "" {
		path += "?" + cfg.FilterQuery(r.URL.RawQuery)
	}
	ip := ""
	if cfg.ClientIP != nil {
		ip = cfg.ClientIP(r)
	} else {
		ip = peerIP(r)
	}
	*startEv = event.StartRequest{Method: r.Method, Path: path, RemoteIP: ip, Time: start, Header: r.Header}
	ctx = bus.Start(ctx, startEv)
	defer func() {
		if !bus.Enabled(event.KindProcessAction) {
			return
		}
		status := sw.status
		if status == 0 {
			status = http.StatusOK
		}
		a := rt.Action()
		e := doneEv
		*e = event.ProcessAction{
			Controller: a.Controller, Action: a.Action, Format: a.Format,
			Method: r.Method, Path: path, Status: status,
			Start: start, Duration: time.Since(start), Views: rt.Views(), Err: rt.Err(),
		}
		if cfg.DB != nil {
			e.DB, e.Queries = cfg.DB(ctx)
		}
		bus.Emit(ctx, e)
	}()
	if ctx != r.Context() { // the request scope took the values: no copy
		r = r.WithContext(ctx)
	}
	next.ServeHTTP(sw, r)
}

// requestEvents is a request's two events in one allocation, for a
// request without an event.RequestScope.
type requestEvents struct {
	start event.StartRequest
	done  event.ProcessAction
}

// peerIP is the address of the connection's other end, without the port.
func peerIP(r *http.Request) string {
	host := r.RemoteAddr
	for i := len(host) - 1; i >= 0; i-- {
		if host[i] == ':' {
			host = host[:i]
			break
		}
		if host[i] < '0' || host[i] > '9' {
			break
		}
	}
	if len(host) > 1 && host[0] == '[' && host[len(host)-1] == ']' {
		host = host[1 : len(host)-1]
	}
	return host
}
