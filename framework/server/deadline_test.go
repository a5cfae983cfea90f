//go:build unix

package server

import (
	"bufio"
	"errors"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestSweepPeriodIsATenthOfTheShortestTimeoutWithinBounds(t *testing.T) {
	tests := []struct {
		header, idle, want time.Duration
	}{
		{DefaultHeaderTimeout, DefaultIdleTimeout, maxSweepPeriod},
		{time.Second, 20 * time.Second, 100 * time.Millisecond},
		{30 * time.Second, 400 * time.Millisecond, 40 * time.Millisecond},
		{-1, 300 * time.Millisecond, 30 * time.Millisecond},
		{-1, -1, maxSweepPeriod},
		{time.Millisecond, -1, minSweepPeriod},
	}
	for _, tt := range tests {
		cfg := Config{HeaderTimeout: tt.header, IdleTimeout: tt.idle}
		if got := sweepPeriod(&cfg); got != tt.want {
			t.Errorf("sweepPeriod(header %s, idle %s) = %s, want %s", tt.header, tt.idle, got, tt.want)
		}
	}
}

// tcpPair returns the two ends of a loopback TCP connection.
func tcpPair(t *testing.T) (client, server net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	client, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server = <-accepted
	if server == nil {
		t.Fatal("accept failed")
	}
	t.Cleanup(func() { client.Close(); server.Close() })
	return client, server
}

// readsData reports whether a Read on c returns the byte the peer writes
// 20ms later (false: it failed at once, as with a deadline already past).
func readsData(t *testing.T, c *conn, peer net.Conn) (bool, error) {
	t.Helper()
	go func() {
		time.Sleep(20 * time.Millisecond)
		_, _ = peer.Write([]byte{'x'})
	}()
	var b [1]byte
	n, err := c.Read(b[:])
	if err != nil {
		// Let the peer's byte arrive, and drain it, for the next step.
		time.Sleep(40 * time.Millisecond)
		_ = c.Conn.SetReadDeadline(time.Now().Add(time.Second))
		_, _ = c.Conn.Read(b[:])
		_ = c.Conn.SetReadDeadline(time.Time{})
	}
	return n == 1, err
}

// TestKeptDeadlinesReachTheSocketOnlyWhenDue walks a conn's read deadline
// through the states net/http and the sweeper put it in, and checks what
// a Read then does: block until data (the socket has no deadline) or fail
// at once with a timeout (the socket's deadline is past).
func TestKeptDeadlinesReachTheSocketOnlyWhenDue(t *testing.T) {
	const hour = time.Hour
	longAgo := time.Unix(1, 0) // net/http's aLongTimeAgo
	type step func(c *conn)
	set := func(d time.Duration) step {
		return func(c *conn) { _ = c.SetReadDeadline(c.sw.epoch.Add(d)) }
	}
	setAt := func(at time.Time) step { return func(c *conn) { _ = c.SetReadDeadline(at) } }
	clear := func(c *conn) { _ = c.SetReadDeadline(time.Time{}) }
	sweepAt := func(d time.Duration) step { return func(c *conn) { c.sw.now.Store(int64(d)); c.expire(int64(d)) } }
	inHandler := func(c *conn) { c.inHandler.Store(true) }
	tests := []struct {
		name        string
		steps       []step
		wantData    bool
		wantAborted bool // the timeout is net/http's abort, not the client's
	}{
		{"a kept deadline not yet due", []step{set(hour)}, true, false},
		{"a kept deadline the sweeper found due", []step{set(hour), sweepAt(2 * hour)}, false, false},
		{"a sweep before the deadline", []step{set(2 * hour), sweepAt(hour)}, true, false},
		{"cleared after the sweeper set it", []step{set(hour), sweepAt(2 * hour), clear}, true, false},
		{"replaced after the sweeper set it", []step{set(hour), sweepAt(2 * hour), set(3 * hour)}, true, false},
		{"cleared before the sweep", []step{set(hour), clear, sweepAt(2 * hour)}, true, false},
		{"net/http's abort acts at once", []step{setAt(longAgo)}, false, true},
		{"the abort, then cleared", []step{setAt(longAgo), clear}, true, false},
		{"a deadline before the last sweep is past", []step{sweepAt(2 * hour), set(hour)}, false, false},
		{"in a handler a deadline goes to the socket", []step{inHandler, setAt(time.Now().Add(-time.Second))}, false, false},
		{"in a handler a cleared kept one stays cleared", []step{set(hour), sweepAt(2 * hour), inHandler, clear}, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			peer, sc := tcpPair(t)
			c := &conn{Conn: sc, log: discard(), sw: newSweeper(time.Hour)}
			for _, s := range tt.steps {
				s(c)
			}
			got, err := readsData(t, c, peer)
			if got != tt.wantData {
				t.Fatalf("read data = %v (err %v), want %v", got, err, tt.wantData)
			}
			if !got && !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Errorf("read error %v, want a timeout", err)
			}
			if !got && c.aborted() != tt.wantAborted {
				t.Errorf("aborted() = %v, want %v", c.aborted(), tt.wantAborted)
			}
		})
	}
}

