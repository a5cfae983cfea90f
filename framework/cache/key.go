package cache

import (
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// MaxKeyBytes is the longest key a store receives. The Cache shortens a
// longer key (namespace included) to its first bytes plus ":sha256:" and
// the SHA-256 of the whole key, as Rails does, so that any key works on
// any store; DeleteMatched cannot see past the cut.
const MaxKeyBytes = 1024

// Key names an entry and, optionally, the version it must have: a read of
// an entry written with another version is a miss, and the next write
// replaces it under the same name (Rails' cache versioning: a record's
// key stays "posts/42" while its version follows updated_at, so an edit
// invalidates the entry without leaving the old one behind under another
// key).
type Key struct {
	Name    string
	Version string // "": any version matches
}

// Keys returns unversioned keys with the given names.
func Keys(names ...string) []Key {
	ks := make([]Key, len(names))
	for i, n := range names {
		ks[i] = Key{Name: n}
	}
	return ks
}

// Record is what a model offers to key the cache (Rails'
// cache_key_with_version): its table, its id and when it was last
// updated. gorails' record models satisfy it; any type can.
type Record interface {
	CacheTable() string        // "posts"
	CacheID() string           // "42"; "" for a record not saved yet
	CacheUpdatedAt() time.Time // zero when the table has no updated_at
}

// RecordKey is the record's cache key: "posts/42", or "posts/new" for a
// record without an id (Rails' cache_key).
func RecordKey(r Record) string {
	id := r.CacheID()
	if id == "" {
		id = "new"
	}
	return r.CacheTable() + "/" + id
}

// RecordVersion is the record's cache version: updated_at in UTC to the
// microsecond, "20240102150405123456" ("" without updated_at; Rails'
// cache_version).
func RecordVersion(r Record) string {
	t := r.CacheUpdatedAt()
	if t.IsZero() {
		return ""
	}
	t = t.UTC()
	return t.Format("20060102150405") + t.Format(".000000")[1:]
}

// KeyOf is the versioned key of a record: RecordKey named, RecordVersion
// versioned.
func KeyOf(r Record) Key { return Key{Name: RecordKey(r), Version: RecordVersion(r)} }

// RecordKeyWithVersion is "posts/42-20240102150405123456": key and version
// in one string, for stores or callers that cannot keep a version beside
// the key (Rails' cache_key_with_version).
func RecordKeyWithVersion(r Record) string {
	if v := RecordVersion(r); v != "" {
		return RecordKey(r) + "-" + v
	}
	return RecordKey(r)
}

// shortenKey returns k, or its shortened form when longer than MaxKeyBytes.
func shortenKey(k string) string {
	if len(k) <= MaxKeyBytes {
		return k
	}
	sum := sha256.Sum256([]byte(k))
	const suffix = len(":sha256:") + 2*sha256.Size
	return k[:MaxKeyBytes-suffix] + ":sha256:" + hex.EncodeToString(sum[:])
}
