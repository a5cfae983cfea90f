package middleware

import (
	cryptorand "crypto/rand"
	"encoding/hex"
	"testing"
)

// BenchmarkNewRequestID is the id of a request that brings none: the
// runtime's generator, against crypto/rand (what it used before).
func BenchmarkNewRequestID(b *testing.B) {
	b.Run("newRequestID", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = newRequestID()
		}
	})
	b.Run("raw/crypto-rand", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var raw [16]byte
			_, _ = cryptorand.Read(raw[:])
			_ = hex.EncodeToString(raw[:])
		}
	})
}
