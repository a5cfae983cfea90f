//go:build unix

package framework_test

import (
	"context"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gorails/gorails/framework"
	"github.com/gorails/gorails/framework/controller"
	"github.com/gorails/gorails/framework/dispatch"
)

// HelloBenchController answers GET /hello with text, as the blog
// benchmark's /hello does.
type HelloBenchController struct{ controller.Base }

func (c *HelloBenchController) Hello() error { return c.Text(http.StatusOK, "Hello, World!") }

// helloApp is a production app serving /hello whose default logger
// writes to out; level "" is the default (info: the request log on).
func helloApp(b *testing.B, out *os.File, level string) http.Handler {
	b.Helper()
	app := framework.New(framework.Config{
		Name: "bench", Env: framework.Production, Root: b.TempDir(), LogOutput: out,
		Files:  fstest.MapFS{"app/views/.keep": {}},
		Routes: func(r *dispatch.Mapper) { r.Get("hello", dispatch.To((*HelloBenchController).Hello)) },
		Getenv: func(k string) string {
			if k == "GORAILS_LOG_LEVEL" {
				return level
			}
			return productionEnv(k)
		},
		JobBackend: "async",
	})
	if err := app.Boot(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = app.Close() })
	return app
}

// plainLogged is the baseline: a net/http handler that answers /hello and
// writes one slog JSON line per request to out, as a hand-written Go
// service does.
func plainLogged(out *os.File) http.Handler {
	log := slog.New(slog.NewJSONHandler(out, nil))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hello", func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("Hello, World!"))
		log.LogAttrs(r.Context(), slog.LevelInfo, "request", slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", 200), slog.Duration("duration", time.Since(start)))
	})
	return mux
}

// BenchmarkRequestLog serves GET /hello, logs to a real file (a write per
// line is a system call, as to a terminal or a pipe), in four modes
// interleaved in blocks, and reports each one's CPU time and wall time
// per request and their ratios:
//
//   - plain: net/http writing one slog JSON line per request (the baseline);
//   - plain_nolog: net/http without a log line;
//   - logging_off: the gorails app at GORAILS_LOG_LEVEL=error;
//   - logging_on: the gorails app as generated, production's JSON request log.
func BenchmarkRequestLog(b *testing.B) {
	dir := b.TempDir()
	file := func(name string) *os.File {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { f.Close() })
		return f
	}
	modes := []string{"plain", "plain_nolog", "logging_off", "logging_on"}
	hs := []http.Handler{
		plainLogged(file("plain.log")),
		plainLogged(file("nolog.log")),
		helloApp(b, file("off.log"), "error"),
		helloApp(b, file("on.log"), ""),
	}
	hs[1] = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("Hello, World!"))
	})
	req := httptest.NewRequest(http.MethodGet, "http://localhost/hello", nil)
	req.RemoteAddr = "127.0.0.1:5000"
	for i, h := range hs {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 || rec.Body.String() != "Hello, World!" {
			b.Fatalf("%s: GET /hello = %d %q", modes[i], rec.Code, rec.Body)
		}
	}
	w := &nullWriter{h: http.Header{}}
	const block = 20
	best := make([]time.Duration, len(modes))
	cpu := make([]time.Duration, len(modes))
	for i := range best {
		best[i] = math.MaxInt64
	}
	blocks := 0
	for b.Loop() {
		blocks++
		for i, h := range hs {
			start, c0 := time.Now(), cpuTime()
			for range block {
				clear(w.h)
				h.ServeHTTP(w, req)
			}
			best[i] = min(best[i], time.Since(start))
			cpu[i] += cpuTime() - c0
		}
	}
	wall := func(i int) float64 { return float64(best[i]) / block }
	perCPU := func(i int) float64 { return float64(cpu[i]) / float64(blocks*block) }
	for i, m := range modes {
		b.ReportMetric(wall(i), m+"-ns/req")
		b.ReportMetric(perCPU(i), m+"-cpu-ns/req")
	}
	b.ReportMetric(perCPU(3)/perCPU(2), "on/off-cpu-ratio")
	b.ReportMetric(perCPU(3)/perCPU(0), "on/plain-cpu-ratio")
	b.ReportMetric(perCPU(0)/perCPU(1), "plain-log/nolog-cpu-ratio")
	b.ReportMetric(wall(3)/wall(2), "on/off-ratio")
}

// BenchmarkRequestLogMode serves /hello in one mode per sub-benchmark,
// for allocation counts and profiles.
func BenchmarkRequestLogMode(b *testing.B) {
	for _, m := range []string{"plain", "logging_off", "logging_on"} {
		b.Run(m, func(b *testing.B) {
			h := logModeHandler(b, m)
			req := httptest.NewRequest(http.MethodGet, "http://localhost/hello", nil)
			req.RemoteAddr = "127.0.0.1:5000"
			w := &nullWriter{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				clear(w.h)
				h.ServeHTTP(w, req)
			}
			if w.code != 0 && w.code != 200 {
				b.Fatalf("status %d", w.code)
			}
		})
	}
}

// BenchmarkRequestLogParallel serves /hello from 16 goroutines per CPU,
// as a loaded server does: production's log then batches the lines of
// requests in flight into few writes.
func BenchmarkRequestLogParallel(b *testing.B) {
	for _, m := range []string{"plain", "logging_off", "logging_on"} {
		b.Run(m, func(b *testing.B) {
			h := logModeHandler(b, m)
			b.ReportAllocs()
			b.SetParallelism(16)
			c0 := cpuTime()
			b.RunParallel(func(pb *testing.PB) {
				req := httptest.NewRequest(http.MethodGet, "http://localhost/hello", nil)
				req.RemoteAddr = "127.0.0.1:5000"
				w := &nullWriter{h: http.Header{}}
				for pb.Next() {
					clear(w.h)
					h.ServeHTTP(w, req)
				}
			})
			b.ReportMetric(float64(cpuTime()-c0)/float64(b.N), "cpu-ns/req")
		})
	}
}

// logModeHandler is /hello in mode m (plain, logging_off, logging_on),
// logging to a file in b's temp dir.
func logModeHandler(b *testing.B, m string) http.Handler {
	b.Helper()
	f, err := os.Create(filepath.Join(b.TempDir(), "log"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = f.Close() })
	switch m {
	case "plain":
		return plainLogged(f)
	case "logging_off":
		return helloApp(b, f, "error")
	default:
		return helloApp(b, f, "")
	}
}
