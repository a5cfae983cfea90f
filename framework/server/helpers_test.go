//go:build unix

package server_test

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// testBins holds the testserver binaries TestMain builds: version "1" and
// version "2" (a rebuilt app that answers differently).
type testBins struct{ v1, v2 string }

var bins testBins // set once by TestMain before any test runs

func TestMain(m *testing.M) {
	flag.Parse()
	code := func() int {
		dir, err := os.MkdirTemp("", "gorails-server-test-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		if !testing.Short() {
			if bins, err = buildTestServers(dir); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
		}
		return m.Run()
	}()
	os.Exit(code)
}

func buildTestServers(dir string) (testBins, error) {
	b := testBins{v1: filepath.Join(dir, "testserver-v1"), v2: filepath.Join(dir, "testserver-v2")}
	for _, x := range []struct{ out, version string }{{b.v1, "1"}, {b.v2, "2"}} {
		args := []string{"build", "-o", x.out, "-ldflags", "-X main.version=" + x.version}
		if raceBuild {
			args = append(args, "-race")
		}
		cmd := exec.Command("go", append(args, "./internal/testserver")...)
		if out, err := cmd.CombinedOutput(); err != nil {
			return b, fmt.Errorf("build testserver: %w\n%s", err, out)
		}
	}
	return b, nil
}

func needBins(t *testing.T) {
	t.Helper()
	if bins.v1 == "" {
		t.Skip("integration test: needs the testserver binaries (not built with -short)")
	}
}

// logBuffer collects a process's output; safe for concurrent use.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// count counts the lines that contain every one of parts.
func (b *logBuffer) count(parts ...string) int {
	n := 0
	for _, line := range strings.Split(b.String(), "\n") {
		ok := true
		for _, p := range parts {
			ok = ok && strings.Contains(line, p)
		}
		if ok {
			n++
		}
	}
	return n
}

// cluster is a master with its workers, started from a testserver binary
// in its own process group, killed whole when the test ends.
type cluster struct {
	t      *testing.T
	cmd    *exec.Cmd
	out    *logBuffer
	addr   string // host:port of the tcp bind
	ctl    string // control URL
	exited chan struct{}
	err    error // the exit status, once exited is closed
}

func startCluster(t *testing.T, bin string, args ...string) *cluster {
	t.Helper()
	c := startClusterNoWait(t, bin, args...)
	c.waitLog(10*time.Second, c.workers(args), `msg="worker booted" role=master`)
	return c
}

// startClusterNoWait starts the master and waits for it, not its workers.
func startClusterNoWait(t *testing.T, bin string, args ...string) *cluster {
	t.Helper()
	ctl := "unix://" + filepath.Join(t.TempDir(), "ctl.sock")
	full := append([]string{"-b", "tcp://127.0.0.1:0", "--control-url", ctl,
		"--worker-check-interval", "200ms", "--shutdown-timeout", "5s"}, args...)
	for i, a := range args {
		if a == "--control-url" && i+1 < len(args) {
			ctl = args[i+1]
		}
	}
	c := &cluster{t: t, out: &logBuffer{}, ctl: ctl, exited: make(chan struct{})}
	c.cmd = exec.Command(bin, full...)
	c.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	c.cmd.Stdout, c.cmd.Stderr = c.out, c.out
	c.cmd.WaitDelay = 3 * time.Second
	if err := c.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	go func() {
		c.err = c.cmd.Wait()
		close(c.exited)
	}()
	t.Cleanup(c.cleanup)
	c.waitLog(10*time.Second, 1, "binds=tcp://") // the master started, or the single process serves
	m := regexp.MustCompile(`binds=tcp://([0-9.:]+)`).FindStringSubmatch(c.out.String())
	if m == nil {
		t.Fatalf("no tcp bind in the master's log:\n%s", c.out)
	}
	c.addr = m[1]
	return c
}

func (c *cluster) workers(args []string) int {
	for i, a := range args {
		if (a == "-w" || a == "--workers") && i+1 < len(args) {
			n, _ := strconv.Atoi(args[i+1])
			return n
		}
	}
	return 0
}

func (c *cluster) cleanup() {
	_ = syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL)
	select {
	case <-c.exited:
	case <-time.After(10 * time.Second):
		c.t.Errorf("master did not exit after SIGKILL")
	}
	if strings.Contains(c.out.String(), "WARNING: DATA RACE") {
		c.t.Errorf("the race detector fired in the master or a worker")
	}
	if c.t.Failed() {
		c.t.Logf("server output:\n%s", c.out)
	}
}

