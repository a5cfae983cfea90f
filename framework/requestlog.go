package framework

import (
	"bufio"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/gorails/gorails/framework/record"
	"github.com/gorails/gorails/framework/security"
)

// RequestLogger logs one line per request when it completes: method, path,
// query (with sensitive parameters filtered), status, duration and request
// id, and the number of database statements and their time when there were
// any, at info level (server errors at error level). A nil filter leaves the
// query string out of the log entirely.
func RequestLogger(logger *slog.Logger, filter *security.Filter) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			sw := &statusWriter{ResponseWriter: w}
			ctx, db := record.WithStats(r.Context())
			r = r.WithContext(ctx)
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
				if n := db.Queries(); n > 0 {
					attrs = append(attrs, slog.Int64("db_queries", n), slog.Duration("db_time", db.Duration()))
				}
				if filter != nil && r.URL.RawQuery != "" {
					attrs = append(attrs, slog.String("query", filter.Query(r.URL.RawQuery)))
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
