package cache

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"reflect"
	"strings"
	"time"

	"github.com/gorails/gorails/framework/event"
)

// Config configures a [Cache]. The zero value works: an in-process
// [Memory] store of 32 MiB, no namespace, no default expiry, JSON.
type Config struct {
	// Store holds the entries; nil means NewMemory(MemoryConfig{}).
	Store Store

	// Namespace is put before every key ("blog" makes "posts/1" into
	// "blog:posts/1"), so that several apps or deploys can share a store.
	Namespace string

	// ExpiresIn is the default lifetime of entries and counters written
	// without ExpiresIn or ExpiresAt; 0: they do not expire.
	ExpiresIn time.Duration

	// Coder encodes values other than strings, byte slices and integers;
	// nil means JSONCoder.
	Coder Coder

	// CompressThreshold is the payload size in bytes from which entries
	// are DEFLATE-compressed (kept only when that saves at least an
	// eighth). 0 means DefaultCompressThreshold, except for a Memory store,
	// where compression would cost CPU on every hit to save memory of the
	// same process, and is off; a negative value turns it off.
	CompressThreshold int

	// OnError receives every failure of the store, and of decoding what
	// it returned: those Fetch turns into misses and skipped writes, and
	// those the other calls also return. nil logs them with
	// slog.Default() at error level. Failures caused by the caller's
	// context ending are not reported, nor are the caller's own mistakes
	// (bad options, Increment of a value that is not a counter).
	OnError func(ctx context.Context, err *Error)

	// Events, when set, receives Rails' cache events: CacheRead,
	// CacheWrite, CacheFetchHit, CacheGenerate, CacheDelete,
	// CacheReadMulti, CacheWriteMulti, CacheIncrement and CacheDecrement
	// (cache_read.active_support, ...), with the namespaced keys and the
	// store's name. A call times itself only when someone subscribes to
	// its event's kind.
	Events *event.Bus
}

// Cache is the user's API over a Store: typed values, versions, expiry,
// namespaces, compression, and one computation per key at a time in
// Fetch. Read, Write, Fetch and their multi-key forms are generic
// functions of this package (Go methods cannot have type parameters);
// the rest are methods. Safe for concurrent use.
type Cache struct {
	store      Store
	prefix     string // namespace + ":", or ""
	expiresIn  time.Duration
	coder      Coder
	coderName  string
	compressAt int // 0: never
	onError    func(context.Context, *Error)
	shared     *shared
	events     *event.Bus
	storeName  string // for events: "cache.Memory", "dbstore.Store"
}

// shared is what namespaced views of one Cache have in common.
type shared struct {
	flight flight
	comp   compressor
}

// New returns a Cache on cfg.Store. It fails with ErrInvalidOptions for a
// negative ExpiresIn or a coder without a name.
func New(cfg Config) (*Cache, error) {
	if cfg.ExpiresIn < 0 {
		return nil, fmt.Errorf("%w: Config.ExpiresIn %v is negative", ErrInvalidOptions, cfg.ExpiresIn)
	}
	c := &Cache{store: cfg.Store, expiresIn: cfg.ExpiresIn, coder: cfg.Coder, onError: cfg.OnError, shared: &shared{}, events: cfg.Events}
	if c.store == nil {
		c.store = NewMemory(MemoryConfig{})
	}
	c.storeName = strings.TrimPrefix(reflect.TypeOf(c.store).String(), "*")
	if c.coder == nil {
		c.coder = JSONCoder{}
	}
	if c.coderName = c.coder.Name(); c.coderName == "" || len(c.coderName) > 255 {
		return nil, fmt.Errorf("%w: the coder's name must be 1 to 255 bytes, got %q", ErrInvalidOptions, c.coderName)
	}
	switch _, inProcess := c.store.(*Memory); {
	case cfg.CompressThreshold > 0:
		c.compressAt = cfg.CompressThreshold
	case cfg.CompressThreshold == 0 && !inProcess:
		c.compressAt = DefaultCompressThreshold
	}
	if cfg.Namespace != "" {
		c.prefix = cfg.Namespace + ":"
	}
	return c, nil
}

// WithNamespace returns a Cache on the same store whose keys are under
// namespace ns, inside the receiver's own namespace if it has one
// ("blog" then "v2" gives "blog:v2:posts/1"). The two share Fetch's
// one-computation-per-key bookkeeping.
func (c *Cache) WithNamespace(ns string) *Cache {
	if ns == "" {
		return c
	}
	d := *c
	d.prefix = c.prefix + ns + ":"
	return &d
}

// Store returns the store the Cache writes to.
func (c *Cache) Store() Store { return c.store }

// Forever, as Options.ExpiresIn, writes an entry without expiry even when
// Config.ExpiresIn sets a default.
const Forever time.Duration = math.MinInt64

