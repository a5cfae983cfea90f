package blog

import (
	"bufio"
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestReadResponse(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		closing bool
		wantErr bool
	}{
		{"a sized body is skipped", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", false, false},
		{"a chunked body with trailers is skipped", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n3\r\n!!!\r\n0\r\nX-Trailer: y\r\n\r\n", false, false},
		{"Connection: close is reported", "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", true, false},
		{"a 404 is an error", "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", false, true},
		{"a 503 is an error", "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n", false, true},
		{"a body of unknown length is an error", "HTTP/1.1 200 OK\r\n\r\nhello", false, true},
		{"a bad chunk size is an error", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", false, true},
		{"a truncated body is an error", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A good answer is followed by another, which must start where
			// the first ended.
			in := tt.in
			if !tt.wantErr {
				in += "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
			}
			r := bufio.NewReader(strings.NewReader(in))
			closing, err := readResponse(r)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error: %v", err, tt.wantErr)
			}
			if tt.wantErr {
				return
			}
			if closing != tt.closing {
				t.Errorf("closing = %v, want %v", closing, tt.closing)
			}
			if _, err := readResponse(r); err != nil {
				t.Errorf("the next answer: %v", err)
			}
		})
	}
}

func TestStatFieldsCountsFromTheCommandsClosingParenthesis(t *testing.T) {
	line := "4242 (a (weird) cmd) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 9 0 1000 123456789 2048 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n"
	f, err := statFields([]byte(line))
	if err != nil {
		t.Fatal(err)
	}
	for field, want := range map[int]int64{4: 1, 5: 4242, 14: 250, 15: 75, 24: 2048} {
		if got := f(field); got != want {
			t.Errorf("field %d = %d, want %d", field, got, want)
		}
	}
	if _, err := statFields([]byte("4242 no parenthesis")); err == nil {
		t.Error("a line without the command parsed")
	}
}

func TestDriveCountsOKAnswersAndStopsOnOthers(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/ok" {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(bytes.Repeat([]byte("x"), 5000)) // chunked: more than net/http buffers before sizing
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	res, err := Drive(context.Background(), addr, "/ok", 3, 0)
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests < 3 || res.P99 <= 0 {
		t.Errorf("a run of no time gave %d answers (p99 %s), want at least one per connection", res.Requests, res.P99)
	}
	if _, err := Drive(context.Background(), addr, "/missing", 3, 50*time.Millisecond); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("driving a path that answers 404: err = %v, want the 404", err)
	}
}
