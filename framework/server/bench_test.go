//go:build unix

package server

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"syscall"
	"testing"
	"time"
)

// BenchmarkServe compares a keep-alive hello-world request through the
// front handler (limits, pool, conn tracking) with a plain http.Server.
func BenchmarkServe(b *testing.B) {
	hello := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "hello world\n") })
	b.Run("plain", func(b *testing.B) {
		ln, _ := net.Listen("tcp", "127.0.0.1:0")
		srv := &http.Server{Handler: hello}
		go func() { _ = srv.Serve(ln) }()
		defer srv.Close()
		benchConns(b, ln.Addr().String())
	})
	b.Run("plain-timeouts", func(b *testing.B) {
		ln, _ := net.Listen("tcp", "127.0.0.1:0")
		srv := &http.Server{Handler: hello, ReadHeaderTimeout: DefaultHeaderTimeout, IdleTimeout: DefaultIdleTimeout}
		go func() { _ = srv.Serve(ln) }()
		defer srv.Close()
		benchConns(b, ln.Addr().String())
	})
	b.Run("front", func(b *testing.B) {
		ln, _ := net.Listen("tcp", "127.0.0.1:0")
		cfg := Config{Logger: discard(), MaxKeepAliveRequests: -1}.WithDefaults()
		s := newHTTPServer(&cfg, hello, cfg.Logger)
		s.serve([]net.Listener{ln})
		defer s.shutdown(time.Second)
		benchConns(b, ln.Addr().String())
	})
	b.Run("front-notimeouts", func(b *testing.B) {
		ln, _ := net.Listen("tcp", "127.0.0.1:0")
		cfg := Config{Logger: discard(), MaxKeepAliveRequests: -1, HeaderTimeout: -1, IdleTimeout: -1}.WithDefaults()
		s := newHTTPServer(&cfg, hello, cfg.Logger)
		s.serve([]net.Listener{ln})
		defer s.shutdown(time.Second)
		benchConns(b, ln.Addr().String())
	})
}

func benchConns(b *testing.B, addr string) {
	b.ReportAllocs()
	b.SetParallelism(4)
	cpu0 := cpuTime()
	b.RunParallel(func(pb *testing.PB) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			b.Error(err)
			return
		}
		defer c.Close()
		r := bufio.NewReader(c)
		for pb.Next() {
			_, _ = io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
			resp, err := http.ReadResponse(r, nil)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	})
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
}

func cpuTime() int64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// BenchmarkDeadlines is the read and write deadlines net/http sets on a
// keep-alive connection for one request with the header and idle
// timeouts on: idle, header, none (request read), none (background read
// started), the background read's abort and its reset, no write deadline.
// "socket" sets them on the TCP connection as net/http does without the
// wrapper; "conn" through the wrapper with its sweeper; "clock" only
// reads the clock for the two deadlines, as net/http does either way.
func BenchmarkDeadlines(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	nc, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	defer nc.Close()
	sw := newSweeper(maxSweepPeriod)
	c := &conn{Conn: nc, log: discard(), sw: sw}
	sw.add(c)
	defer sw.remove(c)
	longAgo := time.Unix(1, 0)
	for _, bc := range []struct {
		name string
		c    net.Conn
	}{{"socket", nc}, {"conn", c}, {"clock", nil}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			if bc.c == nil {
				var t time.Time
				for b.Loop() {
					t = time.Now().Add(DefaultIdleTimeout)
					t = time.Now().Add(DefaultHeaderTimeout)
				}
				_ = t
				return
			}
			for b.Loop() {
				_ = bc.c.SetReadDeadline(time.Now().Add(DefaultIdleTimeout))
				_ = bc.c.SetReadDeadline(time.Now().Add(DefaultHeaderTimeout))
				_ = bc.c.SetReadDeadline(time.Time{})
				_ = bc.c.SetReadDeadline(time.Time{})
				_ = bc.c.SetReadDeadline(longAgo)
				_ = bc.c.SetReadDeadline(time.Time{})
				_ = bc.c.SetWriteDeadline(time.Time{})
			}
		})
	}
}
