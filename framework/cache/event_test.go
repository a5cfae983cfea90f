package cache_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/gorails/gorails/framework/cache"
	"github.com/gorails/gorails/framework/event"
)

// recorder collects the cache events of a bus as "name key store hit err".
type recorder struct {
	mu  sync.Mutex
	got []string
}

func (r *recorder) subscribe(bus *event.Bus) {
	kinds := []event.Kind{event.KindCacheRead, event.KindCacheWrite, event.KindCacheFetchHit, event.KindCacheGenerate, event.KindCacheDelete,
		event.KindCacheReadMulti, event.KindCacheWriteMulti, event.KindCacheIncrement, event.KindCacheDecrement}
	bus.SubscribeAll(func(_ context.Context, e event.Event) {
		var s string
		switch e := e.(type) {
		case *event.CacheRead:
			s = fmt.Sprintf("%s %s %s hit=%t err=%v", e.Name(), e.Key, e.Store, e.Hit, e.Err != nil)
		case *event.CacheWrite:
			s = fmt.Sprintf("%s %s %s err=%v", e.Name(), e.Key, e.Store, e.Err != nil)
		case *event.CacheFetchHit:
			s = fmt.Sprintf("%s %s %s", e.Name(), e.Key, e.Store)
		case *event.CacheGenerate:
			s = fmt.Sprintf("%s %s %s err=%v", e.Name(), e.Key, e.Store, e.Err != nil)
		case *event.CacheDelete:
			s = fmt.Sprintf("%s %s %s err=%v", e.Name(), e.Key, e.Store, e.Err != nil)
		case *event.CacheReadMulti:
			s = fmt.Sprintf("%s [%s] %s hits=[%s] super=%q err=%v", e.Name(), strings.Join(e.Keys, " "), e.Store, strings.Join(e.Hits, " "), e.SuperOperation, e.Err != nil)
		case *event.CacheWriteMulti:
			s = fmt.Sprintf("%s [%s] %s err=%v", e.Name(), strings.Join(e.Keys, " "), e.Store, e.Err != nil)
		case *event.CacheIncrement:
			s = fmt.Sprintf("%s %s %s amount=%d value=%d err=%v", e.Name(), e.Key, e.Store, e.Amount, e.Value, e.Err != nil)
		case *event.CacheDecrement:
			s = fmt.Sprintf("%s %s %s amount=%d value=%d err=%v", e.Name(), e.Key, e.Store, e.Amount, e.Value, e.Err != nil)
		}
		r.mu.Lock()
		r.got = append(r.got, s)
		r.mu.Unlock()
	}, kinds...)
}

func (r *recorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	g := r.got
	r.got = nil
	return g
}

