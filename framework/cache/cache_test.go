package cache_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"html/template"
	"math"
	"reflect"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gorails/gorails/framework/cache"
)

type post struct {
	ID        int64
	Title     string
	Tags      []string
	Meta      map[string]int
	Published *time.Time
}

// roundTrip writes v and reads it back as a T.
func roundTrip[T any](t *testing.T, c *cache.Cache, v T) T {
	t.Helper()
	if err := cache.Write(ctx, c, "k", v, cache.Options{}); err != nil {
		t.Fatalf("Write(%#v): %v", v, err)
	}
	got, ok, err := cache.Read[T](ctx, c, "k", cache.Options{})
	if err != nil || !ok {
		t.Fatalf("Read after Write(%#v) = hit %v, %v", v, ok, err)
	}
	return got
}

func TestValuesOfEveryKindReadBackEqual(t *testing.T) {
	when := time.Date(2024, 1, 2, 3, 4, 5, 6000, time.UTC)
	for _, coder := range []cache.Coder{cache.JSONCoder{}, cache.GobCoder{}} {
		c, rep := newCache(t, cache.Config{Coder: coder})
		tests := []struct {
			name string
			fn   func(t *testing.T)
		}{
			{"a string", func(t *testing.T) { eq(t, roundTrip(t, c, "héllo\x00"), "héllo\x00") }},
			{"an empty string", func(t *testing.T) { eq(t, roundTrip(t, c, ""), "") }},
			{"a byte slice", func(t *testing.T) { eq(t, roundTrip(t, c, []byte{0xc1, 0, 1}), []byte{0xc1, 0, 1}) }},
			{"template.HTML", func(t *testing.T) {
				eq(t, roundTrip(t, c, template.HTML("<p>hi</p>")), template.HTML("<p>hi</p>"))
			}},
			{"json.RawMessage", func(t *testing.T) {
				eq(t, roundTrip(t, c, json.RawMessage(`{"a":1}`)), json.RawMessage(`{"a":1}`))
			}},
			{"an int", func(t *testing.T) { eq(t, roundTrip(t, c, -42), -42) }},
			{"an int64 at its limits", func(t *testing.T) {
				eq(t, roundTrip(t, c, int64(math.MinInt64)), int64(math.MinInt64))
				eq(t, roundTrip(t, c, int64(math.MaxInt64)), int64(math.MaxInt64))
			}},
			{"a named int32", func(t *testing.T) { eq(t, roundTrip(t, c, time.Month(7)), time.Month(7)) }},
			{"a uint64", func(t *testing.T) { eq(t, roundTrip(t, c, uint64(math.MaxUint64)), uint64(math.MaxUint64)) }},
			{"a float64", func(t *testing.T) { eq(t, roundTrip(t, c, 0.1), 0.1) }},
			{"a bool", func(t *testing.T) { eq(t, roundTrip(t, c, true), true) }},
			{"a time", func(t *testing.T) { eq(t, roundTrip(t, c, when).Equal(when), true) }},
			{"a struct", func(t *testing.T) {
				p := post{ID: 1, Title: "t", Tags: []string{"a"}, Meta: map[string]int{"x": 1}, Published: &when}
				got := roundTrip(t, c, p)
				if got.Title != "t" || !got.Published.Equal(when) || got.Meta["x"] != 1 || len(got.Tags) != 1 {
					t.Fatalf("got %+v", got)
				}
			}},
			{"a slice of structs", func(t *testing.T) {
				eq(t, len(roundTrip(t, c, []post{{ID: 1}, {ID: 2}})), 2)
			}},
			{"a map", func(t *testing.T) { eq(t, roundTrip(t, c, map[string]int{"a": 1}), map[string]int{"a": 1}) }},
			{"a pointer", func(t *testing.T) { eq(t, *roundTrip(t, c, &post{Title: "p"}), post{Title: "p"}) }},
		}
		for _, tt := range tests {
			t.Run(coder.Name()+"/"+tt.name, tt.fn)
		}
		rep.none(t)
	}
}

func eq[T any](t *testing.T, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %#v; want %#v", got, want)
	}
}

