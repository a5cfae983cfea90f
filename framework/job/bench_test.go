package job

import (
	"context"
	"testing"

	"github.com/gorails/gorails/framework/record"
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

// BenchmarkDatabaseEnqueueMeta: enqueueing on the SQLite database backend
// without meta (the path before the meta column, the baseline) and with a
// request id in meta, as a job enqueued during a request carries.
func BenchmarkDatabaseEnqueueMeta(b *testing.B) {
	ctx := context.Background()
	db := openDB(b, record.SQLite, "job_bench_meta")
	store := Database(db)
	for _, tc := range []struct {
		name string
		meta map[string]string
	}{
		{"no_meta", nil},
		{"request_id", map[string]string{"request_id": "f1c4c2a0-5f4e-4c56-9a8e-3f8c1f6f2b11"}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				r := &Record{Kind: "echoJob", Queue: DefaultQueue, Args: []byte(`{"n":1}`), MaxAttempts: 3, Meta: tc.meta}
				if err := store.Enqueue(ctx, r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
