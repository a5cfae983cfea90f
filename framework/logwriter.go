package framework

import (
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// Log buffering (production's default logger).
const (
	// logFlushInterval is the longest a line waits in the buffer while
	// requests keep coming.
	logFlushInterval = 100 * time.Millisecond
	// logBufferSize is how much the buffer holds before it is written out
	// at once.
	logBufferSize = 32 << 10
	// logIdleDelay is the longest a line waits once no request is in
	// flight, when the buffer was written out less than logIdleDelay ago
	// (a server under load whose requests rarely overlap, as on few
	// cores): the lines of the next requests join it in one write.
	logIdleDelay = time.Millisecond
)

// logWriter is the production log's output: it buffers lines only while
// requests are in flight, and writes them out when the last request in
// flight completes, when logFlushInterval has passed since the first
// line of the buffer, when the buffer is full, and at Close. Outside
// requests (boot, commands, shutdown, a job worker at rest) every line is
// written at once. So a server under load makes one write per many lines
// instead of one per line, and an idle server holds nothing back.
//
// When the last request in flight completes less than logIdleDelay after
// the buffer was last written out, the buffer is written logIdleDelay
// later instead (or at once by whatever writes it sooner): on few cores a
// loaded server's requests rarely overlap, and writing at each one's end
// cost a write(2) per one to three requests. A lone request's lines are
// still written when it completes.
//
// What a crash loses: a clean shutdown (SIGTERM, SIGINT, the end of a
// command) and a hot restart flush first. A process killed with SIGKILL,
// or dying of a fatal error, loses what the buffer held: at most
// logFlushInterval's worth of lines (and at most logBufferSize bytes),
// and only when requests were in flight or had just completed, since the
// buffer is written out within logIdleDelay of the server going idle.
// Safe for concurrent use.
type logWriter struct {
	busy atomic.Int64 // requests in flight

	mu      sync.Mutex
	w       io.Writer
	buf     []byte
	timer   *time.Timer // flushes the buffer logFlushInterval after its first line, or logIdleDelay after going idle
	armed   bool
	soon    bool      // the timer is armed for logIdleDelay
	flushed time.Time // when the buffer was last written out
	now     func() time.Time
	closed  bool
}

func newLogWriter(w io.Writer) *logWriter {
	l := &logWriter{w: w, buf: make([]byte, 0, logBufferSize), now: time.Now}
	l.timer = time.AfterFunc(time.Hour, l.onTimer)
	l.timer.Stop()
	return l
}

// Write buffers p while a request is in flight and writes it through
// otherwise. A buffered write reports no error: a failure of the output
// shows on the write that flushes.
func (l *logWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed || l.busy.Load() <= 0 {
		if err := l.flushLocked(); err != nil {
			return 0, err
		}
		return l.w.Write(p)
	}
	if len(l.buf)+len(p) > cap(l.buf) {
		if err := l.flushLocked(); err != nil {
			return 0, err
		}
		if len(p) > cap(l.buf) {
			return l.w.Write(p)
		}
	}
	l.buf = append(l.buf, p...)
	if !l.armed {
		l.armed = true
		l.timer.Reset(logFlushInterval)
	}
	return len(p), nil
}

// begin counts a request in flight.
func (l *logWriter) begin() { l.busy.Add(1) }

// end counts a request done; the last one in flight writes the buffer
// out, or has the timer write it logIdleDelay later when it was written
// less than logIdleDelay ago.
func (l *logWriter) end() {
	if l.busy.Add(-1) > 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.buf) == 0 {
		return
	}
	if !l.closed && l.now().Sub(l.flushed) < logIdleDelay {
		if !l.soon {
			l.soon, l.armed = true, true
			l.timer.Reset(logIdleDelay)
		}
		return
	}
	_ = l.flushLocked()
}

func (l *logWriter) onTimer() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.armed, l.soon = false, false
	_ = l.flushLocked()
}

// Flush writes out what the buffer holds.
func (l *logWriter) Flush() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.flushLocked()
}

func (l *logWriter) flushLocked() error {
	if len(l.buf) == 0 {
		return nil
	}
	_, err := l.w.Write(l.buf)
	l.buf = l.buf[:0] // a failed write's lines are dropped: the output is gone
	l.flushed = l.now()
	return err
}

// Close flushes; later writes go straight through.
func (l *logWriter) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	l.timer.Stop()
	l.armed, l.soon = false, false
	return l.flushLocked()
}