// Options are the per-call settings. The zero value reads any version and
// writes with the Cache's default expiry.
type Options struct {
	// ExpiresIn is how long a written entry lives (0: Config.ExpiresIn;
	// Forever: no expiry). ExpiresAt is the same as a point in time; give
	// one or the other.
	ExpiresIn time.Duration
	ExpiresAt time.Time

	// Version must match the entry's for a read to hit; a write records it
	// (Rails' version:). Multi-key calls take it from each Key and use this
	// one for keys without their own.
	Version string

	// RaceConditionTTL lets Fetch serve an entry for this long after it
	// expired while one caller computes the new value: that caller first
	// extends the old entry's life by RaceConditionTTL, so that other
	// processes keep reading it, and callers of this process get it
	// without waiting. Entries written with it live this much longer in
	// the store than their ExpiresIn.
	RaceConditionTTL time.Duration

	// Force makes Fetch compute and write without reading (Rails' force:).
	Force bool
}

// validate checks o without reading the clock.
func (o *Options) validate() error {
	switch {
	case !o.ExpiresAt.IsZero() && o.ExpiresIn != 0:
		return fmt.Errorf("%w: ExpiresIn and ExpiresAt given together", ErrInvalidOptions)
	case o.RaceConditionTTL < 0:
		return fmt.Errorf("%w: RaceConditionTTL %v is negative", ErrInvalidOptions, o.RaceConditionTTL)
	case o.ExpiresIn < 0 && o.ExpiresIn != Forever:
		return fmt.Errorf("%w: ExpiresIn %v is negative (Forever means no expiry)", ErrInvalidOptions, o.ExpiresIn)
	}
	return nil
}

// expiry returns the logical expiry of a write at now (zero: none) and
// the physical one the store enforces, longer by RaceConditionTTL.
func (c *Cache) expiry(now time.Time, o *Options) (logical, physical time.Time, err error) {
	if err := o.validate(); err != nil {
		return logical, physical, err
	}
	switch {
	case !o.ExpiresAt.IsZero():
		logical = o.ExpiresAt
	case o.ExpiresIn == Forever:
	case o.ExpiresIn > 0:
		logical = now.Add(o.ExpiresIn)
	case c.expiresIn > 0:
		logical = now.Add(c.expiresIn)
	}
	physical = logical
	if !logical.IsZero() && o.RaceConditionTTL > 0 {
		physical = logical.Add(o.RaceConditionTTL)
	}
	return logical, physical, nil
}

// storeKey is key as the store sees it: namespaced and shortened.
func (c *Cache) storeKey(key string) (string, error) {
	if key == "" {
		return "", fmt.Errorf("%w: empty key", ErrInvalidKey)
	}
	if c.prefix == "" {
		return shortenKey(key), nil
	}
	return shortenKey(c.prefix + key), nil
}

// fail wraps a store or decoding failure and reports it, unless the
// caller's context ended (the caller gave up: nothing failed).
func (c *Cache) fail(ctx context.Context, op, key string, err error) *Error {
	e := &Error{Op: op, Key: key, Err: err}
	if ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		return e
	}
	if c.onError != nil {
		c.onError(ctx, e)
	} else {
		slog.Default().ErrorContext(ctx, "cache: store failed; treated as a miss", "op", op, "key", key, "error", err)
	}
	return e
}

// Exist reports whether key holds an entry that a Read with opts would
// hit (Rails' exist?), without decoding its value.
func (c *Cache) Exist(ctx context.Context, key string, opts Options) (bool, error) {
	sk, err := c.storeKey(key)
	if err != nil {
		return false, err
	}
	b, ok, err := c.store.Get(ctx, sk)
	if err != nil {
		return false, c.fail(ctx, "exist", key, err)
	}
	if !ok {
		return false, nil
	}
	e, err := decodeEntry(b)
	if err != nil {
		return false, c.fail(ctx, "decode", key, err)
	}
	return c.usable(&e, opts.Version, time.Time{}) == entryFresh, nil
}

// Delete removes the keys and returns how many existed.
func (c *Cache) Delete(ctx context.Context, keys ...string) (int, error) {
	sks := make([]string, len(keys))
	for i, k := range keys {
		sk, err := c.storeKey(k)
		if err != nil {
			return 0, err
		}
		sks[i] = sk
	}
	if len(sks) == 0 {
		return 0, nil
	}
	var start time.Time
	on := c.events.Enabled(event.KindCacheDelete)
	if on {
		start = time.Now()
	}
	n, err := c.store.Delete(ctx, sks...)
	if err != nil {
		err = c.fail(ctx, "delete", keys[0], err)
	}
	if on {
		names := make([]string, len(keys))
		for i, k := range keys {
			names[i] = c.prefix + k
		}
		c.events.Emit(ctx, &event.CacheDelete{Key: strings.Join(names, ", "), Store: c.storeName, Start: start, Duration: time.Since(start), Err: err})
	}
	return n, err
}

