package event_test

import (
	"context"
	"fmt"
	"time"

	"github.com/gorails/gorails/framework/event"
)

func ExampleSubscribe() {
	bus := event.New()
	cancel := event.Subscribe(bus, func(ctx context.Context, e *event.ProcessAction) {
		fmt.Printf("%s#%s %d in %v (request %s)\n", e.Controller, e.Action, e.Status, e.Duration, event.RequestID(ctx))
	})
	defer cancel()

	// What the framework does around a request:
	ctx := event.WithRequestID(context.Background(), "abc123")
	if bus.Enabled(event.KindProcessAction) {
		bus.Emit(ctx, &event.ProcessAction{Controller: "PostsController", Action: "index", Status: 200, Duration: 12 * time.Millisecond})
	}
	// Output: PostsController#index 200 in 12ms (request abc123)
}
