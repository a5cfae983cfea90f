package middleware_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
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

// discardWriter is a ResponseWriter that keeps nothing (a recorder would
// grow its body across iterations).
type discardWriter struct{ h http.Header }

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (d *discardWriter) WriteHeader(int)             {}

// BenchmarkETag compares a 20 KiB page served plainly with the same page
// through ETag (buffered and digested), and ETag's 304 to a matching
// If-None-Match.
func BenchmarkETag(b *testing.B) {
	page := []byte(strings.Repeat("<li><a href=\"/posts/1\">A post about caching</a></li>\n", 400))
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(page)
	})
	etag := httptest.NewRecorder()
	middleware.ETag(app).ServeHTTP(etag, httptest.NewRequest("GET", "/", nil))
	for _, bb := range []struct {
		name string
		h    http.Handler
		inm  string
	}{
		{"baseline=plain handler", app, ""},
		{"ETag 200", middleware.ETag(app), ""},
		{"ETag 304", middleware.ETag(app), etag.Header().Get("ETag")},
	} {
		b.Run(bb.name, func(b *testing.B) {
			r := httptest.NewRequest("GET", "/posts", nil)
			if bb.inm != "" {
				r.Header.Set("If-None-Match", bb.inm)
			}
			b.SetBytes(int64(len(page)))
			b.ReportAllocs()
			for b.Loop() {
				w := &discardWriter{h: http.Header{}}
				bb.h.ServeHTTP(w, r)
			}
		})
	}
}

// BenchmarkETagSmall is ETag on a short text answer (/hello's 13 bytes)
// with the default stack's other headers already set, where reading and
// setting headers costs more than the digest: the plain handler, and the
// same handler through ETag (buffered, digested, ETag and Cache-Control
// set, the request's validators read).
func BenchmarkETagSmall(b *testing.B) {
	security := http.Header{
		"X-Frame-Options": {"SAMEORIGIN"}, "X-Xss-Protection": {"0"}, "X-Content-Type-Options": {"nosniff"},
		"X-Permitted-Cross-Domain-Policies": {"none"}, "Referrer-Policy": {"strict-origin-when-cross-origin"},
		"Strict-Transport-Security": {"max-age=63072000; includeSubDomains"}, "X-Request-Id": {"4d551068ec4ac3d0d"},
	}
	contentType := []string{"text/plain; charset=utf-8"}
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Content-Type"] = contentType
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, "Hello, World!")
	})
	for _, bb := range []struct {
		name string
		h    http.Handler
	}{
		{"baseline=plain handler", app},
		{"ETag 200", middleware.ETag(app)},
	} {
		b.Run(bb.name, func(b *testing.B) {
			r := httptest.NewRequest("GET", "/hello", nil)
			w := &discardWriter{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				clear(w.h)
				for k, v := range security {
					w.h[k] = v
				}
				bb.h.ServeHTTP(w, r)
			}
		})
	}
}

// BenchmarkStaticMiss is the static middleware's cost on an app request
// (a path naming no file in public/, the common case): the index built at
// boot (production), a stat per request (development), and the raw
// baseline calling the app directly.
func BenchmarkStaticMiss(b *testing.B) {
	public := fstest.MapFS{"robots.txt": {Data: []byte("x")}, "404.html": {Data: []byte("x")}, "assets/app.css": {Data: []byte("x")}}
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	r := httptest.NewRequest("GET", "/posts/500", nil)
	w := httptest.NewRecorder()
	for _, c := range []struct {
		name string
		h    http.Handler
	}{{"index", middleware.Static(public)(app)}, {"reload", middleware.StaticReload(public)(app)}, {"raw/app", app}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				c.h.ServeHTTP(w, r)
			}
		})
	}
}
