// Package dbstore is a cache.Store in the app's own database, as Rails 8's
// Solid Cache: one table (Migration) on SQLite, PostgreSQL or
// MySQL/MariaDB, shared by every worker process and machine on that
// database, so a cache (and a rate limit counted in it) survives restarts
// and deploys without Redis.
//
//	store := dbstore.New(app.DB, dbstore.Config{MaxBytes: 256 << 20})
//	c, err := cache.New(cache.Config{Store: store})
//
// An entry is one row found by the first 8 bytes of its key's SHA-256; the
// key is kept beside it, so a hash collision is a miss, never another key's
// value. Expiry is checked on read against the process's clock; expired
// rows, rows older than MaxAge, and the oldest rows past MaxBytes are
// deleted by Trim, which writes start in the background every TrimEvery
// writes. Counters (Increment) lock their row, so concurrent increments
// from many processes are never lost.
//
// The store does not implement cache.Matcher: DeleteMatched would have to
// read every key (Solid Cache does not offer delete_matched either).
//
// dbstore imports cache and record (and migrate for its table), nothing of
// the web stack and no database driver: the app's own driver runs it.
package dbstore
