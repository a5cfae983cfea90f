package telemetry

import (
	"context"
	"errors"
	"net/http"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/gorails/gorails/framework/event"
)

// ScopeName is the instrumentation scope of the spans and metrics.
const ScopeName = "github.com/gorails/gorails/framework/telemetry"

// Config configures Instrument. TracerProvider is required; the others
// have defaults.
type Config struct {
	// TracerProvider makes the spans.
	TracerProvider trace.TracerProvider
	// MeterProvider makes the metrics; nil records none.
	MeterProvider metric.MeterProvider
	// Propagator reads the caller's trace from a request's headers and
	// carries it into jobs; nil is W3C trace context and baggage.
	Propagator propagation.TextMapPropagator
}

// ErrNoTracerProvider is returned by Instrument without a TracerProvider.
var ErrNoTracerProvider = errors.New("telemetry: Config.TracerProvider is nil")

type instruments struct {
	tracer     trace.Tracer
	prop       propagation.TextMapPropagator
	requests   metric.Float64Histogram
	statements metric.Float64Histogram
	jobs       metric.Float64Histogram
	renders    metric.Float64Histogram
}

// Instrument makes bus's events spans and metrics: it registers a context
// hook (event.Bus.Wrap) that starts the span of each request and job
// attempt, a carrier (event.Bus.Carry) that takes the trace context into
// enqueued jobs, and subscriptions that end those spans and record the
// others. Call it once per bus, at boot. cancel ends the subscriptions; the
// hook and the carrier stay (a Bus keeps them), so spans still start but
// none is ended or exported.
func Instrument(bus *event.Bus, cfg Config) (cancel func(), err error) {
	if cfg.TracerProvider == nil {
		return nil, ErrNoTracerProvider
	}
	in := &instruments{tracer: cfg.TracerProvider.Tracer(ScopeName), prop: cfg.Propagator}
	if in.prop == nil {
		in.prop = propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})
	}
	if mp := cfg.MeterProvider; mp != nil {
		m := mp.Meter(ScopeName)
		var errs [4]error
		in.requests, errs[0] = m.Float64Histogram("http.server.request.duration", metric.WithUnit("s"), metric.WithDescription("Duration of HTTP server requests."))
		in.statements, errs[1] = m.Float64Histogram("db.client.operation.duration", metric.WithUnit("s"), metric.WithDescription("Duration of database statements."))
		in.jobs, errs[2] = m.Float64Histogram("gorails.job.duration", metric.WithUnit("s"), metric.WithDescription("Duration of job attempts."))
		in.renders, errs[3] = m.Float64Histogram("gorails.view.render.duration", metric.WithUnit("s"), metric.WithDescription("Duration of view renders."))
		if err := errors.Join(errs[:]...); err != nil {
			return nil, err
		}
	}
	bus.Wrap(in.start)
	bus.Carry(carrier{in.prop})
	cancels := []func(){
		event.Subscribe(bus, in.processAction),
		event.Subscribe(bus, in.performJob),
		event.Subscribe(bus, in.sql),
		event.Subscribe(bus, in.renderTemplate),
		event.Subscribe(bus, in.renderPartial),
		event.Subscribe(bus, in.enqueueJob),
		event.Subscribe(bus, in.deliverMail),
		event.Subscribe(bus, in.cacheRead),
		event.Subscribe(bus, in.cacheWrite),
		event.Subscribe(bus, in.cacheFetchHit),
		event.Subscribe(bus, in.cacheGenerate),
		event.Subscribe(bus, in.cacheDelete),
		event.Subscribe(bus, in.cacheReadMulti),
		event.Subscribe(bus, in.cacheWriteMulti),
		event.Subscribe(bus, in.cacheIncrement),
		event.Subscribe(bus, in.cacheDecrement),
	}
	return func() {
		for _, c := range cancels {
			c()
		}
	}, nil
}

