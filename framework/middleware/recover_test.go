package middleware_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gorails/gorails/framework/middleware"
)

var errFire = errors.New("the database is on fire")

func TestRecover(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		panicV  any
		wantErr string
		wantIs  error
	}{
		{"a panic with an error keeps the error", errFire, "the database is on fire", errFire},
		{"a panic with another value becomes an error", "kaboom", "panic: kaboom", nil},
		{"a runtime error is an error", nil, "runtime error", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got error
			var stack []byte
			h := middleware.Recover(func(w http.ResponseWriter, r *http.Request, err error, st []byte) {
				got, stack = err, st
				w.WriteHeader(http.StatusInternalServerError)
			})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.panicV == nil {
					var s []int
					_ = s[len(r.URL.Path)] // index out of range: a runtime panic
				}
				panic(tt.panicV)
			}))
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
			if w.Code != 500 || got == nil || !strings.Contains(got.Error(), tt.wantErr) {
				t.Fatalf("status %d, error %v; want 500 and %q", w.Code, got, tt.wantErr)
			}
			if tt.wantIs != nil && !errors.Is(got, tt.wantIs) {
				t.Errorf("the error %v does not match %v", got, tt.wantIs)
			}
			if !strings.Contains(string(stack), "recover_test.go") {
				t.Errorf("the stack does not show where it panicked:\n%s", stack)
			}
		})
	}
}

func TestRecoverWithoutAHandlerAnswers500(t *testing.T) {
	t.Parallel()
	h := middleware.Recover(nil)(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("kaboom") }))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	if w.Code != 500 || strings.Contains(w.Body.String(), "kaboom") {
		t.Fatalf("%d %q, want a bare 500", w.Code, w.Body)
	}
}

// TestRecoverPassesAbortHandlerOn: net/http aborts a response quietly on
// http.ErrAbortHandler, so Recover must not turn it into an error page.
func TestRecoverPassesAbortHandlerOn(t *testing.T) {
	t.Parallel()
	called := false
	h := middleware.Recover(func(http.ResponseWriter, *http.Request, error, []byte) { called = true })(
		http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic(http.ErrAbortHandler) }))
	defer func() {
		if v := recover(); v != http.ErrAbortHandler || called {
			t.Fatalf("recovered %v, handler called %v; want ErrAbortHandler passed on", v, called)
		}
	}()
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
}
