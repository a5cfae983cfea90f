package job

import (
	"context"
	"testing"
)

// discardBackend stores nothing: the benchmarks measure the client's own
// enqueue path (argument encoding, options, the Def lookup).
type discardBackend struct{}

func (discardBackend) Enqueue(context.Context, *Record) error { return nil }

// BenchmarkEnqueuePath compares enqueueing through the Def that Register
// returned (the baseline) with finding it by argument type through For, as
// a controller does with c.Jobs().
func BenchmarkEnqueuePath(b *testing.B) {
	ctx := context.Background()
	c := New(Config{Backend: discardBackend{}})
	def := Register(c, echoJob{})
	Register(c, forJob{}) // a second kind in the map
	b.Run("def", func(b *testing.B) {
		b.ReportAllocs()
		for i := range b.N {
			if _, err := def.PerformLater(ctx, echoArgs{N: i}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("for", func(b *testing.B) {
		b.ReportAllocs()
		for i := range b.N {
			if _, err := For[echoArgs](c).PerformLater(ctx, echoArgs{N: i}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
