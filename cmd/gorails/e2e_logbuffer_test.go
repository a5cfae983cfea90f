package main

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestProductionRequestLogIsPromptAndComplete drives a production binary
// (whose request log is buffered while requests are in flight) with
// concurrent requests, each with its own request id: a request alone has
// its Completed line out by the time its answer is read, and after
// SIGTERM every request's Completed line is in the log exactly once.
func TestProductionRequestLogIsPromptAndComplete(t *testing.T) {
	dir, bin := emptyDirWithBinary(t)
	port := freePort(t)
	s := startBinary(t, dir, bin, fmt.Sprintf("127.0.0.1:%d", port), "server", "-p", fmt.Sprint(port))
	waitLines(t, s, 1, `"msg":"serving (single mode)"`)

	send := func(id string) int {
		req, _ := http.NewRequest(http.MethodGet, s.base+"/", nil)
		req.Header.Set("X-Request-Id", id)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Errorf("GET / (%s): %v", id, err)
			return 0
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	completed := func(id string) int {
		n := 0
		for _, l := range strings.Split(s.out.String(), "\n") {
			if strings.Contains(l, `"msg":"Completed 200 OK`) && strings.Contains(l, `"request_id":"`+id+`"`) {
				n++
			}
		}
		return n
	}

	// Alone: written when the request completes, before the answer is out
	// (the pipe to this test may take a moment).
	if code := send("e2e-alone"); code != 200 {
		t.Fatalf("GET / = %d", code)
	}
	deadline := time.Now().Add(2 * time.Second)
	for completed("e2e-alone") != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("the lone request's Completed line is not out 2s after its answer:\n%s", s.out)
		}
		time.Sleep(10 * time.Millisecond)
	}

	// Under load, then a graceful stop.
	const workers, each = 16, 25
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				if code := send(fmt.Sprintf("e2e-load-%d-%d", w, i)); code != 200 {
					t.Errorf("GET / = %d", code)
				}
			}
		}()
	}
	wg.Wait()
	stopServer(t, s)
	for w := range workers {
		for i := range each {
			if id := fmt.Sprintf("e2e-load-%d-%d", w, i); completed(id) != 1 {
				t.Fatalf("request %s has %d Completed lines after the stop, want 1\n%.3000s", id, completed(id), s.out)
			}
		}
	}
}
