// Command blogbench runs the blog benchmark (`make bench-blog`): it builds
// the three servers of bench/blog (gorails, plain net/http, gin), creates
// and seeds a SQLite database and a PostgreSQL database of its own (dropped
// at the end), and for each database runs rounds in which every mode
// (plain, gin, gorails, gorails at log level warn, gorails -w N) is started
// in its own process, checked to answer the three endpoints with the same
// bytes as every other (SHA-256), then loaded on each endpoint in turn.
//
// It prints, per database and endpoint, the median over rounds of req/s,
// p99 latency, RSS and the server's CPU time per request (utime + stime of
// its process group from /proc over the measured window, divided by the
// requests answered), each with its ratio to plain net/http. On a shared
// machine CPU per request is the stable figure; req/s moves with the
// neighbours.
//
// On machines with 8 or more CPUs the servers are pinned to the first half
// and the load generator (this process) to the second (taskset).
//
//	cd bench && go run ./blog/cmd/blogbench -quick
//	cd bench && go run ./blog/cmd/blogbench -db sqlite -rounds 5 -duration 10s
//	cd bench && go run ./blog/cmd/blogbench -profile /tmp/prof   # CPU profiles of /posts
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gorails/gorails/bench/blog"
)

type options struct {
	dbs        []string
	conns      int
	duration   time.Duration
	warmup     time.Duration
	rounds     int
	workers    int
	serverCPUs string
	loadCPUs   string
	pgURL      string
	profile    string
	keep       bool
	modes      []string // short names of the modes to run; nil: all
}

// modeNames are -modes' names of blog.Modes, in order.
var modeNames = []string{"plain", "gin", "gorails", "warn", "workers"}

// selectModes keeps the modes o.modes names (plain always: it is the base).
func (o options) selectModes(all []blog.Mode) []blog.Mode {
	if o.modes == nil {
		return all
	}
	var out []blog.Mode
	for i, m := range all {
		if i == 0 || slices.Contains(o.modes, modeNames[i]) {
			out = append(out, m)
		}
	}
	return out
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "blogbench:", err)
		os.Exit(1)
	}
}

