package telemetry_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/gorails/gorails/framework/event"
	"github.com/gorails/gorails/framework/job"
	"github.com/gorails/gorails/framework/middleware"
	"github.com/gorails/gorails/framework/telemetry"
)

type pingArgs struct{ N int }

// pingJob reports the context it ran with.
type pingJob struct{ ran chan context.Context }

func (j pingJob) Perform(ctx context.Context, _ pingArgs) error {
	j.ran <- ctx
	return nil
}

// TestRequestAndItsJobAreOneTrace: a request that runs a statement and
// enqueues a job (on the async backend, so nothing but the job's metadata
// links them) gives a server span named after its action, a statement and
// an enqueue span under it, and a perform span in the same trace, with the
// request id carried too; the request's duration is a metric.
func TestRequestAndItsJobAreOneTrace(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	bus := event.New()
	if _, err := telemetry.Instrument(bus, telemetry.Config{TracerProvider: tp, MeterProvider: mp}); err != nil {
		t.Fatal(err)
	}

	backend := job.Async(1)
	jobs := job.New(job.Config{Backend: backend, Events: bus})
	ran := make(chan context.Context, 1)
	ping := job.Register(jobs, pingJob{ran: ran})
	t.Cleanup(func() { _ = backend.Close(context.Background()) })

	app := func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		event.RuntimeFrom(ctx).SetAction(event.Action{Controller: "PostsController", Action: "create", Format: "HTML"})
		start := time.Now()
		bus.Emit(ctx, event.NewSQL("insert posts", `INSERT INTO "posts" ("title") VALUES (?)`, 1, start, time.Millisecond, nil, nil))
		if _, err := ping.PerformLater(ctx, pingArgs{N: 1}); err != nil {
			t.Error(err)
		}
		w.WriteHeader(http.StatusCreated)
	}
	h := middleware.RequestID(middleware.Instrument(middleware.InstrumentConfig{Events: bus})(http.HandlerFunc(app)))
	req := httptest.NewRequest("POST", "/posts", nil)
	req.Header.Set("X-Request-Id", "req-otel-1")
	// The caller's trace, continued by the request's span.
	req.Header.Set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusCreated {
		t.Fatalf("status %d", rec.Code)
	}

	var jobCtx context.Context
	select {
	case jobCtx = <-ran:
	case <-time.After(10 * time.Second):
		t.Fatal("the job did not run")
	}
	if id := event.RequestID(jobCtx); id != "req-otel-1" {
		t.Errorf("the job's request id is %q", id)
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(exp.GetSpans()) < 4 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond) // the perform span ends after Perform returns
	}
	spans := map[string]tracetest.SpanStub{}
	for _, s := range exp.GetSpans() {
		spans[s.Name] = s
	}
	server, ok := spans["POST PostsController#create"]
	if !ok {
		t.Fatalf("no server span named after the action; spans: %v", names(exp.GetSpans()))
	}
	if server.SpanKind != trace.SpanKindServer || server.SpanContext.TraceID().String() != "4bf92f3577b34da6a3ce929d0e0e4736" {
		t.Errorf("server span: kind %v, trace %s (want the caller's)", server.SpanKind, server.SpanContext.TraceID())
	}
	if !hasAttr(server.Attributes, attribute.Int("http.response.status_code", 201)) {
		t.Errorf("server span attributes %v", server.Attributes)
	}
	for _, child := range []string{"insert posts", "enqueue pingJob", "perform pingJob"} {
		s, ok := spans[child]
		if !ok {
			t.Fatalf("no %q span; spans: %v", child, names(exp.GetSpans()))
		}
		if s.SpanContext.TraceID() != server.SpanContext.TraceID() {
			t.Errorf("%q is in another trace", child)
		}
	}
	if spans["insert posts"].Parent.SpanID() != server.SpanContext.SpanID() {
		t.Error("the statement's span is not a child of the request's")
	}
	if spans["perform pingJob"].Parent.SpanID() != server.SpanContext.SpanID() {
		t.Error("the job's span does not continue the request's trace from its span")
	}
	if spans["perform pingJob"].SpanKind != trace.SpanKindConsumer || spans["enqueue pingJob"].SpanKind != trace.SpanKindProducer {
		t.Error("job span kinds")
	}

	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			found[m.Name] = true
		}
	}
	for _, want := range []string{"http.server.request.duration", "db.client.operation.duration", "gorails.job.duration"} {
		if !found[want] {
			t.Errorf("no %s metric; have %v", want, found)
		}
	}
}

func TestInstrumentNeedsATracerProvider(t *testing.T) {
	if _, err := telemetry.Instrument(event.New(), telemetry.Config{}); err != telemetry.ErrNoTracerProvider {
		t.Fatalf("err %v", err)
	}
}

func names(spans tracetest.SpanStubs) []string {
	var out []string
	for _, s := range spans {
		out = append(out, s.Name)
	}
	return out
}

func hasAttr(attrs []attribute.KeyValue, want attribute.KeyValue) bool {
	for _, a := range attrs {
		if a == want {
			return true
		}
	}
	return false
}
