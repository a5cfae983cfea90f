package middleware

import (
	"bufio"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// LogConfig configures RequestLogger. Its zero value logs to slog.Default
// without the query string.
type LogConfig struct {
	// Logger receives the lines; nil is slog.Default().
	Logger *slog.Logger
	// FilterQuery rewrites a raw query string for the log, hiding the
	// values of secret parameters (security.Filter's Query); nil leaves the
	// query string out of the log entirely, so nothing leaks by default.
	FilterQuery func(rawQuery string) string
	// Context, when set, derives each request's context before the handler
	// runs, and AddAttrs adds attributes to its line once it completes,
	// reading what the handler left in that context. The App counts the
	// request's database statements this way.
	Context  func(context.Context) context.Context
	AddAttrs func(ctx context.Context, attrs []slog.Attr) []slog.Attr
}

// RequestLogger logs one line per request when it completes: method, path,
// status, duration and request id (RequestIDFrom), the query as
// cfg.FilterQuery shows it and what cfg.AddAttrs adds, at info level
// (server errors at error level).
func RequestLogger(cfg LogConfig) func(http.Handler) http.Handler {
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			sw := &statusWriter{ResponseWriter: w}
			if cfg.Context != nil {
				r = r.WithContext(cfg.Context(r.Context()))
			}
			defer func() {
				status := sw.status
				if status == 0 {
					status = http.StatusOK
				}
				level := slog.LevelInfo
				if status >= 500 {
					level = slog.LevelError
				}
				attrs := []slog.Attr{
					slog.String("method", r.Method),
					slog.String("path", r.URL.Path),
					slog.Int("status", status),
					slog.Duration("duration", time.Since(start)),
					slog.String("request_id", RequestIDFrom(r.Context())),
				}
				if cfg.AddAttrs != nil {
					attrs = cfg.AddAttrs(r.Context(), attrs)
				}
				if cfg.FilterQuery != nil && r.URL.RawQuery != "" {
					attrs = append(attrs, slog.String("query", cfg.FilterQuery(r.URL.RawQuery)))
				}
				logger.LogAttrs(r.Context(), level, "request", attrs...)
			}()
			next.ServeHTTP(sw, r)
		})
	}
}

// statusWriter records the status code written through it. It keeps
// http.ResponseController working through Unwrap.
type statusWriter struct {
	http.ResponseWriter
	status  int
	written bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.written {
		w.status = code
		if code >= 200 {
			w.written = true
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if !w.written {
		w.written = true
		if w.status == 0 {
			w.status = http.StatusOK
		}
	}
	return w.ResponseWriter.Write(p)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		if !w.written {
			w.written, w.status = true, http.StatusOK
		}
		f.Flush()
	}
}

func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if h, ok := w.ResponseWriter.(http.Hijacker); ok {
		return h.Hijack()
	}
	return nil, nil, errors.New("the response writer does not support hijacking")
}
