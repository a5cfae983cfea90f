package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// cli is the gorails binary built once for the end-to-end tests.
type cli struct {
	once sync.Once
	path string
	err  error
}

func (c *cli) build(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end: builds binaries; skipped with -short")
	}
	c.once.Do(func() {
		dir, err := os.MkdirTemp("", "gorails-cli-")
		if err != nil {
			c.err = err
			return
		}
		c.path = filepath.Join(dir, "gorails")
		out, err := exec.Command("go", "build", "-o", c.path, ".").CombinedOutput()
		if err != nil {
			c.err = fmt.Errorf("go build gorails: %v\n%s", err, out)
		}
	})
	if c.err != nil {
		t.Fatal(c.err)
	}
	return c.path
}

var gorailsBin cli

func TestMain(m *testing.M) {
	code := m.Run()
	if gorailsBin.path != "" {
		os.RemoveAll(filepath.Dir(gorailsBin.path))
	}
	os.Exit(code)
}

// gorails runs the CLI in dir and returns its combined output and exit status.
func runCLI(t *testing.T, dir string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(gorailsBin.build(t), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GORAILS_ENV=development")
	out, err := cmd.CombinedOutput()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("gorails %v: %v", args, err)
		}
		code = ee.ExitCode()
	}
	return string(out), code
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// newApp generates an app called name in a temporary directory.
func generateApp(t *testing.T, name string) string {
	t.Helper()
	parent := t.TempDir()
	out, code := runCLI(t, parent, "new", name)
	if code != 0 {
		t.Fatalf("gorails new %s: exit %d\n%s", name, code, out)
	}
	for _, want := range []string{"create  go.mod", "create  config/routes.go", "create  app/views/layouts/application.html.tmpl"} {
		if !strings.Contains(out, want) {
			t.Errorf("gorails new output lacks %q:\n%s", want, out)
		}
	}
	return filepath.Join(parent, name)
}

