//go:build unix

package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
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

	"github.com/gorails/gorails/framework/server"
)

// post16K is Puma's acceptance-test request: a 16 KiB POST.
var post16K = loadRequest{method: http.MethodPost, path: "/echo", body: bytes.Repeat([]byte("x"), 16<<10), want: "len=16384"}

const (
	loadClients  = 6
	loadRequests = 1000 // at least, in all
)

// checkFailures fails the test if more than 0.2% of the requests failed.
func checkFailures(t *testing.T, what string, l *load) {
	t.Helper()
	total, failed := l.total(), l.failed.Load()
	t.Logf("%s: %d requests, %d failed (%.3f%%) %q", what, total, failed, 100*float64(failed)/float64(total), l.errors)
	if failed*1000 > total*2 {
		t.Errorf("%s: %d of %d requests failed, more than 0.2%%; first errors: %q", what, failed, total, l.errors)
	}
}

func TestPhasedRestartUnderLoadDropsNoRequests(t *testing.T) {
	needBins(t)
	// A boot that takes a while keeps requests arriving during each restart.
	c := startCluster(t, bins.v1, "-w", "2", "-t", "5", "--boot-delay", "300ms")
	l := startLoad(t, c.addr, loadClients, 100000, post16K)
	waitUntil(t, 30*time.Second, "the first requests", func() bool { return l.total() >= 150 })
	for i := 1; i <= 2; i++ {
		c.signal(syscall.SIGUSR1)
		c.waitLog(30*time.Second, i, `msg="phased restart finished"`)
		before := l.total()
		waitUntil(t, 30*time.Second, "requests after the restart", func() bool { return l.total() >= before+100 })
	}
	waitUntil(t, 60*time.Second, "all requests", func() bool { return l.total() >= loadRequests })
	l.finish()
	checkFailures(t, "phased restart x2", l)
}

func TestHotRestartUnderLoadDropsNoRequests(t *testing.T) {
	needBins(t)
	// A boot that takes a while keeps requests arriving during each restart.
	c := startCluster(t, bins.v1, "-w", "2", "-t", "5", "--boot-delay", "300ms")
	l := startLoad(t, c.addr, loadClients, 100000, post16K)
	waitUntil(t, 30*time.Second, "the first requests", func() bool { return l.total() >= 150 })
	for i := 1; i <= 2; i++ {
		c.signal(syscall.SIGUSR2)
		c.waitLog(30*time.Second, 1+i, `msg="master started"`)
		c.waitLog(30*time.Second, 2*(1+i), `msg="worker booted" role=master`)
		before := l.total()
		waitUntil(t, 30*time.Second, "requests after the restart", func() bool { return l.total() >= before+100 })
	}
	waitUntil(t, 60*time.Second, "all requests", func() bool { return l.total() >= loadRequests })
	l.finish()
	checkFailures(t, "hot restart x2", l)
	if n := c.out.count(`msg="master started"`, fmt.Sprintf("pid=%d ", c.cmd.Process.Pid)); n != 3 {
		t.Errorf("want 3 master starts with the same pid, got %d", n)
	}
}

func TestPhasedRestartMovesWorkersOntoARebuiltBinary(t *testing.T) {
	needBins(t)
	app := filepath.Join(t.TempDir(), "app")
	copyFile(t, bins.v1, app)
	c := startCluster(t, app, "-w", "2", "-t", "5", "--boot-delay", "300ms")
	l := startLoad(t, c.addr, loadClients, 100000, post16K)
	waitUntil(t, 30*time.Second, "the first requests", func() bool { return l.total() >= 100 })
	copyFile(t, bins.v2, app+".new")
	if err := os.Rename(app+".new", app); err != nil {
		t.Fatal(err)
	}
	c.signal(syscall.SIGUSR1)
	c.waitLog(30*time.Second, 1, `msg="phased restart finished"`)
	before := l.total()
	waitUntil(t, 30*time.Second, "requests after the restart", func() bool { return l.total() >= before+200 })
	l.finish()
	answers := l.lastAnswers(int(l.total()))
	if answers[0] != "v1" {
		t.Errorf("first answer %q, want v1", answers[0])
	}
	for _, a := range l.lastAnswers(100) {
		if a != "v2" {
			t.Fatalf("an answer after the phased restart came from %q, want v2", a)
		}
	}
	if f := l.failed.Load(); f != 0 {
		t.Errorf("%d of %d requests failed during the switch: %q", f, l.total(), l.errors)
	}
	t.Logf("rebuilt binary: %d requests, %d failed, answers switched v1 -> v2", l.total(), l.failed.Load())
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o755); err != nil {
		t.Fatal(err)
	}
}

