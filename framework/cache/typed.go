package cache

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gorails/gorails/framework/event"
)

// Read returns the value under key as a T. ok is false on a miss: no
// entry, an expired one, one of another version (opts.Version) or of
// another coder. A failure of the store, or an entry that does not decode
// as a T, is a miss too: the *Error is returned (and passed to
// Config.OnError) for the caller to see, not to handle.
func Read[T any](ctx context.Context, c *Cache, key string, opts Options) (v T, ok bool, err error) {
	if c.events.Enabled(event.KindCacheRead) {
		start := time.Now()
		v, ok, err = read[T](ctx, c, key, opts)
		c.events.Emit(ctx, &event.CacheRead{Key: c.prefix + key, Store: c.storeName, Hit: ok, Start: start, Duration: time.Since(start), Err: err})
		return v, ok, err
	}
	return read[T](ctx, c, key, opts)
}

func read[T any](ctx context.Context, c *Cache, key string, opts Options) (v T, ok bool, err error) {
	sk, err := c.storeKey(key)
	if err != nil {
		return v, false, err
	}
	b, ok, err := c.store.Get(ctx, sk)
	if err != nil {
		return v, false, c.fail(ctx, "read", key, err)
	}
	if !ok {
		return v, false, nil
	}
	return readHit[T](ctx, c, key, b, opts.Version)
}

// readHit decodes the stored bytes b of key for a read wanting version.
func readHit[T any](ctx context.Context, c *Cache, key string, b []byte, version string) (v T, ok bool, err error) {
	e, err := decodeEntry(b)
	if err != nil {
		return v, false, c.fail(ctx, "decode", key, err)
	}
	if c.usable(&e, version, time.Time{}) != entryFresh {
		return v, false, nil
	}
	if v, err = decodeValue[T](c, &e); err != nil {
		return v, false, c.fail(ctx, "decode", key, err)
	}
	return v, true, nil
}

// Write stores value under key with opts' version and expiry. An expiry
// already past deletes the key. It fails with ErrInvalidOptions or an
// encoding error before touching the store, and with an *Error (also
// passed to Config.OnError) when the store fails.
func Write[T any](ctx context.Context, c *Cache, key string, value T, opts Options) error {
	_, err := write(ctx, c, key, value, opts, false)
	return err
}

// Add is Write only when key holds no entry (or an expired one), and
// reports whether it wrote (Rails' unless_exist: true): the first of
// several processes to Add a key wins.
func Add[T any](ctx context.Context, c *Cache, key string, value T, opts Options) (bool, error) {
	return write(ctx, c, key, value, opts, true)
}

func write[T any](ctx context.Context, c *Cache, key string, value T, opts Options, add bool) (bool, error) {
	if c.events.Enabled(event.KindCacheWrite) {
		start := time.Now()
		ok, err := writeEntry(ctx, c, key, value, opts, add)
		c.events.Emit(ctx, &event.CacheWrite{Key: c.prefix + key, Store: c.storeName, Start: start, Duration: time.Since(start), Err: err})
		return ok, err
	}
	return writeEntry(ctx, c, key, value, opts, add)
}

func writeEntry[T any](ctx context.Context, c *Cache, key string, value T, opts Options, add bool) (bool, error) {
	sk, err := c.storeKey(key)
	if err != nil {
		return false, err
	}
	now := time.Now()
	logical, physical, err := c.expiry(now, &opts)
	if err != nil {
		return false, err
	}
	b, err := encodeValue(c, value, header{version: opts.Version, expires: inEntry(logical, physical)}, plainOK(&opts))
	if err != nil {
		return false, err
	}
	if !logical.IsZero() && !logical.After(now) {
		if _, err := c.store.Delete(ctx, sk); err != nil {
			return false, c.fail(ctx, "write", key, err)
		}
		return false, nil
	}
	if add {
		ok, err := c.store.Add(ctx, sk, b, physical)
		if err != nil {
			return false, c.fail(ctx, "write", key, err)
		}
		return ok, nil
	}
	if err := c.store.Set(ctx, sk, b, physical); err != nil {
		return false, c.fail(ctx, "write", key, err)
	}
	return true, nil
}

// inEntry is the expiry an entry records: only one the store does not
// enforce itself (with RaceConditionTTL, the store keeps the entry longer
// than it is fresh). Otherwise the store's expiry is the entry's, and a
// read need not look at the clock a second time.
func inEntry(logical, physical time.Time) time.Time {
	if logical.Equal(physical) {
		return time.Time{}
	}
	return logical
}

