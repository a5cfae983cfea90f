package event_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorails/gorails/framework/event"
)

func TestSubscribeDeliversOnlyItsKindUntilCancelled(t *testing.T) {
	t.Parallel()
	bus := event.New()
	if bus.Enabled(event.KindSQL) {
		t.Fatal("an empty bus reports a subscriber")
	}
	var got []string
	cancel := event.Subscribe(bus, func(_ context.Context, e *event.SQL) { got = append(got, e.Op) })
	event.Subscribe(bus, func(_ context.Context, e *event.Redirect) { got = append(got, e.Location) })
	if !bus.Enabled(event.KindSQL) || bus.Enabled(event.KindRenderTemplate) {
		t.Fatal("Enabled does not follow the subscriptions")
	}
	ctx := context.Background()
	bus.Emit(ctx, &event.SQL{Op: "query posts"})
	bus.Emit(ctx, &event.RenderTemplate{Identifier: "posts/index"})
	bus.Emit(ctx, &event.Redirect{Location: "/posts"})
	cancel()
	cancel() // twice is harmless
	bus.Emit(ctx, &event.SQL{Op: "after cancel"})
	if fmt.Sprint(got) != "[query posts /posts]" {
		t.Fatalf("delivered %q", got)
	}
	if bus.Enabled(event.KindSQL) {
		t.Fatal("a cancelled subscription still enables its kind")
	}
}

func TestNilBusDropsEverything(t *testing.T) {
	t.Parallel()
	var bus *event.Bus
	if bus.Enabled(event.KindSQL) || bus.Wrapped() {
		t.Fatal("a nil bus has subscribers")
	}
	bus.Emit(context.Background(), &event.SQL{})
	ctx := bus.Start(context.Background(), &event.StartRequest{})
	if ctx != context.Background() {
		t.Fatal("a nil bus changed the context")
	}
}

func TestSubscribeAllAndOrder(t *testing.T) {
	t.Parallel()
	bus := event.New()
	var got []string
	bus.SubscribeAll(func(_ context.Context, e event.Event) { got = append(got, "all:"+e.Name()) })
	bus.SubscribeAll(func(_ context.Context, e event.Event) { got = append(got, "jobs:"+e.Name()) }, event.KindPerformJob)
	bus.Emit(context.Background(), &event.PerformJob{})
	bus.Emit(context.Background(), &event.CacheRead{})
	want := "[all:perform.active_job jobs:perform.active_job all:cache_read.active_support]"
	if fmt.Sprint(got) != want {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestSubscribeWhileEmitting(t *testing.T) {
	t.Parallel()
	bus := event.New()
	var wg sync.WaitGroup
	var mu sync.Mutex
	n := 0
	for range 4 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for range 200 {
				cancel := event.Subscribe(bus, func(context.Context, *event.SQL) { mu.Lock(); n++; mu.Unlock() })
				cancel()
			}
		}()
		go func() {
			defer wg.Done()
			for range 200 {
				if bus.Enabled(event.KindSQL) {
					bus.Emit(context.Background(), &event.SQL{})
				}
			}
		}()
	}
	wg.Wait()
	if bus.Enabled(event.KindSQL) {
		t.Fatal("every subscription was cancelled")
	}
}

type key struct{}

type carrier struct{}

func (carrier) Inject(ctx context.Context, meta map[string]string) {
	if v, _ := ctx.Value(key{}).(string); v != "" {
		meta["trace"] = v
	}
}

func (carrier) Extract(ctx context.Context, meta map[string]string) context.Context {
	return context.WithValue(ctx, key{}, meta["trace"])
}

func TestStartWrapsAndCarriersTravel(t *testing.T) {
	t.Parallel()
	bus := event.New()
	bus.Wrap(func(ctx context.Context, start event.Event) context.Context {
		return context.WithValue(ctx, key{}, "span-of-"+start.Name())
	})
	var seen string
	event.Subscribe(bus, func(ctx context.Context, _ *event.StartRequest) { seen, _ = ctx.Value(key{}).(string) })
	ctx := bus.Start(event.WithRequestID(context.Background(), "req-1"), &event.StartRequest{Method: "GET"})
	if seen != "span-of-start_request.action_dispatch" || !bus.Wrapped() {
		t.Fatalf("the start event saw %q", seen)
	}

	if meta := bus.Inject(context.Background()); meta != nil {
		t.Fatalf("nothing to carry, got %v", meta)
	}
	bus.Carry(carrier{})
	meta := bus.Inject(ctx)
	if meta[event.MetaKeyRequestID] != "req-1" || meta["trace"] != "span-of-start_request.action_dispatch" {
		t.Fatalf("meta %v", meta)
	}
	jobCtx := bus.Extract(context.Background(), meta)
	if event.RequestID(jobCtx) != "req-1" || jobCtx.Value(key{}) != "span-of-start_request.action_dispatch" {
		t.Fatal("the job's context lacks what the request carried")
	}
}

