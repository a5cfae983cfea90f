package server

import "testing"

// FuzzParseBind checks that any bind string parses to a URL that parses
// back to itself, or is refused with ErrConfig, never a panic.
func FuzzParseBind(f *testing.F) {
	for _, s := range []string{"tcp://0.0.0.0:3000", "unix:///tmp/a.sock", "127.0.0.1", "::1", ":0", "tcp://[::1]:80", "ssl://x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := parseBind(s, 3000)
		if err != nil {
			return
		}
		b, err := parseBind(a.url, 3000)
		if err != nil || b != a {
			t.Errorf("parseBind(%q) = %+v, but its URL parses to %+v, %v", s, a, b, err)
		}
	})
}