func TestReadingAnEntryAsTheWrongTypeIsAReportedMiss(t *testing.T) {
	c, rep := newCache(t, cache.Config{})
	_ = cache.Write(ctx, c, "s", "a string", cache.Options{})
	_ = cache.Write(ctx, c, "p", post{Title: "x"}, cache.Options{})
	_ = cache.Write(ctx, c, "n", 5, cache.Options{})
	check := func(name string, err error, ok bool, want error) {
		t.Helper()
		if ok || !errors.Is(err, want) {
			t.Errorf("%s: hit %v, err %v; want a miss with %v", name, ok, err, want)
		}
		var ce *cache.Error
		if !errors.As(err, &ce) || ce.Op != "decode" || ce.Key == "" {
			t.Errorf("%s: err %v is not a decode *cache.Error naming the key", name, err)
		}
	}
	_, ok, err := cache.Read[post](ctx, c, "s", cache.Options{})
	check("a string read as a struct", err, ok, cache.ErrWrongType)
	_, ok, err = cache.Read[int](ctx, c, "s", cache.Options{})
	check("a string read as an int", err, ok, cache.ErrWrongType)
	_, ok, err = cache.Read[post](ctx, c, "n", cache.Options{})
	check("an int read as a struct", err, ok, cache.ErrWrongType)
	_, ok, err = cache.Read[int8](ctx, c, "n", cache.Options{})
	if !ok || err != nil {
		t.Errorf("5 read as int8: hit %v, %v; want a hit", ok, err)
	}
	_ = cache.Write(ctx, c, "big", 300, cache.Options{})
	_, ok, err = cache.Read[int8](ctx, c, "big", cache.Options{})
	check("300 read as an int8", err, ok, cache.ErrWrongType)
	_, ok, err = cache.Read[[]int](ctx, c, "p", cache.Options{})
	if ok || err == nil {
		t.Errorf("a struct read as a slice: hit %v, %v; want a miss with the coder's error", ok, err)
	}
	if got := len(rep.ops()); got != 5 {
		t.Errorf("OnError got %d reports; want one per failed read (5)", got)
	}
	// A string reads back as bytes, and a counter as a string.
	if b, ok, _ := cache.Read[[]byte](ctx, c, "s", cache.Options{}); !ok || string(b) != "a string" {
		t.Errorf("a string read as bytes = %q, %v", b, ok)
	}
	if s, ok, _ := cache.Read[string](ctx, c, "n", cache.Options{}); !ok || s != "5" {
		t.Errorf("an int read as a string = %q, %v", s, ok)
	}
}

func TestAnEntryOfAnotherCoderIsASilentMiss(t *testing.T) {
	st := cache.NewMemory(cache.MemoryConfig{})
	j, _ := newCache(t, cache.Config{Store: st})
	g, rep := newCache(t, cache.Config{Store: st, Coder: cache.GobCoder{}})
	_ = cache.Write(ctx, j, "k", post{Title: "json"}, cache.Options{})
	if _, ok, err := cache.Read[post](ctx, g, "k", cache.Options{}); ok || err != nil {
		t.Fatalf("gob read of a JSON entry = hit %v, %v; want a plain miss", ok, err)
	}
	if p, _ := cache.Fetch(ctx, g, "k", cache.Options{}, value(post{Title: "gob"})); p.Title != "gob" {
		t.Fatalf("Fetch = %+v; want it recomputed", p)
	}
	rep.none(t)
}

func TestExpiry(t *testing.T) {
	tests := []struct {
		name     string
		cfg      cache.Config
		opts     cache.Options
		lives    time.Duration // hit just before, miss at
		immortal bool
	}{
		{"ExpiresIn", cache.Config{}, cache.Options{ExpiresIn: time.Hour}, time.Hour, false},
		{"the Config's default", cache.Config{ExpiresIn: time.Minute}, cache.Options{}, time.Minute, false},
		{"ExpiresIn over the default", cache.Config{ExpiresIn: time.Minute}, cache.Options{ExpiresIn: time.Hour}, time.Hour, false},
		{"Forever over the default", cache.Config{ExpiresIn: time.Minute}, cache.Options{ExpiresIn: cache.Forever}, 0, true},
		{"no expiry at all", cache.Config{}, cache.Options{}, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c, _ := newCache(t, tt.cfg)
				if err := cache.Write(ctx, c, "k", "v", tt.opts); err != nil {
					t.Fatal(err)
				}
				if err := cache.Write(ctx, c, "n", 1, tt.opts); err != nil { // a plain integer
					t.Fatal(err)
				}
				if tt.immortal {
					time.Sleep(100 * 365 * 24 * time.Hour)
				} else {
					time.Sleep(tt.lives - time.Millisecond)
				}
				for _, k := range []string{"k", "n"} {
					if ok, _ := c.Exist(ctx, k, cache.Options{}); !ok {
						t.Fatalf("%s gone early", k)
					}
				}
				if tt.immortal {
					return
				}
				time.Sleep(time.Millisecond)
				for _, k := range []string{"k", "n"} {
					if ok, _ := c.Exist(ctx, k, cache.Options{}); ok {
						t.Fatalf("%s still there after its expiry", k)
					}
				}
			})
		})
	}
}