func TestRuntime(t *testing.T) {
	t.Parallel()
	var none *event.Runtime
	none.AddViews(time.Second) // a request without instrumentation
	none.SetAction(event.Action{})
	ctx, rt := event.WithRuntime(context.Background())
	if event.RuntimeFrom(ctx) != rt || event.RuntimeFrom(context.Background()) != nil {
		t.Fatal("RuntimeFrom")
	}
	rt.AddViews(time.Millisecond)
	rt.AddViews(2 * time.Millisecond)
	rt.SetAction(event.Action{Controller: "PostsController", Action: "index", Format: "HTML"})
	if rt.Views() != 3*time.Millisecond || rt.Action().Action != "index" {
		t.Fatalf("views %v action %+v", rt.Views(), rt.Action())
	}
	// A second action in the same request (a rescue rendering through
	// another): the last one set is the one reported, the first unchanged
	// under it.
	first := rt.Action()
	rt.SetAction(event.Action{Controller: "ErrorsController", Action: "show", Format: "HTML"})
	if rt.Action().Controller != "ErrorsController" || first.Controller != "PostsController" {
		t.Fatalf("after a second SetAction: %+v (the first read %+v)", rt.Action(), first)
	}
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rt.SetAction(event.Action{Action: string(rune('a' + i))})
			_ = rt.Action()
		}()
	}
	wg.Wait()
	if a := rt.Action().Action; len(a) != 1 {
		t.Fatalf("after concurrent SetActions: %q", a)
	}
}

func BenchmarkDisabledEventPoint(b *testing.B) {
	bus := event.New()
	event.Subscribe(bus, func(context.Context, *event.SQL) {})
	for b.Loop() {
		if bus.Enabled(event.KindRenderTemplate) {
			bus.Emit(context.Background(), &event.RenderTemplate{})
		}
	}
}

// BenchmarkConditionalEventPoint: an event point whose only subscriber is
// conditional (a log subscriber at a level above the event's), against
// building and emitting the event to a subscriber that drops it, which is
// what a log at warn paid before subscriptions by level.
func BenchmarkConditionalEventPoint(b *testing.B) {
	level := &slog.LevelVar{}
	level.Set(slog.LevelWarn)
	h := slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: level})
	on := func() bool { return h.Enabled(context.Background(), slog.LevelInfo) }
	drop := func(ctx context.Context, e *event.StartProcessing) {
		if on() {
			_ = e.Params()
		}
	}
	params := func() map[string]any { return nil }
	for _, tt := range []struct {
		name      string
		subscribe func(*event.Bus)
	}{
		{"SubscribeWhen", func(bus *event.Bus) { event.SubscribeWhen(bus, on, drop) }},
		{"Subscribe", func(bus *event.Bus) { event.Subscribe(bus, drop) }},
	} {
		b.Run(tt.name, func(b *testing.B) {
			bus := event.New()
			tt.subscribe(bus)
			b.ReportAllocs()
			for b.Loop() {
				if bus.Enabled(event.KindStartProcessing) {
					bus.Emit(context.Background(), event.NewStartProcessing("PostsController", "index", "HTML", "GET", "/posts", params))
				}
			}
		})
	}
}

func TestSubscribeWhenEnablesOnlyWhileItsConditionHolds(t *testing.T) {
	t.Parallel()
	var on atomic.Bool
	tests := []struct {
		name        string
		plain       bool // also an unconditional subscriber of the kind
		on          bool
		wantEnabled bool
	}{
		{"condition off", false, false, false},
		{"condition on", false, true, true},
		{"condition off, another subscriber", true, false, true},
	}
	for _, tt := range tests {
		bus := event.New()
		var got []string
		cancel := event.SubscribeWhen(bus, on.Load, func(_ context.Context, e *event.SQL) { got = append(got, "when:"+e.Op) })
		if tt.plain {
			event.Subscribe(bus, func(_ context.Context, e *event.SQL) { got = append(got, "plain:"+e.Op) })
		}
		on.Store(tt.on)
		if bus.Enabled(event.KindSQL) != tt.wantEnabled {
			t.Errorf("%s: Enabled = %v, want %v", tt.name, !tt.wantEnabled, tt.wantEnabled)
		}
		if bus.Enabled(event.KindRedirect) {
			t.Errorf("%s: a kind nobody subscribes to is enabled", tt.name)
		}
		// The condition gates Enabled, not delivery: an event emitted
		// anyway (a failed statement) reaches the subscriber.
		bus.Emit(context.Background(), &event.SQL{Op: "q"})
		want := "[when:q]"
		if tt.plain {
			want = "[when:q plain:q]"
		}
		if fmt.Sprint(got) != want {
			t.Errorf("%s: delivered %v, want %v", tt.name, got, want)
		}
		cancel()
		on.Store(true)
		if bus.Enabled(event.KindSQL) != tt.plain {
			t.Errorf("%s: after cancel, Enabled = %v", tt.name, !tt.plain)
		}
	}
}

type paramsSource map[string]any

func (p paramsSource) LogParams() map[string]any { return p }

func TestStartProcessingParams(t *testing.T) {
	t.Parallel()
	src := paramsSource{"page": "2"}
	tests := []struct {
		name string
		e    event.StartProcessing
		want string
	}{
		{"from a func", *event.NewStartProcessing("C", "a", "HTML", "GET", "/", func() map[string]any { return src }), "map[page:2]"},
		{"from a source", event.StartProcessingOf("C", "a", "HTML", "GET", "/", src), "map[page:2]"},
		{"from neither", event.StartProcessingOf("C", "a", "HTML", "GET", "/", nil), "map[]"},
	}
	for _, tt := range tests {
		if got := fmt.Sprint(tt.e.Params()); got != tt.want {
			t.Errorf("%s: Params = %s, want %s", tt.name, got, tt.want)
		}
	}
}
