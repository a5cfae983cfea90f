// Package cachetest holds the contract of cache.Store as a conformance
// suite, as testing/fstest does for fs.FS: every store (Memory, Redis,
// Null, and the database store, dbstore) runs the same tests.
//
//	func TestMyStore(t *testing.T) {
//		cachetest.TestStore(t, func(t *testing.T) cache.Store {
//			return newMyStore(t) // empty, and cleaned up by t.Cleanup
//		}, cachetest.Options{})
//	}
//
// A store that can read a fake clock runs TestStoreClocked instead: each
// subtest then gets a Clock of its own, which the suite moves forward where
// it would wait, so every expiry check is deterministic (none depends on
// how fast the machine is, under -race or not):
//
//	cachetest.TestStoreClocked(t, func(t *testing.T, now func() time.Time) cache.Store {
//		return cache.NewMemory(cache.MemoryConfig{Now: now})
//	}, cachetest.Options{})
//
// A networked store whose server keeps the time (Redis) runs TestStore
// against the real clock with short lifetimes (tens of milliseconds). The
// suite then only ever waits for something to be gone, never for it to
// still be there, and a check that needs an entry to outlive a step
// retries with a longer lifetime when the machine was too slow for it, so
// a slow machine cannot make it fail either.
package cachetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorails/gorails/framework/cache"
)

// Options describes the store under test.
type Options struct {
	// Forgets is set for a store that keeps nothing (cache.Null): every
	// read then misses, Add always writes, Delete finds nothing and a
	// counter is always its delta.
	Forgets bool

	// Serial runs the subtests one after another instead of in parallel,
	// for stores whose instances share state (one database table): each
	// newStore call must then return the store emptied.
	Serial bool
}

// shortTTL is the lifetime of entries the suite waits to see expire.
const shortTTL = 30 * time.Millisecond

// TestStore runs the Store contract against fresh stores from newStore,
// one per subtest. Subtests run in parallel unless opts.Serial, so stores
// from different calls must not see each other's keys (a key prefix, a
// database of their own).
func TestStore(t *testing.T, newStore func(t *testing.T) cache.Store, opts Options) {
	run(t, func(t *testing.T, _ *Clock) cache.Store { return newStore(t) }, opts, false)
}

// TestStoreClocked is TestStore for a store that reads its time from now
// (cache.MemoryConfig.Now, dbstore.Config.Now): each subtest's store gets
// a fake clock of its own, moved forward instead of slept on, so the
// expiry checks are deterministic.
func TestStoreClocked(t *testing.T, newStore func(t *testing.T, now func() time.Time) cache.Store, opts Options) {
	run(t, func(t *testing.T, c *Clock) cache.Store { return newStore(t, c.Now) }, opts, true)
}

func run(t *testing.T, newStore func(t *testing.T, c *Clock) cache.Store, opts Options, clocked bool) {
	s := suite{forgets: opts.Forgets}
	tests := []struct {
		name string
		fn   func(s suite, t *testing.T, st cache.Store)
	}{
		{"a key never written is a miss", suite.missing},
		{"a written value reads back byte for byte", suite.roundTrip},
		{"an empty value reads back as an empty non-nil slice", suite.emptyValue},
		{"a second write replaces the first", suite.overwrite},
		{"unusual keys are kept apart", suite.oddKeys},
		{"a value of a mebibyte round-trips", suite.largeValue},
		{"an entry with a future expiry is there", suite.futureExpiry},
		{"an entry is gone once its expiry passed", suite.expires},
		{"an expiry already past leaves the key absent", suite.pastExpiry},
		{"GetMulti answers in key order with nil for misses", suite.getMulti},
		{"SetMulti writes every item with its own expiry", suite.setMulti},
		{"Add writes only when the key is absent", suite.add},
		{"Add writes over an expired entry", suite.addExpired},
		{"Delete removes keys and counts those that existed", suite.delete},
		{"Increment creates, adds and reads back as decimal", suite.increment},
		{"Increment works on a decimal written by Set", suite.incrementSetValue},
		{"Increment sets the expiry of a new counter and keeps it", suite.incrementExpiry},
		{"Increment gives an expiry to a counter without one", suite.incrementAddsExpiry},
		{"an expired counter starts again from zero", suite.incrementExpired},
		{"Increment of a non-integer fails with ErrNotInteger", suite.incrementNotInteger},
		{"Increment past int64 fails with ErrOverflow", suite.incrementOverflow},
		{"concurrent increments are never lost", suite.incrementConcurrent},
		{"Clear removes every key", suite.clear},
		{"DeleteMatched deletes exactly the keys that match", suite.deleteMatched},
		{"Cleanup drops expired entries", suite.cleanup},
		{"a Cache on the store fetches, versions and counts", suite.throughCache},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !opts.Serial {
				t.Parallel()
			}
			s := s // each subtest has its own clock
			if clocked {
				s.clock = NewClock(time.Now())
			}
			tt.fn(s, t, newStore(t, s.clock))
		})
	}
}

