package dbstore_test

import (
	"crypto/sha256"
	"encoding/binary"
	"strings"
	"testing"

	"github.com/gorails/gorails/framework/cache"
	"github.com/gorails/gorails/framework/cache/dbstore"
)

// BenchmarkDatabaseHit compares a hit of the database store, and of a
// Cache on it, with the raw SELECT of the same row by its indexed key_hash
// through record (the floor: one indexed point query), in the same run.
func BenchmarkDatabaseHit(b *testing.B) {
	for _, adapter := range adapters {
		b.Run(adapter, func(b *testing.B) {
			st, db := openStore(b, adapter, dbstore.Config{TrimEvery: -1})
			value := strings.Repeat("<li>a fragment of about two kilobytes</li>\n", 48)
			c, _ := cache.New(cache.Config{Store: st})
			if err := cache.Write(ctx, c, "posts/42", value, cache.Options{}); err != nil {
				b.Fatal(err)
			}
			sum := sha256.Sum256([]byte("posts/42"))
			hash := int64(binary.BigEndian.Uint64(sum[:8]))
			b.Run("baseline=raw SELECT value", func(b *testing.B) {
				for b.Loop() {
					var v []byte
					err := db.QueryRows(ctx, "SELECT value FROM "+dbstore.Table+" WHERE key_hash = ?", []any{hash}, func(scan func(...any) error) error {
						return scan(&v)
					})
					if err != nil || len(v) == 0 {
						b.Fatal("miss", err)
					}
				}
			})
			b.Run("store.Get", func(b *testing.B) {
				for b.Loop() {
					if _, ok, err := st.Get(ctx, "posts/42"); !ok || err != nil {
						b.Fatal("miss", err)
					}
				}
			})
			b.Run("cache.Read", func(b *testing.B) {
				for b.Loop() {
					if v, ok, err := cache.Read[string](ctx, c, "posts/42", cache.Options{}); !ok || err != nil || len(v) != len(value) {
						b.Fatal("miss", err)
					}
				}
			})
		})
	}
}
