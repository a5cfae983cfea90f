package middleware_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gorails/gorails/framework/middleware"
)

// BenchmarkRequestLog compares the default stack's request id and request
// log with the same line written by hand around a plain net/http handler,
// the baseline a Go developer would write.
func BenchmarkRequestLog(b *testing.B) {
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok")) })
	byHand := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		app.ServeHTTP(w, r)
		logger.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Int("status", 200),
			slog.Duration("duration", time.Since(start)))
	})
	stack := middleware.RequestID(middleware.RequestLogger(middleware.LogConfig{
		Logger:      logger,
		FilterQuery: func(q string) string { return q },
	})(app))
	for _, bb := range []struct {
		name string
		h    http.Handler
	}{
		{"baseline=net/http+slog by hand", byHand},
		{"RequestID+RequestLogger", stack},
	} {
		b.Run(bb.name, func(b *testing.B) {
			r := httptest.NewRequest("GET", "/posts/1", nil)
			w := httptest.NewRecorder()
			b.ReportAllocs()
			for b.Loop() {
				w.Body.Reset()
				bb.h.ServeHTTP(w, r)
			}
		})
	}
}
