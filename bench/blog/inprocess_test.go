package blog_test

import (
	"bytes"
	"context"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"

	"github.com/gorails/gorails/framework/cli"

	"github.com/gorails/gorails/bench/blog"
	"github.com/gorails/gorails/bench/blog/gorailsapp/config"
	"github.com/gorails/gorails/bench/blog/internal/baseline"
)

// BenchmarkHandler is the blog benchmark without the network: the gorails
// app (production, the full default middleware stack, its default JSON
// info log to a file; and again at log level warn, "gorails-warn") and the plain net/http handler, called through ServeHTTP on the
// same seeded SQLite file, for each endpoint. It leaves out the HTTP server
// (gorails' connection handling and handler slots, net/http's parsing) and
// the socket writes, and is the steady micro-view of what `make
// bench-blog` measures end to end: run it with -cpuprofile and
// -memprofile to see where a request's time and allocations go.
//
//	cd bench && go test ./blog -run '^$' -bench Handler -benchmem
//	cd bench && go test ./blog -run '^$' -bench Handler/gorails/json -cpuprofile cpu.out
func BenchmarkHandler(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	dbURL := blog.SQLiteURL(filepath.Join(dir, "blog.sqlite3"))
	b.Setenv("GORAILS_ENV", "production")
	b.Setenv("SECRET_KEY_BASE", strings.Repeat("ab", 64))
	b.Setenv("GORAILS_HOSTS", "127.0.0.1")
	b.Setenv("GORAILS_ASSUME_SSL", "true") // as the runner starts it: behind a TLS proxy, force_ssl still on
	b.Setenv("DATABASE_URL", dbURL)
	files := memFS(b, "gorailsapp", "app/views", "public", "config") // what the app embeds, in memory as embed.FS is
	var out bytes.Buffer
	if code := cli.Main(ctx, config.App(files), []string{"db:migrate"}, &out, &out); code != 0 {
		b.Fatalf("db:migrate: %d\n%s", code, out.String())
	}
	if err := blog.Seed(ctx, dbURL, blog.Posts(blog.SeedCount)); err != nil {
		b.Fatal(err)
	}

	logFile, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		b.Fatal(err)
	}
	defer logFile.Close()
	// The app as production starts it: its default logger (JSON, info)
	// writes to stdout, here a file; and the same app at log level warn
	// (the runner's BLOG_LOG_LEVEL=warn), to tell the request log's cost
	// from the rest.
	stdout := os.Stdout
	os.Stdout = logFile
	app := config.App(files)
	os.Stdout = stdout
	app.Config.Root = dir
	if err := app.Boot(ctx); err != nil {
		b.Fatal(err)
	}
	defer app.Close()
	b.Setenv("BLOG_LOG_LEVEL", "warn")
	quiet := config.App(files)
	quiet.Config.Root = dir
	if err := quiet.Boot(ctx); err != nil {
		b.Fatal(err)
	}
	defer quiet.Close()
	store, err := baseline.Open(ctx, dbURL)
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()

	servers := []struct {
		name string
		h    http.Handler
	}{{"plain", baseline.Handler(store)}, {"gorails", app}, {"gorails-warn", quiet}}
	for _, path := range []string{"/hello", "/posts", "/posts/500.json"} {
		endpoint := map[string]string{"/hello": "hello", "/posts": "posts", "/posts/500.json": "json"}[path]
		var want []byte
		for _, s := range servers {
			req := httptest.NewRequest(http.MethodGet, "http://127.0.0.1"+path, nil)
			req.RemoteAddr = "127.0.0.1:40000"
			rec := httptest.NewRecorder()
			s.h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				b.Fatalf("%s %s: %d %s", s.name, path, rec.Code, rec.Body)
			}
			if want == nil {
				want = rec.Body.Bytes()
			} else if !bytes.Equal(rec.Body.Bytes(), want) {
				b.Fatalf("%s %s answers other bytes than plain:\n%s\nplain:\n%s", s.name, path, rec.Body, want)
			}
		}
		for _, s := range servers {
			b.Run(s.name+"/"+endpoint, func(b *testing.B) {
				req := httptest.NewRequest(http.MethodGet, "http://127.0.0.1"+path, nil)
				req.RemoteAddr = "127.0.0.1:40000"
				w := &discardWriter{h: http.Header{}}
				b.ReportAllocs()
				cpu0 := cpuTime()
				for b.Loop() {
					clear(w.h)
					w.code = 0
					s.h.ServeHTTP(w, req)
					if w.code != 0 && w.code != http.StatusOK {
						b.Fatalf("status %d", w.code)
					}
				}
				b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
			})
		}
	}
}

// cpuTime is the process's user and system CPU time, in nanoseconds: on a
// busy machine CPU per request moves much less than wall time.
func cpuTime() int64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// discardWriter is a ResponseWriter that keeps nothing but the status, the
// same for both servers.
type discardWriter struct {
	h    http.Header
	code int
}

func (w *discardWriter) Header() http.Header { return w.h }
func (w *discardWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
}
func (w *discardWriter) Write(p []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return len(p), nil
}
func (w *discardWriter) WriteString(s string) (int, error) { return io.Discard.Write([]byte(s)) }

// memFS copies the directories dirs under root into memory.
func memFS(b *testing.B, root string, dirs ...string) fstest.MapFS {
	m := fstest.MapFS{}
	for _, d := range dirs {
		err := fs.WalkDir(os.DirFS(root), d, func(path string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() {
				return err
			}
			data, err := os.ReadFile(filepath.Join(root, path))
			m[path] = &fstest.MapFile{Data: data, Mode: 0o644}
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	return m
}
