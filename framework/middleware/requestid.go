package middleware

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"math/rand/v2"
	"net/http"

	"github.com/gorails/gorails/framework/event"
)

// RequestID gives each request an id: the client's X-Request-Id when it is a
// sane token, a random one otherwise. The id is echoed in the response's
// X-Request-Id header and read back with RequestIDFrom.
func RequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// One context layer for the request id and what the stack's
		// other middleware add (event.RequestScope), which also holds the
		// header's value slice and a generated id's bytes.
		var scope *event.RequestScope
		if id := headerValue(r.Header, "X-Request-Id"); validRequestID(id) {
			scope = event.NewRequestScope(r.Context(), id)
		} else {
			var b [event.GeneratedIDLen]byte
			fillRequestID(&b)
			scope = event.NewRequestScopeGenerated(r.Context(), &b)
		}
		w.Header()["X-Request-Id"] = scope.IDHeader()
		next.ServeHTTP(w, r.WithContext(scope))
	})
}

// RequestIDFrom returns the request id stored by RequestID, or "" (it is
// event.RequestID, which jobs carry along and log lines read).
func RequestIDFrom(ctx context.Context) string { return event.RequestID(ctx) }

// newRequestID is 128 random bits in hex. They come from the runtime's
// ChaCha8 generator (seeded from the OS, per thread), not crypto/rand: an id
// names a request in the logs and is no secret, and it costs no system call.
func newRequestID() string {
	var b [event.GeneratedIDLen]byte
	fillRequestID(&b)
	return string(b[:])
}

// fillRequestID writes a new request id (newRequestID's) into b.
func fillRequestID(b *[event.GeneratedIDLen]byte) {
	var raw [event.GeneratedIDLen / 2]byte
	binary.LittleEndian.PutUint64(raw[:8], rand.Uint64())
	binary.LittleEndian.PutUint64(raw[8:], rand.Uint64())
	hex.Encode(b[:], raw[:])
}

// validRequestID accepts what Rails accepts from a client: up to 255
// characters of letters, digits, '-', '_' and '.'.
func validRequestID(id string) bool {
	if id == "" || len(id) > 255 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}