func TestExpiresAtInThePastDeletesTheKey(t *testing.T) {
	c, _ := newCache(t, cache.Config{})
	_ = cache.Write(ctx, c, "k", "v", cache.Options{})
	if err := cache.Write(ctx, c, "k", "w", cache.Options{ExpiresAt: time.Now().Add(-time.Second)}); err != nil {
		t.Fatal(err)
	}
	if ok, _ := c.Exist(ctx, "k", cache.Options{}); ok {
		t.Fatal("the key survived a write that expired before it was made")
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	if _, err := cache.New(cache.Config{ExpiresIn: -time.Second}); !errors.Is(err, cache.ErrInvalidOptions) {
		t.Errorf("negative ExpiresIn: %v", err)
	}
	if _, err := cache.New(cache.Config{Coder: namelessCoder{}}); !errors.Is(err, cache.ErrInvalidOptions) {
		t.Errorf("a coder without a name: %v", err)
	}
}

type namelessCoder struct{ cache.JSONCoder }

func (namelessCoder) Name() string { return "" }

func TestTheZeroConfigIsAWorkingMemoryCache(t *testing.T) {
	c, err := cache.New(cache.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Store().(*cache.Memory); !ok {
		t.Fatalf("store %T; want *cache.Memory", c.Store())
	}
	if v, err := cache.Fetch(ctx, c, "k", cache.Options{}, value(1)); v != 1 || err != nil {
		t.Fatal(v, err)
	}
}

func TestNamespacesKeepEntriesApart(t *testing.T) {
	st := cache.NewMemory(cache.MemoryConfig{})
	root, rep := newCache(t, cache.Config{Store: st})
	blog, _ := newCache(t, cache.Config{Store: st, Namespace: "blog"})
	v2 := blog.WithNamespace("v2")
	odd := root.WithNamespace("a*b")
	for _, c := range []*cache.Cache{root, blog, v2, odd} {
		_ = cache.Write(ctx, c, "k", "v", cache.Options{})
	}
	_ = cache.Write(ctx, root, "aXb:k", "looks like a*b's", cache.Options{})
	if got := keys(st); strings.Join(got, " ") != "a*b:k aXb:k blog:k blog:v2:k k" {
		t.Fatalf("store keys %q", got)
	}
	if err := odd.Clear(ctx); err != nil {
		t.Fatal(err)
	}
	if got := keys(st); strings.Join(got, " ") != "aXb:k blog:k blog:v2:k k" {
		t.Fatalf("after clearing namespace a*b: %q; a namespace's glob characters must match only themselves", got)
	}
	if n, err := blog.DeleteMatched(ctx, "*"); err != nil || n != 2 {
		t.Fatalf("DeleteMatched(*) in blog = %d, %v; want its 2 keys (v2's included)", n, err)
	}
	if got := keys(st); strings.Join(got, " ") != "aXb:k k" {
		t.Fatalf("after DeleteMatched in blog: %q", got)
	}
	rep.none(t)
}

func keys(st *cache.Memory) []string {
	var out []string
	for _, k := range []string{"a*b:k", "aXb:k", "blog:k", "blog:v2:k", "k"} {
		if _, ok, _ := st.Get(ctx, k); ok {
			out = append(out, k)
		}
	}
	return out
}

func TestKeysLongerThanTheLimitAreShortenedApart(t *testing.T) {
	st := cache.NewMemory(cache.MemoryConfig{})
	c, _ := newCache(t, cache.Config{Store: st, Namespace: "ns"})
	base := strings.Repeat("x", 3000)
	_ = cache.Write(ctx, c, base+"1", "one", cache.Options{})
	_ = cache.Write(ctx, c, base+"2", "two", cache.Options{})
	for k, want := range map[string]string{base + "1": "one", base + "2": "two"} {
		if got, ok, _ := cache.Read[string](ctx, c, k, cache.Options{}); !ok || got != want {
			t.Fatalf("Read of a long key = %q, %v; want %q", got, ok, want)
		}
	}
	if s := st.Stats(); s.Entries != 2 || s.Bytes > 2*(cache.MaxKeyBytes+200) {
		t.Fatalf("stats %+v: want two entries with keys of at most %d bytes", s, cache.MaxKeyBytes)
	}
}

func TestCompression(t *testing.T) {
	html := strings.Repeat("<li class=\"post\">A compressible fragment</li>\n", 100)
	random := make([]byte, 4096)
	_, _ = rand.Read(random)
	spy := &sizeSpy{Store: cache.NewMemory(cache.MemoryConfig{})}
	tests := []struct {
		name       string
		cfg        cache.Config
		value      []byte
		compressed bool
	}{
		{"a large repetitive value on a shared store is compressed", cache.Config{Store: spy}, []byte(html), true},
		{"a value under the threshold is not", cache.Config{Store: spy}, []byte(html[:1000]), false},
		{"a value that does not shrink is stored as it is", cache.Config{Store: spy}, random, false},
		{"a negative threshold turns it off", cache.Config{Store: spy, CompressThreshold: -1}, []byte(html), false},
		{"a Memory store does not compress by default", cache.Config{}, []byte(html), false},
		{"unless given a threshold", cache.Config{CompressThreshold: 100}, []byte(html), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, rep := newCache(t, tt.cfg)
			if err := cache.Write(ctx, c, "k", tt.value, cache.Options{}); err != nil {
				t.Fatal(err)
			}
			raw, _, _ := c.Store().Get(ctx, "k")
			if small := len(raw) < len(tt.value)/2; small != tt.compressed {
				t.Fatalf("%d bytes stored for %d; want compressed %v", len(raw), len(tt.value), tt.compressed)
			}
			got, ok, err := cache.Read[[]byte](ctx, c, "k", cache.Options{})
			if !ok || err != nil || !bytes.Equal(got, tt.value) {
				t.Fatalf("read back %d bytes, %v, %v", len(got), ok, err)
			}
			rep.none(t)
		})
	}
}

// sizeSpy is a store that is not a *cache.Memory, as a shared one.
type sizeSpy struct{ cache.Store }

func TestExist(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, _ := newCache(t, cache.Config{})
		_ = cache.Write(ctx, c, "k", "v", cache.Options{Version: "v1", ExpiresIn: time.Minute})
		for _, tt := range []struct {
			version string
			want    bool
		}{{"", true}, {"v1", true}, {"v2", false}} {
			if ok, err := c.Exist(ctx, "k", cache.Options{Version: tt.version}); ok != tt.want || err != nil {
				t.Errorf("Exist version %q = %v, %v; want %v", tt.version, ok, err, tt.want)
			}
		}
		time.Sleep(time.Minute)
		if ok, _ := c.Exist(ctx, "k", cache.Options{}); ok {
			t.Error("Exist after expiry = true")
		}
		if ok, _ := c.Exist(ctx, "never", cache.Options{}); ok {
			t.Error("Exist of a key never written = true")
		}
	})
}

