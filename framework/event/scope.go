package event

import (
	"context"
	"slices"
)

// A Wrapper derives the context of a unit of work from its start event:
// *StartRequest for a request, *PerformStart for a job's attempt. A tracer
// starts a span there and ends it on the matching finish event
// (*ProcessAction, *PerformJob), which is emitted with the derived context.
type Wrapper func(ctx context.Context, start Event) context.Context

// Wrap registers w; Start runs the wrappers in the order they were added.
func (b *Bus) Wrap(w Wrapper) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var ws []Wrapper
	if old := b.wrap.Load(); old != nil {
		ws = slices.Clone(*old)
	}
	ws = append(ws, w)
	b.wrap.Store(&ws)
}

// Start begins a unit of work: it runs the wrappers, then emits start to
// its subscribers with the derived context, which it returns for the work
// and its finish event.
func (b *Bus) Start(ctx context.Context, start Event) context.Context {
	if b == nil {
		return ctx
	}
	if ws := b.wrap.Load(); ws != nil {
		for _, w := range *ws {
			ctx = w(ctx, start)
		}
	}
	b.Emit(ctx, start)
	return ctx
}

// Wrapped reports whether a Wrapper is registered, so a caller can skip
// building a start event nobody reads.
func (b *Bus) Wrapped() bool {
	if b == nil {
		return false
	}
	ws := b.wrap.Load()
	return ws != nil && len(*ws) > 0
}

// A Carrier moves values from the context that enqueues a job into the
// context the job runs with, through the job's string metadata (which
// travels with it through every backend). The request id is always
// carried; a tracer adds the trace context.
type Carrier interface {
	// Inject writes what ctx holds into meta.
	Inject(ctx context.Context, meta map[string]string)
	// Extract returns ctx with what meta holds.
	Extract(ctx context.Context, meta map[string]string) context.Context
}

// Carry registers c.
func (b *Bus) Carry(c Carrier) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var cs []Carrier
	if old := b.cars.Load(); old != nil {
		cs = slices.Clone(*old)
	}
	cs = append(cs, c)
	b.cars.Store(&cs)
}

// MetaKeyRequestID is the job metadata key of the request id.
const MetaKeyRequestID = "request_id"

// Inject returns the metadata a job enqueued with ctx takes along: the
// request id and what the carriers add; nil when there is none.
func (b *Bus) Inject(ctx context.Context) map[string]string {
	var meta map[string]string
	if id := RequestID(ctx); id != "" {
		meta = map[string]string{MetaKeyRequestID: id}
	}
	if b == nil {
		return meta
	}
	if cs := b.cars.Load(); cs != nil && len(*cs) > 0 {
		if meta == nil {
			meta = map[string]string{}
		}
		for _, c := range *cs {
			c.Inject(ctx, meta)
		}
		if len(meta) == 0 {
			meta = nil
		}
	}
	return meta
}

// Extract returns ctx with what a job's metadata carries: the request id
// of the request that enqueued it, and what the carriers read.
func (b *Bus) Extract(ctx context.Context, meta map[string]string) context.Context {
	if len(meta) == 0 {
		return ctx
	}
	if id := meta[MetaKeyRequestID]; id != "" {
		ctx = WithRequestID(ctx, id)
	}
	if b == nil {
		return ctx
	}
	if cs := b.cars.Load(); cs != nil {
		for _, c := range *cs {
			ctx = c.Extract(ctx, meta)
		}
	}
	return ctx
}

type requestIDKey struct{}

// WithRequestID returns ctx carrying a request id: the request's (the
// request_id middleware's), or the one of the request that enqueued a job.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID returns the request id ctx carries, or "".
func RequestID(ctx context.Context) string {
	switch id := ctx.Value(requestIDKey{}).(type) {
	case string: // WithRequestID's
		return id
	case *string: // a RequestScope's
		return *id
	}
	return ""
}