// start begins the span of a request or of a job's attempt.
func (in *instruments) start(ctx context.Context, e event.Event) context.Context {
	switch e := e.(type) {
	case *event.StartRequest:
		if e.Header != nil {
			ctx = in.prop.Extract(ctx, propagation.HeaderCarrier(http.Header(e.Header)))
		}
		ctx, _ = in.tracer.Start(ctx, e.Method, trace.WithSpanKind(trace.SpanKindServer), trace.WithTimestamp(e.Time),
			trace.WithAttributes(
				attribute.String("http.request.method", e.Method),
				attribute.String("url.path", e.Path),
				attribute.String("client.address", e.RemoteIP),
			))
	case *event.PerformStart:
		ctx, _ = in.tracer.Start(ctx, "perform "+e.Job, trace.WithSpanKind(trace.SpanKindConsumer),
			trace.WithAttributes(
				attribute.String("messaging.system", "gorails"),
				attribute.String("messaging.destination.name", e.Queue),
				attribute.String("gorails.job.kind", e.Job),
				attribute.Int64("gorails.job.id", e.ID),
				attribute.Int("gorails.job.attempt", e.Attempt),
			))
	}
	return ctx
}

func (in *instruments) processAction(ctx context.Context, e *event.ProcessAction) {
	span := trace.SpanFromContext(ctx)
	route := ""
	if e.Controller != "" {
		route = e.Controller + "#" + e.Action
		span.SetName(e.Method + " " + route)
		span.SetAttributes(attribute.String("code.function.name", route))
	}
	span.SetAttributes(
		attribute.Int("http.response.status_code", e.Status),
		attribute.Float64("gorails.view.duration_ms", float64(e.Views.Microseconds())/1000),
		attribute.Float64("gorails.db.duration_ms", float64(e.DB.Microseconds())/1000),
		attribute.Int64("gorails.db.queries", e.Queries),
	)
	if e.Status >= 500 {
		span.SetStatus(codes.Error, http.StatusText(e.Status))
		if e.Err != nil {
			span.RecordError(e.Err)
		}
	}
	span.End(trace.WithTimestamp(e.Start.Add(e.Duration)))
	if in.requests != nil {
		attrs := []attribute.KeyValue{attribute.String("http.request.method", e.Method), attribute.Int("http.response.status_code", e.Status)}
		if route != "" {
			attrs = append(attrs, attribute.String("http.route", route))
		}
		in.requests.Record(ctx, e.Duration.Seconds(), metric.WithAttributes(attrs...))
	}
}

func (in *instruments) performJob(ctx context.Context, e *event.PerformJob) {
	span := trace.SpanFromContext(ctx)
	span.SetAttributes(attribute.String("gorails.job.outcome", e.Outcome.String()))
	if e.Err != nil {
		span.RecordError(e.Err)
		span.SetStatus(codes.Error, e.Outcome.String())
	}
	span.End(trace.WithTimestamp(e.Start.Add(e.Duration)))
	if in.jobs != nil {
		in.jobs.Record(ctx, e.Duration.Seconds(), metric.WithAttributes(
			attribute.String("gorails.job.kind", e.Job), attribute.String("gorails.job.outcome", e.Outcome.String())))
	}
}

// child records a finished operation as a child span of ctx's.
func (in *instruments) child(ctx context.Context, name string, kind trace.SpanKind, start time.Time, d time.Duration, err error, attrs ...attribute.KeyValue) {
	_, span := in.tracer.Start(ctx, name, trace.WithSpanKind(kind), trace.WithTimestamp(start), trace.WithAttributes(attrs...))
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, "")
	}
	span.End(trace.WithTimestamp(start.Add(d)))
}

func (in *instruments) sql(ctx context.Context, e *event.SQL) {
	in.child(ctx, e.Op, trace.SpanKindClient, e.Start, e.Duration, e.Err,
		attribute.String("db.query.text", e.SQL), attribute.String("db.operation.name", e.Op), attribute.Int64("db.response.returned_rows", e.Rows))
	if in.statements != nil {
		in.statements.Record(ctx, e.Duration.Seconds(), metric.WithAttributes(attribute.String("db.operation.name", e.Op)))
	}
}