type suite struct {
	forgets bool
	clock   *Clock // nil: the real clock
}

// now is the time the store under test reads.
func (s suite) now() time.Time {
	if s.clock != nil {
		return s.clock.Now()
	}
	return time.Now()
}

// waitGone lets a shortTTL expiry set before the call pass: it moves the
// fake clock past it, or sleeps past it on the real one.
func (s suite) waitGone() {
	if s.clock != nil {
		s.clock.Advance(shortTTL + time.Millisecond)
		return
	}
	time.Sleep(shortTTL + 40*time.Millisecond)
}

// Clock is a fake clock for a store under test: it stands still until
// Advance moves it. Safe for concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a Clock that reads start.
func NewClock(start time.Time) *Clock { return &Clock{now: start} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

var ctx = context.Background()

// want checks that key reads as value (a miss for a forgetful store).
func (s suite) want(t *testing.T, st cache.Store, key string, value []byte) {
	t.Helper()
	got, ok, err := st.Get(ctx, key)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	if s.forgets {
		if ok {
			t.Fatalf("Get(%q) = %q, hit; a store that forgets must miss", key, got)
		}
		return
	}
	if !ok || !bytes.Equal(got, value) {
		t.Fatalf("Get(%q) = %q, %v; want %q, true", key, got, ok, value)
	}
}

func wantMiss(t *testing.T, st cache.Store, key string) {
	t.Helper()
	got, ok, err := st.Get(ctx, key)
	if err != nil || ok || got != nil {
		t.Fatalf("Get(%q) = %q, %v, %v; want a miss", key, got, ok, err)
	}
}

func set(t *testing.T, st cache.Store, key, value string, expires time.Time) {
	t.Helper()
	if err := st.Set(ctx, key, []byte(value), expires); err != nil {
		t.Fatalf("Set(%q): %v", key, err)
	}
}

func (s suite) missing(t *testing.T, st cache.Store) {
	wantMiss(t, st, "never-written")
}

func (s suite) roundTrip(t *testing.T, st cache.Store) {
	v := []byte("\x00\xc1\xff binary, not UTF-8 \r\n")
	if err := st.Set(ctx, "k", v, time.Time{}); err != nil {
		t.Fatal(err)
	}
	s.want(t, st, "k", v)
}

func (s suite) emptyValue(t *testing.T, st cache.Store) {
	set(t, st, "empty", "", time.Time{})
	got, ok, err := st.Get(ctx, "empty")
	if err != nil {
		t.Fatal(err)
	}
	if s.forgets {
		return
	}
	if !ok || got == nil || len(got) != 0 {
		t.Fatalf("Get = %#v, %v; want []byte{}, true", got, ok)
	}
	vals, err := st.GetMulti(ctx, []string{"empty"})
	if err != nil || len(vals) != 1 || vals[0] == nil || len(vals[0]) != 0 {
		t.Fatalf("GetMulti = %#v, %v; want [[]byte{}]", vals, err)
	}
}

func (s suite) overwrite(t *testing.T, st cache.Store) {
	set(t, st, "k", "first", s.now().Add(shortTTL))
	set(t, st, "k", "second", time.Time{})
	s.want(t, st, "k", []byte("second"))
	s.waitGone() // the second write dropped the first one's expiry
	s.want(t, st, "k", []byte("second"))
}

func (s suite) oddKeys(t *testing.T, st cache.Store) {
	keys := []string{"with space", "ünïcødé/ключ", "glob*?[x]\\", "a:b:c", "new\nline", strings.Repeat("k", cache.MaxKeyBytes)}
	for i, k := range keys {
		set(t, st, k, fmt.Sprint(i), time.Time{})
	}
	for i, k := range keys {
		s.want(t, st, k, []byte(fmt.Sprint(i)))
	}
}

func (s suite) largeValue(t *testing.T, st cache.Store) {
	v := bytes.Repeat([]byte("0123456789abcdef"), 1<<16)
	if err := st.Set(ctx, "big", v, time.Time{}); err != nil {
		t.Fatal(err)
	}
	s.want(t, st, "big", v)
}

func (s suite) futureExpiry(t *testing.T, st cache.Store) {
	set(t, st, "k", "v", s.now().Add(time.Minute))
	s.want(t, st, "k", []byte("v"))
}

func (s suite) expires(t *testing.T, st cache.Store) {
	set(t, st, "k", "v", s.now().Add(shortTTL))
	set(t, st, "stays", "v", time.Time{})
	s.waitGone()
	wantMiss(t, st, "k")
	vals, err := st.GetMulti(ctx, []string{"k", "stays"})
	if err != nil || vals[0] != nil {
		t.Fatalf("GetMulti after expiry = %q, %v; want a miss first", vals, err)
	}
	s.want(t, st, "stays", []byte("v"))
	if n, err := st.Delete(ctx, "k"); err != nil || n != 0 {
		t.Fatalf("Delete of an expired key = %d, %v; want 0", n, err)
	}
}

func (s suite) pastExpiry(t *testing.T, st cache.Store) {
	set(t, st, "k", "old", time.Time{})
	set(t, st, "k", "new", s.now().Add(-time.Second))
	wantMiss(t, st, "k")
}

func (s suite) getMulti(t *testing.T, st cache.Store) {
	set(t, st, "a", "1", time.Time{})
	set(t, st, "c", "3", time.Time{})
	vals, err := st.GetMulti(ctx, []string{"a", "b", "c", "a"})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]byte{[]byte("1"), nil, []byte("3"), []byte("1")}
	if s.forgets {
		want = make([][]byte, 4)
	}
	if len(vals) != len(want) {
		t.Fatalf("GetMulti returned %d values for 4 keys", len(vals))
	}
	for i := range want {
		if (want[i] == nil) != (vals[i] == nil) || !bytes.Equal(vals[i], want[i]) {
			t.Fatalf("GetMulti = %q; want %q", vals, want)
		}
	}
	if vals, err := st.GetMulti(ctx, nil); err != nil || len(vals) != 0 {
		t.Fatalf("GetMulti(nil) = %q, %v", vals, err)
	}
}