// plainOK reports whether an integer may be stored as plain text: only
// when the entry needs no header (no version, and a logical expiry equal
// to the store's).
func plainOK(o *Options) bool { return o.Version == "" && o.RaceConditionTTL == 0 }

// errComputePanicked is what the callers waiting on a computation get
// when it panicked (the panic goes on in the caller that ran it).
var errComputePanicked = errors.New("cache: the computation of this key panicked in another caller")

// Fetch returns the value under key, or computes it with compute, writes
// it with opts and returns it (Rails' fetch with a block). In a process,
// one computation per key runs at a time: concurrent callers wait for it
// (each until its own ctx ends) and get its value. With
// opts.RaceConditionTTL, an entry that expired less than that long ago is
// served to everyone but the one caller that recomputes it. Errors of
// compute are returned and never cached.
//
// A failing store does not fail Fetch: a read error is a miss, a write
// error leaves the value uncached, and both go to Config.OnError. Fetch
// returns an error for bad options, a value the Coder cannot encode, and
// compute's own error.
func Fetch[T any](ctx context.Context, c *Cache, key string, opts Options, compute func() (T, error)) (T, error) {
	var zero T
	sk, err := c.storeKey(key)
	if err != nil {
		return zero, err
	}
	if err := opts.validate(); err != nil {
		return zero, err
	}
	for {
		var stale entry
		hasStale := false
		if !opts.Force {
			var start time.Time
			onRead, onHit := c.events.Enabled(event.KindCacheRead), c.events.Enabled(event.KindCacheFetchHit)
			if onRead || onHit {
				start = time.Now()
			}
			v, e, state := fetchRead[T](ctx, c, key, sk, &opts)
			if onRead {
				c.events.Emit(ctx, &event.CacheRead{Key: c.prefix + key, Store: c.storeName, Hit: state == entryFresh, Start: start, Duration: time.Since(start)})
			}
			if state == entryFresh {
				if onHit {
					c.events.Emit(ctx, &event.CacheFetchHit{Key: c.prefix + key, Store: c.storeName, Start: start, Duration: time.Since(start)})
				}
				return v, nil
			}
			stale, hasStale = e, state == entryExpired
		}
		cl, leader := c.shared.flight.join(sk)
		if leader {
			var sp *entry
			if hasStale {
				sp = &stale
			}
			return lead(ctx, c, key, sk, opts, compute, cl, sp)
		}
		if hasStale {
			if v, err := decodeValue[T](c, &stale); err == nil {
				return v, nil
			}
		}
		select {
		case <-cl.done:
		case <-ctx.Done():
			return zero, ctx.Err()
		}
		if cl.err != nil {
			if cl.cancelled && ctx.Err() == nil {
				continue // the leader gave up, not this caller: try again
			}
			return zero, cl.err
		}
		if v, ok, _ := readHit[T](ctx, c, key, cl.entry, opts.Version); ok {
			return v, nil
		}
		// The leader computed another version (or a type this caller
		// cannot read): go round, and lead if nobody else does.
		opts.Force = true
	}
}

// fetchRead reads key for Fetch: entryFresh with the value, entryExpired
// with the entry that may be served stale while the value is recomputed
// (within RaceConditionTTL of its expiry), or entryMiss.
func fetchRead[T any](ctx context.Context, c *Cache, key, sk string, opts *Options) (v T, e entry, state freshness) {
	b, found, err := c.store.Get(ctx, sk)
	if err != nil {
		c.fail(ctx, "read", key, err)
		return v, e, entryMiss
	}
	if !found {
		return v, e, entryMiss
	}
	if e, err = decodeEntry(b); err != nil {
		c.fail(ctx, "decode", key, err)
		return v, e, entryMiss
	}
	switch c.usable(&e, opts.Version, time.Time{}) {
	case entryFresh:
		if v, err = decodeValue[T](c, &e); err != nil {
			c.fail(ctx, "decode", key, err)
			return v, e, entryMiss
		}
		return v, e, entryFresh
	case entryExpired:
		if opts.RaceConditionTTL > 0 && time.Now().Before(time.UnixMilli(e.expires).Add(opts.RaceConditionTTL)) {
			return v, e, entryExpired
		}
	}
	return v, e, entryMiss
}

