package cache_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gorails/gorails/framework/cache"
)

func TestNewRedisRefusesClientsWithoutOneKeyspace(t *testing.T) {
	cluster := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{"127.0.0.1:1"}})
	defer cluster.Close()
	ring := redis.NewRing(&redis.RingOptions{Addrs: map[string]string{"a": "127.0.0.1:1"}})
	defer ring.Close()
	for name, c := range map[string]redis.UniversalClient{"cluster": cluster, "ring": ring} {
		if _, err := cache.NewRedis(c, cache.RedisConfig{}); !errors.Is(err, cache.ErrNotSupported) {
			t.Errorf("%s: err = %v; want ErrNotSupported", name, err)
		}
	}
	if _, err := cache.NewRedis(nil, cache.RedisConfig{}); !errors.Is(err, cache.ErrInvalidOptions) {
		t.Errorf("nil client: err = %v; want ErrInvalidOptions", err)
	}
}

func TestADeadRedisIsAMissNotAFailure(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", DialTimeout: time.Second, DialerRetries: 1, MaxRetries: -1})
	defer rdb.Close()
	st, err := cache.NewRedis(rdb, cache.RedisConfig{})
	if err != nil {
		t.Fatal(err)
	}
	c, rep := newCache(t, cache.Config{Store: st})
	v, err := cache.Fetch(ctx, c, "k", cache.Options{}, value("computed"))
	if v != "computed" || err != nil {
		t.Fatalf("Fetch = %q, %v; want the computed value", v, err)
	}
	if ops := strings.Join(rep.ops(), ","); ops != "read,write" {
		t.Fatalf("OnError got %s; want read,write", ops)
	}
	if _, ok, err := cache.Read[string](ctx, c, "k", cache.Options{}); ok || err == nil {
		t.Fatalf("Read = hit %v, %v; want a miss with the connection error", ok, err)
	}
	vals, err := cache.FetchMulti(ctx, c, cache.Keys("a", "b"), cache.Options{}, func(m []cache.Key) ([]int, error) { return []int{1, 2}, nil })
	if len(vals) != 2 || err != nil {
		t.Fatalf("FetchMulti = %v, %v", vals, err)
	}
	if _, err := c.Increment(ctx, "n", 1, cache.Options{}); err == nil {
		t.Fatal("Increment on a dead Redis succeeded")
	}
}

func TestRedisClearAndDeleteMatchedStayInsideThePrefix(t *testing.T) {
	rdb := openRedis(t)
	base := testPrefix(t, rdb)
	mine, _ := cache.NewRedis(rdb, cache.RedisConfig{Prefix: base + ":a*["})
	sibling, _ := cache.NewRedis(rdb, cache.RedisConfig{Prefix: base + ":aX["})
	for _, st := range []*cache.Redis{mine, sibling} {
		_ = st.Set(ctx, "k", []byte("v"), time.Time{})
	}
	rdb.Set(ctx, base+":unprefixed", "v", 0)
	if n, err := mine.DeleteMatched(ctx, "*"); n != 1 || err != nil {
		t.Fatalf("DeleteMatched = %d, %v; want 1", n, err)
	}
	_ = mine.Set(ctx, "k", []byte("v"), time.Time{})
	if err := mine.Clear(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := sibling.Get(ctx, "k"); !ok {
		t.Fatal("Clear deleted a key of another prefix that its glob characters would match")
	}
	if n, _ := rdb.Exists(ctx, base+":unprefixed").Result(); n != 1 {
		t.Fatal("Clear deleted a key outside its prefix")
	}
}

func TestRedisClearsManyKeysInBatches(t *testing.T) {
	rdb := openRedis(t)
	st := newRedisStore(t, rdb)
	items := make([]cache.Item, 2500)
	for i := range items {
		items[i] = cache.Item{Key: "k" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + time.Duration(i).String(), Value: []byte("v")}
	}
	if err := st.SetMulti(ctx, items); err != nil {
		t.Fatal(err)
	}
	if n, err := st.DeleteMatched(ctx, "k*"); n != len(items) || err != nil {
		t.Fatalf("DeleteMatched = %d, %v; want %d", n, err, len(items))
	}
}

func TestRedisExpiresEntriesItself(t *testing.T) {
	rdb := openRedis(t)
	prefix := testPrefix(t, rdb)
	st, _ := cache.NewRedis(rdb, cache.RedisConfig{Prefix: prefix})
	rawKey := func(key string) string { return prefix + ":" + key }
	c, rep := newCache(t, cache.Config{Store: st})
	_ = cache.Write(ctx, c, "plain", "v", cache.Options{ExpiresIn: time.Minute})
	_ = cache.Write(ctx, c, "raced", "v", cache.Options{ExpiresIn: time.Minute, RaceConditionTTL: 10 * time.Second})
	_, _ = c.Increment(ctx, "counter", 1, cache.Options{ExpiresIn: time.Hour})
	for key, want := range map[string]time.Duration{"plain": time.Minute, "raced": 70 * time.Second, "counter": time.Hour} {
		pttl, err := rdb.PTTL(ctx, rawKey(key)).Result()
		if err != nil || pttl > want || pttl < want-5*time.Second {
			t.Errorf("PTTL of %s = %v, %v; want about %v", key, pttl, err, want)
		}
	}
	if v, _ := rdb.Get(ctx, rawKey("counter")).Result(); v != "1" {
		t.Errorf("the counter in Redis is %q; want plain 1, so that INCRBY works on it", v)
	}
	rdb.IncrBy(ctx, rawKey("counter"), 41)
	if n, ok, _ := cache.Read[int64](ctx, c, "counter", cache.Options{}); !ok || n != 42 {
		t.Errorf("Read of a counter another client incremented = %d, %v; want 42", n, ok)
	}
	rep.none(t)
}

func TestACancelledCallerOnRedisIsNotReported(t *testing.T) {
	rdb := openRedis(t)
	c, rep := newCache(t, cache.Config{Store: newRedisStore(t, rdb)})
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	v, err := cache.Fetch(cctx, c, "k", cache.Options{}, value(1))
	if v != 1 || err != nil {
		t.Fatalf("Fetch = %v, %v", v, err)
	}
	rep.none(t)
}
