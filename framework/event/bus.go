package event

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
)

// Kind identifies a type of event; Enabled takes one.
type Kind uint8

// The kinds of event, one per type in this package.
const (
	KindStartRequest Kind = iota
	KindStartProcessing
	KindProcessAction
	KindRedirect
	KindRenderTemplate
	KindRenderPartial
	KindSQL
	KindCacheRead
	KindCacheWrite
	KindCacheFetchHit
	KindCacheGenerate
	KindCacheDelete
	KindCacheReadMulti
	KindCacheWriteMulti
	KindCacheIncrement
	KindCacheDecrement
	KindEnqueueJob
	KindPerformStart
	KindPerformJob
	KindDeliverMail
	numKinds
)

// Event is one of this package's event types (*StartRequest, *SQL, ...).
type Event interface {
	// Name is Rails' name of the event, such as "sql.active_record".
	Name() string
	// Kind is the event's kind.
	Kind() Kind
}

// Bus delivers events to subscribers. The zero value and a nil *Bus work
// (a nil Bus has no subscribers and drops every event). It is safe for
// concurrent use; Subscribe and its cancel func may be called while events
// are emitted.
type Bus struct {
	// mask's bit k: someone subscribes to kind k unconditionally; bit
	// 32+k: only subscriptions with a condition (SubscribeWhen) do.
	mask atomic.Uint64
	subs atomic.Pointer[table]     // copy-on-write
	mu   sync.Mutex                // serializes writers of subs, wraps, carriers
	wrap atomic.Pointer[[]Wrapper] // copy-on-write
	cars atomic.Pointer[[]Carrier] // copy-on-write
}

type table [numKinds][]*sub

type sub struct {
	fn   func(context.Context, Event)
	when func() bool // nil: always wanted
}

// condShift is where mask keeps the kinds only conditional subscriptions
// want.
const condShift = 32

// Every kind has its bit in both halves of mask (a compile error when not).
const _ = uint(condShift - numKinds)

// New returns an empty Bus.
func New() *Bus { return new(Bus) }

// Enabled reports whether anyone wants events of kind k now: a
// subscription made with Subscribe, or one made with SubscribeWhen whose
// condition holds. An emitter asks before it times or builds the event.
func (b *Bus) Enabled(k Kind) bool {
	if b == nil {
		return false
	}
	m := b.mask.Load()
	if m&(1<<k) != 0 {
		return true
	}
	if m&(1<<(condShift+k)) == 0 {
		return false
	}
	for _, s := range b.subs.Load()[k] {
		if s.when() {
			return true
		}
	}
	return false
}

// Emit hands e to the subscribers of its kind, in the order they
// subscribed. ctx is the context of the work e reports (the request's, the
// job's), so subscribers read the request id and trace span from it.
func (b *Bus) Emit(ctx context.Context, e Event) {
	if b == nil {
		return
	}
	t := b.subs.Load()
	if t == nil {
		return
	}
	for _, s := range t[e.Kind()] {
		s.fn(ctx, e)
	}
}

// Subscribe calls fn with every event of type E emitted on b from now on,
// until the returned cancel func is called (calling it again does
// nothing).
//
//	event.Subscribe(bus, func(ctx context.Context, e *event.ProcessAction) { ... })
func Subscribe[E any, P interface {
	*E
	Event
}](b *Bus, fn func(ctx context.Context, e P)) (cancel func()) {
	k := P(new(E)).Kind()
	return b.add([]Kind{k}, func(ctx context.Context, e Event) { fn(ctx, e.(P)) }, nil)
}

// SubscribeWhen is Subscribe for a subscriber that wants events of type E
// only while when reports true, such as a log subscriber whose lines are
// written only at a log level that may be off: Enabled counts the
// subscription only while when holds, so an emitter that asks Enabled
// first (they all do) builds no event nobody wants. when is called on
// every Enabled of the kind: it must be cheap (a level's atomic load) and
// safe for concurrent use.
//
// The condition is a hint for emitters, not a filter: fn still receives
// every event of type E that is emitted, so it checks for itself what it
// writes, and an emitter may emit an event that matters regardless (record
// emits a failed statement's SQL event even when Enabled says no, so its
// warning is logged whatever the debug level).
func SubscribeWhen[E any, P interface {
	*E
	Event
}](b *Bus, when func() bool, fn func(ctx context.Context, e P)) (cancel func()) {
	k := P(new(E)).Kind()
	return b.add([]Kind{k}, func(ctx context.Context, e Event) { fn(ctx, e.(P)) }, when)
}

// SubscribeAll calls fn with every event of the given kinds (all kinds when
// none are given), for subscribers that handle many, such as a tracer.
func (b *Bus) SubscribeAll(fn func(ctx context.Context, e Event), kinds ...Kind) (cancel func()) {
	if len(kinds) == 0 {
		for k := range numKinds {
			kinds = append(kinds, k)
		}
	}
	return b.add(kinds, fn, nil)
}

func (b *Bus) add(kinds []Kind, fn func(context.Context, Event), when func() bool) func() {
	s := &sub{fn: fn, when: when}
	b.mu.Lock()
	defer b.mu.Unlock()
	var t table
	if old := b.subs.Load(); old != nil {
		t = *old
	}
	for _, k := range kinds {
		t[k] = append(slices.Clip(t[k]), s)
	}
	b.publish(&t)
	var once sync.Once
	return func() {
		once.Do(func() {
			b.mu.Lock()
			defer b.mu.Unlock()
			t := *b.subs.Load()
			for _, k := range kinds {
				t[k] = slices.DeleteFunc(slices.Clone(t[k]), func(x *sub) bool { return x == s })
			}
			b.publish(&t)
		})
	}
}

// publish installs t and its mask; b.mu is held.
func (b *Bus) publish(t *table) {
	var mask uint64
	for k, subs := range t {
		for _, s := range subs {
			if s.when == nil {
				mask |= 1 << k
			} else {
				mask |= 1 << (condShift + k)
			}
		}
	}
	b.subs.Store(t)
	b.mask.Store(mask)
}
