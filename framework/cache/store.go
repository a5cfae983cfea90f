package cache

import (
	"context"
	"time"
)

// Store is the implementer's API: a byte-oriented key-value store with
// expiry, under the typed user API of [Cache] (as database/sql/driver is
// under database/sql). The package ships [Memory], [Redis] and [Null]; a
// database store (Rails' Solid Cache) implements the same interface on the
// record layer. The package cachetest holds the contract as a conformance
// suite every store must pass.
//
// Values are opaque bytes: the Cache encodes entries (version, logical
// expiry, coder, compression) itself, except counters, which stores keep as
// ASCII decimal integers ("42") so that Increment can be atomic in the
// store (Redis INCRBY, an UPDATE in a database).
//
// The contract, in short:
//   - Keys are arbitrary non-empty byte strings of at most 1024 bytes
//     (the Cache hashes longer keys); stores must not interpret them except
//     for DeleteMatched patterns.
//   - A zero expires means no expiry. A store never returns a value whose
//     expires is not after the current time; an expires already past when
//     written leaves the key absent.
//   - Bytes are immutable once handed over, both ways. Set may keep value
//     without copying it: callers must not modify a slice after passing
//     it in. Get and GetMulti return slices that nobody modifies
//     afterwards, neither the caller nor the store (a store replaces a
//     value, it never writes into it, and never returns a buffer it
//     reuses): the Cache hands them out as strings without a copy.
//   - A stored empty value comes back as a non-nil empty slice.
//   - Increment is atomic (concurrent increments are never lost), creates
//     a missing or expired counter from zero, fails with ErrNotInteger when
//     the value is not a decimal integer and with ErrOverflow past int64.
//
// Every method must be safe for concurrent use. Errors are the store's
// own (a lost connection, a timeout); the Cache wraps them in *Error.
type Store interface {
	// Get returns the value under key; ok is false when it is absent or
	// expired.
	Get(ctx context.Context, key string) (value []byte, ok bool, err error)

	// GetMulti returns one value per key, in the order of keys: nil for a
	// key that is absent or expired.
	GetMulti(ctx context.Context, keys []string) ([][]byte, error)

	// Set stores value under key until expires (zero: no expiry),
	// replacing any value and expiry the key had.
	Set(ctx context.Context, key string, value []byte, expires time.Time) error

	// SetMulti stores every item as Set does. It need not be atomic as a
	// whole, but a store should write them in one round trip.
	SetMulti(ctx context.Context, items []Item) error

	// Add stores value under key only when the key is absent or expired,
	// and reports whether it did (Rails' unless_exist).
	Add(ctx context.Context, key string, value []byte, expires time.Time) (bool, error)

	// Delete removes the keys and returns how many of them existed.
	Delete(ctx context.Context, keys ...string) (int, error)

	// Increment adds delta to the counter under key and returns its new
	// value and when it expires (zero: never). A missing or expired
	// counter starts from zero. expires applies when the counter has no
	// expiry (in particular when Increment creates it); an existing
	// expiry is kept, so that a window of a rate limit does not slide.
	Increment(ctx context.Context, key string, delta int64, expires time.Time) (int64, time.Time, error)

	// Clear removes every key of this store (for a shared server, only
	// the keys under the store's own prefix).
	Clear(ctx context.Context) error
}

// Item is one value of a SetMulti.
type Item struct {
	Key     string
	Value   []byte
	Expires time.Time // zero: no expiry
}

// Matcher is implemented by stores that can delete keys by pattern (Memory,
// Redis, Null; not a database store, whose keys are hashed). The pattern
// is a Redis glob, already checked by [ValidatePattern]: * matches any run
// of bytes, ? any one byte, [abc], [^abc] and [a-z] a byte of (or not of) a
// set, and \ quotes the next byte.
type Matcher interface {
	DeleteMatched(ctx context.Context, pattern string) (int, error)
}

// Cleaner is implemented by stores that can drop their expired entries on
// demand (Memory; a database store trims by age and size). Stores that
// expire entries themselves (Redis) need not.
type Cleaner interface {
	Cleanup(ctx context.Context) (int, error)
}
