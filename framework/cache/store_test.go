package cache_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gorails/gorails/framework/cache"
	"github.com/gorails/gorails/framework/cache/cachetest"
	"github.com/gorails/gorails/internal/testenv"
)

func TestMemoryStoreMeetsTheStoreContract(t *testing.T) {
	cachetest.TestStoreClocked(t, func(t *testing.T, now func() time.Time) cache.Store {
		return cache.NewMemory(cache.MemoryConfig{MaxBytes: 8 << 20, Now: now})
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

// The real-clock suite (Redis's) still runs on a store that could take a
// fake clock: its expiry checks hold on the real clock too.
func TestMemoryStoreMeetsTheStoreContractOnTheRealClock(t *testing.T) {
	cachetest.TestStore(t, func(t *testing.T) cache.Store {
		return cache.NewMemory(cache.MemoryConfig{})
	}, cachetest.Options{})
}

// slowIncrements is a Memory store whose Increment takes longer than the
// suite's short lifetimes, as on a machine loaded by -race: the expired
// counter check must still pass, deterministically on the fake clock and
// by retrying with a longer lifetime on the real one.
type slowIncrements struct{ *cache.Memory }

func (s slowIncrements) Increment(ctx context.Context, key string, delta int64, expires time.Time) (int64, time.Time, error) {
	time.Sleep(50 * time.Millisecond)
	return s.Memory.Increment(ctx, key, delta, expires)
}

func TestStoreSuiteExpiryChecksDoNotDependOnTheMachinesSpeed(t *testing.T) {
	t.Run("fake clock", func(t *testing.T) {
		cachetest.TestStoreClocked(t, func(t *testing.T, now func() time.Time) cache.Store {
			return slowIncrements{cache.NewMemory(cache.MemoryConfig{Now: now})}
		}, cachetest.Options{})
	})
	t.Run("real clock", func(t *testing.T) {
		cachetest.TestStore(t, func(t *testing.T) cache.Store {
			return slowIncrements{cache.NewMemory(cache.MemoryConfig{})}
		}, cachetest.Options{})
	})
}
