package middleware_test

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/gorails/gorails/framework/middleware"
)

var randomID = regexp.MustCompile(`^[0-9a-f]{32}$`)

// serveID sends a request with the client's X-Request-Id (none when
// empty) and returns the id the handler saw and the response's header.
func serveID(clientID string) (seen, echoed string) {
	h := middleware.RequestID(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = middleware.RequestIDFrom(r.Context())
	}))
	r := httptest.NewRequest("GET", "/", nil)
	if clientID != "" {
		r.Header.Set("X-Request-Id", clientID)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return seen, w.Header().Get("X-Request-Id")
}

func TestRequestID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, client string
		keep         bool
	}{
		{"a request without an id gets a random one", "", false},
		{"a sane client id is kept", "req-42_a.B", true},
		{"an id of 255 characters is kept", strings.Repeat("a", 255), true},
		{"an id over 255 characters is replaced", strings.Repeat("a", 256), false},
		{"an id with a space is replaced", "a b", false},
		{"an id with a quote or markup is replaced", `"><script>`, false},
		{"an id with a non-ASCII letter is replaced", "é", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			seen, echoed := serveID(tt.client)
			if seen != echoed {
				t.Fatalf("the handler saw %q, the response says %q", seen, echoed)
			}
			if tt.keep && seen != tt.client {
				t.Fatalf("id %q, want the client's %q", seen, tt.client)
			}
			if !tt.keep && !randomID.MatchString(seen) {
				t.Fatalf("id %q, want 32 random hex digits", seen)
			}
		})
	}
	if a, _ := serveID(""); a == func() string { b, _ := serveID(""); return b }() {
		t.Error("two requests got the same random id")
	}
}

func TestRequestIDFromAContextWithout(t *testing.T) {
	t.Parallel()
	if id := middleware.RequestIDFrom(httptest.NewRequest("GET", "/", nil).Context()); id != "" {
		t.Errorf("RequestIDFrom = %q outside RequestID, want \"\"", id)
	}
}

// FuzzRequestID: whatever a client sends as X-Request-Id, the id the app
// logs and echoes is a short token of safe characters.
func FuzzRequestID(f *testing.F) {
	for _, s := range []string{"", "abc", "a b", strings.Repeat("x", 300), "\x00\r\n", "ünïcode", "../../etc/passwd"} {
		f.Add(s)
	}
	safe := regexp.MustCompile(`^[A-Za-z0-9._-]{1,255}$`)
	f.Fuzz(func(t *testing.T, client string) {
		seen, echoed := serveID(client)
		if seen != echoed || !safe.MatchString(seen) {
			t.Fatalf("client %q: id %q, echoed %q", client, seen, echoed)
		}
	})
}
