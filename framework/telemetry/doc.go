// Package telemetry turns a gorails app's events (framework/event) into
// OpenTelemetry spans and metrics, with go.opentelemetry.io/otel. It is
// optional: an app that does not import it links no OpenTelemetry code.
//
//	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exporter))
//	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
//	cancel, err := telemetry.Instrument(app.Events, telemetry.Config{
//		TracerProvider: tp, MeterProvider: mp,
//	})
//
// Each request is a server span, continuing the caller's trace when its
// headers carry one (W3C traceparent by default), named after the action
// that served it ("PostsController#index"); its statements, renders, cache
// calls, enqueued jobs and mail deliveries are child spans. A job carries
// the trace context of the request that enqueued it (through its metadata,
// event.Bus.Carry), so its perform span continues that trace. Metrics:
// http.server.request.duration, db.client.operation.duration,
// gorails.job.duration and gorails.view.render.duration, in seconds.
//
// Span attributes never hold bind values or params: a statement's span has
// its SQL text (binds are placeholders) and operation name.
package telemetry
