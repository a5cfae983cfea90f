package blog_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gorails/gorails/bench/blog"
	"github.com/gorails/gorails/internal/testenv"
)

// The runner's own path, small: build the servers, migrate and seed a
// database, start every mode, check its bodies against the workload and
// against the first server's bytes, and drive each endpoint briefly while
// reading the server's CPU time from /proc. Without it the harness would
// rot between `make bench-blog` runs.

// built holds the servers, built on first use (so that `go test -run '^$'
// -bench .` builds nothing) into a directory TestMain removes.
var built struct {
	once sync.Once
	dir  string
	bins blog.Binaries
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

func build(t *testing.T) blog.Binaries {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and starts servers; skipped with -short")
	}
	built.once.Do(func() {
		if built.dir, built.err = os.MkdirTemp("", "blogbench-test-"); built.err == nil {
			built.bins, built.err = blog.Build(context.Background(), built.dir)
		}
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.bins
}

func TestEveryServerAnswersTheSameBytesOnSQLite(t *testing.T) {
	bins := build(t)
	dir := t.TempDir()
	runModes(t, bins, blog.Env{DBURL: blog.SQLiteURL(filepath.Join(dir, "blog.sqlite3")), Dir: dir})
}

func TestEveryServerAnswersTheSameBytesOnPostgreSQL(t *testing.T) {
	bins := build(t)
	runModes(t, bins, blog.Env{DBURL: testenv.PostgresDB(t, "bench_blog"), Dir: t.TempDir()})
}

func runModes(t *testing.T, bins blog.Binaries, env blog.Env) {
	ctx := context.Background()
	if err := blog.Migrate(ctx, bins, env); err != nil {
		t.Fatal(err)
	}
	posts := blog.Posts(blog.SeedCount)
	if err := blog.Seed(ctx, env.DBURL, posts); err != nil {
		t.Fatal(err)
	}
	var ref map[string][]byte
	for _, m := range blog.Modes(2) {
		t.Run(m.Name, func(t *testing.T) {
			s, err := blog.Start(ctx, bins, m, env)
			if err != nil {
				t.Fatal(err)
			}
			defer func() {
				if err := s.Stop(); err != nil {
					t.Errorf("stop: %v", err)
				}
			}()
			got, err := blog.Bodies(ctx, s.Addr)
			if err != nil {
				b, _ := os.ReadFile(s.Log)
				t.Fatalf("%v\nserver log:\n%s", err, b)
			}
			if err := blog.Check(got, posts); err != nil {
				t.Fatal(err)
			}
			if ref == nil {
				ref = got
			} else if err := blog.SameBodies(ref, got); err != nil {
				t.Fatal(err)
			}
			for _, e := range blog.Endpoints {
				before, err := blog.GroupUsage(s.PID())
				if err != nil {
					t.Fatal(err)
				}
				res, err := blog.Drive(ctx, s.Addr, e.Path, 4, 200*time.Millisecond)
				if err != nil {
					t.Fatalf("load on %s: %v", e.Path, err)
				}
				after, err := blog.GroupUsage(s.PID())
				if err != nil {
					t.Fatal(err)
				}
				if res.Requests == 0 || res.P99 <= 0 || after.CPU < before.CPU || after.RSS <= 0 {
					t.Errorf("%s: %d requests, p99 %s, CPU %s -> %s, RSS %d: the readings are not what a loaded server gives",
						e.Path, res.Requests, res.P99, before.CPU, after.CPU, after.RSS)
				}
				if want := 1 + m.Workers; after.Procs != want {
					t.Errorf("%d processes in the server's group, want %d", after.Procs, want)
				}
			}
		})
	}
}
