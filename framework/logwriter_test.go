package framework

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorails/gorails/framework/event"
)

// lockedBuf is a bytes.Buffer safe for the timer's goroutine, counting
// the writes it gets.
type lockedBuf struct {
	mu     sync.Mutex
	b      bytes.Buffer
	writes int
}

func (l *lockedBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.writes++
	return l.b.Write(p)
}

func (l *lockedBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestLogWriterBuffersOnlyWhileRequestsAreInFlight(t *testing.T) {
	t.Parallel()
	out := &lockedBuf{}
	w := newLogWriter(out)
	defer w.Close()

	fmt.Fprint(w, "boot\n") // no request in flight: written at once
	if out.String() != "boot\n" {
		t.Fatalf("an idle write was held back: %q", out.String())
	}
	w.begin()
	w.begin()
	fmt.Fprint(w, "a1\n")
	fmt.Fprint(w, "b1\n")
	if out.String() != "boot\n" {
		t.Fatalf("written while requests are in flight: %q", out.String())
	}
	w.end() // one request still in flight
	fmt.Fprint(w, "b2\n")
	if out.String() != "boot\n" {
		t.Fatalf("written while a request is in flight: %q", out.String())
	}
	w.end() // idle: out it goes, in one write
	if out.String() != "boot\na1\nb1\nb2\n" || out.writes != 2 {
		t.Fatalf("after the last request: %q in %d writes", out.String(), out.writes)
	}

	// A line bigger than the buffer goes straight out, after what is held.
	w.begin()
	fmt.Fprint(w, "small\n")
	big := strings.Repeat("x", logBufferSize+1) + "\n"
	fmt.Fprint(w, big)
	if !strings.HasSuffix(out.String(), "small\n"+big) {
		t.Fatal("a line bigger than the buffer is not written in order")
	}
	fmt.Fprint(w, "held\n")
	if err := w.Close(); err != nil { // Close flushes even with a request in flight
		t.Fatal(err)
	}
	if !strings.HasSuffix(out.String(), "held\n") {
		t.Fatal("Close did not flush")
	}
	fmt.Fprint(w, "after close\n") // written through
	w.end()
	if !strings.HasSuffix(out.String(), "after close\n") {
		t.Fatal("a write after Close was lost")
	}
}

// TestLogWriterFlushesOnATimerUnderLoad: with requests always in flight,
// the timer writes the buffer out.
func TestLogWriterFlushesOnATimerUnderLoad(t *testing.T) {
	t.Parallel()
	out := &lockedBuf{}
	w := newLogWriter(out)
	defer w.Close()
	w.begin()
	defer w.end()
	fmt.Fprint(w, "line\n")
	deadline := time.Now().Add(10 * time.Second)
	for out.String() != "line\n" {
		if time.Now().After(deadline) {
			t.Fatal("the timer never flushed the buffer")
		}
		time.Sleep(5 * time.Millisecond)
	}
	fmt.Fprint(w, "again\n") // the timer re-arms
	for out.String() != "line\nagain\n" {
		if time.Now().After(deadline) {
			t.Fatal("the timer flushed only once")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestLogWriterWaitsAMomentAfterARecentWrite: when the last request in
// flight ends less than logIdleDelay after the buffer was written out,
// its lines wait for the timer (the next requests' lines join them);
// later than that, they are written at once. The clock is the test's; the
// timer is real.
func TestLogWriterWaitsAMomentAfterARecentWrite(t *testing.T) {
	t.Parallel()
	out := &lockedBuf{}
	w := newLogWriter(out)
	defer w.Close()
	clock := time.Date(2026, 12, 6, 4, 0, 0, 0, time.UTC)
	w.now = func() time.Time { return clock } // read under w.mu only
	request := func(line string) {
		w.begin()
		fmt.Fprint(w, line)
		w.end()
	}
	wait := func(want string) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for out.String() != want {
			if time.Now().After(deadline) {
				t.Fatalf("the timer never wrote %q: %q", want, out.String())
			}
			time.Sleep(time.Millisecond)
		}
	}

	request("a\n") // the first: nothing written before, out at once
	if out.String() != "a\n" || out.writes != 1 {
		t.Fatalf("a lone request's line was held back: %q in %d writes", out.String(), out.writes)
	}
	request("b\n") // at the same instant: waits
	request("c\n")
	if out.String() != "a\n" {
		t.Fatalf("written right after a write: %q", out.String())
	}
	wait("a\nb\nc\n")
	if out.writes != 2 {
		t.Fatalf("b and c in %d writes, want one", out.writes-1)
	}

	w.mu.Lock()
	clock = clock.Add(logIdleDelay) // a quiet moment
	w.mu.Unlock()
	request("d\n")
	if out.String() != "a\nb\nc\nd\n" {
		t.Fatalf("a request after a quiet moment was held back: %q", out.String())
	}

	request("e\n") // held, then Close writes it
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if out.String() != "a\nb\nc\nd\ne\n" {
		t.Fatalf("Close did not write the held line: %q", out.String())
	}
	request("f\n") // after Close: at once, whatever the clock
	if !strings.HasSuffix(out.String(), "e\nf\n") {
		t.Fatalf("a line after Close was held: %q", out.String())
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestLogWriterReportsAFailingOutputOnFlush(t *testing.T) {
	t.Parallel()
	w := newLogWriter(failWriter{})
	w.begin()
	if _, err := fmt.Fprint(w, "x\n"); err != nil {
		t.Fatalf("a buffered write failed: %v", err)
	}
	if err := w.Flush(); err == nil {
		t.Fatal("Flush hid the output's failure")
	}
	if err := w.Close(); err != nil {
		t.Fatalf("the failed lines were kept: %v", err)
	}
}

// TestLogWriterConcurrentLinesStayWhole: requests logging at once from
// many goroutines; every line comes out whole, none lost (run with -race).
func TestLogWriterConcurrentLinesStayWhole(t *testing.T) {
	t.Parallel()
	out := &lockedBuf{}
	w := newLogWriter(out)
	log := slog.New(newJSONHandler(w, slog.LevelInfo))
	var wg sync.WaitGroup
	const goroutines, perG = 8, 200
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perG {
				w.begin()
				ctx := event.WithRequestID(context.Background(), fmt.Sprintf("r%d-%d", g, i))
				log.InfoContext(ctx, "Started", "i", i)
				log.InfoContext(ctx, "Completed", "i", i)
				w.end()
			}
		}()
	}
	wg.Wait()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != goroutines*perG*2 {
		t.Fatalf("%d lines, want %d", len(lines), goroutines*perG*2)
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, `{"time":"`) || !strings.HasSuffix(l, `"}`) {
			t.Fatalf("a torn line: %q", l)
		}
	}
	if out.writes >= len(lines) {
		t.Errorf("%d writes for %d lines: nothing was batched", out.writes, len(lines))
	}
}

type textErr struct{}

func (textErr) Error() string { return "boom <&> \"q\"" }

// TestJSONHandlerWritesWhatSlogWrites compares the fast JSON handler's
// lines with slog.JSONHandler's (plus requestIDHandler's request id),
// byte for byte.
func TestJSONHandlerWritesWhatSlogWrites(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 12, 5, 7, 30, 0, 123456789, time.UTC)
	ctx := event.WithRequestID(context.Background(), "req-1")
	for _, tc := range []struct {
		name  string
		msg   string
		attrs []slog.Attr
	}{
		{"completed", "Completed 200 OK in 3ms", []slog.Attr{
			slog.String("method", "GET"), slog.String("path", "/posts?q=<a&b>"), slog.Int("status", 200),
			slog.Float64("duration_ms", 3.25), slog.Float64("view_ms", 0), slog.Float64("db_ms", 1e-7),
			slog.Float64("big", 1e22), slog.Int64("db_queries", 2), slog.Uint64("u", math.MaxUint64),
		}},
		{"escapes", "line\nbreak\t\"quoted\" \\ \x00\x1f\x7f \u2028\u2029 \xff é", []slog.Attr{
			slog.String("k\"ey", "v\r\n"), slog.Bool("hit", true), slog.Bool("miss", false),
		}},
		{"kinds", "kinds", []slog.Attr{
			slog.Duration("took", 1500*time.Millisecond), slog.Time("at", at),
			slog.Any("params", map[string]any{"page": "2", "tags": []string{"a", "<b>"}}),
			slog.Any("err", textErr{}), slog.Any("binds", []string{"[1 bind]"}), slog.Any("nil", nil),
		}},
		{"groups", "groups", []slog.Attr{
			slog.Group("req", slog.String("id", "x"), slog.Group("inner", slog.Int("n", 1))),
			slog.Group("empty"), slog.Attr{}, slog.Group("", slog.String("inlined", "yes")),
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var fast, std bytes.Buffer
			r := slog.NewRecord(at, slog.LevelWarn, tc.msg, 0)
			r.AddAttrs(tc.attrs...)
			if err := newJSONHandler(&fast, slog.LevelInfo).WithAttrs([]slog.Attr{slog.String("component", "web")}).Handle(ctx, r); err != nil {
				t.Fatal(err)
			}
			if err := (requestIDHandler{slog.NewJSONHandler(&std, nil)}).WithAttrs([]slog.Attr{slog.String("component", "web")}).Handle(ctx, r); err != nil {
				t.Fatal(err)
			}
			if fast.String() != std.String() {
				t.Errorf("fast:\n%s\nslog:\n%s", fast.String(), std.String())
			}
		})
	}
}

func TestJSONHandlerGroupsFallBackToSlog(t *testing.T) {
	t.Parallel()
	var fast, std bytes.Buffer
	ctx := event.WithRequestID(context.Background(), "req-2")
	slog.New(newJSONHandler(&fast, slog.LevelInfo)).With("component", "jobs").With("worker", 2, "queue", "default").WithGroup("job").InfoContext(ctx, "m", "id", 7)
	slog.New(requestIDHandler{slog.NewJSONHandler(&std, nil)}).With("component", "jobs").With("worker", 2, "queue", "default").WithGroup("job").InfoContext(ctx, "m", "id", 7)
	strip := func(s string) string { return s[strings.Index(s, `"level"`):] } // the times differ
	if strip(fast.String()) != strip(std.String()) {
		t.Errorf("fast:\n%s\nslog:\n%s", fast.String(), std.String())
	}
}
