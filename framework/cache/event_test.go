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
	kinds := []event.Kind{event.KindCacheRead, event.KindCacheWrite, event.KindCacheFetchHit, event.KindCacheGenerate, event.KindCacheDelete}
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
	want := "cache_read.active_support k cache_test.downStore hit=false err=true\n" +
		"cache_write.active_support k cache_test.downStore err=true\n" +
		"cache_delete.active_support k cache_test.downStore err=true"
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