func TestAddWritesOnlyTheFirstTime(t *testing.T) {
	c, _ := newCache(t, cache.Config{})
	if ok, err := cache.Add(ctx, c, "lock", "first", cache.Options{ExpiresIn: time.Minute}); !ok || err != nil {
		t.Fatalf("first Add = %v, %v", ok, err)
	}
	if ok, err := cache.Add(ctx, c, "lock", "second", cache.Options{}); ok || err != nil {
		t.Fatalf("second Add = %v, %v; want false", ok, err)
	}
	if v, _, _ := cache.Read[string](ctx, c, "lock", cache.Options{}); v != "first" {
		t.Fatalf("value %q; want first", v)
	}
}

func TestCounters(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, rep := newCache(t, cache.Config{Namespace: "app", ExpiresIn: time.Hour})
		n, exp, err := c.IncrementWithExpiry(ctx, "hits", 3, cache.Options{})
		if n != 3 || err != nil || !exp.Equal(time.Now().Add(time.Hour)) {
			t.Fatalf("IncrementWithExpiry = %d, %v, %v; want 3 expiring with the default in an hour", n, exp, err)
		}
		if n, _ := c.Decrement(ctx, "hits", 5, cache.Options{}); n != -2 {
			t.Fatalf("Decrement = %d; want -2", n)
		}
		if n, ok, _ := cache.Read[int](ctx, c, "hits", cache.Options{}); !ok || n != -2 {
			t.Fatalf("Read[int] of the counter = %d, %v", n, ok)
		}
		_ = cache.Write(ctx, c, "written", 40, cache.Options{})
		if n, err := c.Increment(ctx, "written", 2, cache.Options{}); n != 42 || err != nil {
			t.Fatalf("Increment of a written int = %d, %v; want 42", n, err)
		}
		_ = cache.Write(ctx, c, "versioned", 40, cache.Options{Version: "v1"})
		_, err = c.Increment(ctx, "versioned", 1, cache.Options{})
		if !errors.Is(err, cache.ErrNotInteger) {
			t.Fatalf("Increment of a versioned int: %v; want ErrNotInteger (it is an entry, not a counter)", err)
		}
		if _, err := c.Decrement(ctx, "hits", math.MinInt64, cache.Options{}); !errors.Is(err, cache.ErrOverflow) {
			t.Fatalf("Decrement by MinInt64: %v; want ErrOverflow", err)
		}
		if _, err := c.Increment(ctx, "hits", 1, cache.Options{ExpiresAt: time.Now().Add(-time.Second)}); !errors.Is(err, cache.ErrInvalidOptions) {
			t.Fatalf("Increment with an expiry in the past: %v; want ErrInvalidOptions", err)
		}
		rep.none(t) // a caller's mistake is not a store failure
		time.Sleep(time.Hour)
		if n, _ := c.Increment(ctx, "hits", 1, cache.Options{}); n != 1 {
			t.Fatalf("Increment after the counter expired = %d; want 1", n)
		}
	})
}