func (s suite) setMulti(t *testing.T, st cache.Store) {
	err := st.SetMulti(ctx, []cache.Item{
		{Key: "short", Value: []byte("s"), Expires: s.now().Add(shortTTL)},
		{Key: "long", Value: []byte("l"), Expires: s.now().Add(time.Minute)},
		{Key: "forever", Value: []byte("f")},
	})
	if err != nil {
		t.Fatal(err)
	}
	s.want(t, st, "long", []byte("l"))
	s.want(t, st, "forever", []byte("f"))
	s.waitGone()
	wantMiss(t, st, "short")
	s.want(t, st, "long", []byte("l"))
	if err := st.SetMulti(ctx, nil); err != nil {
		t.Fatalf("SetMulti(nil): %v", err)
	}
}

func (s suite) add(t *testing.T, st cache.Store) {
	ok, err := st.Add(ctx, "k", []byte("first"), time.Time{})
	if err != nil || !ok {
		t.Fatalf("Add of an absent key = %v, %v; want true", ok, err)
	}
	ok, err = st.Add(ctx, "k", []byte("second"), time.Time{})
	if err != nil || ok == !s.forgets {
		t.Fatalf("Add of a present key = %v, %v; want %v", ok, err, s.forgets)
	}
	s.want(t, st, "k", []byte("first"))
}

func (s suite) addExpired(t *testing.T, st cache.Store) {
	set(t, st, "k", "old", s.now().Add(shortTTL))
	s.waitGone()
	ok, err := st.Add(ctx, "k", []byte("new"), time.Time{})
	if err != nil || !ok {
		t.Fatalf("Add over an expired entry = %v, %v; want true", ok, err)
	}
	s.want(t, st, "k", []byte("new"))
}

func (s suite) delete(t *testing.T, st cache.Store) {
	set(t, st, "a", "1", time.Time{})
	set(t, st, "b", "2", time.Time{})
	set(t, st, "c", "3", time.Time{})
	n, err := st.Delete(ctx, "a", "b", "missing")
	want := 2
	if s.forgets {
		want = 0
	}
	if err != nil || n != want {
		t.Fatalf("Delete = %d, %v; want %d", n, err, want)
	}
	wantMiss(t, st, "a")
	wantMiss(t, st, "b")
	s.want(t, st, "c", []byte("3"))
	if n, err := st.Delete(ctx); err != nil || n != 0 {
		t.Fatalf("Delete() = %d, %v; want 0", n, err)
	}
}

