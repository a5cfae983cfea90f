package cache

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/redis/go-redis/v9"
)

// RedisConfig configures a [Redis] store.
type RedisConfig struct {
	// Prefix is put before every key, with ":" ("gorails:cache" when
	// empty), so that the cache shares a Redis with jobs and other apps:
	// Clear and DeleteMatched touch only keys under it.
	Prefix string
}

// Redis is a Store on a Redis server (Rails' RedisCacheStore): GetMulti
// is one MGET, SetMulti one pipeline of SETs, Increment one script that
// runs INCRBY and sets the expiry in the same atomic step, Clear and
// DeleteMatched SCAN the prefix and UNLINK what they find (never
// FLUSHDB). Expiry is Redis' own (PX), so entries leave Redis on time.
//
// Failures (a refused connection, a timeout) are returned as errors, which
// the Cache turns into misses. Configure the client so that a dead Redis
// slows a request by little, as Rails does (one second to connect, read
// and write, no reconnection attempts); go-redis' defaults retry a failed
// dial five times 100ms apart, on every call:
//
//	redis.NewClient(&redis.Options{Addr: addr, DialTimeout: time.Second,
//		ReadTimeout: time.Second, WriteTimeout: time.Second,
//		DialerRetries: 1, MaxRetries: -1})
//
// A single server or a Sentinel-managed primary is supported; Redis
// Cluster and Ring are not (MGET and SCAN assume one keyspace). Safe for concurrent use; closing the client is the caller's.
type Redis struct {
	rdb    redis.UniversalClient
	prefix string // with the trailing ":"
	incr   *redis.Script
}

var (
	_ Store   = (*Redis)(nil)
	_ Matcher = (*Redis)(nil)
)

// incrScript adds ARGV[1] to KEYS[1] and, when the counter has no expiry
// and ARGV[2] (milliseconds) is not 0, gives it that one; it returns the
// value (read back with GET: Lua numbers are doubles and would round
// counters past 2^53) and the remaining milliseconds (-1: none).
const incrScript = `
redis.call('INCRBY', KEYS[1], ARGV[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl == -1 and ARGV[2] ~= '0' then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  ttl = tonumber(ARGV[2])
end
return {redis.call('GET', KEYS[1]), ttl}
`

// NewRedis returns a store on rdb, which must be a single-server or
// failover client.
func NewRedis(rdb redis.UniversalClient, cfg RedisConfig) (*Redis, error) {
	switch rdb.(type) {
	case nil:
		return nil, fmt.Errorf("%w: NewRedis needs a client", ErrInvalidOptions)
	case *redis.ClusterClient, *redis.Ring:
		return nil, fmt.Errorf("%w: a Redis Cluster or Ring client; the cache needs one keyspace", ErrNotSupported)
	}
	p := cfg.Prefix
	if p == "" {
		p = "gorails:cache"
	}
	return &Redis{rdb: rdb, prefix: p + ":", incr: redis.NewScript(incrScript)}, nil
}

func (r *Redis) key(k string) string { return r.prefix + k }

// ttl is what remains until expires: 0 for none, negative when past
// (rounded up to whole milliseconds, as Redis counts).
func ttl(expires time.Time) time.Duration {
	if expires.IsZero() {
		return 0
	}
	d := time.Until(expires)
	if d <= 0 {
		return -1
	}
	return (d + time.Millisecond - 1).Truncate(time.Millisecond)
}

// Get implements Store.
func (r *Redis) Get(ctx context.Context, key string) ([]byte, bool, error) {
	s, err := r.rdb.Get(ctx, r.key(key)).Result()
	if err == redis.Nil {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return stringBytes(s), true, nil
}

// stringBytes returns the bytes of a string go-redis read, without a copy:
// the Store contract forbids callers to modify them, and the string is
// this call's alone.
func stringBytes(s string) []byte {
	if len(s) == 0 {
		return []byte{}
	}
	return unsafe.Slice(unsafe.StringData(s), len(s))
}

// GetMulti implements Store with one MGET.
func (r *Redis) GetMulti(ctx context.Context, keys []string) ([][]byte, error) {
	if len(keys) == 0 {
		return [][]byte{}, nil
	}
	rk := make([]string, len(keys))
	for i, k := range keys {
		rk[i] = r.key(k)
	}
	vals, err := r.rdb.MGet(ctx, rk...).Result()
	if err != nil {
		return nil, err
	}
	if len(vals) != len(keys) {
		return nil, fmt.Errorf("redis MGET: %d answers for %d keys", len(vals), len(keys))
	}
	out := make([][]byte, len(keys))
	for i, v := range vals {
		if s, ok := v.(string); ok {
			out[i] = stringBytes(s)
		}
	}
	return out, nil
}

// Set implements Store.
func (r *Redis) Set(ctx context.Context, key string, value []byte, expires time.Time) error {
	d := ttl(expires)
	if d < 0 {
		return r.rdb.Unlink(ctx, r.key(key)).Err()
	}
	return r.rdb.Set(ctx, r.key(key), value, d).Err()
}

// SetMulti implements Store with one pipeline.
func (r *Redis) SetMulti(ctx context.Context, items []Item) error {
	if len(items) == 0 {
		return nil
	}
	_, err := r.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, it := range items {
			if d := ttl(it.Expires); d < 0 {
				p.Unlink(ctx, r.key(it.Key))
			} else {
				p.Set(ctx, r.key(it.Key), it.Value, d)
			}
		}
		return nil
	})
	return err
}

