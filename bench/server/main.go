// Command server compares the throughput of gorails' pre-forking server
// (framework/server) with a plain net/http server on the same hello-world
// handler, on loopback.
//
// It builds framework/server/internal/testserver, then for each mode
// (plain http.Server, master with -w 1, master with -w 2) starts it in its
// own process group, warms up, and drives it for -duration with -conns
// keep-alive connections from a small raw-socket load generator (cheaper
// than net/http's client, so more of the two cores go to the server).
// Every process it starts is killed before it moves on or exits.
//
//	cd bench && go run ./server -duration 5s -conns 32
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench/server:", err)
		os.Exit(1)
	}
}

type options struct {
	bin      string
	duration time.Duration
	warmup   time.Duration
	conns    int
	rounds   int
}

func run() error {
	var o options
	flag.StringVar(&o.bin, "bin", "", "testserver binary (default: build it)")
	flag.DurationVar(&o.duration, "duration", 5*time.Second, "measuring time per mode and round")
	flag.DurationVar(&o.warmup, "warmup", time.Second, "warm-up time per mode and round")
	flag.IntVar(&o.conns, "conns", 32, "concurrent keep-alive connections")
	flag.IntVar(&o.rounds, "rounds", 3, "rounds (modes are interleaved to share the machine's noise)")
	flag.Parse()
	if o.bin == "" {
		dir, err := os.MkdirTemp("", "bench-server-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		if o.bin, err = build(dir); err != nil {
			return err
		}
	}
	modes := []mode{{name: "plain net/http"}, {name: "gorails -w 1 -t 5", workers: 1}, {name: "gorails -w 2 -t 5", workers: 2}}
	results := make([][]float64, len(modes))
	for r := range o.rounds {
		for i, m := range modes {
			rps, err := measure(o, m)
			if err != nil {
				return fmt.Errorf("%s: %w", m.name, err)
			}
			fmt.Printf("round %d  %-20s %10.0f req/s\n", r+1, m.name, rps)
			results[i] = append(results[i], rps)
		}
	}
	fmt.Printf("\n%d rounds, %d connections, %s each, GOMAXPROCS of this machine: %d\n", o.rounds, o.conns, o.duration, runtime.GOMAXPROCS(0))
	fmt.Printf("%-20s %12s %8s %12s %8s\n", "mode", "best req/s", "ratio", "median req/s", "ratio")
	for i, m := range modes {
		b, med := slices.Max(results[i]), median(results[i])
		fmt.Printf("%-20s %12.0f %7.2fx %12.0f %7.2fx\n", m.name, b, b/slices.Max(results[0]), med, med/median(results[0]))
	}
	return nil
}

func median(xs []float64) float64 {
	s := slices.Sorted(slices.Values(xs))
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// build compiles the testserver from the framework module (the parent directory).
func build(dir string) (string, error) {
	out := filepath.Join(dir, "testserver")
	cmd := exec.Command("go", "build", "-o", out, "./framework/server/internal/testserver")
	cmd.Dir = ".."
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build testserver (run from bench/): %w\n%s", err, b)
	}
	return out, nil
}

type mode struct {
	name    string
	workers int // 0: plain net/http
}

// measure starts the server in mode m, warms it up, measures, and kills it.
func measure(o options, m mode) (float64, error) {
	addr, err := freeAddr()
	if err != nil {
		return 0, err
	}
	args := []string{"--plain", addr}
	if m.workers > 0 {
		args = []string{"-b", "tcp://" + addr, "-w", strconv.Itoa(m.workers), "-t", "5"}
	}
	cmd := exec.Command(o.bin, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	defer func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	}()
	if err := waitReady(addr, 10*time.Second); err != nil {
		return 0, err
	}
	if _, err := drive(addr, o.conns, o.warmup); err != nil {
		return 0, err
	}
	n, err := drive(addr, o.conns, o.duration)
	return float64(n) / o.duration.Seconds(), err
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// waitReady waits until a request on addr is answered.
func waitReady(addr string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		if _, err := drive(addr, 1, 50*time.Millisecond); err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return errors.New("server not ready in time")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var request = []byte("GET / HTTP/1.1\r\nHost: bench\r\n\r\n")

// drive sends requests on conns keep-alive connections for d and returns
// how many were answered 200; any other answer or a broken connection is an error.
func drive(addr string, conns int, d time.Duration) (int64, error) {
	var done atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	stop := time.Now().Add(d)
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := connLoop(addr, stop, &done); err != nil {
				once.Do(func() { firstErr = err })
			}
		}()
	}
	wg.Wait()
	return done.Load(), firstErr
}

// connLoop sends requests one after another on a connection, opening a
// new one when the server closes it (as after a keep-alive limit), as wrk does.
func connLoop(addr string, stop time.Time, done *atomic.Int64) error {
	for time.Now().Before(stop) {
		if err := connRequests(addr, stop, done); err != nil {
			return err
		}
	}
	return nil
}

func connRequests(addr string, stop time.Time, done *atomic.Int64) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(stop.Add(10 * time.Second))
	r := bufio.NewReaderSize(c, 16<<10)
	for time.Now().Before(stop) {
		if _, err := c.Write(request); err != nil {
			return err
		}
		closing, err := readResponse(r)
		if err != nil {
			return err
		}
		done.Add(1)
		if closing {
			return nil
		}
	}
	return nil
}

// readResponse reads one 200 response with a Content-Length body and
// reports whether the server is closing the connection.
func readResponse(r *bufio.Reader) (closing bool, err error) {
	line, err := r.ReadSlice('\n')
	if err != nil {
		return false, err
	}
	if !bytes.HasPrefix(line, []byte("HTTP/1.1 200")) {
		return false, fmt.Errorf("answer %q", line)
	}
	length := -1
	for {
		h, err := r.ReadSlice('\n')
		if err != nil {
			return false, err
		}
		if len(h) <= 2 {
			break
		}
		k, v, _ := bytes.Cut(h, []byte(":"))
		v = bytes.TrimSpace(v)
		switch {
		case bytes.EqualFold(k, []byte("Content-Length")):
			length, _ = strconv.Atoi(string(v))
		case bytes.EqualFold(k, []byte("Connection")):
			closing = bytes.EqualFold(v, []byte("close"))
		}
	}
	if length < 0 {
		return false, errors.New("answer without Content-Length")
	}
	_, err = r.Discard(length)
	return closing, err
}
