package cache_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/gorails/gorails/framework/cache"
	"github.com/gorails/gorails/framework/cache/cachetest"
	"github.com/gorails/gorails/internal/testenv"
)

func TestMemoryStoreMeetsTheStoreContract(t *testing.T) {
	cachetest.TestStore(t, func(t *testing.T) cache.Store {
		return cache.NewMemory(cache.MemoryConfig{MaxBytes: 8 << 20})
	}, cachetest.Options{})
}

func TestNullStoreMeetsTheStoreContractOfAStoreThatForgets(t *testing.T) {
	cachetest.TestStore(t, func(t *testing.T) cache.Store { return cache.Null{} }, cachetest.Options{Forgets: true})
}

func TestRedisStoreMeetsTheStoreContract(t *testing.T) {
	rdb := openRedis(t)
	cachetest.TestStore(t, func(t *testing.T) cache.Store { return newRedisStore(t, rdb) }, cachetest.Options{})
}

// openRedis connects to the test Redis (skipped, or failed under CI, when
// it is not there).
func openRedis(tb testing.TB) *redis.Client {
	tb.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: testenv.Redis(tb)})
	tb.Cleanup(func() { rdb.Close() })
	return rdb
}

// testPrefix is a key prefix of this test alone, whose keys are deleted
// when it ends.
func testPrefix(tb testing.TB, rdb *redis.Client) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	p := "gorails_test:cache:" + hex.EncodeToString(b[:])
	tb.Cleanup(func() {
		ctx := context.Background()
		iter := rdb.Scan(ctx, 0, p+":*", 1000).Iterator()
		for iter.Next(ctx) {
			rdb.Unlink(ctx, iter.Val())
		}
	})
	return p
}

func newRedisStore(tb testing.TB, rdb *redis.Client) *cache.Redis {
	tb.Helper()
	st, err := cache.NewRedis(rdb, cache.RedisConfig{Prefix: testPrefix(tb, rdb)})
	if err != nil {
		tb.Fatal(err)
	}
	return st
}

func TestTheSuiteRunsSeriallyOnAStoreSharedBetweenCalls(t *testing.T) {
	shared := cache.NewMemory(cache.MemoryConfig{})
	cachetest.TestStore(t, func(t *testing.T) cache.Store {
		_ = shared.Clear(context.Background())
		return shared
	}, cachetest.Options{Serial: true})
}
