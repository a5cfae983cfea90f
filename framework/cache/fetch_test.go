package cache_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gorails/gorails/framework/cache"
)

func TestFetchComputesOnceForConcurrentCallersAndGivesEachItsOwnValue(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, rep := newCache(t, cache.Config{})
		release := make(chan struct{})
		var calls atomic.Int32
		results := make([][]string, 20)
		var wg sync.WaitGroup
		for i := range results {
			wg.Go(func() {
				v, err := cache.Fetch(ctx, c, "k", cache.Options{}, func() ([]string, error) {
					calls.Add(1)
					<-release
					return []string{"a", "b"}, nil
				})
				if err != nil {
					t.Error(err)
				}
				results[i] = v
			})
		}
		synctest.Wait() // every caller is in Fetch: one computing, the rest waiting
		if n := calls.Load(); n != 1 {
			t.Errorf("%d computations running for one key; want 1", n)
		}
		close(release)
		wg.Wait()
		results[0][0] = "changed by one caller"
		for i, r := range results[1:] {
			if len(r) != 2 || r[0] != "a" {
				t.Fatalf("caller %d got %q; want its own [a b]", i+1, r)
			}
		}
		if _, err := cache.Fetch(ctx, c, "k", cache.Options{}, mustNotCompute[[]string](t)); err != nil {
			t.Fatal(err)
		}
		rep.none(t)
	})
}

func TestFetchComputesDifferentKeysConcurrently(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, _ := newCache(t, cache.Config{})
		release := make(chan struct{})
		var running atomic.Int32
		var wg sync.WaitGroup
		for _, k := range []string{"a", "b", "c"} {
			wg.Go(func() {
				_, _ = cache.Fetch(ctx, c, k, cache.Options{}, func() (int, error) {
					running.Add(1)
					<-release
					return 1, nil
				})
			})
		}
		synctest.Wait()
		if n := running.Load(); n != 3 {
			t.Errorf("%d of 3 keys computing at once; want all 3", n)
		}
		close(release)
		wg.Wait()
	})
}

func TestAWaitingFetchReturnsWhenItsOwnContextEnds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, _ := newCache(t, cache.Config{})
		release := make(chan struct{})
		go func() {
			_, _ = cache.Fetch(ctx, c, "k", cache.Options{}, func() (string, error) { <-release; return "v", nil })
		}()
		synctest.Wait()
		wctx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		_, err := cache.Fetch(wctx, c, "k", cache.Options{}, mustNotCompute[string](t))
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("waiting Fetch err = %v; want its context's DeadlineExceeded", err)
		}
		close(release)
	})
}

func TestAWaitingFetchComputesItselfWhenTheLeaderGaveUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, _ := newCache(t, cache.Config{})
		lctx, cancel := context.WithCancel(ctx)
		leaderErr := make(chan error, 1)
		go func() {
			_, err := cache.Fetch(lctx, c, "k", cache.Options{}, func() (string, error) {
				<-lctx.Done()
				return "", lctx.Err()
			})
			leaderErr <- err
		}()
		synctest.Wait()
		got := make(chan string, 1)
		go func() {
			v, err := cache.Fetch(ctx, c, "k", cache.Options{}, value("the waiter's"))
			if err != nil {
				t.Error(err)
			}
			got <- v
		}()
		synctest.Wait()
		cancel()
		if err := <-leaderErr; !errors.Is(err, context.Canceled) {
			t.Fatalf("leader err = %v; want context.Canceled", err)
		}
		if v := <-got; v != "the waiter's" {
			t.Fatalf("waiter got %q; want its own computation", v)
		}
	})
}

func TestAWaitingFetchGetsTheLeadersError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, _ := newCache(t, cache.Config{})
		release := make(chan struct{})
		errBoom := errors.New("boom")
		go func() {
			_, _ = cache.Fetch(ctx, c, "k", cache.Options{}, func() (int, error) { <-release; return 0, errBoom })
		}()
		synctest.Wait()
		got := make(chan error, 1)
		go func() {
			_, err := cache.Fetch(ctx, c, "k", cache.Options{}, mustNotCompute[int](t))
			got <- err
		}()
		synctest.Wait()
		close(release)
		if err := <-got; !errors.Is(err, errBoom) {
			t.Fatalf("waiter err = %v; want the leader's", err)
		}
	})
}

