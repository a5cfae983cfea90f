package framework

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// tag is a middleware that appends its name to the X-Trace response header
// on the way in, so a request shows the order the stack ran in.
func tag(name string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Add("X-Trace", name)
			next.ServeHTTP(w, r)
		})
	}
}

func trace(s *Stack) string {
	h := s.Build(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Header().Add("X-Trace", "app") }))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	return strings.Join(rec.Header().Values("X-Trace"), ",")
}

func TestStackOperations(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		build     func(s *Stack) error
		wantNames string
		wantTrace string
	}{
		{
			name:      "use appends, the first is outermost",
			build:     func(s *Stack) error { return errors.Join(s.Use("a", tag("a")), s.Use("b", tag("b"))) },
			wantNames: "a,b", wantTrace: "a,b,app",
		},
		{
			name: "insert before puts a middleware outside its target",
			build: func(s *Stack) error {
				return errors.Join(s.Use("a", tag("a")), s.Use("c", tag("c")), s.InsertBefore("c", "b", tag("b")))
			},
			wantNames: "a,b,c", wantTrace: "a,b,c,app",
		},
		{
			name: "insert after puts a middleware inside its target",
			build: func(s *Stack) error {
				return errors.Join(s.Use("a", tag("a")), s.Use("c", tag("c")), s.InsertAfter("a", "b", tag("b")))
			},
			wantNames: "a,b,c", wantTrace: "a,b,c,app",
		},
		{
			name: "swap replaces the function and keeps the name and place",
			build: func(s *Stack) error {
				return errors.Join(s.Use("a", tag("a")), s.Use("b", tag("b")), s.Swap("a", tag("A")))
			},
			wantNames: "a,b", wantTrace: "A,b,app",
		},
		{
			name: "delete removes a middleware",
			build: func(s *Stack) error {
				return errors.Join(s.Use("a", tag("a")), s.Use("b", tag("b")), s.Delete("a"))
			},
			wantNames: "b", wantTrace: "b,app",
		},
		{
			name:      "an empty stack is the endpoint itself",
			build:     func(*Stack) error { return nil },
			wantNames: "", wantTrace: "app",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var s Stack
			if err := tt.build(&s); err != nil {
				t.Fatalf("build: %v", err)
			}
			if got := strings.Join(s.Names(), ","); got != tt.wantNames {
				t.Errorf("Names() = %q, want %q", got, tt.wantNames)
			}
			if got := trace(&s); got != tt.wantTrace {
				t.Errorf("request ran %q, want %q", got, tt.wantTrace)
			}
		})
	}
}

func TestStackBadOperations(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		op   func(s *Stack) error
		want error
	}{
		{"insert before a missing middleware", func(s *Stack) error { return s.InsertBefore("nope", "x", tag("x")) }, ErrNoMiddleware},
		{"insert after a missing middleware", func(s *Stack) error { return s.InsertAfter("nope", "x", tag("x")) }, ErrNoMiddleware},
		{"swap a missing middleware", func(s *Stack) error { return s.Swap("nope", tag("x")) }, ErrNoMiddleware},
		{"delete a missing middleware", func(s *Stack) error { return s.Delete("nope") }, ErrNoMiddleware},
		{"use a name twice", func(s *Stack) error { return s.Use("a", tag("a")) }, ErrDuplicateMiddleware},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var s Stack
			_ = s.Use("a", tag("a"))
			if err := tt.op(&s); !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
			if got := strings.Join(s.Names(), ","); got != "a" {
				t.Errorf("a failed operation changed the stack: %s", got)
			}
		})
	}
}

func ExampleStack() {
	var s Stack
	_ = s.Use("request_id", tag("request_id"))
	_ = s.Use("logger", tag("logger"))
	_ = s.InsertAfter("logger", "auth", tag("auth"))
	_ = s.Swap("logger", tag("quiet_logger"))
	fmt.Print(s.String())
	// Output:
	// use request_id
	// use logger
	// use auth
}
