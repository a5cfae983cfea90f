package errorpage_test

import (
	"fmt"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/gorails/gorails/framework/errorpage"
)

// panicStack returns debug.Stack() as a recovering handler sees it, for a
// panic two calls below.
func panicStack() (stack []byte) {
	defer func() {
		_ = recover()
		stack = debug.Stack()
	}()
	explode()
	return nil
}

func explode() {
	var s []int
	_ = s[len(s)+1] // the panic: the line ParseStack must put first
}

func TestParseStackStartsAtThePanic(t *testing.T) {
	t.Parallel()
	frames := errorpage.ParseStack(panicStack())
	if len(frames) < 2 {
		t.Fatalf("frames: %+v", frames)
	}
	first := frames[0]
	if !strings.HasSuffix(first.Func, "errorpage_test.explode") || filepath.Base(first.File) != "stack_test.go" || first.Line != 26 {
		t.Errorf("first frame %+v, want explode at stack_test.go:26", first)
	}
	if !strings.HasSuffix(frames[1].Func, "errorpage_test.panicStack") {
		t.Errorf("second frame %+v, want panicStack", frames[1])
	}
	if first.ShortFunc() != "errorpage_test.explode" {
		t.Errorf("ShortFunc() = %q", first.ShortFunc())
	}
}

func TestParseStack(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		stack string
		want  []errorpage.Frame
	}{
		{"arguments, offsets and methods are read", "goroutine 7 [running]:\nblog/app/controllers.(*PostsController).Show(0xc000123, {0x1, 0x2})\n\t/app/posts.go:12 +0x25\nmain.main()\n\t/app/main.go:5 +0x1\n",
			[]errorpage.Frame{{"blog/app/controllers.(*PostsController).Show", "/app/posts.go", 12}, {"main.main", "/app/main.go", 5}}},
		{"frames above the panic are the recoverer's", "goroutine 1 [running]:\nruntime/debug.Stack()\n\t/go/stack.go:26 +0x5e\npanic({0x5e2c60?, 0xbb?})\n\t/go/panic.go:860 +0x13a\nmain.f(...)\n\t/x.go:3\n",
			[]errorpage.Frame{{"main.f", "/x.go", 3}}},
		{"created by is a frame", "goroutine 1 [running]:\nmain.f()\n\t/x.go:3 +0x1\ncreated by net/http.(*Server).Serve in goroutine 1\n\t/go/server.go:3454 +0x485\n",
			[]errorpage.Frame{{"main.f", "/x.go", 3}, {"net/http.(*Server).Serve", "/go/server.go", 3454}}},
		{"only the first goroutine is read", "goroutine 1 [running]:\nmain.f()\n\t/x.go:3\n\ngoroutine 2 [select]:\nmain.g()\n\t/y.go:4\n",
			[]errorpage.Frame{{"main.f", "/x.go", 3}}},
		{"garbage is skipped", "not a stack\n\t\n()\n", nil},
		{"an empty stack has no frames", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := errorpage.ParseStack([]byte(tt.stack))
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("ParseStack = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func FuzzParseStack(f *testing.F) {
	f.Add([]byte("goroutine 1 [running]:\nmain.f(0x1)\n\t/x.go:3 +0x1\n"))
	f.Add([]byte("panic({0x1})\n\t/p.go:1\n(\n\t:\n"))
	f.Fuzz(func(t *testing.T, stack []byte) {
		for _, fr := range errorpage.ParseStack(stack) {
			if fr.Line < 0 || strings.Contains(fr.Func, "\n") {
				t.Fatalf("bad frame %+v", fr)
			}
		}
	})
}
