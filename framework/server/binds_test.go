//go:build unix

package server_test

import (
	"bufio"
	"context"
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

// TestEveryBindFormSurvivesRestartsUnderLoad restarts a server bound in
// each form a user can write (the default bind, 0.0.0.0, ::, a specific
// IP, a unix socket, several binds) in each way it can be restarted
// (single mode's hot restart, a cluster's hot and phased restart), under a
// request loop: the sockets are kept, so not one request is refused.
// Before, a default or wildcard bind listened as tcp://[::]:PORT, the new
// process did not recognise it as tcp://0.0.0.0:PORT and died re-binding.
func TestEveryBindFormSurvivesRestartsUnderLoad(t *testing.T) {
	needBins(t)
	type form struct {
		name    string
		args    func(port int, dir string) []string
		network func(port int, dir string) (string, string) // where the load connects
	}
	tcp := func(host string) func(int, string) (string, string) {
		return func(port int, _ string) (string, string) {
			return "tcp", net.JoinHostPort(host, fmt.Sprint(port))
		}
	}
	forms := []form{
		{"the default bind", func(p int, _ string) []string { return []string{"-p", fmt.Sprint(p)} }, tcp("127.0.0.1")},
		{"0.0.0.0", func(p int, _ string) []string { return []string{"-p", fmt.Sprint(p), "-b", "0.0.0.0"} }, tcp("127.0.0.1")},
		{"::", func(p int, _ string) []string { return []string{"-p", fmt.Sprint(p), "-b", "::"} }, tcp("::1")},
		{"a specific IP", func(p int, _ string) []string { return []string{"-b", fmt.Sprintf("tcp://127.0.0.1:%d", p)} }, tcp("127.0.0.1")},
		{"a unix socket", func(_ int, d string) []string { return []string{"-b", "unix://" + filepath.Join(d, "app.sock")} },
			func(_ int, d string) (string, string) { return "unix", filepath.Join(d, "app.sock") }},
		{"several binds", func(p int, d string) []string {
			return []string{"-b", fmt.Sprintf("tcp://127.0.0.1:%d", p), "-b", "unix://" + filepath.Join(d, "app.sock")}
		}, func(_ int, d string) (string, string) { return "unix", filepath.Join(d, "app.sock") }},
	}
	type mode struct {
		name    string
		args    []string
		restart func(c *cluster, i int)
	}
	modes := []mode{
		{"single mode, hot restart", []string{"-w", "0"}, func(c *cluster, i int) {
			c.signal(syscall.SIGUSR2)
			c.waitLog(30*time.Second, 1+i, `msg="serving (single mode)"`)
		}},
		{"cluster, hot restart", []string{"-w", "2"}, func(c *cluster, i int) {
			c.signal(syscall.SIGUSR2)
			c.waitLog(30*time.Second, 1+i, `msg="master started"`)
			c.waitLog(30*time.Second, 2*(1+i), `msg="worker booted" role=master`)
		}},
		{"cluster, phased restart", []string{"-w", "2"}, func(c *cluster, i int) {
			c.signal(syscall.SIGUSR1)
			c.waitLog(30*time.Second, i, `msg="phased restart finished"`)
		}},
	}
	for _, f := range forms {
		for _, m := range modes {
			t.Run(f.name+", "+m.name, func(t *testing.T) {
				dir := shortTempDir(t)
				port := freePort(t)
				args := append(f.args(port, dir), m.args...)
				c := startClusterBinds(t, bins.v1, args...)
				if m.args[1] != "0" {
					c.waitLog(30*time.Second, 2, `msg="worker booted" role=master`)
				}
				network, address := f.network(port, dir)
				l := startLoadOn(t, network, address, 3, 100000, post16K)
				waitUntil(t, 30*time.Second, "the first requests", func() bool { return l.total() >= 30 })
				for i := 1; i <= 2; i++ {
					m.restart(c, i)
					before := l.total()
					waitUntil(t, 30*time.Second, "requests after the restart", func() bool { return l.total() >= before+30 })
				}
				l.finish()
				t.Logf("%d requests, %d failed", l.total(), l.failed.Load())
				if n := l.failed.Load(); n != 0 {
					t.Errorf("%d of %d requests failed across two restarts: %q", n, l.total(), l.errors)
				}
				select {
				case <-c.exited:
					t.Fatalf("the server exited: %v", c.err)
				default:
				}
			})
		}
	}
}

// startClusterBinds starts the test server with exactly args (no bind of
// its own) and waits until it listens.
func startClusterBinds(t *testing.T, bin string, args ...string) *cluster {
	t.Helper()
	ctl := "unix://" + filepath.Join(shortTempDir(t), "ctl.sock")
	full := append([]string{"--control-url", ctl, "--worker-check-interval", "200ms", "--shutdown-timeout", "5s"}, args...)
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
	c.waitLog(10*time.Second, 1, "binds=")
	return c
}

// shortTempDir is a temporary directory with a path short enough for a
// unix socket (108 bytes), which t.TempDir's may not be.
func shortTempDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if len(dir) < 80 {
		return dir
	}
	d, err := os.MkdirTemp("", "gr")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(d) })
	return d
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startLoadOn is startLoad over any network: "tcp" or "unix".
func startLoadOn(t *testing.T, network, address string, clients, maxTotal int, lr loadRequest) *load {
	return startLoadWith(t, network, address, clients, maxTotal, lr, false)
}

