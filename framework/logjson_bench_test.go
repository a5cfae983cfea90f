package framework

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorails/gorails/framework/event"
)

// BenchmarkRequestLogLines writes the three lines of a GET /hello at info
// (Started, Processing by, Completed, with their JSON attributes and the
// request id) to a discarding output:
//
//   - slog: the raw baseline, a slog.JSONHandler given the same messages
//     and attributes with Logger.LogAttrs (the messages built with fmt-free
//     concatenation, as a hand-written service would);
//   - subscriber: the LogSubscriber from its three events, as production's
//     request log writes them (the lines' text built by the subscriber).
func BenchmarkRequestLogLines(b *testing.B) {
	ctx := event.WithRequestID(context.Background(), "3f2a9c1e-5b7d-4c2a-9e8f-0a1b2c3d4e5f")
	at := time.Date(2026, 12, 6, 4, 0, 0, 0, time.UTC)
	start := &event.StartRequest{Method: "GET", Path: "/hello", RemoteIP: "127.0.0.1", Time: at}
	processing := &event.StartProcessing{Controller: "PagesController", Action: "hello", Format: "HTML", Method: "GET", Path: "/hello"}
	done := &event.ProcessAction{Controller: "PagesController", Action: "hello", Format: "HTML", Method: "GET", Path: "/hello",
		Status: http.StatusOK, Start: at, Duration: 120 * time.Microsecond}

	b.Run("slog", func(b *testing.B) {
		log := slog.New(slog.NewJSONHandler(io.Discard, nil))
		b.ReportAllocs()
		for b.Loop() {
			log.LogAttrs(ctx, slog.LevelInfo, "Started GET \"/hello\" for 127.0.0.1 at "+at.Format("2006-01-02 15:04:05 -0700"),
				slog.String("method", "GET"), slog.String("path", "/hello"), slog.String("remote_ip", "127.0.0.1"),
				slog.String("request_id", event.RequestID(ctx)))
			log.LogAttrs(ctx, slog.LevelInfo, "Processing by PagesController#hello as HTML",
				slog.String("controller", "PagesController"), slog.String("action", "hello"), slog.String("format", "HTML"),
				slog.String("request_id", event.RequestID(ctx)))
			log.LogAttrs(ctx, slog.LevelInfo, "Completed 200 OK in 0.1ms",
				slog.String("method", "GET"), slog.String("path", "/hello"), slog.Int("status", 200),
				slog.Float64("duration_ms", 0.12), slog.Float64("view_ms", 0), slog.Float64("db_ms", 0), slog.Int64("db_queries", 0),
				slog.String("controller", "PagesController"), slog.String("action", "hello"),
				slog.String("request_id", event.RequestID(ctx)))
		}
	})
	b.Run("subscriber", func(b *testing.B) {
		s := &LogSubscriber{Logger: slog.New(newJSONHandler(io.Discard, slog.LevelInfo)), Attrs: true}
		b.ReportAllocs()
		for b.Loop() {
			s.startRequest(ctx, start)
			s.startProcessing(ctx, processing)
			s.processAction(ctx, done)
		}
	})
}

// TestJSONPlainTable: the table of bytes appendJSONString copies as they
// are is the rule it stands for, byte by byte.
func TestJSONPlainTable(t *testing.T) {
	t.Parallel()
	for c := range 256 {
		want := c >= ' ' && c < 0x80 && c != '"' && c != '\\'
		if jsonPlain[c] != want {
			t.Errorf("jsonPlain[%#x] = %v, want %v", c, jsonPlain[c], want)
		}
	}
}

// TestJSONPlainWord: the eight-byte test is the table's, for every byte
// in every position among plain and special neighbours, and for random
// words.
func TestJSONPlainWord(t *testing.T) {
	t.Parallel()
	want := func(w uint64) bool {
		for k := range 8 {
			if !jsonPlain[byte(w>>(8*k))] {
				return false
			}
		}
		return true
	}
	check := func(w uint64) {
		if got := jsonPlainWord(w); got != want(w) {
			t.Fatalf("jsonPlainWord(%#016x) = %v, want %v", w, got, !got)
		}
	}
	for _, fill := range []byte{'a', ' ', '~', 0x7f, '"', '\\', 0, 0x1f, 0x80, 0xff, '!', '#', '[', ']'} {
		for c := range 256 {
			for k := range 8 {
				w := uint64(0)
				for j := range 8 {
					b := fill
					if j == k {
						b = byte(c)
					}
					w |= uint64(b) << (8 * j)
				}
				check(w)
			}
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 1 << 20 {
		w := r.Uint64()
		check(w)
		check(w & 0x7f7f7f7f7f7f7f7f) // ASCII only
		check(w&0x3f3f3f3f3f3f3f3f | 0x2020202020202020)
	}
}

// TestAppendJSONStringAroundWords: strings with a byte to escape at every
// offset from the eight-byte words' edges, of every length up to 40,
// written as slog.JSONHandler writes them (as a string and as bytes).
func TestAppendJSONStringAroundWords(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	drop := func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey || a.Key == slog.LevelKey || a.Key == slog.MessageKey {
			return slog.Attr{}
		}
		return a
	}
	log := slog.New(slog.NewJSONHandler(&out, &slog.HandlerOptions{ReplaceAttr: drop}))
	slogString := func(s string) string {
		out.Reset()
		log.Info("", "k", s)
		return strings.TrimSuffix(strings.TrimPrefix(out.String(), `{"k":`), "}\n")
	}
	specials := []string{"\"", "\\", "\n", "\x00", "\x1f", "\x7f", "é", "\xff", "\xe2\x82", "\u2028", "🙂"}
	for n := 0; n <= 40; n++ {
		for at := 0; at <= n; at++ {
			for _, sp := range specials {
				s := strings.Repeat("a", at) + sp + strings.Repeat("b", n-at)
				want := slogString(s)
				if got := string(appendJSONString(nil, s)); got != want {
					t.Fatalf("%q: %s, slog %s", s, got, want)
				}
				if got := string(appendJSONString(nil, []byte(s))); got != want {
					t.Fatalf("%q as bytes: %s, slog %s", s, got, want)
				}
			}
		}
	}
}
