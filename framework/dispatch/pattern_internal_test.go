package dispatch

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

// fastPatterns are segments the regexp-free matcher takes.
var fastPatterns = []string{":a-:b", ":a.:b", "x:a-y:b", "page-:n", ":a--:b", ":a-é:b", "v:a"}

// FuzzCompositeFastMatch: the regexp-free matcher splits every segment
// exactly as the segment's regexp does (Go's leftmost-first, greedy).
func FuzzCompositeFastMatch(f *testing.F) {
	for _, s := range []string{"1-my-post", "a.b", "a.b.c", "xa-yb", "x-y-", "page-3", "a--b--c", "1-é2", "1-%C3%A92", "-", "", "a-", ".a-b", "vé"} {
		f.Add(s)
	}
	segs := make([]segment, len(fastPatterns))
	for i, p := range fastPatterns {
		seg, err := parseComposite(p, p)
		if err != nil {
			f.Fatal(err)
		}
		var params []string
		for _, part := range seg.parts {
			if part.param != "" {
				params = append(params, part.param)
			}
		}
		if err := compileComposite(p, &seg, params, make([]*regexp.Regexp, len(params))); err != nil {
			f.Fatal(err)
		}
		if !seg.fast {
			f.Fatalf("%s is not matched by the fast path", p)
		}
		segs[i] = seg
	}
	f.Fuzz(func(t *testing.T, s string) {
		if strings.Contains(s, "/") {
			return // one segment
		}
		for i := range segs {
			seg := &segs[i]
			fast, okFast := seg.matchComposite(s, make([]string, 0, 4))
			seg.fast = false
			slow, okSlow := seg.matchComposite(s, nil)
			seg.fast = true
			if okFast != okSlow || (okFast && !slices.Equal(fast, slow)) {
				t.Fatalf("%s on %q: fast %v %q, regexp %v %q", fastPatterns[i], s, okFast, fast, okSlow, slow)
			}
		}
	})
}

// TestCompositeFastMatchIsLinear: a long segment made to backtrack is
// matched in one pass per split.
func TestCompositeFastMatchIsLinear(t *testing.T) {
	seg, _ := parseComposite(":a-:b", ":a-:b")
	if err := compileComposite(":a-:b", &seg, []string{"a", "b"}, make([]*regexp.Regexp, 2)); err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("-", 1<<16) + "."
	if _, ok := seg.matchComposite(long, nil); ok {
		t.Fatal("matched a segment ending in a dot")
	}
}
