package middleware

import (
	"path"
	"strings"
	"testing"
)

// TestStaticNameIsClean: staticName is path.Clean without the leading
// slash, for clean paths (its shortcut) and others.
func TestStaticNameIsClean(t *testing.T) {
	t.Parallel()
	for _, p := range []string{"/", "", "/a", "/robots.txt", "/a/b/c.css", "//a", "/a//b", "/a/", "/./a", "/a/.", "/a/..", "/../a", "/a/../b", "/.a", "/..a", "/a..", "/a/.b/c", "a/b", "/...", "/a/./b", "/%2e%2e/x"} {
		if got, want := staticName(p), strings.TrimPrefix(path.Clean(p), "/"); got != want {
			t.Errorf("staticName(%q) = %q, want %q", p, got, want)
		}
	}
}

func FuzzStaticName(f *testing.F) {
	for _, p := range []string{"/", "/a/b", "/a/../b", "//x", "/x/", "/./", "/..."} {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, p string) {
		if got, want := staticName(p), strings.TrimPrefix(path.Clean(p), "/"); got != want {
			t.Fatalf("staticName(%q) = %q, want %q", p, got, want)
		}
	})
}