// lead runs compute for the callers of key in this process.
func lead[T any](ctx context.Context, c *Cache, key, sk string, opts Options, compute func() (T, error), cl *call, stale *entry) (v T, err error) {
	finished := false
	defer func() {
		if !finished { // compute panicked
			cl.err = errComputePanicked
			c.shared.flight.finish(sk, cl)
		}
	}()
	if stale != nil {
		// Serve the old value a while longer to other processes too.
		now := time.Now()
		h := header{kind: stale.kind, compressed: stale.compressed, expires: now.Add(opts.RaceConditionTTL),
			version: string(stale.version), coder: string(stale.coder), rawLen: stale.rawLen}
		bumped := append(h.appendTo(make([]byte, 0, h.headerLen()+len(stale.payload))), stale.payload...)
		if err := c.store.Set(ctx, sk, bumped, now.Add(2*opts.RaceConditionTTL)); err != nil {
			c.fail(ctx, "write", key, err)
		}
	}
	if c.events.Enabled(event.KindCacheGenerate) {
		start := time.Now()
		v, err = compute()
		c.events.Emit(ctx, &event.CacheGenerate{Key: c.prefix + key, Store: c.storeName, Start: start, Duration: time.Since(start), Err: err})
	} else {
		v, err = compute()
	}
	var b []byte
	var logical, physical time.Time
	now := time.Now()
	if err == nil {
		logical, physical, _ = c.expiry(now, &opts) // checked by Fetch
		b, err = encodeValue(c, v, header{version: opts.Version, expires: inEntry(logical, physical)}, plainOK(&opts))
	}
	// Write before letting the next caller lead, so that it finds the
	// entry instead of computing it again.
	if err == nil && (logical.IsZero() || logical.After(now)) {
		err := c.store.Set(ctx, sk, b, physical)
		var failed error
		if err != nil {
			failed = c.fail(ctx, "write", key, err)
		}
		if c.events.Enabled(event.KindCacheWrite) {
			c.events.Emit(ctx, &event.CacheWrite{Key: c.prefix + key, Store: c.storeName, Start: now, Duration: time.Since(now), Err: failed})
		}
	}
	cl.entry, cl.err, cl.cancelled = b, err, err != nil && ctx.Err() != nil
	finished = true
	c.shared.flight.finish(sk, cl)
	if err != nil {
		var zero T
		return zero, err
	}
	return v, nil
}

// ReadMulti reads several keys in one round trip and returns the hits by
// name; each Key's version must match. Misses, and entries that fail to
// decode, are absent from the map; a store failure returns an empty map.
// The error joins every *Error met (each also passed to Config.OnError).
func ReadMulti[T any](ctx context.Context, c *Cache, keys []Key) (map[string]T, error) {
	if len(keys) == 0 || !c.events.Enabled(event.KindCacheReadMulti) {
		return readMulti[T](ctx, c, keys)
	}
	start := time.Now()
	hits, err := readMulti[T](ctx, c, keys)
	e := &event.CacheReadMulti{Keys: c.names(keys), Store: c.storeName, Start: start, Duration: time.Since(start), Err: err}
	for _, k := range keys {
		if _, ok := hits[k.Name]; ok {
			e.Hits = append(e.Hits, c.prefix+k.Name)
		}
	}
	c.events.Emit(ctx, e)
	return hits, err
}

func readMulti[T any](ctx context.Context, c *Cache, keys []Key) (map[string]T, error) {
	hits := make(map[string]T, len(keys))
	if len(keys) == 0 {
		return hits, nil
	}
	sks, err := c.storeKeys(keys)
	if err != nil {
		return hits, err
	}
	bs, err := c.store.GetMulti(ctx, sks)
	if err == nil && len(bs) != len(keys) {
		err = fmt.Errorf("GetMulti returned %d values for %d keys", len(bs), len(keys))
	}
	if err != nil {
		return hits, c.fail(ctx, "read_multi", keys[0].Name, err)
	}
	var errs []error
	for i, b := range bs {
		if b == nil {
			continue
		}
		v, ok, err := readHit[T](ctx, c, keys[i].Name, b, keys[i].Version)
		if err != nil {
			errs = append(errs, err)
		}
		if ok {
			hits[keys[i].Name] = v
		}
	}
	return hits, errors.Join(errs...)
}

// names are the keys' names with the namespace, for events.
func (c *Cache) names(keys []Key) []string {
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = c.prefix + k.Name
	}
	return names
}

func (c *Cache) storeKeys(keys []Key) ([]string, error) {
	sks := make([]string, len(keys))
	for i, k := range keys {
		sk, err := c.storeKey(k.Name)
		if err != nil {
			return nil, err
		}
		sks[i] = sk
	}
	return sks, nil
}

// WriteMulti writes several entries in one round trip (as Write does
// each), with opts' expiry; each Key's version is recorded (opts.Version
// for keys without one).
func WriteMulti[T any](ctx context.Context, c *Cache, values map[Key]T, opts Options) error {
	keys := make([]Key, 0, len(values))
	vals := make([]T, 0, len(values))
	for k, v := range values {
		keys = append(keys, k)
		vals = append(vals, v)
	}
	return writeMulti(ctx, c, keys, vals, opts)
}

