//go:build unix

package framework_test

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"syscall"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gorails/gorails/framework"
	"github.com/gorails/gorails/framework/controller"
	"github.com/gorails/gorails/framework/dispatch"
	"github.com/gorails/gorails/framework/event"
	"github.com/gorails/gorails/framework/record"
	"github.com/gorails/gorails/framework/record/driver"
	"github.com/gorails/gorails/framework/record/migrate"
	"github.com/gorails/gorails/framework/record/sqlite"
)

type BenchPost struct {
	record.Model
	Title string
	Body  string
}

func (BenchPost) TableName() string { return "posts" }

// BenchPostsController is the blog benchmark's index: the 20 newest posts
// inside the layout.
type BenchPostsController struct {
	controller.Base
	db    *record.DB
	Posts []BenchPost
}

func (c *BenchPostsController) Callbacks(cb *controller.Chain[BenchPostsController]) {
	controller.Use(cb, func(c *BenchPostsController, db *record.DB) { c.db = db })
}

func (c *BenchPostsController) Index() (err error) {
	c.Posts, err = record.Query[BenchPost](c.db).Order("created_at DESC", "id DESC").Limit(20).All(c.Request().Context())
	return err
}

// postsApp is a production app serving /posts from a SQLite database of
// 200 posts; mode picks its instrumentation.
func postsApp(b *testing.B, dir, mode string) http.Handler {
	b.Helper()
	files := fstest.MapFS{
		"app/views/layouts/application.html.tmpl": {Data: []byte(`<!doctype html><html><head><title>Blog</title></head><body>{{template "content" .}}</body></html>`)},
		"app/views/bench_posts/index.html.tmpl":   {Data: []byte(`<h1>Posts</h1><ul>{{range .Data.Posts}}<li>{{.Title}}: {{truncate .Body 100}}</li>{{end}}</ul>`)},
		"config/database.yml":                     {Data: []byte(fmt.Sprintf("production:\n  adapter: sqlite3\n  database: %s\n", filepath.Join(dir, "bench.sqlite3")))},
	}
	env := map[string]string{}
	if mode == "logging_off" {
		env["GORAILS_LOG_LEVEL"] = "error"
	}
	app := framework.New(framework.Config{
		Name: "bench", Env: framework.Production, Root: dir, Files: files, LogOutput: io.Discard,
		Routes: func(r *dispatch.Mapper) {
			r.Resources("bench_posts", dispatch.For[BenchPostsController](), dispatch.Only("index"))
		},
		DatabaseDrivers: []driver.Driver{sqlite.Driver{}},
		Migrations: func() []migrate.Migration {
			return []migrate.Migration{migrate.File("20260301000000_create_posts.go", migrate.Migration{Change: func(s *migrate.Schema) {
				s.CreateTable("posts", func(t *migrate.Table) {
					t.String("title")
					t.Text("body")
					t.Timestamps()
				})
			}})}
		},
		JobBackend: "async",
		Getenv: func(k string) string {
			if v, ok := env[k]; ok {
				return v
			}
			return productionEnv(k)
		},
	})
	switch mode {
	case "no_event_points":
		app.Events = nil // every event point is a nil check
	case "no_subscribers":
		app.Events = event.New() // the App's log subscriber is on the bus New made
	}
	if err := app.Boot(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = app.Close() })
	return app
}

// seedPosts migrates dir's database and writes 200 posts.
func seedPosts(b *testing.B, dir string) {
	b.Helper()
	ctx := context.Background()
	db, err := record.Open(ctx, sqlite.Driver{}, record.Config{Adapter: record.SQLite, Database: filepath.Join(dir, "bench.sqlite3")})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(ctx, `CREATE TABLE posts (id INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT, body TEXT, created_at DATETIME, updated_at DATETIME)`); err != nil {
		b.Fatal(err)
	}
	posts := make([]BenchPost, 200)
	for i := range posts {
		posts[i] = BenchPost{Title: fmt.Sprintf("Post <%d>", i), Body: fmt.Sprintf("Body of post %d & more text to cut at a hundred characters, which is what the index shows of it, no more.", i)}
	}
	if _, err := record.InsertAll(ctx, db, posts); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkPostsLogging serves GET /bench_posts through the whole App
// (production: every middleware, a query of 20 posts, the view in its
// layout) in four modes interleaved in blocks, and reports the fastest
// block of each per request and their ratios:
//
//   - no_event_points: App.Events is nil, so every event point is a nil check;
//   - no_subscribers: a bus nobody subscribes to (the points' real cost);
//   - logging_off: the App's log subscriber at GORAILS_LOG_LEVEL=error;
//   - logging_on: the App as generated, JSON lines at info level (to io.Discard).
func BenchmarkPostsLogging(b *testing.B) {
	dir := b.TempDir()
	seedPosts(b, dir)
	modes := []string{"logging_on", "logging_off", "no_subscribers", "no_event_points"}
	hs := make([]http.Handler, len(modes))
	for i, m := range modes {
		hs[i] = postsApp(b, dir, m)
	}
	req := httptest.NewRequest(http.MethodGet, "http://localhost/bench_posts", nil)
	req.RemoteAddr = "127.0.0.1:5000"
	for i, h := range hs {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 || rec.Body.Len() < 1000 {
			b.Fatalf("%s: GET /bench_posts = %d, %d bytes\n%s", modes[i], rec.Code, rec.Body.Len(), rec.Body)
		}
	}
	w := &nullWriter{h: http.Header{}}
	const block = 10
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
	// The fastest block (wall time) and the CPU time per request (the
	// process's user+system time over every block of the mode, GC
	// included): on a machine shared with other work the second moves
	// much less than wall time.
	wall := func(i int) float64 { return float64(best[i]) / block }
	perCPU := func(i int) float64 { return float64(cpu[i]) / float64(blocks*block) }
	for i, m := range modes {
		b.ReportMetric(wall(i), m+"-ns/req")
		b.ReportMetric(perCPU(i), m+"-cpu-ns/req")
	}
	b.ReportMetric(wall(2)/wall(3), "event_points-ratio")
	b.ReportMetric(wall(0)/wall(1), "logging_on/off-ratio")
	b.ReportMetric(perCPU(2)/perCPU(3), "event_points-cpu-ratio")
	b.ReportMetric(perCPU(0)/perCPU(1), "logging_on/off-cpu-ratio")
	b.ReportMetric(perCPU(0)/perCPU(3), "logging_on/no_events-cpu-ratio")
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

type nullWriter struct {
	h    http.Header
	code int
}

func (w *nullWriter) Header() http.Header         { return w.h }
func (w *nullWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *nullWriter) WriteHeader(code int)        { w.code = code }

// BenchmarkPostsMode serves /bench_posts in one mode per sub-benchmark,
// for profiles and allocation counts.
func BenchmarkPostsMode(b *testing.B) {
	dir := b.TempDir()
	seedPosts(b, dir)
	for _, m := range []string{"no_event_points", "logging_off", "logging_on"} {
		b.Run(m, func(b *testing.B) {
			h := postsApp(b, dir, m)
			req := httptest.NewRequest(http.MethodGet, "http://localhost/bench_posts", nil)
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