func incr(t *testing.T, st cache.Store, key string, delta int64, expires time.Time) (int64, time.Time) {
	t.Helper()
	n, exp, err := st.Increment(ctx, key, delta, expires)
	if err != nil {
		t.Fatalf("Increment(%q, %d): %v", key, delta, err)
	}
	return n, exp
}

func (s suite) increment(t *testing.T, st cache.Store) {
	steps := []struct {
		delta, want, forgetful int64
	}{{5, 5, 5}, {3, 8, 3}, {-10, -2, -10}, {0, -2, 0}}
	for _, step := range steps {
		want := step.want
		if s.forgets {
			want = step.forgetful
		}
		if n, exp := incr(t, st, "n", step.delta, time.Time{}); n != want || !exp.IsZero() {
			t.Fatalf("Increment by %d = %d, %v; want %d and no expiry", step.delta, n, exp, want)
		}
	}
	s.want(t, st, "n", []byte("-2"))
}

func (s suite) incrementSetValue(t *testing.T, st cache.Store) {
	set(t, st, "n", "41", time.Time{})
	want := int64(42)
	if s.forgets {
		want = 1
	}
	if n, _ := incr(t, st, "n", 1, time.Time{}); n != want {
		t.Fatalf("Increment = %d; want %d", n, want)
	}
}

func near(t *testing.T, what string, got, want time.Time) {
	t.Helper()
	if d := got.Sub(want); d < -5*time.Second || d > 5*time.Second {
		t.Fatalf("%s = %v; want about %v", what, got, want)
	}
}

func (s suite) incrementExpiry(t *testing.T, st cache.Store) {
	first := s.now().Add(time.Minute)
	_, exp := incr(t, st, "n", 1, first)
	near(t, "the new counter's expiry", exp, first)
	_, exp = incr(t, st, "n", 1, s.now().Add(time.Hour))
	if s.forgets {
		return
	}
	near(t, "the expiry after a second increment", exp, first)
	_, exp = incr(t, st, "n", 1, time.Time{})
	near(t, "the expiry after an increment without one", exp, first)
}

func (s suite) incrementAddsExpiry(t *testing.T, st cache.Store) {
	set(t, st, "n", "1", time.Time{})
	want := s.now().Add(time.Minute)
	_, exp := incr(t, st, "n", 1, want)
	near(t, "the expiry", exp, want)
}

func (s suite) incrementExpired(t *testing.T, st cache.Store) {
	// The counter must outlive the second increment. On the fake clock it
	// does; on the real one a slow machine (-race, a loaded CI) may let it
	// expire in between, which the second increment shows (it starts a new
	// counter): the check then runs again with a longer lifetime.
	for ttl := shortTTL; ; ttl *= 4 {
		if _, err := st.Delete(ctx, "n"); err != nil {
			t.Fatal(err)
		}
		first := s.now().Add(ttl)
		incr(t, st, "n", 5, first)
		n, exp := incr(t, st, "n", 5, time.Time{})
		if s.forgets {
			break
		}
		if n == 5 && exp.IsZero() && s.clock == nil && ttl < 10*time.Second {
			continue // expired before the second increment: too slow for ttl
		}
		if d := exp.Sub(first); n != 10 || d < -time.Second || d > time.Second {
			t.Fatalf("second Increment = %d, expiry %v; want 10 and the first one's expiry %v", n, exp, first)
		}
		if s.clock != nil {
			s.clock.Advance(ttl + time.Millisecond)
		} else {
			time.Sleep(time.Until(exp) + 40*time.Millisecond)
		}
		break
	}
	if n, exp := incr(t, st, "n", 1, time.Time{}); n != 1 || !exp.IsZero() {
		t.Fatalf("Increment after expiry = %d, %v; want 1 and no expiry", n, exp)
	}
}

func (s suite) incrementNotInteger(t *testing.T, st cache.Store) {
	if s.forgets {
		t.Skip("a store that forgets has no values to refuse")
	}
	for _, v := range []string{"abc", "12abc", "", "\xc1\x01\x00", "1.5"} {
		set(t, st, "k", v, time.Time{})
		_, _, err := st.Increment(ctx, "k", 1, time.Time{})
		if !errors.Is(err, cache.ErrNotInteger) {
			t.Fatalf("Increment of %q: err = %v; want ErrNotInteger", v, err)
		}
		s.want(t, st, "k", []byte(v))
	}
}

