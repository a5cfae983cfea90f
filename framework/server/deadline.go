package server

import (
	"sync"
	"sync/atomic"
	"time"
)

// Connection deadlines.
//
// Between requests net/http sets a connection's read deadline two or three
// times per request: the idle timeout after an answer, the header timeout
// when the next request begins, then none while the handler runs. Each
// non-zero one re-arms a runtime timer and reads the clock twice more,
// and the timers on every P make the scheduler read the clock on each
// pass: about 1.3 µs per request on 2 CPUs, against 0.2 µs without the
// timeouts (docs/performance.md, "Fifth pass: connection deadlines").
//
// So a conn keeps those deadlines to itself (conn.due) and one sweeper per
// server looks over the open connections every sweep period: one whose
// deadline has passed gets it set on the socket then, already past, so
// that its blocked Read returns the timeout error net/http expects (and
// the 408 of conn.timedOut goes out as before). A timeout therefore fires
// up to one sweep period late. Deadlines set while a handler runs (the
// body timeout, the application's own through http.ResponseController)
// and on a hijacked connection go straight to the socket, exact as
// before, and so does one already past: net/http aborts its background
// read with a deadline in the distant past, and that must act at once.

// Sweep periods: a tenth of the shortest timeout swept, within these.
const (
	maxSweepPeriod = 250 * time.Millisecond
	minSweepPeriod = 5 * time.Millisecond
)

// sweepPeriod is how often the sweeper of a server with cfg's timeouts
// looks for expired deadlines: a tenth of the shorter of HeaderTimeout
// and IdleTimeout, between minSweepPeriod and maxSweepPeriod.
func sweepPeriod(cfg *Config) time.Duration {
	p := maxSweepPeriod
	for _, d := range []time.Duration{cfg.HeaderTimeout, cfg.IdleTimeout} {
		if d > 0 {
			p = min(p, d/10)
		}
	}
	return max(p, minSweepPeriod)
}

// dueArmed in conn.due: the socket itself has a read deadline (passed
// through, or set by the sweeper), which a new deadline must clear first.
const dueArmed = -1

// sweeper enforces the read deadlines its connections keep to themselves.
// Its goroutine runs while connections are registered.
type sweeper struct {
	period time.Duration
	epoch  time.Time    // deadlines are kept as nanoseconds since epoch (its monotonic reading)
	now    atomic.Int64 // nanoseconds since epoch at the last sweep: a deadline before it has passed
	mu     sync.Mutex
	conns  map[*conn]struct{}
	on     bool // the goroutine runs
}

func newSweeper(period time.Duration) *sweeper {
	return &sweeper{period: period, epoch: time.Now(), conns: make(map[*conn]struct{})}
}

// since is t in the sweeper's clock: nanoseconds since its epoch.
func (s *sweeper) since(t time.Time) int64 { return int64(t.Sub(s.epoch)) }

// add registers a new connection, starting the goroutine if it is the first.
func (s *sweeper) add(c *conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.conns[c] = struct{}{}
	if !s.on {
		s.on = true
		s.now.Store(s.since(time.Now()))
		go s.run()
	}
}

// remove forgets a closed or hijacked connection.
func (s *sweeper) remove(c *conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
}

// run sweeps every period until no connection is left.
func (s *sweeper) run() {
	tick := time.NewTicker(s.period)
	defer tick.Stop()
	var expired []*conn
	for t := range tick.C {
		now := s.since(t)
		s.now.Store(now)
		s.mu.Lock()
		if len(s.conns) == 0 {
			s.on = false
			s.mu.Unlock()
			return
		}
		for c := range s.conns {
			if d := c.due.Load(); d > 0 && d <= now {
				expired = append(expired, c)
			}
		}
		s.mu.Unlock()
		for i, c := range expired {
			c.expire(now)
			expired[i] = nil
		}
		expired = expired[:0]
	}
}

// SetReadDeadline keeps a deadline net/http sets between requests for the
// sweeper; see the top of deadline.go.
func (c *conn) SetReadDeadline(t time.Time) error {
	sw := c.sw
	if sw == nil || c.inHandler.Load() || c.hijacked.Load() {
		return c.setReadDeadline(t)
	}
	var d int64 // 0: none
	if !t.IsZero() {
		if d = sw.since(t); d <= sw.now.Load() {
			// Already past: act now. On the socket the sweeper's epoch
			// stands for it, as past as t but with a monotonic reading:
			// the socket compares it with one clock read instead of two
			// (net/http's aLongTimeAgo has none). c.deadline keeps t.
			c.mu.Lock()
			defer c.mu.Unlock()
			c.noteDeadline(t)
			c.due.Store(dueArmed)
			return c.Conn.SetReadDeadline(sw.epoch)
		}
	}
	if old := c.due.Load(); old != dueArmed && c.due.CompareAndSwap(old, d) {
		return nil
	}
	// The socket has a deadline (the sweeper may have just set it): clear it.
	c.mu.Lock()
	defer c.mu.Unlock()
	var err error
	if c.due.Load() == dueArmed {
		c.deadline.Store(0)
		err = c.Conn.SetReadDeadline(time.Time{})
	}
	c.due.Store(d)
	return err
}

// setReadDeadline sets the socket's read deadline, dropping a kept one.
func (c *conn) setReadDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.IsZero() && c.due.Load() != dueArmed {
		c.due.Store(0) // the socket has none to clear
		return nil
	}
	c.noteDeadline(t)
	if t.IsZero() {
		c.due.Store(0)
	} else {
		c.due.Store(dueArmed)
	}
	return c.Conn.SetReadDeadline(t)
}

// SetWriteDeadline skips clearing a write deadline the socket does not
// have: net/http clears it after every answer.
func (c *conn) SetWriteDeadline(t time.Time) error {
	if t.IsZero() && !c.writeArmed.Load() {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.writeArmed.Store(!t.IsZero())
	return c.Conn.SetWriteDeadline(t)
}

func (c *conn) SetDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.noteDeadline(t)
	if t.IsZero() {
		c.due.Store(0)
	} else {
		c.due.Store(dueArmed)
	}
	c.writeArmed.Store(!t.IsZero())
	return c.Conn.SetDeadline(t)
}

// expire sets the kept read deadline on the socket if it has passed by
// now: a Read blocked on the connection returns os.ErrDeadlineExceeded.
func (c *conn) expire(now int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d := c.due.Load(); d > 0 && d <= now && c.due.CompareAndSwap(d, dueArmed) {
		c.noteDeadline(c.sw.epoch.Add(time.Duration(d)))
		_ = c.Conn.SetReadDeadline(c.sw.epoch) // as past as the deadline, and surely so
	}
}
