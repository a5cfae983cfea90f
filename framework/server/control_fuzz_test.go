//go:build unix

package server

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"testing"
)

// FuzzControlCommand sends any command, with any token, to the control
// app as `gorails ctl` sends it (and as a raw request path): without the
// token nothing reaches the server's loop; with it, exactly the command
// sent arrives, and only the five commands are answered 200.
func FuzzControlCommand(f *testing.F) {
	for _, s := range [][2]string{
		{"stats", "s3cret"}, {"stop", "s3cret"}, {"halt", "wrong"}, {"phased-restart", ""}, {"stop/", "s3cret"},
		{"/stop", "s3cret"}, {"../halt", "s3cret"}, {"stats?token=s3cret", "x"}, {"st\x00ats", "s3cret"}, {"", "s3cret"},
		{"restart", "Bearer s3cret"}, {"%2e%2e", "s3cret"},
	} {
		f.Add(s[0], s[1], false)
		f.Add(s[0], s[1], true)
	}
	const token = "s3cret"
	f.Fuzz(func(t *testing.T, cmd, tok string, viaQuery bool) {
		commands := make(chan command, 1)
		h := &controlHandler{token: token, commands: commands, log: slog.New(slog.DiscardHandler)}
		u := "http://control/" + url.PathEscape(cmd)
		if viaQuery {
			u += "?token=" + url.QueryEscape(tok)
		}
		req, err := http.NewRequest(http.MethodGet, u, nil)
		if err != nil {
			t.Fatalf("the client's request for %q: %v", cmd, err)
		}
		if !viaQuery && tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		got := make(chan string, 1)
		go func() {
			c, ok := <-commands
			if !ok {
				return
			}
			got <- c.name
			switch c.name {
			case CmdStats, CmdPhasedRestart, CmdRestart, CmdStop, CmdHalt:
				c.reply <- reply{body: []byte(okBody)}
			default:
				(&master{}).onCommand(c) // the server's own answer to anything else
			}
		}()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		close(commands)
		if tok != token {
			if rec.Code != http.StatusForbidden {
				t.Fatalf("token %q: %d; want 403", tok, rec.Code)
			}
			select {
			case name := <-got:
				t.Fatalf("token %q: the command %q reached the loop", tok, name)
			default:
			}
			return
		}
		name := <-got
		if name != cmd {
			t.Fatalf("sent %q, the loop got %q", cmd, name)
		}
		known := cmd == CmdStats || cmd == CmdPhasedRestart || cmd == CmdRestart || cmd == CmdStop || cmd == CmdHalt
		if known != (rec.Code == http.StatusOK) || !known && rec.Code != http.StatusNotFound {
			t.Fatalf("command %q: %d %s", cmd, rec.Code, rec.Body)
		}
	})
}

// FuzzBufferBody buffers any body, declared with any Content-Length (or
// none, as chunked), against small memory and size limits: the handler
// sees exactly the bytes sent, or the request is refused with 413 (too
// large) or 400 (shorter than declared); never a panic, never a short or
// padded body, and no file left in the temp directory.
func FuzzBufferBody(f *testing.F) {
	for _, s := range []struct {
		body     string
		declared int64
		mem, max uint16
	}{
		{"", 0, 16, 64}, {"hello", 5, 16, 64}, {"hello", -1, 2, 64}, {"hello world, spilled to a file", -1, 4, 64},
		{"short", 10, 16, 64}, {"too long for the limit", -1, 4, 8}, {"declared too long", 1 << 40, 16, 64}, {"x", 1, 0, 0},
	} {
		f.Add([]byte(s.body), s.declared, s.mem, s.max)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, body []byte, declared int64, mem, max uint16) {
		if declared < -1 {
			declared = -1
		}
		cfg := &Config{BodyMemoryLimit: int64(mem), MaxBodyBytes: int64(max), TempDir: dir}
		var src io.Reader = bytes.NewReader(body)
		if declared >= 0 {
			src = io.LimitReader(src, declared) // net/http reads no more than declared
		}
		r := httptest.NewRequest(http.MethodPost, "/upload", nil)
		r.Body, r.ContentLength = io.NopCloser(src), declared
		rec := httptest.NewRecorder()
		closer, status, err := bufferBody(rec, r, cfg)
		sent := body
		if declared >= 0 && int64(len(body)) > declared {
			sent = body[:declared]
		}
		tooLarge := max > 0 && (int64(len(sent)) > int64(max) || declared > int64(max))
		short := declared > int64(len(body))
		switch {
		case tooLarge:
			if status != http.StatusRequestEntityTooLarge || !errors.Is(err, errBodyTooLarge) {
				t.Fatalf("%d bytes (declared %d) over a %d limit: %d, %v", len(sent), declared, max, status, err)
			}
		case short:
			if status != http.StatusBadRequest || err == nil {
				t.Fatalf("%d bytes declared %d: %d, %v", len(body), declared, status, err)
			}
		default:
			if err != nil || status != 0 {
				t.Fatalf("%d bytes (declared %d): %d, %v", len(sent), declared, status, err)
			}
			got, rerr := io.ReadAll(r.Body)
			if rerr != nil || !bytes.Equal(got, sent) || r.ContentLength != int64(len(sent)) {
				t.Fatalf("the handler read %q (ContentLength %d, %v); sent %q", got, r.ContentLength, rerr, sent)
			}
			if cerr := closer.Close(); cerr != nil {
				t.Fatal(cerr)
			}
		}
		if left, _ := os.ReadDir(dir); len(left) > 0 {
			t.Fatalf("files left in the temp directory: %v", left)
		}
	})
}