func (s suite) incrementOverflow(t *testing.T, st cache.Store) {
	if s.forgets {
		t.Skip("a store that forgets never accumulates")
	}
	const maxInt = 1<<63 - 1
	set(t, st, "n", fmt.Sprint(int64(maxInt-1)), time.Time{})
	if n, _ := incr(t, st, "n", 1, time.Time{}); n != maxInt {
		t.Fatalf("Increment to MaxInt64 = %d", n)
	}
	if _, _, err := st.Increment(ctx, "n", 1, time.Time{}); !errors.Is(err, cache.ErrOverflow) {
		t.Fatalf("Increment past MaxInt64: err = %v; want ErrOverflow", err)
	}
	s.want(t, st, "n", []byte(fmt.Sprint(int64(maxInt))))
	set(t, st, "m", fmt.Sprint(int64(-maxInt)), time.Time{})
	if _, _, err := st.Increment(ctx, "m", -2, time.Time{}); !errors.Is(err, cache.ErrOverflow) {
		t.Fatalf("Increment below MinInt64: err = %v; want ErrOverflow", err)
	}
}

func (s suite) incrementConcurrent(t *testing.T, st cache.Store) {
	const goroutines, each = 16, 25
	var wg sync.WaitGroup
	errs := make(chan error, goroutines)
	for range goroutines {
		wg.Go(func() {
			for range each {
				if _, _, err := st.Increment(ctx, "n", 1, s.now().Add(time.Minute)); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	want := int64(goroutines*each + 1)
	if s.forgets {
		want = 1
	}
	if n, _ := incr(t, st, "n", 1, time.Time{}); n != want {
		t.Fatalf("after %d concurrent increments the counter is %d; want %d", goroutines*each, n-1, want-1)
	}
}

func (s suite) clear(t *testing.T, st cache.Store) {
	set(t, st, "a", "1", time.Time{})
	incr(t, st, "n", 1, time.Time{})
	if err := st.Clear(ctx); err != nil {
		t.Fatal(err)
	}
	wantMiss(t, st, "a")
	wantMiss(t, st, "n")
	set(t, st, "a", "2", time.Time{})
	s.want(t, st, "a", []byte("2"))
}

func (s suite) deleteMatched(t *testing.T, st cache.Store) {
	m, ok := st.(cache.Matcher)
	if !ok {
		t.Skipf("%T does not implement cache.Matcher", st)
	}
	keys := []string{"user:1", "user:2", "user:10", "users", "post:1", "a*b", "a?b", "x[1]", `back\slash`, "ü:1"}
	tests := []struct {
		pattern string
		want    []string
	}{
		{"user:*", []string{"user:1", "user:2", "user:10"}},
		{"user:?", []string{"user:1", "user:2"}},
		{"user:[12]", []string{"user:1", "user:2"}},
		{"user:[^1]*", []string{"user:2"}},
		{"user:[0-9][0-9]", []string{"user:10"}},
		{"user*", []string{"user:1", "user:2", "user:10", "users"}},
		{`a\*b`, []string{"a*b"}},
		{"a?b", []string{"a*b", "a?b"}},
		{`x\[1\]`, []string{"x[1]"}},
		{`back\\slash`, []string{`back\slash`}},
		{"??:1", []string{"ü:1"}}, // ? is one byte; ü is two
		{"*", keys},
		{"nothing*", nil},
	}
	for _, tt := range tests {
		for _, k := range keys {
			set(t, st, k, "v", time.Time{})
		}
		set(t, st, "expired:1", "v", s.now().Add(-time.Second))
		n, err := m.DeleteMatched(ctx, tt.pattern)
		if err != nil {
			t.Fatalf("DeleteMatched(%q): %v", tt.pattern, err)
		}
		if s.forgets {
			if n != 0 {
				t.Fatalf("DeleteMatched(%q) = %d; a store that forgets has nothing", tt.pattern, n)
			}
			continue
		}
		if n != len(tt.want) {
			t.Errorf("DeleteMatched(%q) = %d; want %d", tt.pattern, n, len(tt.want))
		}
		for _, k := range keys {
			_, ok, err := st.Get(ctx, k)
			if err != nil {
				t.Fatal(err)
			}
			if deleted := slices.Contains(tt.want, k); ok == deleted {
				t.Errorf("DeleteMatched(%q): key %q present = %v; want %v", tt.pattern, k, ok, !deleted)
			}
		}
	}
	if _, err := m.DeleteMatched(ctx, "[unterminated"); !errors.Is(err, cache.ErrBadPattern) {
		t.Errorf("DeleteMatched of a bad pattern: err = %v; want ErrBadPattern", err)
	}
}

func (s suite) cleanup(t *testing.T, st cache.Store) {
	c, ok := st.(cache.Cleaner)
	if !ok {
		t.Skipf("%T does not implement cache.Cleaner", st)
	}
	set(t, st, "short", "v", s.now().Add(shortTTL))
	set(t, st, "long", "v", time.Time{})
	s.waitGone()
	n, err := c.Cleanup(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := 1; n != want && !s.forgets {
		t.Errorf("Cleanup = %d; want %d", n, want)
	}
	s.want(t, st, "long", []byte("v"))
}

// throughCache checks the user's API end to end on the store: what the
// Cache layers on top (entries, versions, compression, counters) must come
// back intact from it.
func (s suite) throughCache(t *testing.T, st cache.Store) {
	var reported []error
	c, err := cache.New(cache.Config{Store: st, Namespace: "suite", CompressThreshold: 64,
		OnError: func(_ context.Context, err *cache.Error) { reported = append(reported, err) }})
	if err != nil {
		t.Fatal(err)
	}
	type post struct {
		Title string
		Tags  []string
	}
	calls := 0
	compute := func() (post, error) { calls++; return post{Title: "hello", Tags: []string{"a"}}, nil }
	for range 2 {
		p, err := cache.Fetch(ctx, c, "posts/1", cache.Options{Version: "v1", ExpiresIn: time.Minute}, compute)
		if err != nil || p.Title != "hello" || len(p.Tags) != 1 {
			t.Fatalf("Fetch = %+v, %v", p, err)
		}
	}
	if want := map[bool]int{false: 1, true: 2}[s.forgets]; calls != want {
		t.Fatalf("two Fetches computed %d times; want %d", calls, want)
	}
	if _, ok, err := cache.Read[post](ctx, c, "posts/1", cache.Options{Version: "v2"}); ok || err != nil {
		t.Fatalf("Read of another version = hit %v, %v; want a miss", ok, err)
	}
	big := strings.Repeat("<li>compressible fragment</li>", 200)
	if err := cache.Write(ctx, c, "fragment", big, cache.Options{}); err != nil {
		t.Fatal(err)
	}
	got, ok, err := cache.Read[string](ctx, c, "fragment", cache.Options{})
	if err != nil || ok == s.forgets || (ok && got != big) {
		t.Fatalf("Read of a compressed fragment: %d bytes, hit %v, %v", len(got), ok, err)
	}
	if n, err := c.Increment(ctx, "hits", 2, cache.Options{ExpiresIn: time.Minute}); err != nil || (n != 2) {
		t.Fatalf("Increment = %d, %v; want 2", n, err)
	}
	if n, ok, err := cache.Read[int64](ctx, c, "hits", cache.Options{}); err != nil || ok == s.forgets || (ok && n != 2) {
		t.Fatalf("Read[int64] of a counter = %d, %v, %v", n, ok, err)
	}
	vals, err := cache.FetchMulti(ctx, c, cache.Keys("m1", "m2", "m3"), cache.Options{},
		func(missing []cache.Key) ([]string, error) {
			out := make([]string, len(missing))
			for i, k := range missing {
				out[i] = "computed " + k.Name
			}
			return out, nil
		})
	if err != nil || len(vals) != 3 || vals[0] != "computed m1" || vals[1] != "computed m2" {
		t.Fatalf("FetchMulti = %q, %v", vals, err)
	}
	hits, err := cache.ReadMulti[string](ctx, c, cache.Keys("m1", "m2", "absent"))
	if err != nil || (!s.forgets && (len(hits) != 2 || hits["m2"] != "computed m2")) || (s.forgets && len(hits) != 0) {
		t.Fatalf("ReadMulti = %q, %v", hits, err)
	}
	if err := c.Clear(ctx); err != nil && !errors.Is(err, cache.ErrNotSupported) {
		t.Fatalf("Clear of a namespace: %v", err)
	}
	if len(reported) > 0 {
		t.Fatalf("OnError got %v; the store never failed", reported)
	}
}
