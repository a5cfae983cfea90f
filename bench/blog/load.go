package blog

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"sync"
	"time"
)

// Result is what one load run measured.
type Result struct {
	Requests int64         // 200 answers received
	Elapsed  time.Duration // from the first request sent to the last answer
	P50, P99 time.Duration // latency percentiles
}

// RPS is requests per second.
func (r Result) RPS() float64 { return float64(r.Requests) / r.Elapsed.Seconds() }

// Drive sends GET path to addr on conns keep-alive connections, each
// sending its next request when the previous answer has been read (as wrk
// does), for d. It reconnects when the server closes a connection (as
// after gorails' keep-alive limit). Any answer other than 200 OK, or a
// broken connection, stops the run with an error: a benchmark must not
// count failures as work.
//
// It is a small raw-socket client, cheaper per request than net/http's, so
// that on a small machine more of the CPU goes to the server.
func Drive(ctx context.Context, addr, path string, conns int, d time.Duration) (Result, error) {
	req := []byte("GET " + path + " HTTP/1.1\r\nHost: " + hostOf(addr) + "\r\nUser-Agent: blogbench\r\nAccept: */*\r\n\r\n")
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu        sync.Mutex
		latencies []time.Duration
		firstErr  error
		wg        sync.WaitGroup
	)
	start := time.Now()
	stop := start.Add(d)
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lat := make([]time.Duration, 0, 1<<14)
			err := connLoop(ctx, addr, req, stop, &lat)
			mu.Lock()
			defer mu.Unlock()
			latencies = append(latencies, lat...)
			if err != nil && firstErr == nil {
				firstErr = err
				cancel()
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if firstErr != nil {
		return Result{}, firstErr
	}
	if len(latencies) == 0 {
		return Result{}, errors.New("no answers")
	}
	slices.Sort(latencies)
	pct := func(p float64) time.Duration { return latencies[min(int(p*float64(len(latencies))), len(latencies)-1)] }
	return Result{Requests: int64(len(latencies)), Elapsed: elapsed, P50: pct(0.50), P99: pct(0.99)}, nil
}

func hostOf(addr string) string {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	return host
}

// connLoop runs one connection's requests. Each connection has at least
// one answer, however late it starts (a busy machine may schedule it after
// stop), so that a short run is never empty.
func connLoop(ctx context.Context, addr string, req []byte, stop time.Time, lat *[]time.Duration) error {
	for (len(*lat) == 0 || time.Now().Before(stop)) && ctx.Err() == nil {
		if err := connRequests(ctx, addr, req, stop, lat); err != nil {
			if ctx.Err() != nil {
				return nil // another connection failed first
			}
			return err
		}
	}
	return nil
}

func connRequests(ctx context.Context, addr string, req []byte, stop time.Time, lat *[]time.Duration) error {
	var dialer net.Dialer
	c, err := dialer.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(stop.Add(10 * time.Second))
	r := bufio.NewReaderSize(c, 32<<10)
	for {
		t := time.Now()
		if (len(*lat) > 0 && !t.Before(stop)) || ctx.Err() != nil {
			return nil
		}
		if _, err := c.Write(req); err != nil {
			return err
		}
		closing, err := readResponse(r)
		if err != nil {
			return err
		}
		*lat = append(*lat, time.Since(t))
		if closing {
			return nil
		}
	}
}

// readResponse reads one 200 response, its body sized by Content-Length or
// chunked, and reports whether the server is closing the connection.
func readResponse(r *bufio.Reader) (closing bool, err error) {
	line, err := r.ReadSlice('\n')
	if err != nil {
		return false, err
	}
	if !bytes.HasPrefix(line, []byte("HTTP/1.1 200 ")) {
		return false, fmt.Errorf("answer %q", bytes.TrimSpace(line))
	}
	length, chunked := -1, false
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
			if length, err = strconv.Atoi(string(v)); err != nil {
				return false, fmt.Errorf("Content-Length %q", v)
			}
		case bytes.EqualFold(k, []byte("Transfer-Encoding")):
			chunked = bytes.EqualFold(v, []byte("chunked"))
		case bytes.EqualFold(k, []byte("Connection")):
			closing = bytes.EqualFold(v, []byte("close"))
		}
	}
	switch {
	case chunked:
		return closing, skipChunks(r)
	case length >= 0:
		_, err = r.Discard(length)
		return closing, err
	}
	return false, errors.New("answer with neither Content-Length nor chunked encoding")
}

func skipChunks(r *bufio.Reader) error {
	for {
		line, err := r.ReadSlice('\n')
		if err != nil {
			return err
		}
		size, _, _ := bytes.Cut(bytes.TrimSpace(line), []byte(";"))
		n, err := strconv.ParseInt(string(size), 16, 64)
		if err != nil || n < 0 {
			return fmt.Errorf("chunk size %q", line)
		}
		if n == 0 {
			for { // trailers, then the empty line
				line, err := r.ReadSlice('\n')
				if err != nil {
					return err
				}
				if len(line) <= 2 {
					return nil
				}
			}
		}
		if _, err := r.Discard(int(n) + 2); err != nil {
			return err
		}
	}
}