func (c *cluster) signal(sig syscall.Signal) {
	c.t.Helper()
	if err := c.cmd.Process.Signal(sig); err != nil {
		c.t.Fatalf("signal %v: %v", sig, err)
	}
}

// waitLog waits until n lines of the output contain all of parts.
func (c *cluster) waitLog(timeout time.Duration, n int, parts ...string) {
	c.t.Helper()
	deadline := time.Now().Add(timeout)
	for c.out.count(parts...) < n {
		if time.Now().After(deadline) {
			c.t.Fatalf("waited %s for %d log lines with %q; have %d", timeout, n, parts, c.out.count(parts...))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitExit waits for the master to exit and returns its exit error.
func (c *cluster) waitExit(timeout time.Duration) error {
	c.t.Helper()
	select {
	case <-c.exited:
		return c.err
	case <-time.After(timeout):
		c.t.Fatalf("master still running %s after being stopped", timeout)
		return nil
	}
}

func waitUntil(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", timeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// load runs clients that each send requests, every one on a new
// connection, until stopped or maxTotal requests were sent.
type load struct {
	ok, failed atomic.Int64
	mu         sync.Mutex
	errors     []string // the first 20
	lastErr    string
	answers    []string // the first word of every good answer, in order
	stop       chan struct{}
	stopOnce   sync.Once
	done       sync.WaitGroup
}

// loadRequest builds the request a client sends and checks the answer.
type loadRequest struct {
	method, path string
	body         []byte
	want         string // the answer must contain this
}

func startLoad(t *testing.T, addr string, clients, maxTotal int, lr loadRequest) *load {
	l := &load{stop: make(chan struct{})}
	for range clients {
		l.done.Add(1)
		go l.client(addr, maxTotal, lr)
	}
	t.Cleanup(l.finish)
	return l
}

func (l *load) total() int64 { return l.ok.Load() + l.failed.Load() }

func (l *load) finish() {
	l.stopOnce.Do(func() { close(l.stop) })
	l.done.Wait()
}

func (l *load) client(addr string, maxTotal int, lr loadRequest) {
	defer l.done.Done()
	client := &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	defer client.CloseIdleConnections()
	for l.total() < int64(maxTotal) {
		select {
		case <-l.stop:
			return
		default:
		}
		answer, err := doRequest(client, addr, lr)
		l.record(answer, err)
	}
}

func doRequest(client *http.Client, addr string, lr loadRequest) (string, error) {
	req, err := http.NewRequestWithContext(context.Background(), lr.method, "http://"+addr+lr.path, bytes.NewReader(lr.body))
	if err != nil {
		return "", err
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	switch {
	case err != nil:
		return "", err
	case resp.StatusCode != http.StatusOK || !strings.Contains(string(b), lr.want):
		return "", fmt.Errorf("wrong answer: %s %q", resp.Status, b)
	}
	if f := strings.Fields(string(b)); len(f) > 0 {
		return f[0], nil
	}
	return "", nil
}

func (l *load) record(answer string, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err != nil {
		l.failed.Add(1)
		l.lastErr = err.Error()
		if len(l.errors) < 20 {
			l.errors = append(l.errors, err.Error())
		}
		return
	}
	l.ok.Add(1)
	l.answers = append(l.answers, answer)
}

func (l *load) lastAnswers(n int) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.answers[max(0, len(l.answers)-n):]...)
}

// rawStatus sends raw bytes on a new connection and returns the status code
// of the answer (0 if none came).
func rawStatus(t *testing.T, addr, raw string) int {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	go func() { _, _ = io.WriteString(c, raw) }() // the server may answer before reading it all
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return 0
	}
	f := strings.Fields(line)
	if len(f) < 2 {
		return 0
	}
	code, _ := strconv.Atoi(f[1])
	return code
}

func get(t *testing.T, addr, path string, timeout time.Duration) (string, error) {
	t.Helper()
	client := &http.Client{Timeout: timeout, Transport: &http.Transport{DisableKeepAlives: true}}
	defer client.CloseIdleConnections()
	return doRequest(client, addr, loadRequest{method: http.MethodGet, path: path})
}
