package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gorails/gorails/bench/blog"
)

// category is a part of a server's CPU time, found with pprof: the samples
// with a frame matching focus and none matching ignore. Categories overlap
// (truncate runs inside the template, allocation inside everything).
type category struct {
	name          string
	focus, ignore string
}

// The regexps name both servers' functions; each matches only its own.
var categories = []category{
	{name: "gorails server layer outside the app (handler slots, connection wrapper)",
		focus: `server\.\(\*front\)\.ServeHTTP`, ignore: `framework\.\(\*App\)\.ServeHTTP`},
	{name: "middleware stack, request log included (outside the router)",
		focus: `framework\.\(\*App\)\.ServeHTTP`, ignore: `dispatch\.\(\*RouteSet\)\.ServeHTTP`},
	{name: "  request logging (slog)", focus: `log/slog\.`},
	{name: "routing, params, controller: the router minus the query and the render",
		focus:  `dispatch\.\(\*RouteSet\)\.ServeHTTP|http\.\(\*ServeMux\)\.ServeHTTP`,
		ignore: `record\.|view\.\(\*Set\)\.Render|baseline\.|text/template\.|html/template\.`},
	{name: "database: query, rows, scan (ORM, database/sql or pgx, driver)",
		focus: `record\.|database/sql\.|jackc/pgx|modernc\.org/sqlite|baseline\.\(\*(sqlite|pg)Store\)`},
	{name: "  time parsing", focus: `^time\.parse`},
	{name: "template execution, helpers and writes included", focus: `text/template\.|html/template\.`},
	{name: "  truncate helper", focus: `view\.truncate$|baseline\.Truncate$`},
	{name: "  path helper", focus: `view\.pathFor$|baseline\.postPath$`},
	{name: "garbage collection (mark workers, assists, sweep)", focus: `runtime\.gcBgMarkWorker|runtime\.gcAssistAlloc|runtime\.bgsweep`},
	{name: "allocation (mallocgc)", focus: `runtime\.mallocgc`},
	{name: "syscalls (client and database sockets, log writes)", focus: `^syscall\.|internal/runtime/syscall`},
}

// profileAll profiles plain net/http and gorails (one process, default
// logging) serving /posts on each database and prints where the CPU goes,
// per request.
func (b *bench) profileAll(ctx context.Context) error {
	if err := os.MkdirAll(b.o.profile, 0o755); err != nil {
		return err
	}
	modes := blog.Modes(b.o.workers)
	profiled := []blog.Mode{modes[0], modes[2]}
	posts := blog.Endpoints[1]
	for _, db := range b.o.dbs {
		env, cleanup, err := b.database(ctx, db)
		if err != nil {
			return fmt.Errorf("%s: %w", db, err)
		}
		perReq := map[string][]time.Duration{}
		for _, m := range profiled {
			env.Profile = filepath.Join(b.o.profile, fmt.Sprintf("%s-%s.pprof", db, m.Kind))
			requests, cpu, err := b.profileOne(ctx, m, env, posts.Path)
			if err != nil {
				cleanup()
				return err
			}
			fmt.Printf("## %s, %s, GET %s: %.1f µs CPU per request (%d requests)\n\n", db, m.Name, posts.Path, micros(cpu), requests)
			top, err := pprof(b.bins[m.Kind], env.Profile, "-top", "-nodecount=25")
			if err != nil {
				cleanup()
				return err
			}
			fmt.Printf("```\n%s```\n\n", top)
			for _, c := range categories {
				t, err := focused(b.bins[m.Kind], env.Profile, c.focus, c.ignore)
				if err != nil {
					cleanup()
					return err
				}
				perReq[c.name] = append(perReq[c.name], t/time.Duration(requests))
			}
			perReq["total (profile)"] = append(perReq["total (profile)"], cpu)
		}
		cleanup()
		fmt.Printf("## %s, GET %s: CPU per request by category (µs; categories overlap)\n\n", db, posts.Path)
		fmt.Printf("| category | %s | %s | × |\n|---|--:|--:|--:|\n", profiled[0].Name, profiled[1].Name)
		for _, name := range append([]string{"total (profile)"}, names()...) {
			v := perReq[name]
			fmt.Printf("| %s | %.1f | %.1f | %s |\n", name, micros(v[0]), micros(v[1]), times(v[1], v[0]))
		}
		fmt.Println()
	}
	fmt.Printf("Profiles are in %s; explore them with `go tool pprof -http=: PROFILE`.\n", b.o.profile)
	return nil
}

func names() []string {
	var ns []string
	for _, c := range categories {
		ns = append(ns, c.name)
	}
	return ns
}

func times(a, b time.Duration) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", float64(a)/float64(b))
}

// profileOne runs one profiled server under load on path for the warm-up
// and the measured time, stops it (which writes the profile) and returns
// the requests it answered and its CPU time per request from the profile.
func (b *bench) profileOne(ctx context.Context, m blog.Mode, env blog.Env, path string) (int64, time.Duration, error) {
	s, err := b.start(ctx, m, env)
	if err != nil {
		return 0, 0, err
	}
	defer s.Stop()
	warm, err := blog.Drive(ctx, s.Addr, path, b.o.conns, b.o.warmup)
	if err != nil {
		return 0, 0, err
	}
	res, err := blog.Drive(ctx, s.Addr, path, b.o.conns, b.o.duration)
	if err != nil {
		return 0, 0, err
	}
	if err := s.Stop(); err != nil {
		return 0, 0, err
	}
	requests := warm.Requests + res.Requests
	total, err := focused(b.bins[m.Kind], env.Profile, ".", "")
	if err != nil {
		return 0, 0, err
	}
	return requests, total / time.Duration(requests), nil
}

func pprof(bin, profile string, args ...string) (string, error) {
	cmd := exec.Command("go", append(append([]string{"tool", "pprof"}, args...), bin, profile)...)
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go tool pprof %s: %w", strings.Join(args, " "), err)
	}
	return string(out), nil
}

var accountingRE = regexp.MustCompile(`Showing nodes accounting for ([0-9.]+)(ms|s|mins|hrs|us|µs)\b`)

// focused returns the CPU time of the samples with a frame matching focus
// and none matching ignore: with every node shown, the nodes' flat times
// add up to it.
func focused(bin, profile, focus, ignore string) (time.Duration, error) {
	args := []string{"-top", "-nodecount=1000000", "-nodefraction=0", "-edgefraction=0", "-focus=" + focus}
	if ignore != "" {
		args = append(args, "-ignore="+ignore)
	}
	out, err := pprof(bin, profile, args...)
	if err != nil {
		return 0, err
	}
	m := accountingRE.FindStringSubmatch(out)
	if m == nil {
		return 0, nil // no sample matched
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0, err
	}
	unit := map[string]time.Duration{"us": time.Microsecond, "µs": time.Microsecond, "ms": time.Millisecond, "s": time.Second, "mins": time.Minute, "hrs": time.Hour}[m[2]]
	return time.Duration(v * float64(unit)), nil
}
