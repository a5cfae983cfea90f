// Package cache is gorails' ActiveSupport::Cache: typed reads, writes and
// fetches over a pluggable store, with expiry, versioned entries, keys
// built from records, namespaces, multi-key calls, atomic counters and
// compression.
//
// # Use
//
//	c, err := cache.New(cache.Config{Store: cache.NewMemory(cache.MemoryConfig{})})
//
//	// Fetch reads, or computes once per key and process, writes and returns.
//	stats, err := cache.Fetch(ctx, c, "stats/daily", cache.Options{ExpiresIn: time.Hour},
//		func() (Stats, error) { return computeStats(ctx) })
//
//	// Keyed by a record: "posts/42", versioned by its updated_at, so an
//	// edit is a miss and the next write replaces the entry in place.
//	html, err := cache.Fetch(ctx, c, cache.RecordKey(post),
//		cache.Options{Version: cache.RecordVersion(post)}, render)
//
//	n, err := c.Increment(ctx, "signups", 1, cache.Options{ExpiresIn: 24 * time.Hour})
//
// Read, Write, Add, Fetch, ReadMulti, WriteMulti and FetchMulti are
// generic functions (a method cannot have type parameters); Exist, Delete,
// DeleteMatched, Increment, Decrement, Clear and Cleanup are methods of
// *Cache. Every call takes a context and is safe for concurrent use.
//
// # Values
//
// Strings and byte slices (and named types over them, template.HTML) are
// stored as their bytes; signed integers as decimal text, which Increment
// can count on; anything else through the Config's Coder, JSON by default
// (GobCoder is the alternative; see JSONCoder for why JSON). Each read
// decodes a value of its own: a cached slice or map is never shared with
// another caller. Payloads from CompressThreshold bytes (1 KiB) are
// DEFLATE-compressed for shared stores.
//
// # Failure
//
// A cache is an optimisation, so a failing store does not fail a request:
// as in Rails, a read that fails is a miss and a write that fails leaves
// the value uncached. The failure is not lost: it is passed to
// Config.OnError as an *Error (logged by default), and the functions that
// return an error (Read, Write, Delete, Increment, ...) return it too; Fetch
// and FetchMulti return only errors of the caller's making (bad options, a
// value the Coder cannot encode, compute's error).
//
// # Stores
//
// Store is the implementer's API, a byte-oriented key-value store with
// expiry: Memory (per process, LRU bounded by bytes), Redis (go-redis,
// shared by processes and hosts) and Null (keeps nothing; for tests). The
// package cachetest states the contract as a conformance suite that every
// store runs, including the database store (framework/cache/dbstore, Rails' Solid
// Cache). Optional
// interfaces add what only some stores can: Matcher (DeleteMatched by
// glob) and Cleaner (drop expired entries now).
//
// # Imports
//
// cache sits beside record, below the web stack: it imports no other
// gorails package except internal helpers (a test checks it), so that
// record, view, controller and the framework can all use it. Records key
// entries through the small Record interface, which models satisfy.
package cache
