package server

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// httpServer is one process's HTTP server: net/http's connection handling
// with the front handler, the limits and the handler pool.
type httpServer struct {
	srv     *http.Server
	pool    *pool
	log     *slog.Logger
	lns     []net.Listener
	serving sync.WaitGroup // the accept loops
	closing atomic.Bool    // stopping: every answer closes its connection
	active  atomic.Int64   // connections in StateActive: reading or serving a request
	idle    atomic.Int64   // keep-alive connections between requests
	live    atomic.Int64   // connections active or idle: begun and not closed
	balance int            // with other workers on the socket: yield accepts beyond this many held connections (0: never)
	drain   time.Duration
	mu      sync.Mutex
	fresh   map[*conn]time.Time // accepted, first request not begun; when accepted
	sweep   *sweeper            // enforces the header and idle timeouts (deadline.go)
}

// freshGrace is how long a graceful stop waits for a new connection that
// has sent nothing yet: its request may be on the way (net/http waits 5s).
const freshGrace = time.Second

func newHTTPServer(cfg *Config, app http.Handler, log *slog.Logger) *httpServer {
	p := newPool(cfg.Threads)
	srv := &http.Server{
		Handler:           &front{app: app, cfg: cfg, pool: p, log: log},
		ReadHeaderTimeout: cfg.HeaderTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		WriteTimeout:      cfg.WriteTimeout,
		MaxHeaderBytes:    cfg.MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		ConnContext: func(ctx context.Context, c net.Conn) context.Context {
			if tc, ok := c.(*conn); ok {
				return context.WithValue(ctx, connKey{}, tc)
			}
			return ctx
		},
	}
	if cfg.MaxHeaderBytes < 0 {
		srv.MaxHeaderBytes = 0
	}
	s := &httpServer{srv: srv, pool: p, log: log, fresh: make(map[*conn]time.Time), drain: cfg.IdleDrain,
		sweep: newSweeper(sweepPeriod(cfg))}
	if cfg.Workers > 1 {
		s.balance = cfg.Threads
	}
	srv.Handler.(*front).closing = &s.closing
	srv.ConnState = s.connState
	return s
}

// connState tracks what a graceful stop waits for: active connections
// (counted) and fresh ones (listed once, until their first request).
func (s *httpServer) connState(nc net.Conn, st http.ConnState) {
	c, ok := nc.(*conn)
	if !ok {
		return
	}
	switch st {
	case http.StateHijacked:
		c.hijacked.Store(true)
		s.sweep.remove(c)
	case http.StateClosed:
		s.sweep.remove(c)
	}
	if st == http.StateNew {
		s.sweep.add(c)
		s.mu.Lock()
		s.fresh[c] = time.Now()
		s.mu.Unlock()
		return
	}
	if c.started.CompareAndSwap(false, true) {
		s.mu.Lock()
		delete(s.fresh, c)
		s.mu.Unlock()
	}
	count(&c.active, &s.active, st == http.StateActive)
	count(&c.idle, &s.idle, st == http.StateIdle)
	// One flag for both states: a stop that read active and idle apart
	// could see neither while a connection passes from one to the other.
	count(&c.live, &s.live, st == http.StateActive || st == http.StateIdle)
}

// count keeps total equal to the number of connections whose flag is set.
func count(flag *atomic.Bool, total *atomic.Int64, set bool) {
	if flag.Swap(set) != set {
		if set {
			total.Add(1)
		} else {
			total.Add(-1)
		}
	}
}

// held is the number of connections open and not serving a request:
// fresh ones and keep-alive ones between requests.
func (s *httpServer) held() int {
	s.mu.Lock()
	n := len(s.fresh)
	s.mu.Unlock()
	return n + int(s.idle.Load())
}

// drained reports whether no request is under way: no active connection,
// and every fresh one silent for freshGrace.
func (s *httpServer) drained() bool {
	if s.active.Load() > 0 {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for c, at := range s.fresh {
		if c.partial.Load() > 0 || time.Since(at) < freshGrace {
			return false
		}
	}
	return true
}

// serve accepts on every listener until shutdown; the channel receives
// the first error that stops a listener other than a shutdown.
func (s *httpServer) serve(lns []net.Listener) <-chan error {
	errc := make(chan error, len(lns))
	s.lns = lns
	for _, ln := range lns {
		s.serving.Add(1)
		go func() {
			defer s.serving.Done()
			err := s.srv.Serve(trackingListener{Listener: ln, log: s.log, srv: s})
			if err != nil && !errors.Is(err, http.ErrServerClosed) && !s.closing.Load() {
				errc <- err
			}
		}()
	}
	return errc
}

// shutdown stops accepting, lets in-flight requests finish within timeout
// and then closes what is left. It returns once the connections are closed.
//
// It does not use http.Server.Shutdown: a connection accepted just before
// it, whose request is read just after, would be closed unanswered
// (net/http drops requests read while shutting down). Instead it closes
// the listeners, waits for the accept loops to return (so every accepted
// connection is tracked), and from then on every answer carries
// Connection: close. Keep-alive connections are left open for IdleDrain,
// or until they close: one between requests, for a request its client
// may already be sending (closing under it is the reset a client that
// does not retry sees); one serving a request whose answer went out
// before the stop without Connection: close, because it goes idle after
// that answer and its client may send the next request at once. Then
// keep-alive is turned off, which closes those still idle.
// It waits until drained and closes the rest: connections that never
// sent a byte.
func (s *httpServer) shutdown(timeout time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	s.closing.Store(true)
	for _, ln := range s.lns {
		_ = ln.Close()
	}
	// Once the accept loops return, every accepted connection is tracked.
	s.serving.Wait()
	grace := time.Now().Add(min(s.drain, timeout))
	for s.live.Load() > 0 && time.Now().Before(grace) {
		time.Sleep(5 * time.Millisecond)
	}
	s.srv.SetKeepAlivesEnabled(false)
	for wait := time.Millisecond; !s.drained(); wait = min(2*wait, 50*time.Millisecond) {
		if ctx.Err() != nil {
			s.log.Warn("shutdown deadline passed; closing connections", "timeout", timeout.String())
			break
		}
		time.Sleep(wait)
	}
	_ = s.srv.Close()
}
