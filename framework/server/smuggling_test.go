package server

import (
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestAChunkedRequestWithAContentLengthClosesTheConnection sends a request
// with both Content-Length and Transfer-Encoding: chunked followed by a
// second request in the same bytes (a smuggling attempt, issue 15 item
// 4): the first is answered, its answer closes the connection, and the
// smuggled request never runs. A plain chunked upload is answered and its
// connection closed too; a request with a Content-Length keeps its
// connection.
func TestAChunkedRequestWithAContentLengthClosesTheConnection(t *testing.T) {
	var (
		mu   sync.Mutex
		hits []string
	)
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits = append(hits, r.Method+" "+r.URL.Path)
		mu.Unlock()
		b, _ := io.ReadAll(r.Body)
		_, _ = io.WriteString(w, "got "+r.URL.Path+" "+string(b)+"\n")
	})
	_, addr, _ := testServer(t, Config{Threads: 1}, app)
	tests := []struct {
		name      string
		raw       string
		answers   int
		wantClose bool
	}{
		{"Content-Length and chunked, then a smuggled request",
			"POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n",
			1, true},
		{"chunked alone",
			"POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\nGET /second HTTP/1.1\r\nHost: x\r\n\r\n",
			1, true},
		{"Content-Length alone keeps the connection",
			"POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcGET /second HTTP/1.1\r\nHost: x\r\n\r\n",
			2, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mu.Lock()
			hits = nil
			mu.Unlock()
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if _, err := io.WriteString(c, tt.raw); err != nil {
				t.Fatal(err)
			}
			_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
			out, err := io.ReadAll(c) // returns at EOF, or at the deadline if the connection stays open
			closed := err == nil
			if n := strings.Count(string(out), "HTTP/1.1 200"); n != tt.answers {
				t.Errorf("%d answers, want %d:\n%s", n, tt.answers, out)
			}
			if closed != tt.wantClose {
				t.Errorf("connection closed = %v (%v), want %v", closed, err, tt.wantClose)
			}
			if tt.wantClose && !strings.Contains(string(out), "Connection: close") {
				t.Errorf("the answer does not say Connection: close:\n%s", out)
			}
			mu.Lock()
			defer mu.Unlock()
			for _, h := range hits {
				if strings.Contains(h, "smuggled") {
					t.Errorf("the smuggled request ran: %v", hits)
				}
			}
		})
	}
}