func TestGracefulStopFinishesSlowRequestsThenRefuses(t *testing.T) {
	needBins(t)
	c := startCluster(t, bins.v1, "-w", "2", "-t", "5")
	var wg sync.WaitGroup
	results := make(chan error, 4)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := get(t, c.addr, "/slow?ms=1500", 10*time.Second)
			results <- err
		}()
	}
	time.Sleep(400 * time.Millisecond) // the requests are in flight
	c.signal(syscall.SIGTERM)
	time.Sleep(200 * time.Millisecond)
	if conn, err := net.DialTimeout("tcp", c.addr, time.Second); err == nil {
		conn.Close()
		t.Errorf("a new connection was accepted while stopping")
	}
	wg.Wait()
	close(results)
	for err := range results {
		if err != nil {
			t.Errorf("in-flight request failed during graceful stop: %v", err)
		}
	}
	if err := c.waitExit(15 * time.Second); err != nil {
		t.Errorf("master exit: %v", err)
	}
	if _, err := net.DialTimeout("tcp", c.addr, time.Second); err == nil {
		t.Errorf("connection accepted after the master stopped")
	}
}

func TestKilledWorkerIsReplacedWhileTheOtherServes(t *testing.T) {
	needBins(t)
	c := startCluster(t, bins.v1, "-w", "2", "-t", "5")
	l := startLoad(t, c.addr, 4, 100000, post16K)
	waitUntil(t, 30*time.Second, "the first requests", func() bool { return l.total() >= 100 })
	st := stats(t, c.ctl, "")
	victim := st.WorkerStatus[0].Pid
	if err := syscall.Kill(victim, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	killedAt := l.total()
	c.waitLog(10*time.Second, 1, `msg="worker exited; replacing it"`)
	c.waitLog(10*time.Second, 3, `msg="worker booted" role=master`)
	waitUntil(t, 30*time.Second, "requests after the kill", func() bool { return l.total() >= killedAt+300 })
	l.finish()
	t.Logf("kill -9 of a worker: %d requests, %d failed", l.total(), l.failed.Load())
	if f := l.failed.Load(); f > 5 {
		t.Errorf("%d requests failed; only those in flight on the killed worker may: %q", f, l.errors)
	}
	st = stats(t, c.ctl, "")
	if st.BootedWorkers != 2 {
		t.Errorf("booted workers = %d, want 2", st.BootedWorkers)
	}
	for _, w := range st.WorkerStatus {
		if w.Pid == victim {
			t.Errorf("killed worker %d still listed", victim)
		}
	}
}

func TestHungWorkerIsKilledAfterTheTimeout(t *testing.T) {
	needBins(t)
	c := startCluster(t, bins.v1, "-w", "2", "--worker-timeout", "1s")
	_, _ = get(t, c.addr, "/freeze", 300*time.Millisecond) // the worker answering stops itself
	c.waitLog(10*time.Second, 1, `msg="worker missed its check-in; killing it"`, "timeout=1s")
	c.waitLog(10*time.Second, 3, `msg="worker booted" role=master`)
	for range 4 {
		if _, err := get(t, c.addr, "/", 5*time.Second); err != nil {
			t.Errorf("after replacing the hung worker: %v", err)
		}
	}
}

func TestSlowClientsDoNotBlockOthers(t *testing.T) {
	needBins(t)
	c := startCluster(t, bins.v1, "-w", "2", "-t", "2")
	stop := make(chan struct{})
	var wg sync.WaitGroup
	t.Cleanup(func() { close(stop); wg.Wait() })
	for range 200 {
		conn, err := net.Dial("tcp", c.addr)
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go dribble(conn, stop, &wg)
	}
	time.Sleep(300 * time.Millisecond)
	for i := range 10 {
		start := time.Now()
		if _, err := get(t, c.addr, "/", 2*time.Second); err != nil {
			t.Fatalf("request %d with 200 slow clients connected: %v", i, err)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("request %d took %s with 200 slow clients connected", i, d)
		}
	}
}

// dribble sends a request's headers one byte at a time until stop.
func dribble(conn net.Conn, stop <-chan struct{}, wg *sync.WaitGroup) {
	defer wg.Done()
	defer conn.Close()
	req := "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: " + strings.Repeat("a", 1000)
	for i := 0; ; i++ {
		select {
		case <-stop:
			return
		case <-time.After(50 * time.Millisecond):
		}
		if _, err := conn.Write([]byte{req[i%len(req)]}); err != nil {
			return
		}
	}
}

func TestLimitsAnswerWithShortErrors(t *testing.T) {
	needBins(t)
	c := startCluster(t, bins.v1, "-w", "2", "--max-body-size", "1048576")
	tests := []struct {
		name string
		raw  string
		want int
	}{
		{"over-size headers get 431", "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("a", 200<<10) + "\r\n\r\n", 431},
		{"an over-long URI gets 414", "GET /" + strings.Repeat("a", 20<<10) + " HTTP/1.1\r\nHost: x\r\n\r\n", 414},
		{"an over-size body gets 413", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2097152\r\n\r\n", 413},
		{"an over-size chunked body gets 413", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n200000\r\n" + strings.Repeat("a", 0x200000) + "\r\n0\r\n\r\n", 413},
		{"garbage gets 400", "\x16\x03\x01 garbage\r\n\r\n", 400},
		{"a panic gets 500", "GET /panic HTTP/1.1\r\nHost: x\r\n\r\n", 500},
		{"a normal request still gets 200", "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := rawStatus(t, c.addr, tt.raw); got != tt.want {
				t.Errorf("status %d, want %d", got, tt.want)
			}
		})
	}
	for _, status := range []string{"431", "414", "413", "400"} {
		c.waitLog(5*time.Second, 1, `msg="rejected request"`, "status="+status)
	}
	c.waitLog(5*time.Second, 1, `msg="handler panic"`)
	if n := c.out.count(`msg="worker exited`); n != 0 {
		t.Errorf("a worker exited %d times", n)
	}
}

func stats(t *testing.T, ctl, token string) server.Stats {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	b, err := server.Control(ctx, ctl, token, server.CmdStats)
	if err != nil {
		t.Fatalf("stats: %v", err)
	}
	var s server.Stats
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatalf("stats %s: %v", b, err)
	}
	return s
}

func TestStatsAndControlRequireTheToken(t *testing.T) {
	needBins(t)
	ctl := "tcp://" + freeAddr(t)
	c := startCluster(t, bins.v1, "-w", "2", "-t", "3", "--control-url", ctl, "--control-token", "s3cret")
	ctx := context.Background()
	for _, token := range []string{"", "wrong"} {
		if _, err := server.Control(ctx, ctl, token, server.CmdStats); !errors.Is(err, server.ErrUnauthorized) {
			t.Errorf("stats with token %q: err = %v, want ErrUnauthorized", token, err)
		}
	}
	time.Sleep(300 * time.Millisecond) // a check-in or two
	st := stats(t, ctl, "s3cret")
	if st.Workers != 2 || st.BootedWorkers != 2 || len(st.WorkerStatus) != 2 || st.Phase != 0 {
		t.Errorf("stats = %+v, want 2 booted workers in phase 0", st)
	}
	for _, w := range st.WorkerStatus {
		if w.Pid <= 0 || !w.Booted || w.LastStatus.MaxThreads != 3 || time.Since(w.LastCheckin) > 5*time.Second {
			t.Errorf("worker status = %+v", w)
		}
	}
	if _, err := server.Control(ctx, ctl, "s3cret", "no-such-command"); err == nil {
		t.Errorf("an unknown command succeeded")
	}
	if _, err := server.Control(ctx, ctl, "s3cret", server.CmdPhasedRestart); err != nil {
		t.Fatal(err)
	}
	c.waitLog(20*time.Second, 1, `msg="phased restart finished"`)
	if st := stats(t, ctl, "s3cret"); st.Phase != 1 || st.WorkerStatus[0].Phase != 1 {
		t.Errorf("after phased-restart: %+v", st)
	}
	if _, err := server.Control(ctx, ctl, "s3cret", server.CmdRestart); err != nil {
		t.Fatal(err)
	}
	c.waitLog(20*time.Second, 2, `msg="master started"`)
	c.waitLog(20*time.Second, 6, `msg="worker booted" role=master`)
	if _, err := server.Control(ctx, ctl, "s3cret", server.CmdStop); err != nil {
		t.Fatal(err)
	}
	if err := c.waitExit(15 * time.Second); err != nil {
		t.Errorf("master exit after stop: %v", err)
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func TestWorkersTakeTheirShareOfGOMAXPROCS(t *testing.T) {
	needBins(t)
	c := startCluster(t, bins.v1, "-w", "2", "--max-procs", "3")
	c.waitLog(5*time.Second, 2, `msg="worker serving"`, "gomaxprocs=3")
}

func TestTTINAndTTOUAddAndRemoveAWorker(t *testing.T) {
	needBins(t)
	c := startCluster(t, bins.v1, "-w", "2")
	c.signal(syscall.SIGTTIN)
	c.waitLog(10*time.Second, 3, `msg="worker booted" role=master`)
	if st := stats(t, c.ctl, ""); st.Workers != 3 || st.BootedWorkers != 3 {
		t.Errorf("after TTIN: workers %d, booted %d; want 3", st.Workers, st.BootedWorkers)
	}
	c.signal(syscall.SIGTTOU)
	c.waitLog(10*time.Second, 1, `msg="worker stopped" role=master`)
	if st := stats(t, c.ctl, ""); st.Workers != 2 || len(st.WorkerStatus) != 2 {
		t.Errorf("after TTOU: workers %d, listed %d; want 2", st.Workers, len(st.WorkerStatus))
	}
}

func TestAWorkerThatDoesNotBootInTimeIsKilled(t *testing.T) {
	needBins(t)
	c := startClusterNoWait(t, bins.v1, "-w", "1", "--boot-delay", "5s", "--worker-boot-timeout", "500ms")
	c.waitLog(10*time.Second, 1, `msg="worker did not boot in time; killing it"`, "timeout=500ms")
	c.waitLog(10*time.Second, 2, `msg="worker started" role=master`)
}

func TestWorkersStopWhenTheMasterDies(t *testing.T) {
	needBins(t)
	c := startCluster(t, bins.v1, "-w", "2", "--pidfile", filepath.Join(t.TempDir(), "server.pid"))
	st := stats(t, c.ctl, "")
	if err := c.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	for _, w := range st.WorkerStatus {
		waitUntil(t, 15*time.Second, fmt.Sprintf("worker %d to exit", w.Pid), func() bool { return !alive(w.Pid) })
	}
}

// alive reports whether pid runs (a zombie does not count).
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	_, rest, _ := strings.Cut(string(b), ") ")
	return !strings.HasPrefix(rest, "Z") && !strings.HasPrefix(rest, "X")
}

func TestThePidfileNamesTheMasterUntilItStops(t *testing.T) {
	needBins(t)
	pidfile := filepath.Join(t.TempDir(), "server.pid")
	c := startCluster(t, bins.v1, "-w", "1", "--pidfile", pidfile)
	b, err := os.ReadFile(pidfile)
	if err != nil || strings.TrimSpace(string(b)) != fmt.Sprint(c.cmd.Process.Pid) {
		t.Errorf("pidfile holds %q (%v), want %d", b, err, c.cmd.Process.Pid)
	}
	c.signal(syscall.SIGTERM)
	if err := c.waitExit(15 * time.Second); err != nil {
		t.Errorf("master exit: %v", err)
	}
	if _, err := os.Stat(pidfile); !os.IsNotExist(err) {
		t.Errorf("pidfile left behind: %v", err)
	}
}

func TestAPortInUseIsOneClearError(t *testing.T) {
	needBins(t)
	addr := freeAddr(t)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	out, err := exec.Command(bins.v1, "-w", "2", "-b", "tcp://"+addr).CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() == 0 {
		t.Fatalf("exit: %v, want a non-zero exit", err)
	}
	want := "testserver: server: bind tcp://" + addr + ": address already in use\n"
	if string(out) != want {
		t.Errorf("output %q, want %q", out, want)
	}
}

func TestSingleModeHotRestartsUnderLoad(t *testing.T) {
	needBins(t)
	c := startClusterNoWait(t, bins.v1, "-w", "0", "-t", "5")
	l := startLoad(t, c.addr, loadClients, 100000, post16K)
	waitUntil(t, 30*time.Second, "the first requests", func() bool { return l.total() >= 100 })
	c.signal(syscall.SIGUSR2)
	c.waitLog(20*time.Second, 2, `msg="serving (single mode)"`, fmt.Sprintf("pid=%d ", c.cmd.Process.Pid))
	before := l.total()
	waitUntil(t, 30*time.Second, "requests after the restart", func() bool { return l.total() >= before+200 })
	l.finish()
	checkFailures(t, "single mode hot restart", l)
	if n := c.out.count("testserver: before exec", fmt.Sprintf("pid=%d", c.cmd.Process.Pid)); n != 1 {
		t.Errorf("BeforeExec ran %d times for one hot restart, want 1", n)
	}
}

func TestWorkersThatFailToBootAreRetriedWithBackoff(t *testing.T) {
	needBins(t)
	t.Setenv("TESTSERVER_BOOT_FAIL", "1")
	c := startClusterNoWait(t, bins.v1, "-w", "2")
	c.waitLog(10*time.Second, 3, `msg="worker failed to boot"`, "boot failed on purpose")
	time.Sleep(time.Second)
	if n := c.out.count(`msg="worker started" role=master`); n > 8 {
		t.Errorf("%d workers started in about 1.5s: no backoff", n)
	}
	c.signal(syscall.SIGTERM)
	if err := c.waitExit(15 * time.Second); err != nil {
		t.Errorf("master exit: %v", err)
	}
}