func (in *instruments) renderTemplate(ctx context.Context, e *event.RenderTemplate) {
	in.child(ctx, "render "+e.Identifier, trace.SpanKindInternal, e.Start, e.Duration, e.Err,
		attribute.String("gorails.view.template", e.Identifier), attribute.String("gorails.view.layout", e.Layout))
	if in.renders != nil {
		in.renders.Record(ctx, e.Duration.Seconds(), metric.WithAttributes(attribute.String("gorails.view.template", e.Identifier)))
	}
}

func (in *instruments) renderPartial(ctx context.Context, e *event.RenderPartial) {
	in.child(ctx, "render "+e.Identifier, trace.SpanKindInternal, e.Start, e.Duration, e.Err,
		attribute.String("gorails.view.template", e.Identifier), attribute.Int("gorails.view.count", e.Count))
}

func (in *instruments) enqueueJob(ctx context.Context, e *event.EnqueueJob) {
	in.child(ctx, "enqueue "+e.Job, trace.SpanKindProducer, e.Start, e.Duration, e.Err,
		attribute.String("messaging.system", "gorails"), attribute.String("messaging.destination.name", e.Queue),
		attribute.String("gorails.job.kind", e.Job), attribute.Int64("gorails.job.id", e.ID))
}

func (in *instruments) deliverMail(ctx context.Context, e *event.DeliverMail) {
	in.child(ctx, "deliver mail", trace.SpanKindClient, e.Start, e.Duration, e.Err, attribute.String("gorails.mail.message_id", e.MessageID))
}

func (in *instruments) cacheRead(ctx context.Context, e *event.CacheRead) {
	in.child(ctx, "cache read", trace.SpanKindInternal, e.Start, e.Duration, e.Err, attribute.Bool("gorails.cache.hit", e.Hit))
}

func (in *instruments) cacheWrite(ctx context.Context, e *event.CacheWrite) {
	in.child(ctx, "cache write", trace.SpanKindInternal, e.Start, e.Duration, e.Err)
}

func (in *instruments) cacheFetchHit(ctx context.Context, e *event.CacheFetchHit) {
	in.child(ctx, "cache fetch_hit", trace.SpanKindInternal, e.Start, e.Duration, nil)
}

func (in *instruments) cacheGenerate(ctx context.Context, e *event.CacheGenerate) {
	in.child(ctx, "cache generate", trace.SpanKindInternal, e.Start, e.Duration, e.Err)
}

func (in *instruments) cacheDelete(ctx context.Context, e *event.CacheDelete) {
	in.child(ctx, "cache delete", trace.SpanKindInternal, e.Start, e.Duration, e.Err)
}

func (in *instruments) cacheReadMulti(ctx context.Context, e *event.CacheReadMulti) {
	in.child(ctx, "cache read_multi", trace.SpanKindInternal, e.Start, e.Duration, e.Err,
		attribute.Int("gorails.cache.keys", len(e.Keys)), attribute.Int("gorails.cache.hits", len(e.Hits)))
}

func (in *instruments) cacheWriteMulti(ctx context.Context, e *event.CacheWriteMulti) {
	in.child(ctx, "cache write_multi", trace.SpanKindInternal, e.Start, e.Duration, e.Err, attribute.Int("gorails.cache.keys", len(e.Keys)))
}

func (in *instruments) cacheIncrement(ctx context.Context, e *event.CacheIncrement) {
	in.child(ctx, "cache increment", trace.SpanKindInternal, e.Start, e.Duration, e.Err)
}

func (in *instruments) cacheDecrement(ctx context.Context, e *event.CacheDecrement) {
	in.child(ctx, "cache decrement", trace.SpanKindInternal, e.Start, e.Duration, e.Err)
}

// carrier moves the trace context into a job's metadata and back.
type carrier struct{ prop propagation.TextMapPropagator }

func (c carrier) Inject(ctx context.Context, meta map[string]string) {
	c.prop.Inject(ctx, propagation.MapCarrier(meta))
}

func (c carrier) Extract(ctx context.Context, meta map[string]string) context.Context {
	return c.prop.Extract(ctx, propagation.MapCarrier(meta))
}