// DeleteMatched removes the keys of this Cache's namespace that match
// pattern (a glob: see ValidatePattern) and returns how many. It fails
// with ErrBadPattern for an invalid pattern and ErrNotSupported when the
// store is not a Matcher. Keys longer than MaxKeyBytes are matched in
// their shortened form.
func (c *Cache) DeleteMatched(ctx context.Context, pattern string) (int, error) {
	if err := ValidatePattern(pattern); err != nil {
		return 0, err
	}
	m, ok := c.store.(Matcher)
	if !ok {
		return 0, fmt.Errorf("%w: DeleteMatched on %T", ErrNotSupported, c.store)
	}
	n, err := m.DeleteMatched(ctx, QuotePattern(c.prefix)+pattern)
	if err != nil {
		return n, c.fail(ctx, "delete_matched", pattern, err)
	}
	return n, nil
}

// Clear removes every entry: the whole store without a namespace, the
// namespace's keys with one (which needs a Matcher store).
func (c *Cache) Clear(ctx context.Context) error {
	if c.prefix != "" {
		_, err := c.DeleteMatched(ctx, "*")
		return err
	}
	if err := c.store.Clear(ctx); err != nil {
		return c.fail(ctx, "clear", "", err)
	}
	return nil
}

// Cleanup drops expired entries now, for stores that keep them until
// then (ErrNotSupported otherwise), and returns how many.
func (c *Cache) Cleanup(ctx context.Context) (int, error) {
	cl, ok := c.store.(Cleaner)
	if !ok {
		return 0, fmt.Errorf("%w: Cleanup on %T", ErrNotSupported, c.store)
	}
	n, err := cl.Cleanup(ctx)
	if err != nil {
		return n, c.fail(ctx, "cleanup", "", err)
	}
	return n, nil
}

// Increment adds delta to the counter under key, atomically in every
// store, and returns its new value. A missing or expired counter starts
// from zero and gets the expiry of opts (or Config.ExpiresIn); later
// increments keep it (Rails' increment with expires_in). A key holding
// something other than a counter fails with ErrNotInteger, a result
// outside int64 with ErrOverflow. A counter reads back as any integer or
// string type.
func (c *Cache) Increment(ctx context.Context, key string, delta int64, opts Options) (int64, error) {
	n, _, err := c.count(ctx, key, delta, opts, false)
	return n, err
}

// Decrement is Increment by -delta.
func (c *Cache) Decrement(ctx context.Context, key string, delta int64, opts Options) (int64, error) {
	n, _, err := c.count(ctx, key, delta, opts, true)
	return n, err
}

// IncrementWithExpiry is Increment that also returns when the counter
// expires (zero: never): a fixed-window rate limiter's count and reset.
func (c *Cache) IncrementWithExpiry(ctx context.Context, key string, delta int64, opts Options) (int64, time.Time, error) {
	return c.count(ctx, key, delta, opts, false)
}

// count is Increment (or Decrement, by -delta) with its event.
func (c *Cache) count(ctx context.Context, key string, delta int64, opts Options, decrement bool) (int64, time.Time, error) {
	kind := event.KindCacheIncrement
	if decrement {
		kind = event.KindCacheDecrement
	}
	if !c.events.Enabled(kind) {
		return c.increment(ctx, key, delta, opts, decrement)
	}
	start := time.Now()
	n, exp, err := c.increment(ctx, key, delta, opts, decrement)
	d := time.Since(start)
	if decrement {
		c.events.Emit(ctx, &event.CacheDecrement{Key: c.prefix + key, Store: c.storeName, Amount: delta, Value: n, Start: start, Duration: d, Err: err})
	} else {
		c.events.Emit(ctx, &event.CacheIncrement{Key: c.prefix + key, Store: c.storeName, Amount: delta, Value: n, Start: start, Duration: d, Err: err})
	}
	return n, exp, err
}

func (c *Cache) increment(ctx context.Context, key string, delta int64, opts Options, decrement bool) (int64, time.Time, error) {
	if decrement {
		if delta == math.MinInt64 {
			return 0, time.Time{}, &Error{Op: "decrement", Key: key, Err: ErrOverflow}
		}
		delta = -delta
	}
	sk, err := c.storeKey(key)
	if err != nil {
		return 0, time.Time{}, err
	}
	now := time.Now()
	expires, _, err := c.expiry(now, &opts)
	if err != nil {
		return 0, time.Time{}, err
	}
	if !expires.IsZero() && !expires.After(now) {
		return 0, time.Time{}, fmt.Errorf("%w: the counter's expiry %v is in the past", ErrInvalidOptions, expires)
	}
	n, exp, err := c.store.Increment(ctx, sk, delta, expires)
	if err != nil {
		if errors.Is(err, ErrNotInteger) || errors.Is(err, ErrOverflow) {
			return 0, time.Time{}, &Error{Op: "increment", Key: key, Err: err}
		}
		return 0, time.Time{}, c.fail(ctx, "increment", key, err)
	}
	return n, exp, nil
}