// server is a running `gorails server`.
type server struct {
	cmd  *exec.Cmd
	out  *syncBuffer
	base string
	done chan error
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func startServer(t *testing.T, dir string, args ...string) *server {
	t.Helper()
	return startServerEnv(t, dir, nil, args...)
}

// startServerEnv is startServer with more environment variables, such as
// GORAILS_ENV=production.
func startServerEnv(t *testing.T, dir string, env []string, args ...string) *server {
	t.Helper()
	port := freePort(t)
	s := startServerArgs(t, dir, env, fmt.Sprintf("127.0.0.1:%d", port),
		append([]string{"-p", fmt.Sprint(port), "-b", "127.0.0.1"}, args...)...)
	return s
}

// startServerArgs runs `gorails server` with exactly args (the binds are
// the caller's) and waits until it answers on addr: host:port, or the path
// of a unix socket. base is http://addr for TCP.
func startServerArgs(t *testing.T, dir string, env []string, addr string, args ...string) *server {
	t.Helper()
	s := startBinaryEnv(t, dir, gorailsBin.build(t), addr, append(append(os.Environ(), "GORAILS_ENV=development"), env...), append([]string{"server"}, args...)...)
	network := "tcp"
	if strings.HasPrefix(addr, "/") {
		network = "unix"
	}
	// The first start builds the app binary; give it time.
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		select {
		case err := <-s.done:
			t.Fatalf("server exited before serving: %v\n%s", err, s.out)
		default:
		}
		if c, err := net.DialTimeout(network, addr, 200*time.Millisecond); err == nil {
			c.Close()
			return s
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("server did not listen within 3 minutes\n%s", s.out)
	return nil
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}

func TestNewAppServesItsFirstPage(t *testing.T) {
	dir := generateApp(t, "blog")
	srv := startServer(t, dir)

	status, body := get(t, srv.base+"/")
	if status != http.StatusOK {
		t.Fatalf("GET / = %d, want 200\n%s\nserver log:\n%s", status, body, srv.out)
	}
	for _, marker := range []string{
		`<meta name="generator" content="gorails">`, // from the layout
		`Welcome to Blog`, // from the view
	} {
		if !strings.Contains(body, marker) {
			t.Errorf("GET / body lacks %q:\n%s", marker, body)
		}
	}
	if status, _ := get(t, srv.base+"/robots.txt"); status != http.StatusOK {
		t.Errorf("GET /robots.txt (a public file) = %d, want 200", status)
	}
	// Browsers ask every site for /favicon.ico: a new app has one.
	if status, body := get(t, srv.base+"/favicon.ico"); status != http.StatusOK || !strings.HasPrefix(body, "\x00\x00\x01\x00") {
		t.Errorf("GET /favicon.ico = %d, want 200 and an icon (%q...)", status, body[:min(len(body), 8)])
	}
	if status, body := get(t, srv.base+"/no/such/page"); status != http.StatusNotFound {
		t.Errorf("GET /no/such/page = %d, want 404\n%s", status, body)
	}
	if log := srv.out.String(); !strings.Contains(log, `Started GET "/" for 127.0.0.1`) || !strings.Contains(log, "Completed 200 OK in ") {
		t.Errorf("no request log line for GET /:\n%s", log)
	}

	start := time.Now()
	if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-srv.done:
		if err != nil {
			t.Errorf("server exited with %v after SIGTERM, want a clean exit\n%s", err, srv.out)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("server took %v to stop, want under 5s", d)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("server still running 5s after SIGTERM\n%s", srv.out)
	}
}

func TestServerPortInUse(t *testing.T) {
	dir := generateApp(t, "busy")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	out, code := runCLI(t, dir, "server", "-p", fmt.Sprint(port), "-b", "127.0.0.1")
	if code == 0 {
		t.Fatalf("server on a busy port exited 0\n%s", out)
	}
	last := lastLine(out)
	if !strings.Contains(last, "in use") || !strings.Contains(last, fmt.Sprint(port)) {
		t.Errorf("last line %q should say port %d is in use\n%s", last, port, out)
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string)
		args  []string
		want  string
	}{
		{
			name: "new into a non-empty directory",
			setup: func(t *testing.T, dir string) {
				if err := os.MkdirAll(filepath.Join(dir, "blog"), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, "blog", "notes.txt"), []byte("mine"), 0o644); err != nil {
					t.Fatal(err)
				}
			},
			args: []string{"new", "blog"},
			want: "exists and is not empty",
		},
		{name: "new with an invalid name", args: []string{"new", "My Blog!"}, want: "invalid application name"},
		{name: "new with a reserved name", args: []string{"new", "net"}, want: "reserved"},
		{name: "new without a name", args: []string{"new"}, want: "give the new application's name"},
		{name: "new with an unknown database", args: []string{"new", "blog", "--database", "oracle"}, want: `unknown database "oracle"`},
		{name: "server outside an app", args: []string{"server"}, want: "not inside a gorails application"},
		{name: "routes outside an app", args: []string{"routes"}, want: "not inside a gorails application"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if tt.setup != nil {
				tt.setup(t, dir)
			}
			before := snapshot(t, dir)
			out, code := runCLI(t, dir, tt.args...)
			if code == 0 {
				t.Fatalf("exit 0, want failure\n%s", out)
			}
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if len(lines) != 1 || !strings.HasPrefix(lines[0], "gorails: ") || !strings.Contains(lines[0], tt.want) {
				t.Errorf("output %q, want one line 'gorails: ...%s...'", out, tt.want)
			}
			if after := snapshot(t, dir); after != before {
				t.Errorf("the failed command changed the disk:\nbefore:\n%s\nafter:\n%s", before, after)
			}
		})
	}
}

// snapshot lists every path under dir with its size.
func snapshot(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s %d\n", strings.TrimPrefix(p, dir), info.Size())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestNewAppServesInClusterMode(t *testing.T) {
	dir := generateApp(t, "cluster")
	srv := startServer(t, dir, "-w", "2", "-t", "5")
	// Workers boot after the master listens: wait for a 200.
	deadline := time.Now().Add(time.Minute)
	for {
		status, body := get(t, srv.base+"/")
		if status == http.StatusOK && strings.Contains(body, "Welcome to Cluster") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET / = %d in cluster mode\n%s", status, srv.out)
		}
		time.Sleep(200 * time.Millisecond)
	}
	var stats struct {
		Workers       int `json:"workers"`
		BootedWorkers int `json:"booted_workers"`
		WorkerStatus  []struct {
			Pid    int  `json:"pid"`
			Booted bool `json:"booted"`
		} `json:"worker_status"`
	}
	deadline = time.Now().Add(time.Minute)
	for {
		out, code := runCLI(t, dir, "ctl", "stats")
		if code == 0 {
			if err := json.Unmarshal([]byte(out[strings.Index(out, "{"):]), &stats); err != nil {
				t.Fatalf("ctl stats is not JSON: %v\n%s", err, out)
			}
			if stats.BootedWorkers == 2 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("ctl stats: exit %d, %+v\n%s\nserver log:\n%s", code, stats, out, srv.out)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if stats.Workers != 2 || len(stats.WorkerStatus) != 2 {
		t.Errorf("stats %+v, want 2 workers", stats)
	}
	if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-srv.done:
		if err != nil {
			t.Errorf("cluster exited with %v after SIGTERM\n%s", err, srv.out)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("cluster still running 10s after SIGTERM\n%s", srv.out)
	}
}
