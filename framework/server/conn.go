package server

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// trackingListener wraps every accepted connection in a conn.
type trackingListener struct {
	net.Listener
	log *slog.Logger
	srv *httpServer
}

// Accept first yields to the other workers sharing the socket when this
// one holds more connections than it has threads (fresh ones and idle
// keep-alive ones): 1ms per connection beyond, at most 10ms (in the
// manner of Puma's wait_for_less_busy_worker). Otherwise whichever worker wakes first takes
// a burst of keep-alive connections, and they stay unevenly split for
// their whole life (14/6 for 20 connections on 2 workers).
func (l trackingListener) Accept() (net.Conn, error) {
	if b := l.srv.balance; b > 0 {
		if extra := l.srv.held() - b; extra > 0 {
			time.Sleep(min(time.Duration(extra)*time.Millisecond, 10*time.Millisecond))
		}
	}
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &conn{Conn: c, log: l.log, sw: l.srv.sweep}, nil
}

// conn watches one connection for what net/http handles without calling
// a handler, so that each gets a log line (and a 408 for a header timeout):
// the 400/431/501/505 answers net/http writes itself, and read timeouts
// while waiting for a request. It also counts requests for the keep-alive
// limit. net/http reads and writes a connection from one goroutine outside
// handlers; inHandler tells the two phases apart.
type conn struct {
	net.Conn
	log       *slog.Logger
	requests  atomic.Int64 // requests started
	started   atomic.Bool  // its first request began; see httpServer.connState
	active    atomic.Bool  // in StateActive
	idle      atomic.Bool  // in StateIdle
	live      atomic.Bool  // in StateActive or StateIdle
	answered  atomic.Bool  // a 408 went out: net/http's own answer that follows is dropped
	inHandler atomic.Bool  // a handler runs: timeouts are the handler's business
	partial   atomic.Int64 // bytes read since the last response was written
	deadline  atomic.Int64 // the socket's read deadline in Unix seconds, 0 for none

	// Deadlines (deadline.go): the read deadline net/http set between
	// requests, kept for the sweeper instead of set on the socket.
	sw         *sweeper     // nil: every deadline goes to the socket
	mu         sync.Mutex   // orders setting and clearing the socket's deadlines
	due        atomic.Int64 // the kept read deadline (sweeper's clock), 0 for none, dueArmed
	writeArmed atomic.Bool  // the socket has a write deadline
	hijacked   atomic.Bool  // handed to a handler: deadlines go to the socket
}

func (c *conn) noteDeadline(t time.Time) {
	if t.IsZero() {
		c.deadline.Store(0)
		return
	}
	c.deadline.Store(t.Unix())
}

type connKey struct{}

// connFrom returns the connection a request arrived on, or nil.
func connFrom(ctx context.Context) *conn {
	c, _ := ctx.Value(connKey{}).(*conn)
	return c
}

func (c *conn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 && !c.inHandler.Load() {
		c.partial.Add(int64(n))
	}
	if err != nil && !c.inHandler.Load() && !c.aborted() && errors.Is(err, os.ErrDeadlineExceeded) {
		c.timedOut()
	}
	return n, err
}

// aborted reports whether the read deadline is net/http's way of cutting
// its own background read short (a time in the distant past), which ends
// every request's background read: checked before the error's type, which
// costs more.
func (c *conn) aborted() bool {
	d := c.deadline.Load()
	return d != 0 && d < 1e6
}

// timedOut answers a client that sent part of a request, or nothing on a
// new connection, within the header timeout. An idle keep-alive
// connection is closed without a word, as HTTP allows.
func (c *conn) timedOut() {
	if c.aborted() {
		return // net/http aborting its own read
	}
	if c.partial.Load() == 0 && c.requests.Load() > 0 {
		return
	}
	c.log.Warn("rejected request", "status", 408, "reason", "request headers not received in time",
		"remote", c.RemoteAddr().String(), "bytes", c.partial.Load())
	c.answered.Store(true)
	_, _ = c.Conn.Write([]byte("HTTP/1.1 408 Request Timeout\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n408 Request Timeout\n"))
}

// netHTTPError is how net/http's own error answers go on after the status
// line (the handlers' answers have their headers sorted: Connection first).
const netHTTPError = "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"

func (c *conn) Write(p []byte) (int, error) {
	if c.answered.Load() {
		return len(p), nil
	}
	c.partial.Store(0)
	// net/http's own answers are errors (4xx, 5xx): a handler's answer,
	// written after the handler returned, is passed over at its status.
	if !c.inHandler.Load() && len(p) > len("HTTP/1.1 ") && (p[9] == '4' || p[9] == '5') && bytes.HasPrefix(p, []byte("HTTP/1.1 ")) {
		c.logServerError(p)
	}
	return c.Conn.Write(p)
}

// logServerError logs an error answer net/http wrote without a handler.
func (c *conn) logServerError(p []byte) {
	nl := bytes.IndexByte(p, '\n')
	if nl < 1 || !bytes.HasPrefix(p[nl-1:], []byte(netHTTPError)) {
		return
	}
	code, text, _ := strings.Cut(string(p[len("HTTP/1.1 "):nl-1]), " ")
	status, _ := strconv.Atoi(code)
	reason := strings.TrimPrefix(string(p[nl-1+len(netHTTPError):]), code+" ")
	if len(reason) > 120 {
		reason = reason[:120]
	}
	if reason == "" {
		reason = text
	}
	c.log.Warn("rejected request", "status", status, "reason", reason, "remote", c.RemoteAddr().String())
}

// CloseWrite lets net/http half-close after an error answer.
func (c *conn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// ReadFrom keeps sendfile/splice for response bodies.
func (c *conn) ReadFrom(r io.Reader) (int64, error) {
	c.partial.Store(0)
	if rf, ok := c.Conn.(io.ReaderFrom); ok {
		return rf.ReadFrom(r)
	}
	return io.Copy(struct{ io.Writer }{c.Conn}, r)
}
