package middleware

import (
	"fmt"
	"net/http"
	"runtime/debug"
)

// A PanicHandler answers a request whose handler panicked: err is the
// panic's value as an error and stack the goroutine's stack where it
// happened. It should log them and write an error page.
type PanicHandler func(w http.ResponseWriter, r *http.Request, err error, stack []byte)

// Recover turns a panic in a handler into a call to onPanic, so that the
// process lives on; a nil onPanic answers a bare 500. A panic with
// http.ErrAbortHandler is passed through, as net/http expects of it.
//
// A panic after the response has started cannot change its status: the
// client gets what was written before it.
func Recover(onPanic PanicHandler) func(http.Handler) http.Handler {
	if onPanic == nil {
		onPanic = func(w http.ResponseWriter, _ *http.Request, _ error, _ []byte) {
			http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		}
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer func() {
				v := recover()
				if v == nil {
					return
				}
				if v == http.ErrAbortHandler {
					panic(v)
				}
				err, ok := v.(error)
				if !ok {
					err = fmt.Errorf("panic: %v", v)
				}
				onPanic(w, r, err, debug.Stack())
			}()
			next.ServeHTTP(w, r)
		})
	}
}