// Add implements Store with SET NX.
func (r *Redis) Add(ctx context.Context, key string, value []byte, expires time.Time) (bool, error) {
	d := ttl(expires)
	if d < 0 {
		return false, nil
	}
	err := r.rdb.SetArgs(ctx, r.key(key), value, redis.SetArgs{Mode: "NX", TTL: d}).Err()
	if err == redis.Nil {
		return false, nil
	}
	return err == nil, err
}

// Delete implements Store with UNLINK.
func (r *Redis) Delete(ctx context.Context, keys ...string) (int, error) {
	if len(keys) == 0 {
		return 0, nil
	}
	rk := make([]string, len(keys))
	for i, k := range keys {
		rk[i] = r.key(k)
	}
	n, err := r.rdb.Unlink(ctx, rk...).Result()
	return int(n), err
}

// Increment implements Store with one atomic script.
func (r *Redis) Increment(ctx context.Context, key string, delta int64, expires time.Time) (int64, time.Time, error) {
	ms := int64(0)
	if d := ttl(expires); d != 0 {
		ms = max(d.Milliseconds(), 1)
	}
	res, err := r.incr.Run(ctx, r.rdb, []string{r.key(key)}, strconv.FormatInt(delta, 10), strconv.FormatInt(ms, 10)).Slice()
	if err != nil {
		return 0, time.Time{}, redisIncrError(err)
	}
	if len(res) != 2 {
		return 0, time.Time{}, fmt.Errorf("redis increment: unexpected answer %v", res)
	}
	s, _ := res[0].(string)
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("redis increment: unexpected value %q", s)
	}
	left, _ := res[1].(int64)
	if left < 0 {
		return n, time.Time{}, nil
	}
	return n, time.Now().Add(time.Duration(left) * time.Millisecond), nil
}

// redisIncrError maps Redis' answers for a non-integer value and an
// overflow to the package's sentinels.
func redisIncrError(err error) error {
	var re redis.Error
	if !errors.As(err, &re) {
		return err
	}
	switch msg := re.Error(); {
	case strings.Contains(msg, "not an integer"):
		return fmt.Errorf("%w (redis: %s)", ErrNotInteger, firstLine(msg))
	case strings.Contains(msg, "overflow"):
		return fmt.Errorf("%w (redis: %s)", ErrOverflow, firstLine(msg))
	}
	return err
}

func firstLine(s string) string {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		return s[:i]
	}
	return s
}

// Clear implements Store: it deletes the keys under the prefix.
func (r *Redis) Clear(ctx context.Context) error {
	_, err := r.deleteMatching(ctx, QuotePattern(r.prefix)+"*")
	return err
}

// DeleteMatched implements Matcher with SCAN MATCH and UNLINK, in batches.
func (r *Redis) DeleteMatched(ctx context.Context, pattern string) (int, error) {
	if err := ValidatePattern(pattern); err != nil {
		return 0, err
	}
	return r.deleteMatching(ctx, QuotePattern(r.prefix)+pattern)
}

func (r *Redis) deleteMatching(ctx context.Context, match string) (int, error) {
	const batch = 1000
	var cursor uint64
	total := 0
	for {
		keys, next, err := r.rdb.Scan(ctx, cursor, match, batch).Result()
		if err != nil {
			return total, err
		}
		if len(keys) > 0 {
			n, err := r.rdb.Unlink(ctx, keys...).Result()
			total += int(n)
			if err != nil {
				return total, err
			}
		}
		if cursor = next; cursor == 0 {
			return total, nil
		}
	}
}
