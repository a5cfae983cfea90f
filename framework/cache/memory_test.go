package cache_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gorails/gorails/framework/cache"
)

func TestMemoryEvictsTheLeastRecentlyUsedPastMaxBytes(t *testing.T) {
	const entry = 100 + 96 // a 100-byte key and value plus the bookkeeping
	st := cache.NewMemory(cache.MemoryConfig{MaxBytes: 4 * entry})
	val := strings.Repeat("v", 99)
	for i := range 4 {
		_ = st.Set(ctx, fmt.Sprint(i), []byte(val), time.Time{})
	}
	_, _, _ = st.Get(ctx, "0") // 0 is now the most recently used; 1 the least
	_ = st.Set(ctx, "4", []byte(val), time.Time{})
	for k, want := range map[string]bool{"0": true, "1": false, "2": true, "3": true, "4": true} {
		if _, ok, _ := st.Get(ctx, k); ok != want {
			t.Errorf("key %s present = %v; want %v", k, ok, want)
		}
	}
	s := st.Stats()
	if s.Bytes > s.MaxBytes || s.Entries != 4 || s.Evictions != 1 {
		t.Fatalf("stats %+v; want 4 entries within MaxBytes after 1 eviction", s)
	}
}

func TestMemoryRefusesAValueLargerThanItsBound(t *testing.T) {
	st := cache.NewMemory(cache.MemoryConfig{MaxBytes: 1000})
	_ = st.Set(ctx, "k", []byte("small"), time.Time{})
	err := st.Set(ctx, "k", make([]byte, 2000), time.Time{})
	if !errors.Is(err, cache.ErrTooLarge) {
		t.Fatalf("err = %v; want ErrTooLarge", err)
	}
	if _, ok, _ := st.Get(ctx, "k"); ok {
		t.Fatal("the old value survived a write that replaced it")
	}
	c, rep := newCache(t, cache.Config{Store: st})
	if v, err := cache.Fetch(ctx, c, "big", cache.Options{}, value(strings.Repeat("x", 2000))); err != nil || len(v) != 2000 {
		t.Fatalf("Fetch of a too-large value = %d bytes, %v; want the value, uncached", len(v), err)
	}
	if ops := rep.ops(); len(ops) != 1 || ops[0] != "write" {
		t.Fatalf("OnError got %v; want the failed write", ops)
	}
}

func TestMemoryExpiresAndCleansUpOnTheClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st := cache.NewMemory(cache.MemoryConfig{})
		_ = st.Set(ctx, "minute", []byte("v"), time.Now().Add(time.Minute))
		_ = st.Set(ctx, "hour", []byte("v"), time.Now().Add(time.Hour))
		_ = st.Set(ctx, "forever", []byte("v"), time.Time{})
		time.Sleep(time.Minute)
		if n, _ := st.Cleanup(ctx); n != 1 {
			t.Fatalf("Cleanup after a minute dropped %d; want 1", n)
		}
		if s := st.Stats(); s.Entries != 2 {
			t.Fatalf("%d entries left; want 2", s.Entries)
		}
		time.Sleep(time.Hour)
		if _, ok, _ := st.Get(ctx, "hour"); ok {
			t.Fatal("an expired entry was returned")
		}
		if s := st.Stats(); s.Entries != 1 {
			t.Fatalf("%d entries after reading the expired one; want it dropped", s.Entries)
		}
	})
}

func TestMemoryBytesStayAccurate(t *testing.T) {
	st := cache.NewMemory(cache.MemoryConfig{})
	_ = st.Set(ctx, "a", []byte("12345"), time.Time{})
	_ = st.Set(ctx, "a", []byte("1"), time.Time{})
	_, _, _ = st.Increment(ctx, "n", 100, time.Time{})
	_, _, _ = st.Increment(ctx, "n", 1, time.Time{})
	_, _ = st.Delete(ctx, "missing")
	want := int64(len("a1")+96) + int64(len("n101")+96)
	if s := st.Stats(); s.Bytes != want {
		t.Fatalf("Bytes = %d; want %d", s.Bytes, want)
	}
	_ = st.Clear(ctx)
	if s := st.Stats(); s.Bytes != 0 || s.Entries != 0 {
		t.Fatalf("after Clear: %+v", s)
	}
}
