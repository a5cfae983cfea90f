package middleware

import (
	"context"
	"net/http"
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
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !bus.Enabled(event.KindStartRequest) && !bus.Enabled(event.KindProcessAction) && !bus.Wrapped() {
				next.ServeHTTP(w, r)
				return
			}
			start := time.Now()
			// One allocation per request for the writer and both events.
			in := &instrumented{statusWriter: statusWriter{ResponseWriter: w}}
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
			in.start = event.StartRequest{Method: r.Method, Path: path, RemoteIP: ip, Time: start, Header: r.Header}
			ctx = bus.Start(ctx, &in.start)
			sw := &in.statusWriter
			defer func() {
				if !bus.Enabled(event.KindProcessAction) {
					return
				}
				status := sw.status
				if status == 0 {
					status = http.StatusOK
				}
				a := rt.Action()
				e := &in.done
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
		})
	}
}

// instrumented is what Instrument keeps per request, in one allocation: the
// writer that sees the status, and the request's two events (subscribers
// do not keep an event after they return).
type instrumented struct {
	statusWriter
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
