package middleware_test

import (
	"bufio"
	"bytes"
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorails/gorails/framework/middleware"
)

type countKey struct{}

func TestRequestLogger(t *testing.T) {
	t.Parallel()
	redact := func(q string) string { return strings.ReplaceAll(q, "hunter2", "[FILTERED]") }
	// count is what a handler leaves in the context that Context derived.
	count := func(ctx context.Context) context.Context { return context.WithValue(ctx, countKey{}, new(int)) }
	addCount := func(ctx context.Context, attrs []slog.Attr) []slog.Attr {
		return append(attrs, slog.Int("count", *ctx.Value(countKey{}).(*int)))
	}
	tests := []struct {
		name    string
		cfg     middleware.LogConfig
		target  string
		handler http.HandlerFunc
		want    []string
		wantNot []string
	}{
		{"a plain request is one info line", middleware.LogConfig{}, "/posts",
			func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok")) },
			[]string{"level=INFO msg=request method=GET path=/posts status=200 duration="}, nil},
		{"the status the handler writes is logged", middleware.LogConfig{}, "/missing",
			func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(404) }, []string{"status=404"}, nil},
		{"a handler that writes nothing is a 200", middleware.LogConfig{}, "/",
			func(w http.ResponseWriter, r *http.Request) {}, []string{"status=200"}, nil},
		{"an informational status is not the final one", middleware.LogConfig{}, "/",
			func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(103); w.WriteHeader(201) }, []string{"status=201"}, []string{"status=103"}},
		{"a server error is logged at error level", middleware.LogConfig{}, "/",
			func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) }, []string{"level=ERROR", "status=503"}, nil},
		{"without a filter the query is left out", middleware.LogConfig{}, "/login?password=hunter2",
			func(w http.ResponseWriter, r *http.Request) {}, []string{"path=/login"}, []string{"hunter2", "query="}},
		{"with a filter the query is logged filtered", middleware.LogConfig{FilterQuery: redact}, "/login?password=hunter2&page=2",
			func(w http.ResponseWriter, r *http.Request) {}, []string{`query="password=[FILTERED]&page=2"`}, []string{"hunter2"}},
		{"the hooks add what the handler left in the context", middleware.LogConfig{Context: count, AddAttrs: addCount}, "/",
			func(w http.ResponseWriter, r *http.Request) { *r.Context().Value(countKey{}).(*int) = 3 }, []string{"count=3"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var log bytes.Buffer
			tt.cfg.Logger = slog.New(slog.NewTextHandler(&log, nil))
			h := middleware.RequestID(middleware.RequestLogger(tt.cfg)(tt.handler))
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", tt.target, nil))
			line := log.String()
			if strings.Count(line, "\n") != 1 || !strings.Contains(line, "request_id=") {
				t.Fatalf("want one line with the request id:\n%s", line)
			}
			for _, w := range tt.want {
				if !strings.Contains(line, w) {
					t.Errorf("the line lacks %q:\n%s", w, line)
				}
			}
			for _, w := range tt.wantNot {
				if strings.Contains(line, w) {
					t.Errorf("the line shows %q:\n%s", w, line)
				}
			}
		})
	}
}

// hijacker is a ResponseWriter that can be hijacked, flushed and given a
// write deadline.
type hijacker struct {
	*httptest.ResponseRecorder
	hijacked bool
	deadline time.Time
}

func (h *hijacker) SetWriteDeadline(t time.Time) error {
	h.deadline = t
	return nil
}

func (h *hijacker) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h.hijacked = true
	return nil, nil, nil
}

// TestRequestLoggerKeepsTheWritersFeatures: handlers behind the logger can
// still flush, hijack (WebSockets) and reach the writer through
// http.ResponseController.
func TestRequestLoggerKeepsTheWritersFeatures(t *testing.T) {
	t.Parallel()
	var log bytes.Buffer
	w := &hijacker{ResponseRecorder: httptest.NewRecorder()}
	h := middleware.RequestLogger(middleware.LogConfig{Logger: slog.New(slog.NewTextHandler(&log, nil))})(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.(http.Flusher).Flush()
			if _, _, err := w.(http.Hijacker).Hijack(); err != nil {
				t.Errorf("hijack: %v", err)
			}
			if err := http.NewResponseController(w).SetWriteDeadline(deadline); err != nil {
				t.Errorf("the ResponseController does not reach the writer underneath: %v", err)
			}
		}))
	h.ServeHTTP(w, httptest.NewRequest("GET", "/socket", nil))
	if !w.Flushed || !w.hijacked || !w.deadline.Equal(deadline) || !strings.Contains(log.String(), "status=200") {
		t.Errorf("flushed %v, hijacked %v, deadline %v, log %s", w.Flushed, w.hijacked, w.deadline, log.String())
	}
}

func TestRequestLoggerHijackWithoutSupport(t *testing.T) {
	t.Parallel()
	h := middleware.RequestLogger(middleware.LogConfig{Logger: slog.New(slog.DiscardHandler)})(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if _, _, err := w.(http.Hijacker).Hijack(); err == nil {
				t.Error("hijacking a recorder succeeded")
			}
		}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
}

var deadline = time.Unix(1e9, 0)