func TestCacheEmitsRailsEvents(t *testing.T) {
	t.Parallel()
	bus := event.New()
	rec := &recorder{}
	rec.subscribe(bus)
	c, _ := newCache(t, cache.Config{Events: bus, Namespace: "blog"})
	boom := errors.New("boom")
	for _, tc := range []struct {
		name string
		op   func() error
		want []string
	}{
		{"read miss", func() error { _, _, err := cache.Read[string](ctx, c, "posts/1", cache.Options{}); return err },
			[]string{"cache_read.active_support blog:posts/1 cache.Memory hit=false err=false"}},
		{"write", func() error { return cache.Write(ctx, c, "posts/1", "one", cache.Options{}) },
			[]string{"cache_write.active_support blog:posts/1 cache.Memory err=false"}},
		{"read hit", func() error { _, _, err := cache.Read[string](ctx, c, "posts/1", cache.Options{}); return err },
			[]string{"cache_read.active_support blog:posts/1 cache.Memory hit=true err=false"}},
		{"add", func() error { _, err := cache.Add(ctx, c, "posts/1", "again", cache.Options{}); return err },
			[]string{"cache_write.active_support blog:posts/1 cache.Memory err=false"}},
		{"fetch hit", func() error {
			_, err := cache.Fetch(ctx, c, "posts/1", cache.Options{}, func() (string, error) { return "", errors.New("computed on a hit") })
			return err
		}, []string{"cache_read.active_support blog:posts/1 cache.Memory hit=true err=false", "cache_fetch_hit.active_support blog:posts/1 cache.Memory"}},
		{"fetch miss", func() error {
			_, err := cache.Fetch(ctx, c, "stats", cache.Options{}, func() (int, error) { return 7, nil })
			return err
		}, []string{
			"cache_read.active_support blog:stats cache.Memory hit=false err=false",
			"cache_generate.active_support blog:stats cache.Memory err=false",
			"cache_write.active_support blog:stats cache.Memory err=false",
		}},
		{"fetch whose computation fails", func() error {
			if _, err := cache.Fetch(ctx, c, "broken", cache.Options{}, func() (int, error) { return 0, boom }); !errors.Is(err, boom) {
				return fmt.Errorf("err = %v", err)
			}
			return nil
		}, []string{
			"cache_read.active_support blog:broken cache.Memory hit=false err=false",
			"cache_generate.active_support blog:broken cache.Memory err=true",
		}},
		{"forced fetch", func() error {
			_, err := cache.Fetch(ctx, c, "stats", cache.Options{Force: true}, func() (int, error) { return 8, nil })
			return err
		}, []string{"cache_generate.active_support blog:stats cache.Memory err=false", "cache_write.active_support blog:stats cache.Memory err=false"}},
		{"delete", func() error { _, err := c.Delete(ctx, "posts/1"); return err },
			[]string{"cache_delete.active_support blog:posts/1 cache.Memory err=false"}},
		{"delete several", func() error { _, err := c.Delete(ctx, "stats", "gone"); return err },
			[]string{"cache_delete.active_support blog:stats, blog:gone cache.Memory err=false"}},
		{"write multi", func() error {
			return cache.WriteMulti(ctx, c, map[cache.Key]int{{Name: "a"}: 1}, cache.Options{})
		}, []string{"cache_write_multi.active_support [blog:a] cache.Memory err=false"}},
		{"read multi", func() error {
			_, err := cache.ReadMulti[int](ctx, c, []cache.Key{{Name: "a"}, {Name: "none"}})
			return err
		}, []string{`cache_read_multi.active_support [blog:a blog:none] cache.Memory hits=[blog:a] super="" err=false`}},
		{"fetch multi", func() error {
			_, err := cache.FetchMulti(ctx, c, []cache.Key{{Name: "a"}, {Name: "b"}}, cache.Options{}, func(missing []cache.Key) ([]int, error) { return []int{2}, nil })
			return err
		}, []string{
			`cache_read_multi.active_support [blog:a blog:b] cache.Memory hits=[blog:a] super="fetch_multi" err=false`,
			"cache_write_multi.active_support [blog:b] cache.Memory err=false",
		}},
		{"fetch multi of hits only", func() error {
			_, err := cache.FetchMulti(ctx, c, []cache.Key{{Name: "a"}, {Name: "b"}}, cache.Options{}, func(missing []cache.Key) ([]int, error) { return nil, errors.New("computed on hits") })
			return err
		}, []string{`cache_read_multi.active_support [blog:a blog:b] cache.Memory hits=[blog:a blog:b] super="fetch_multi" err=false`}},
		{"forced fetch multi", func() error {
			_, err := cache.FetchMulti(ctx, c, []cache.Key{{Name: "a"}}, cache.Options{Force: true}, func(missing []cache.Key) ([]int, error) { return []int{3}, nil })
			return err
		}, []string{"cache_write_multi.active_support [blog:a] cache.Memory err=false"}},
		{"increment", func() error { _, err := c.Increment(ctx, "hits", 5, cache.Options{}); return err },
			[]string{"cache_increment.active_support blog:hits cache.Memory amount=5 value=5 err=false"}},
		{"increment with expiry", func() error { _, _, err := c.IncrementWithExpiry(ctx, "hits", 1, cache.Options{}); return err },
			[]string{"cache_increment.active_support blog:hits cache.Memory amount=1 value=6 err=false"}},
		{"decrement", func() error { _, err := c.Decrement(ctx, "hits", 2, cache.Options{}); return err },
			[]string{"cache_decrement.active_support blog:hits cache.Memory amount=2 value=4 err=false"}},
		{"increment of what is not a counter", func() error {
			if err := cache.Write(ctx, c, "title", "Hi", cache.Options{}); err != nil {
				return err
			}
			if _, err := c.Increment(ctx, "title", 1, cache.Options{}); !errors.Is(err, cache.ErrNotInteger) {
				return fmt.Errorf("err = %v", err)
			}
			return nil
		}, []string{"cache_write.active_support blog:title cache.Memory err=false", "cache_increment.active_support blog:title cache.Memory amount=1 value=0 err=true"}},
		{"empty multi calls touch nothing", func() error {
			if _, err := cache.ReadMulti[int](ctx, c, nil); err != nil {
				return err
			}
			return cache.WriteMulti(ctx, c, map[cache.Key]int{}, cache.Options{})
		}, nil},
		{"a bad key is refused before any event", func() error {
			if _, _, err := cache.Read[string](ctx, c, "", cache.Options{}); !errors.Is(err, cache.ErrInvalidKey) {
				return fmt.Errorf("err = %v", err)
			}
			return nil
		}, []string{"cache_read.active_support blog: cache.Memory hit=false err=true"}},
	} {
		if err := tc.op(); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := rec.take(); strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
			t.Errorf("%s: events\n%s\nwant\n%s", tc.name, strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
		}
	}
}

