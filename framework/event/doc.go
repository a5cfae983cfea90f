// Package event is gorails' ActiveSupport::Notifications: the framework's
// layers report what they did (an action processed, a template rendered, a
// statement run, a cache read, a job performed, a mail delivered) as typed
// events on a Bus, and subscribers turn them into log lines, metrics or
// trace spans. The request log of a gorails app is such a subscriber
// (framework's log subscriber), and so is the optional OpenTelemetry
// package (framework/event/otel).
//
// A Bus belongs to one App (no global bus, no init): the App hands it to
// its database, views, controllers, jobs and mailer at boot.
//
//	bus := event.New()
//	cancel := event.Subscribe(bus, func(ctx context.Context, e *event.SQL) {
//		fmt.Println(e.Op, e.Duration)
//	})
//	defer cancel()
//
// An event point costs one atomic load when nothing subscribes to its
// kind: emitters ask Enabled(kind) before they time anything or build the
// event, so an app that subscribes to nothing pays nothing measurable.
//
// Events are values handed to subscribers by pointer: a subscriber must
// not keep the pointer, or change the event, after it returns. Subscribers
// run synchronously on the emitting goroutine, in the order they
// subscribed; a slow subscriber slows the request.
//
// Two more seams let a subscriber follow work across boundaries: Wrap
// registers a hook that derives the context a request or a job runs with
// (a trace span), and Carry registers what a job takes along from the
// context that enqueued it (the request id always; a trace context).
//
// This package imports the standard library only, so every layer of the
// framework can report events without importing another.
package event