func TestWriteDeadlinesStillReachTheSocket(t *testing.T) {
	_, sc := tcpPair(t)
	c := &conn{Conn: sc, log: discard(), sw: newSweeper(time.Hour)}
	if err := c.SetWriteDeadline(time.Unix(1, 0)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write([]byte("x")); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("write past its deadline: %v, want a timeout", err)
	}
	if err := c.SetWriteDeadline(time.Time{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write([]byte("x")); err != nil {
		t.Errorf("write after clearing the deadline: %v", err)
	}
	if err := c.SetDeadline(time.Unix(1, 0)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write([]byte("x")); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("write past SetDeadline's deadline: %v, want a timeout", err)
	}
	if err := c.SetDeadline(time.Time{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write([]byte("x")); err != nil {
		t.Errorf("write after clearing both deadlines: %v", err)
	}
}

// slowDeadlineConn takes a millisecond to set a deadline: the sweeper's
// moment between finding a deadline due and setting it on the socket.
type slowDeadlineConn struct{ net.Conn }

func (c slowDeadlineConn) SetReadDeadline(t time.Time) error {
	if !t.IsZero() {
		time.Sleep(time.Millisecond)
	}
	return c.Conn.SetReadDeadline(t)
}

// TestASweepRacingAClearNeverLeavesTheSocketTimedOut: the connection
// clears or replaces its deadline just as the sweeper sets it on the
// socket (or just before). Whatever the order, once that returns, a Read
// must block for data, not fail.
func TestASweepRacingAClearNeverLeavesTheSocketTimedOut(t *testing.T) {
	peer, sc := tcpPair(t)
	c := &conn{Conn: slowDeadlineConn{sc}, log: discard(), sw: newSweeper(time.Hour)}
	for i := range 40 {
		_ = c.SetReadDeadline(c.sw.epoch.Add(time.Hour))
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { defer wg.Done(); c.expire(math.MaxInt64) }()
		if i%4 < 2 {
			for c.due.Load() != dueArmed { // the sweeper is setting the socket's deadline
				runtime.Gosched()
			}
		}
		if i%2 == 0 {
			_ = c.SetReadDeadline(time.Time{})
		} else {
			_ = c.SetReadDeadline(c.sw.epoch.Add(2 * time.Hour))
		}
		wg.Wait()
		if c.due.Load() == dueArmed {
			continue // the sweep came after, and found the new deadline due too (it is, on its clock)
		}
		if _, err := peer.Write([]byte{'x'}); err != nil {
			t.Fatal(err)
		}
		var b [1]byte
		if _, err := c.Read(b[:]); err != nil {
			t.Fatalf("round %d: read after the deadline was cleared or replaced: %v", i, err)
		}
	}
}

// TestASlowHeaderGetsA408WithinTheTimeoutAndASweep: a client dribbling
// its headers is answered 408, not before HeaderTimeout and not much
// after it (one sweep period and the machine's scheduling).
func TestASlowHeaderGetsA408WithinTheTimeoutAndASweep(t *testing.T) {
	const timeout = 400 * time.Millisecond
	s, addr, logs := testServer(t, Config{HeaderTimeout: timeout}, http.NotFoundHandler())
	start := time.Now()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		req := "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: " + strings.Repeat("a", 100)
		for i := 0; i < len(req); i++ {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			if _, err := c.Write([]byte{req[i]}); err != nil {
				return
			}
		}
	}()
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	line, _ := bufio.NewReader(c).ReadString('\n')
	took := time.Since(start)
	if !strings.HasPrefix(line, "HTTP/1.1 408") {
		t.Fatalf("answer %q, want a 408", line)
	}
	if late := timeout + s.sweep.period + slowMachineSlack; took < timeout || took > late {
		t.Errorf("408 after %s, want between %s and %s", took, timeout, late)
	}
	if !strings.Contains(logs.String(), "status=408") {
		t.Errorf("no log line for the 408")
	}
}

// TestAnIdleKeepAliveConnectionClosesAfterTheIdleTimeout: after an answer
// the connection is closed, without a word, IdleTimeout later (within a
// sweep period and the machine's scheduling).
func TestAnIdleKeepAliveConnectionClosesAfterTheIdleTimeout(t *testing.T) {
	const idle = 400 * time.Millisecond
	s, addr, _ := testServer(t, Config{IdleTimeout: idle}, http.NotFoundHandler())
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(c)
	_, _ = io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, err := http.ReadResponse(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	answered := time.Now()
	rest, err := io.ReadAll(r)
	took := time.Since(answered)
	if err != nil || len(rest) > 0 {
		t.Fatalf("after the idle timeout: %q, %v; want the connection closed without a word", rest, err)
	}
	if late := idle + s.sweep.period + slowMachineSlack; took < idle-10*time.Millisecond || took > late {
		t.Errorf("closed %s after the answer, want between %s and %s", took, idle, late)
	}
}

// TestBackgroundReadAbortsActAtOnce: net/http ends every request by
// cutting its background read short with a deadline in the past (after a
// bodiless request, after a body was read, and when a handler hijacks).
// Those must act at once, not at the next sweep: with timeouts of an
// hour the sweep is 250ms away, and a kept abort would never be due.
func TestBackgroundReadAbortsActAtOnce(t *testing.T) {
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/hijack" {
			nc, brw, err := http.NewResponseController(w).Hijack()
			if err != nil {
				t.Error(err)
				return
			}
			defer nc.Close()
			_, _ = brw.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 8\r\nConnection: close\r\n\r\nhijacked")
			_ = brw.Flush()
			return
		}
		_, _ = io.WriteString(w, "ok "+r.URL.Path)
	})
	_, addr, _ := testServer(t, Config{HeaderTimeout: time.Hour, IdleTimeout: time.Hour}, app)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := bufio.NewReader(c)
	requests := []struct{ raw, want string }{
		{"GET /a HTTP/1.1\r\nHost: x\r\n\r\n", "ok /a"},
		{"POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello", "ok /b"},
		{"GET /c HTTP/1.1\r\nHost: x\r\n\r\nGET /d HTTP/1.1\r\nHost: x\r\n\r\n", "ok /c"}, // pipelined
		{"", "ok /d"},
		{"POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc", "ok /e"},
		{"GET /hijack HTTP/1.1\r\nHost: x\r\n\r\n", "hijacked"},
	}
	for _, rq := range requests {
		start := time.Now()
		_ = c.SetDeadline(start.Add(5 * time.Second))
		if _, err := io.WriteString(c, rq.raw); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(r, nil)
		if err != nil {
			t.Fatalf("%q: %v", rq.want, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(body) != rq.want {
			t.Errorf("answer %q, want %q", body, rq.want)
		}
		// Generous for -race on a loaded machine, well under a sweep.
		if took := time.Since(start); took > 200*time.Millisecond {
			t.Errorf("%q took %s", rq.want, took)
		}
	}
}

// TestTheSweeperStopsWithItsLastConnection: no goroutine is left ticking
// on a server without connections.
func TestTheSweeperStopsWithItsLastConnection(t *testing.T) {
	s, addr, _ := testServer(t, Config{HeaderTimeout: 100 * time.Millisecond}, http.NotFoundHandler())
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	running := func() bool { s.sweep.mu.Lock(); defer s.sweep.mu.Unlock(); return s.sweep.on }
	for end := time.Now().Add(5 * time.Second); !running() && time.Now().Before(end); {
		time.Sleep(time.Millisecond)
	}
	if !running() {
		t.Fatal("no sweeper while a connection is open")
	}
	c.Close()
	for end := time.Now().Add(5 * time.Second); running() && time.Now().Before(end); {
		time.Sleep(time.Millisecond)
	}
	if running() {
		t.Error("the sweeper still runs without connections")
	}
}

// slowMachineSlack is how late past its sweep a timeout may fire in these
// tests: a loaded CI machine (the race detector, two shared cores) can
// hold the sweeper's goroutine back by more than a second; what the tests
// show is that the timeout fires, not early, and not at the much later
// deadline net/http would otherwise have left on the socket.
const slowMachineSlack = 3 * time.Second
