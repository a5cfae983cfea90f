package errorpage

import (
	"strconv"
	"strings"
)

// Frame is one call of a goroutine's stack: the function (with its package
// path, "blog/app/controllers.(*PostsController).Show") and where it was.
type Frame struct {
	Func string
	File string
	Line int
}

// ShortFunc is the function without its package's directory:
// "controllers.(*PostsController).Show".
func (f Frame) ShortFunc() string {
	name := f.Func
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	return name
}

// ParseStack reads the frames of a stack printed by runtime/debug.Stack
// (or a goroutine dump's first goroutine). For the stack of a recovered
// panic, the frames from the top down to the runtime's panic call (the
// recovering code) are dropped, so the first frame is the one that
// panicked. Lines it cannot read are skipped: a stack is shown, never
// trusted.
func ParseStack(stack []byte) []Frame {
	lines := strings.Split(string(stack), "\n")
	var frames []Frame
	for i := 0; i < len(lines); i++ {
		fn := lines[i]
		if fn == "" || strings.HasPrefix(fn, "goroutine ") || strings.HasPrefix(fn, "\t") {
			if fn == "" && len(frames) > 0 {
				break // the end of the first goroutine
			}
			continue
		}
		if i+1 >= len(lines) || !strings.HasPrefix(lines[i+1], "\t") {
			continue
		}
		i++
		file, line := fileLine(lines[i])
		if line <= 0 {
			continue
		}
		fn = strings.TrimPrefix(fn, "created by ")
		if j := strings.Index(fn, " in goroutine "); j >= 0 {
			fn = fn[:j]
		}
		frames = append(frames, Frame{Func: trimArgs(fn), File: file, Line: line})
	}
	for i, f := range frames {
		if f.Func == "panic" {
			return frames[i+1:]
		}
	}
	return frames
}

// trimArgs drops the argument list a stack prints after a function name:
// "pkg.(*T).M(0xc000012345, ...)" -> "pkg.(*T).M".
func trimArgs(fn string) string {
	if !strings.HasSuffix(fn, ")") {
		return fn
	}
	depth := 0
	for i := len(fn) - 1; i >= 0; i-- {
		switch fn[i] {
		case ')':
			depth++
		case '(':
			depth--
			if depth == 0 {
				return fn[:i]
			}
		}
	}
	return fn
}

// fileLine reads "\t/path/to/file.go:12 +0x1d".
func fileLine(s string) (string, int) {
	s = strings.TrimSpace(s)
	if i := strings.LastIndex(s, " +0x"); i >= 0 {
		s = s[:i]
	}
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return s, 0
	}
	n, err := strconv.Atoi(s[i+1:])
	if err != nil {
		return s, 0
	}
	return s[:i], n
}