func writeMulti[T any](ctx context.Context, c *Cache, keys []Key, vals []T, opts Options) error {
	if len(keys) == 0 {
		return nil
	}
	if !c.events.Enabled(event.KindCacheWriteMulti) {
		return writeEntries(ctx, c, keys, vals, opts)
	}
	start := time.Now()
	err := writeEntries(ctx, c, keys, vals, opts)
	c.events.Emit(ctx, &event.CacheWriteMulti{Keys: c.names(keys), Store: c.storeName, Start: start, Duration: time.Since(start), Err: err})
	return err
}

func writeEntries[T any](ctx context.Context, c *Cache, keys []Key, vals []T, opts Options) error {
	sks, err := c.storeKeys(keys)
	if err != nil {
		return err
	}
	now := time.Now()
	logical, physical, err := c.expiry(now, &opts)
	if err != nil {
		return err
	}
	if !logical.IsZero() && !logical.After(now) {
		if _, err := c.store.Delete(ctx, sks...); err != nil {
			return c.fail(ctx, "write_multi", keys[0].Name, err)
		}
		return nil
	}
	items := make([]Item, len(keys))
	for i, k := range keys {
		version := k.Version
		if version == "" {
			version = opts.Version
		}
		o := opts
		o.Version = version
		b, err := encodeValue(c, vals[i], header{version: version, expires: inEntry(logical, physical)}, plainOK(&o))
		if err != nil {
			return fmt.Errorf("cache: write %q: %w", k.Name, err)
		}
		items[i] = Item{Key: sks[i], Value: b, Expires: physical}
	}
	if err := c.store.SetMulti(ctx, items); err != nil {
		return c.fail(ctx, "write_multi", keys[0].Name, err)
	}
	return nil
}

// FetchMulti returns one value per key, in order: the hits from one
// multi-read, the misses from one call of compute, which gets the missing
// keys in order and must return their values in the same order; those are
// written in one multi-write with opts (Rails' fetch_multi). Unlike
// Fetch, concurrent callers are not coalesced. Failures of the store are
// misses and skipped writes, as in Fetch.
func FetchMulti[T any](ctx context.Context, c *Cache, keys []Key, opts Options, compute func(missing []Key) ([]T, error)) ([]T, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	sks, err := c.storeKeys(keys)
	if err != nil {
		return nil, err
	}
	if err := opts.validate(); err != nil {
		return nil, err
	}
	out := make([]T, len(keys))
	var missing []Key
	var at []int
	var bs [][]byte
	var read *event.CacheReadMulti // the read's event, when someone subscribes
	if !opts.Force {
		if c.events.Enabled(event.KindCacheReadMulti) {
			read = &event.CacheReadMulti{Keys: c.names(keys), Store: c.storeName, SuperOperation: "fetch_multi", Start: time.Now()}
		}
		bs, err = c.store.GetMulti(ctx, sks)
		if err == nil && len(bs) != len(keys) {
			err = fmt.Errorf("GetMulti returned %d values for %d keys", len(bs), len(keys))
		}
		if err != nil {
			failed := c.fail(ctx, "read_multi", keys[0].Name, err)
			if read != nil {
				read.Err = failed
			}
			bs = nil
		}
	}
	for i, k := range keys {
		if k.Version == "" {
			k.Version = opts.Version
		}
		if bs != nil && bs[i] != nil {
			if v, ok, _ := readHit[T](ctx, c, k.Name, bs[i], k.Version); ok {
				out[i] = v
				if read != nil {
					read.Hits = append(read.Hits, c.prefix+k.Name)
				}
				continue
			}
		}
		missing = append(missing, k)
		at = append(at, i)
	}
	if read != nil {
		read.Duration = time.Since(read.Start)
		c.events.Emit(ctx, read)
	}
	if len(missing) == 0 {
		return out, nil
	}
	vals, err := compute(missing)
	if err != nil {
		return nil, err
	}
	if len(vals) != len(missing) {
		return nil, fmt.Errorf("cache: FetchMulti: compute returned %d values for %d missing keys", len(vals), len(missing))
	}
	for j, i := range at {
		out[i] = vals[j]
	}
	if err := writeMulti(ctx, c, missing, vals, opts); err != nil {
		var ce *Error
		if !errors.As(err, &ce) {
			return nil, err // an encoding error: a bug to see, not a store to survive
		}
	}
	return out, nil
}