// TestCacheEventsOfAFailingStore: a store's failure is on the event.
func TestCacheEventsOfAFailingStore(t *testing.T) {
	t.Parallel()
	bus := event.New()
	rec := &recorder{}
	rec.subscribe(bus)
	c, reports := newCache(t, cache.Config{Events: bus, Store: downStore{}})
	_, _, _ = cache.Read[string](ctx, c, "k", cache.Options{})
	_ = cache.Write(ctx, c, "k", "v", cache.Options{})
	_, _ = c.Delete(ctx, "k")
	_, _ = cache.ReadMulti[string](ctx, c, []cache.Key{{Name: "k"}})
	_ = cache.WriteMulti(ctx, c, map[cache.Key]string{{Name: "k"}: "v"}, cache.Options{})
	_, _ = cache.FetchMulti(ctx, c, []cache.Key{{Name: "k"}}, cache.Options{}, func([]cache.Key) ([]string, error) { return []string{"v"}, nil })
	_, _ = c.Increment(ctx, "n", 1, cache.Options{})
	_, _ = c.Decrement(ctx, "n", 1, cache.Options{})
	want := "cache_read.active_support k cache_test.downStore hit=false err=true\n" +
		"cache_write.active_support k cache_test.downStore err=true\n" +
		"cache_delete.active_support k cache_test.downStore err=true\n" +
		`cache_read_multi.active_support [k] cache_test.downStore hits=[] super="" err=true` + "\n" +
		"cache_write_multi.active_support [k] cache_test.downStore err=true\n" +
		`cache_read_multi.active_support [k] cache_test.downStore hits=[] super="fetch_multi" err=true` + "\n" +
		"cache_write_multi.active_support [k] cache_test.downStore err=true\n" +
		"cache_increment.active_support n cache_test.downStore amount=1 value=0 err=true\n" +
		"cache_decrement.active_support n cache_test.downStore amount=1 value=0 err=true"
	if got := strings.Join(rec.take(), "\n"); got != want {
		t.Errorf("events\n%s\nwant\n%s", got, want)
	}
	_ = reports.ops()
}

// BenchmarkReadEvents: a hit's cost without a bus, with a bus nobody
// subscribes to (the event point's real cost: one atomic load), and with
// a subscriber.
func BenchmarkReadEvents(b *testing.B) {
	for _, mode := range []string{"baseline=no_bus", "no_subscriber", "subscriber"} {
		b.Run(mode, func(b *testing.B) {
			cfg := cache.Config{}
			if mode != "baseline=no_bus" {
				cfg.Events = event.New()
			}
			if mode == "subscriber" {
				event.Subscribe(cfg.Events, func(context.Context, *event.CacheRead) {})
			}
			c, err := cache.New(cfg)
			if err != nil {
				b.Fatal(err)
			}
			if err := cache.Write(ctx, c, "posts/42", fragment, cache.Options{}); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, ok, _ := cache.Read[string](ctx, c, "posts/42", cache.Options{}); !ok {
					b.Fatal("miss")
				}
			}
		})
	}
}

// BenchmarkMultiAndCounterEvents: ReadMulti's and Increment's cost without
// a bus, with a bus nobody subscribes to (flat: one atomic load each) and
// with a subscriber to their kinds.
func BenchmarkMultiAndCounterEvents(b *testing.B) {
	keys := []cache.Key{{Name: "posts/1"}, {Name: "posts/2"}, {Name: "posts/3"}}
	for _, op := range []string{"read_multi", "increment"} {
		for _, mode := range []string{"baseline=no_bus", "no_subscriber", "subscriber"} {
			b.Run(op+"/"+mode, func(b *testing.B) {
				cfg := cache.Config{}
				if mode != "baseline=no_bus" {
					cfg.Events = event.New()
				}
				if mode == "subscriber" {
					cfg.Events.SubscribeAll(func(context.Context, event.Event) {}, event.KindCacheReadMulti, event.KindCacheIncrement)
				}
				c, err := cache.New(cfg)
				if err != nil {
					b.Fatal(err)
				}
				if err := cache.WriteMulti(ctx, c, map[cache.Key]string{keys[0]: fragment, keys[1]: fragment}, cache.Options{}); err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				for b.Loop() {
					if op == "read_multi" {
						if hits, _ := cache.ReadMulti[string](ctx, c, keys); len(hits) != 2 {
							b.Fatal("hits", len(hits))
						}
					} else if _, err := c.Increment(ctx, "views", 1, cache.Options{}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