func TestAPanicInComputeReleasesTheWaiters(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, _ := newCache(t, cache.Config{})
		release := make(chan struct{})
		recovered := make(chan any, 1)
		go func() {
			defer func() { recovered <- recover() }()
			_, _ = cache.Fetch(ctx, c, "k", cache.Options{}, func() (int, error) { <-release; panic("compute bug") })
		}()
		synctest.Wait()
		got := make(chan error, 1)
		go func() {
			_, err := cache.Fetch(ctx, c, "k", cache.Options{}, mustNotCompute[int](t))
			got <- err
		}()
		synctest.Wait()
		close(release)
		if p := <-recovered; p != "compute bug" {
			t.Fatalf("the panic reached its caller as %v", p)
		}
		if err := <-got; err == nil || !strings.Contains(err.Error(), "panicked") {
			t.Fatalf("waiter err = %v; want one saying the computation panicked", err)
		}
		if v, err := cache.Fetch(ctx, c, "k", cache.Options{}, value(7)); v != 7 || err != nil {
			t.Fatalf("Fetch after the panic = %v, %v; want a fresh computation", v, err)
		}
	})
}

func TestFetchServesTheStaleValueWhileOneCallerRecomputes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st := cache.NewMemory(cache.MemoryConfig{})
		c, rep := newCache(t, cache.Config{Store: st})
		other, _ := newCache(t, cache.Config{Store: st}) // another process on a shared store
		opts := cache.Options{ExpiresIn: time.Minute, RaceConditionTTL: 10 * time.Second}
		if _, err := cache.Fetch(ctx, c, "k", opts, value("old")); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Minute + time.Second)

		release := make(chan struct{})
		leader := make(chan string, 1)
		go func() {
			v, _ := cache.Fetch(ctx, c, "k", opts, func() (string, error) { <-release; return "new", nil })
			leader <- v
		}()
		synctest.Wait()
		for name, cc := range map[string]*cache.Cache{"this process": c, "another process": other} {
			if v, err := cache.Fetch(ctx, cc, "k", opts, mustNotCompute[string](t)); v != "old" || err != nil {
				t.Errorf("Fetch in %s during the recomputation = %q, %v; want the stale value", name, v, err)
			}
		}
		close(release)
		if v := <-leader; v != "new" {
			t.Fatalf("the recomputing caller got %q", v)
		}
		if v, _ := cache.Fetch(ctx, other, "k", opts, mustNotCompute[string](t)); v != "new" {
			t.Fatalf("after the recomputation Fetch = %q; want new", v)
		}
		rep.none(t)
	})
}

func TestFetchPastTheRaceWindowComputesAndMakesOthersWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, _ := newCache(t, cache.Config{})
		opts := cache.Options{ExpiresIn: time.Minute, RaceConditionTTL: 10 * time.Second}
		_, _ = cache.Fetch(ctx, c, "k", opts, value("old"))
		time.Sleep(time.Minute + 11*time.Second)
		release := make(chan struct{})
		go func() {
			_, _ = cache.Fetch(ctx, c, "k", opts, func() (string, error) { <-release; return "new", nil })
		}()
		synctest.Wait()
		got := make(chan string, 1)
		go func() {
			v, _ := cache.Fetch(ctx, c, "k", opts, mustNotCompute[string](t))
			got <- v
		}()
		synctest.Wait()
		select {
		case v := <-got:
			t.Errorf("Fetch returned %q during the computation; past the race window it must wait", v)
		default:
		}
		close(release)
		if v := <-got; v != "new" {
			t.Fatalf("Fetch = %q; want new", v)
		}
	})
}

func TestFetchWithoutRaceConditionTTLTreatsAnExpiredEntryAsAMiss(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, _ := newCache(t, cache.Config{})
		_, _ = cache.Fetch(ctx, c, "k", cache.Options{ExpiresIn: time.Minute}, value("old"))
		time.Sleep(time.Minute)
		if v, _ := cache.Fetch(ctx, c, "k", cache.Options{ExpiresIn: time.Minute}, value("new")); v != "new" {
			t.Fatalf("Fetch after expiry = %q; want new", v)
		}
	})
}