func run() error {
	var o options
	var dbs string
	var quick bool
	flag.StringVar(&dbs, "db", "sqlite,postgres", "databases, comma-separated: sqlite, postgres")
	flag.IntVar(&o.conns, "conns", 32, "concurrent keep-alive connections")
	flag.DurationVar(&o.duration, "duration", 5*time.Second, "measured time per mode, endpoint and round")
	flag.DurationVar(&o.warmup, "warmup", time.Second, "warm-up time before each measurement")
	flag.IntVar(&o.rounds, "rounds", 3, "rounds; the modes are interleaved within each round")
	flag.IntVar(&o.workers, "workers", 0, "N of gorails -w N (default: the servers' CPU count)")
	flag.StringVar(&o.serverCPUs, "server-cpus", "", "taskset CPU list for the servers (default: the first half on 8+ CPUs, else unpinned)")
	flag.StringVar(&o.loadCPUs, "load-cpus", "", "taskset CPU list for the load generator (default: the second half on 8+ CPUs)")
	flag.StringVar(&o.pgURL, "pg", defaultPG(), "PostgreSQL URL of a database to connect to for CREATE/DROP DATABASE")
	flag.StringVar(&o.profile, "profile", "", "instead of the table: write CPU profiles of plain and gorails serving /posts into this directory and summarise them")
	flag.BoolVar(&o.keep, "keep", false, "keep the working directory (databases, server logs)")
	flag.BoolVar(&quick, "quick", false, "one round of 1s after 300ms of warm-up")
	var modes string
	flag.StringVar(&modes, "modes", strings.Join(modeNames, ","), "modes to run, comma-separated (plain, the base, always runs): "+strings.Join(modeNames, ", "))
	flag.Parse()
	for _, m := range strings.Split(modes, ",") {
		if m = strings.TrimSpace(m); !slices.Contains(modeNames, m) {
			return fmt.Errorf("-modes: unknown mode %q (want %s)", m, strings.Join(modeNames, ", "))
		}
		o.modes = append(o.modes, m)
	}
	if quick {
		o.rounds, o.duration, o.warmup = 1, time.Second, 300*time.Millisecond
	}
	for _, d := range strings.Split(dbs, ",") {
		switch d = strings.TrimSpace(d); d {
		case "sqlite", "postgres":
			o.dbs = append(o.dbs, d)
		default:
			return fmt.Errorf("-db: unknown database %q (want sqlite, postgres)", d)
		}
	}
	if o.conns < 1 || o.rounds < 1 || o.duration <= 0 {
		return errors.New("-conns, -rounds and -duration must be positive")
	}
	if err := pin(&o); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	dir, err := os.MkdirTemp("", "blogbench-")
	if err != nil {
		return err
	}
	if o.keep {
		fmt.Fprintln(os.Stderr, "working directory:", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	fmt.Fprintln(os.Stderr, "building the servers ...")
	bins, err := blog.Build(ctx, dir)
	if err != nil {
		return err
	}
	b := &bench{o: o, bins: bins, dir: dir, posts: blog.Posts(blog.SeedCount)}
	if o.profile != "" {
		return b.profileAll(ctx)
	}
	return b.measureAll(ctx)
}

func defaultPG() string {
	if u := os.Getenv("GORAILS_TEST_POSTGRES_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// pin chooses the CPUs of the servers and of this process, and pins this
// process (all its threads) with taskset.
func pin(o *options) error {
	n := runtime.NumCPU()
	if o.serverCPUs == "" && o.loadCPUs == "" && n >= 8 {
		o.serverCPUs = fmt.Sprintf("0-%d", n/2-1)
		o.loadCPUs = fmt.Sprintf("%d-%d", n/2, n-1)
	}
	if o.workers == 0 {
		o.workers = n
		if o.serverCPUs != "" {
			o.workers = cpuCount(o.serverCPUs)
		}
	}
	if o.loadCPUs == "" {
		return nil
	}
	out, err := exec.Command("taskset", "-a", "-p", "-c", o.loadCPUs, strconv.Itoa(os.Getpid())).CombinedOutput()
	if err != nil {
		return fmt.Errorf("taskset: %w\n%s", err, out)
	}
	return nil
}

// cpuCount counts the CPUs of a taskset list such as "0-3,8".
func cpuCount(list string) int {
	n := 0
	for _, part := range strings.Split(list, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, _ := strconv.Atoi(lo)
		b := a
		if isRange {
			b, _ = strconv.Atoi(hi)
		}
		n += b - a + 1
	}
	return n
}

type bench struct {
	o     options
	bins  blog.Binaries
	dir   string
	posts []blog.Post
	ref   map[string][]byte // the first server's bodies: every other must match them
}

// database creates and seeds the database named db and returns its
// environment and the function that removes it.
func (b *bench) database(ctx context.Context, db string) (blog.Env, func(), error) {
	env := blog.Env{Dir: filepath.Join(b.dir, db), CPUs: b.o.serverCPUs}
	if err := os.Mkdir(env.Dir, 0o755); err != nil {
		return env, nil, err
	}
	cleanup := func() {}
	if db == "sqlite" {
		env.DBURL = blog.SQLiteURL(filepath.Join(env.Dir, "blog.sqlite3"))
	} else {
		url, drop, err := blog.NewPostgresDB(ctx, b.o.pgURL)
		if err != nil {
			return env, nil, err
		}
		env.DBURL = url
		cleanup = func() {
			if err := drop(); err != nil {
				fmt.Fprintln(os.Stderr, err)
			}
		}
	}
	if err := blog.Migrate(ctx, b.bins, env); err != nil {
		cleanup()
		return env, nil, err
	}
	if err := blog.Seed(ctx, env.DBURL, b.posts); err != nil {
		cleanup()
		return env, nil, err
	}
	return env, cleanup, nil
}

// start starts a server and checks its bodies against the reference.
func (b *bench) start(ctx context.Context, m blog.Mode, env blog.Env) (*blog.Server, error) {
	s, err := blog.Start(ctx, b.bins, m, env)
	if err != nil {
		return nil, err
	}
	bodies, err := blog.Bodies(ctx, s.Addr)
	if err == nil {
		if b.ref == nil {
			if err = blog.Check(bodies, b.posts); err == nil {
				b.ref = bodies
			}
		} else {
			err = blog.SameBodies(b.ref, bodies)
		}
	}
	if err != nil {
		_ = s.Stop()
		return nil, fmt.Errorf("%s: %w", m.Name, err)
	}
	return s, nil
}

// sample is one measurement of one mode on one endpoint.
type sample struct {
	rps    float64
	p99    time.Duration
	cpu    time.Duration // per request
	rss    int64
	procs  int
	maxRSS int64
}

func (b *bench) measureAll(ctx context.Context) error {
	modes := b.o.selectModes(blog.Modes(b.o.workers))
	b.header(os.Stdout, modes)
	for _, db := range b.o.dbs {
		env, cleanup, err := b.database(ctx, db)
		if err != nil {
			return fmt.Errorf("%s: %w", db, err)
		}
		results := map[string]map[string][]sample{} // mode -> endpoint -> rounds
		for r := range b.o.rounds {
			for _, m := range modes {
				if err := b.measureMode(ctx, m, env, r, db, results); err != nil {
					cleanup()
					return err
				}
			}
		}
		cleanup()
		report(os.Stdout, db, modes, results)
	}
	return nil
}

func (b *bench) measureMode(ctx context.Context, m blog.Mode, env blog.Env, round int, db string, results map[string]map[string][]sample) error {
	s, err := b.start(ctx, m, env)
	if err != nil {
		return err
	}
	defer s.Stop()
	if results[m.Name] == nil {
		results[m.Name] = map[string][]sample{}
	}
	for _, e := range blog.Endpoints {
		if _, err := blog.Drive(ctx, s.Addr, e.Path, b.o.conns, b.o.warmup); err != nil {
			return fmt.Errorf("%s %s warm-up: %w", m.Name, e.Path, err)
		}
		before, err := blog.GroupUsage(s.PID())
		if err != nil {
			return err
		}
		res, err := blog.Drive(ctx, s.Addr, e.Path, b.o.conns, b.o.duration)
		if err != nil {
			return fmt.Errorf("%s %s: %w", m.Name, e.Path, err)
		}
		after, err := blog.GroupUsage(s.PID())
		if err != nil {
			return err
		}
		smp := sample{rps: res.RPS(), p99: res.P99, cpu: (after.CPU - before.CPU) / time.Duration(res.Requests),
			rss: after.RSS, procs: after.Procs, maxRSS: after.MaxRSS}
		results[m.Name][e.Name] = append(results[m.Name][e.Name], smp)
		fmt.Fprintf(os.Stderr, "%-8s round %d  %-26s %-16s %9.0f req/s  p99 %8s  %6.1f µs CPU/req  RSS %5.1f MB (%d proc)\n",
			db, round+1, m.Name, e.Path, smp.rps, smp.p99.Round(time.Microsecond), micros(smp.cpu), mb(smp.rss), smp.procs)
	}
	return s.Stop()
}

func (b *bench) header(w io.Writer, modes []blog.Mode) {
	fmt.Fprintf(w, "# blog benchmark\n\n")
	fmt.Fprintf(w, "- machine: %s, %d CPUs (%s), %s\n", cpuModel(), runtime.NumCPU(), pinning(b.o), runtime.Version())
	fmt.Fprintf(w, "- load: %d keep-alive connections, %s measured after %s of warm-up, %d round(s), modes interleaved; figures are medians over rounds\n",
		b.o.conns, b.o.duration, b.o.warmup, b.o.rounds)
	fmt.Fprintf(w, "- CPU/req: the server's utime+stime (all its processes) over the measured window / requests answered\n")
	fmt.Fprintf(w, "- every server's three bodies were checked byte-identical (SHA-256) before it was loaded\n\n")
}

func pinning(o options) string {
	if o.serverCPUs == "" {
		return "servers and load generator unpinned, sharing every CPU"
	}
	return fmt.Sprintf("servers on CPUs %s, load generator on %s", o.serverCPUs, orAll(o.loadCPUs))
}

func orAll(s string) string {
	if s == "" {
		return "all"
	}
	return s
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

// report prints, for one database, a table per endpoint and a summary of
// the ratios.
func report(w io.Writer, db string, modes []blog.Mode, results map[string]map[string][]sample) {
	base := modes[0].Name
	name := map[string]string{"sqlite": "SQLite", "postgres": "PostgreSQL"}[db]
	for _, e := range blog.Endpoints {
		fmt.Fprintf(w, "## %s, GET %s\n\n", name, e.Path)
		fmt.Fprintln(w, "| server | req/s | × | p99 | × | CPU/req | × | RSS | × |")
		fmt.Fprintln(w, "|---|--:|--:|--:|--:|--:|--:|--:|--:|")
		ref := medians(results[base][e.Name])
		for _, m := range modes {
			s := medians(results[m.Name][e.Name])
			rss := fmt.Sprintf("%.1f MB", mb(s.rss))
			if s.procs > 1 {
				rss = fmt.Sprintf("%.1f MB (%d procs, largest %.1f)", mb(s.rss), s.procs, mb(s.maxRSS))
			}
			fmt.Fprintf(w, "| %s | %.0f | %.2f | %s | %.2f | %.1f µs | %.2f | %s | %.2f |\n", m.Name,
				s.rps, s.rps/ref.rps, s.p99.Round(10*time.Microsecond), ratio(s.p99, ref.p99),
				micros(s.cpu), ratio(s.cpu, ref.cpu), rss, float64(s.rss)/float64(ref.rss))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "## %s: ratio to plain net/http, req/s (CPU per request)\n\n", name)
	fmt.Fprint(w, "| server |")
	for _, e := range blog.Endpoints {
		fmt.Fprintf(w, " %s |", e.Path)
	}
	fmt.Fprint(w, "\n|---|")
	for range blog.Endpoints {
		fmt.Fprint(w, "--:|")
	}
	fmt.Fprintln(w)
	for _, m := range modes[1:] {
		fmt.Fprintf(w, "| %s |", m.Name)
		for _, e := range blog.Endpoints {
			s, ref := medians(results[m.Name][e.Name]), medians(results[base][e.Name])
			fmt.Fprintf(w, " %.2f (%.2f) |", s.rps/ref.rps, ratio(s.cpu, ref.cpu))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w)
}

// medians takes each figure's median over the rounds.
func medians(ss []sample) sample {
	med := func(f func(sample) float64) float64 {
		xs := make([]float64, len(ss))
		for i, s := range ss {
			xs[i] = f(s)
		}
		slices.Sort(xs)
		if len(xs)%2 == 1 {
			return xs[len(xs)/2]
		}
		return (xs[len(xs)/2-1] + xs[len(xs)/2]) / 2
	}
	return sample{
		rps:    med(func(s sample) float64 { return s.rps }),
		p99:    time.Duration(med(func(s sample) float64 { return float64(s.p99) })),
		cpu:    time.Duration(med(func(s sample) float64 { return float64(s.cpu) })),
		rss:    int64(med(func(s sample) float64 { return float64(s.rss) })),
		maxRSS: int64(med(func(s sample) float64 { return float64(s.maxRSS) })),
		procs:  ss[len(ss)-1].procs,
	}
}

func ratio(a, b time.Duration) float64 { return float64(a) / float64(b) }
func micros(d time.Duration) float64   { return float64(d) / float64(time.Microsecond) }
func mb(n int64) float64               { return float64(n) / (1 << 20) }
