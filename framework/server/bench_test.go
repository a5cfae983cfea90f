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