// startLoadWith is startLoadOn whose clients keep their connections
// alive when keepAlive is set. Their requests are POSTs, which Go's client
// never retries: a connection closed under a request is a failure.
func startLoadWith(t *testing.T, network, address string, clients, maxTotal int, lr loadRequest, keepAlive bool) *load {
	l := &load{stop: make(chan struct{})}
	tr := &http.Transport{DisableKeepAlives: !keepAlive, MaxIdleConnsPerHost: clients, DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, address)
	}}
	host := address
	if network == "unix" {
		host = "app"
	}
	for range clients {
		l.done.Add(1)
		go func() {
			defer l.done.Done()
			client := &http.Client{Timeout: 15 * time.Second, Transport: tr}
			for l.total() < int64(maxTotal) {
				select {
				case <-l.stop:
					return
				default:
				}
				answer, err := doRequest(client, host, lr)
				l.record(answer, err)
			}
		}()
	}
	t.Cleanup(l.finish)
	return l
}

// TestKeepAliveClientsSeeNoResetsAcrossRestarts restarts the server in
// every way under clients that keep their connections alive and do not
// retry (issue 15 item 8: a few resets per restart). A stopping server
// answers with Connection: close and closes an idle connection only after
// IdleDrain, so no request is cut off.
func TestKeepAliveClientsSeeNoResetsAcrossRestarts(t *testing.T) {
	needBins(t)
	tests := []struct {
		name    string
		args    []string
		restart func(c *cluster, i int)
	}{
		{"phased restart", []string{"-w", "2"}, func(c *cluster, i int) {
			c.signal(syscall.SIGUSR1)
			c.waitLog(30*time.Second, i, `msg="phased restart finished"`)
		}},
		{"hot restart", []string{"-w", "2"}, func(c *cluster, i int) {
			c.signal(syscall.SIGUSR2)
			c.waitLog(30*time.Second, 2*(1+i), `msg="worker booted" role=master`)
		}},
		{"single mode hot restart", []string{"-w", "0"}, func(c *cluster, i int) {
			c.signal(syscall.SIGUSR2)
			c.waitLog(30*time.Second, 1+i, `msg="serving (single mode)"`)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := startCluster(t, bins.v1, tt.args...)
			l := startLoadWith(t, "tcp", c.addr, loadClients, 1<<30, post16K, true)
			waitUntil(t, 30*time.Second, "the first requests", func() bool { return l.total() >= 200 })
			for i := 1; i <= 2; i++ {
				tt.restart(c, i)
				before := l.total()
				waitUntil(t, 30*time.Second, "requests after the restart", func() bool { return l.total() >= before+300 })
			}
			l.finish()
			t.Logf("%s x2: %d keep-alive requests, %d failed", tt.name, l.total(), l.failed.Load())
			if n := l.failed.Load(); n != 0 {
				t.Errorf("%d of %d keep-alive requests failed: %q", n, l.total(), l.errors)
			}
		})
	}
}

// TestKeepAliveConnectionsSpreadOverTheWorkers opens 20 keep-alive
// connections at once to two workers: each worker gets a fair share
// (before, whichever woke first took most: 14/6).
func TestKeepAliveConnectionsSpreadOverTheWorkers(t *testing.T) {
	needBins(t)
	c := startCluster(t, bins.v1, "-w", "2", "-t", "5")
	const conns = 20
	pids := make([]string, conns)
	var wg sync.WaitGroup
	for i := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			nc, err := net.DialTimeout("tcp", c.addr, 5*time.Second)
			if err != nil {
				pids[i] = "dial: " + err.Error()
				return
			}
			t.Cleanup(func() { nc.Close() })
			_ = nc.SetDeadline(time.Now().Add(10 * time.Second))
			_, _ = io.WriteString(nc, "GET /pid HTTP/1.1\r\nHost: x\r\n\r\n")
			res, err := http.ReadResponse(bufio.NewReader(nc), nil)
			if err != nil {
				pids[i] = "read: " + err.Error()
				return
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			pids[i] = strings.TrimSpace(string(b))
		}()
	}
	wg.Wait()
	per := map[string]int{}
	for _, p := range pids {
		per[p]++
	}
	t.Logf("connections per worker: %v", per)
	if len(per) != 2 {
		t.Fatalf("want connections on 2 workers, got %v", per)
	}
	for p, n := range per {
		if n < conns/2-3 { // 13/7 at worst
			t.Errorf("worker %s holds %d of %d connections: %v", p, n, conns, per)
		}
	}
}