func TestMultiKeyCalls(t *testing.T) {
	c, rep := newCache(t, cache.Config{})
	err := cache.WriteMulti(ctx, c, map[cache.Key]string{
		{Name: "a"}:                "A",
		{Name: "b", Version: "v1"}: "B1",
		{Name: "c", Version: "v1"}: "C1",
	}, cache.Options{ExpiresIn: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	hits, err := cache.ReadMulti[string](ctx, c, []cache.Key{{Name: "a"}, {Name: "b", Version: "v1"}, {Name: "c", Version: "v2"}, {Name: "d"}})
	if err != nil || len(hits) != 2 || hits["a"] != "A" || hits["b"] != "B1" {
		t.Fatalf("ReadMulti = %q, %v; want a and b (c has another version, d none)", hits, err)
	}
	var asked []cache.Key
	keys := []cache.Key{{Name: "a"}, {Name: "c", Version: "v2"}, {Name: "d"}}
	vals, err := cache.FetchMulti(ctx, c, keys, cache.Options{Version: "vd"}, func(missing []cache.Key) ([]string, error) {
		asked = missing
		return []string{"C2", "D"}, nil
	})
	if err != nil || strings.Join(vals, ",") != "A,C2,D" {
		t.Fatalf("FetchMulti = %q, %v", vals, err)
	}
	if len(asked) != 2 || asked[0] != (cache.Key{Name: "c", Version: "v2"}) || asked[1] != (cache.Key{Name: "d", Version: "vd"}) {
		t.Fatalf("compute asked for %v; want c v2 and d with the default version", asked)
	}
	if keys[2].Version != "" {
		t.Fatal("FetchMulti changed the caller's keys")
	}
	hits, _ = cache.ReadMulti[string](ctx, c, []cache.Key{{Name: "c", Version: "v2"}, {Name: "d", Version: "vd"}})
	if len(hits) != 2 {
		t.Fatalf("FetchMulti did not write its computed values: %q", hits)
	}
	_, err = cache.FetchMulti(ctx, c, cache.Keys("x", "y"), cache.Options{}, func([]cache.Key) ([]string, error) { return []string{"only one"}, nil })
	if err == nil {
		t.Fatal("FetchMulti accepted a compute returning fewer values than keys")
	}
	errBoom := errors.New("boom")
	_, err = cache.FetchMulti(ctx, c, cache.Keys("x"), cache.Options{}, func([]cache.Key) ([]string, error) { return nil, errBoom })
	if !errors.Is(err, errBoom) {
		t.Fatalf("FetchMulti err = %v; want compute's", err)
	}
	if n, err := c.Delete(ctx, "a", "b", "nope"); n != 2 || err != nil {
		t.Fatalf("Delete = %d, %v; want 2", n, err)
	}
	rep.none(t)
}

func TestMultiKeyCallsOnAFailingStoreAreMisses(t *testing.T) {
	c, rep := newCache(t, cache.Config{Store: downStore{}})
	hits, err := cache.ReadMulti[string](ctx, c, cache.Keys("a", "b"))
	if len(hits) != 0 || !errors.Is(err, errDown) {
		t.Fatalf("ReadMulti = %q, %v; want no hits and the store's error", hits, err)
	}
	vals, err := cache.FetchMulti(ctx, c, cache.Keys("a", "b"), cache.Options{}, func(m []cache.Key) ([]int, error) {
		return []int{1, 2}, nil
	})
	if err != nil || len(vals) != 2 || vals[1] != 2 {
		t.Fatalf("FetchMulti = %v, %v; want the computed values", vals, err)
	}
	if ops := strings.Join(rep.ops(), ","); ops != "read_multi,read_multi,write_multi" {
		t.Fatalf("OnError got %s", ops)
	}
}

func TestStoreFailuresAreReturnedAndReported(t *testing.T) {
	c, rep := newCache(t, cache.Config{Store: downStore{}})
	calls := []struct {
		op string
		fn func() error
	}{
		{"read", func() error { _, ok, err := cache.Read[string](ctx, c, "k", cache.Options{}); _ = ok; return err }},
		{"write", func() error { return cache.Write(ctx, c, "k", "v", cache.Options{}) }},
		{"exist", func() error { _, err := c.Exist(ctx, "k", cache.Options{}); return err }},
		{"delete", func() error { _, err := c.Delete(ctx, "k"); return err }},
		{"increment", func() error { _, err := c.Increment(ctx, "k", 1, cache.Options{}); return err }},
		{"clear", func() error { return c.Clear(ctx) }},
	}
	for _, call := range calls {
		t.Run("a failed "+call.op, func(t *testing.T) {
			err := call.fn()
			var ce *cache.Error
			if !errors.As(err, &ce) || ce.Op != call.op || !errors.Is(err, errDown) {
				t.Fatalf("err = %v; want a %s *cache.Error wrapping the store's", err, call.op)
			}
			if ops := rep.ops(); len(ops) != 1 || ops[0] != call.op {
				t.Fatalf("OnError got %v; want one %s", ops, call.op)
			}
		})
	}
}

func TestFailuresOfACancelledCallerAreNotReported(t *testing.T) {
	c, rep := newCache(t, cache.Config{Store: ctxStore{}})
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, _, err := cache.Read[string](cctx, c, "k", cache.Options{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	rep.none(t)
}

// ctxStore fails as a networked store does when its caller's context ended.
type ctxStore struct{ downStore }

func (ctxStore) Get(ctx context.Context, _ string) ([]byte, bool, error) {
	return nil, false, ctx.Err()
}

func TestDeleteMatchedChecksThePatternAndTheStore(t *testing.T) {
	c, _ := newCache(t, cache.Config{})
	if _, err := c.DeleteMatched(ctx, "a[b"); !errors.Is(err, cache.ErrBadPattern) {
		t.Errorf("bad pattern: %v", err)
	}
	d, _ := newCache(t, cache.Config{Store: downStore{}})
	if _, err := d.DeleteMatched(ctx, "*"); !errors.Is(err, cache.ErrNotSupported) {
		t.Errorf("a store without DeleteMatched: %v", err)
	}
	if _, err := d.Cleanup(ctx); !errors.Is(err, cache.ErrNotSupported) {
		t.Errorf("a store without Cleanup: %v", err)
	}
	if err := d.WithNamespace("ns").Clear(ctx); !errors.Is(err, cache.ErrNotSupported) {
		t.Errorf("clearing a namespace on a store without DeleteMatched: %v", err)
	}
}

func TestInvalidKeysAreRefused(t *testing.T) {
	c, _ := newCache(t, cache.Config{})
	for name, err := range map[string]error{
		"Read":      func() error { _, _, err := cache.Read[int](ctx, c, "", cache.Options{}); return err }(),
		"Write":     cache.Write(ctx, c, "", 1, cache.Options{}),
		"Delete":    func() error { _, err := c.Delete(ctx, "ok", ""); return err }(),
		"Increment": func() error { _, err := c.Increment(ctx, "", 1, cache.Options{}); return err }(),
		"ReadMulti": func() error { _, err := cache.ReadMulti[int](ctx, c, cache.Keys("a", "")); return err }(),
	} {
		if !errors.Is(err, cache.ErrInvalidKey) {
			t.Errorf("%s of an empty key: %v; want ErrInvalidKey", name, err)
		}
	}
}