func TestFetchVersionsEntries(t *testing.T) {
	c, rep := newCache(t, cache.Config{})
	steps := []struct {
		name, version, compute, want string
	}{
		{"the first fetch computes", "v1", "one", "one"},
		{"the same version hits", "v1", "", "one"},
		{"another version misses and replaces the entry", "v2", "two", "two"},
		{"the old version now misses too", "v1", "one again", "one again"},
		{"no version reads whatever is there", "", "", "one again"},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			f := mustNotCompute[string](t)
			if s.compute != "" {
				f = value(s.compute)
			}
			v, err := cache.Fetch(ctx, c, "k", cache.Options{Version: s.version}, f)
			if err != nil || v != s.want {
				t.Fatalf("Fetch = %q, %v; want %q", v, err, s.want)
			}
		})
	}
	rep.none(t)
}

func TestFetchErrorsAreReturnedAndNeverCached(t *testing.T) {
	c, _ := newCache(t, cache.Config{})
	errNotFound := errors.New("not found")
	if _, err := cache.Fetch(ctx, c, "k", cache.Options{}, func() (int, error) { return 0, errNotFound }); !errors.Is(err, errNotFound) {
		t.Fatalf("err = %v; want compute's", err)
	}
	if v, err := cache.Fetch(ctx, c, "k", cache.Options{}, value(3)); v != 3 || err != nil {
		t.Fatalf("Fetch after an error = %v, %v; want a new computation", v, err)
	}
}

func TestFetchForceComputesAndOverwrites(t *testing.T) {
	c, _ := newCache(t, cache.Config{})
	_, _ = cache.Fetch(ctx, c, "k", cache.Options{}, value("old"))
	if v, _ := cache.Fetch(ctx, c, "k", cache.Options{Force: true}, value("new")); v != "new" {
		t.Fatalf("forced Fetch = %q", v)
	}
	if v, _ := cache.Fetch(ctx, c, "k", cache.Options{}, mustNotCompute[string](t)); v != "new" {
		t.Fatalf("Fetch after a forced one = %q; want new", v)
	}
}

func TestFetchOnAFailingStoreComputesAndReportsTheFailures(t *testing.T) {
	c, rep := newCache(t, cache.Config{Store: downStore{}})
	calls := 0
	for range 2 {
		v, err := cache.Fetch(ctx, c, "k", cache.Options{}, func() (string, error) { calls++; return "v", nil })
		if v != "v" || err != nil {
			t.Fatalf("Fetch = %q, %v; a failing store must not fail it", v, err)
		}
	}
	if calls != 2 {
		t.Fatalf("computed %d times; want 2 (every read missed)", calls)
	}
	if ops := rep.ops(); strings.Join(ops, ",") != "read,write,read,write" {
		t.Fatalf("OnError got %v; want read,write twice", ops)
	}
}

func TestFetchOfAValueTheCoderCannotEncodeFails(t *testing.T) {
	c, rep := newCache(t, cache.Config{})
	_, err := cache.Fetch(ctx, c, "k", cache.Options{}, value(math.NaN()))
	if err == nil || !strings.Contains(err.Error(), "encode") {
		t.Fatalf("err = %v; want the encoding error", err)
	}
	if _, ok, _ := cache.Read[float64](ctx, c, "k", cache.Options{}); ok {
		t.Fatal("the value was cached anyway")
	}
	rep.none(t)
}

func TestFetchRejectsBadOptionsBeforeComputing(t *testing.T) {
	c, _ := newCache(t, cache.Config{})
	bad := []struct {
		name string
		opts cache.Options
	}{
		{"ExpiresIn with ExpiresAt", cache.Options{ExpiresIn: time.Minute, ExpiresAt: time.Now().Add(time.Hour)}},
		{"a negative ExpiresIn", cache.Options{ExpiresIn: -time.Second}},
		{"a negative RaceConditionTTL", cache.Options{RaceConditionTTL: -time.Second}},
	}
	for _, b := range bad {
		t.Run(b.name, func(t *testing.T) {
			_, err := cache.Fetch(ctx, c, "k", b.opts, mustNotCompute[int](t))
			if !errors.Is(err, cache.ErrInvalidOptions) {
				t.Fatalf("err = %v; want ErrInvalidOptions", err)
			}
		})
	}
	if _, err := cache.Fetch(ctx, c, "", cache.Options{}, mustNotCompute[int](t)); !errors.Is(err, cache.ErrInvalidKey) {
		t.Fatalf("Fetch of an empty key: err = %v; want ErrInvalidKey", err)
	}
}
