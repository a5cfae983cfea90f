package mail

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"mime/multipart"
	netmail "net/mail"
	"net/textproto"
	"os"
	"strings"
	"testing"
	"time"
)

// fixedDate is the Date of every golden message.
var fixedDate = time.Date(2026, 3, 14, 15, 9, 26, 0, time.FixedZone("", 3600))

// countingBoundaries returns "=_b1", "=_b2", ...: golden files need
// boundaries that do not change between runs.
func countingBoundaries() func() string {
	n := 0
	return func() string { n++; return fmt.Sprintf("=_b%d", n) }
}

// encodeFixed encodes m with counting boundaries.
func encodeFixed(t testing.TB, m *Message) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := encode(&b, m, countingBoundaries()); err != nil {
		t.Fatalf("encode: %v", err)
	}
	return b.Bytes()
}

// checkWire fails t unless raw is 7-bit (no server needs 8BITMIME or
// SMTPUTF8 for it), uses CRLF line ends only, and no line is longer than
// 998 characters (RFC 5322 2.1.1).
func checkWire(t testing.TB, raw []byte) {
	t.Helper()
	for i, c := range raw {
		if c >= 0x80 || c == 0 {
			t.Fatalf("byte %d is %#x: the message is not 7-bit clean", i, c)
		}
	}
	for i, line := range bytes.Split(raw, []byte("\r\n")) {
		if bytes.ContainsAny(line, "\r\n") {
			t.Errorf("line %d has a bare CR or LF: %q", i+1, line)
		}
		if len(line) > 998 {
			t.Errorf("line %d is %d characters long", i+1, len(line))
		}
	}
}

// structure returns raw's MIME tree read with net/mail and mime/multipart
// only (not our Parse), as "multipart/mixed(multipart/alternative(text/plain
// text/html) application/pdf)".
func structure(t testing.TB, raw []byte) string {
	t.Helper()
	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("net/mail cannot read the message: %v", err)
	}
	return walkStructure(t, textproto.MIMEHeader(msg.Header), msg.Body)
}

func walkStructure(t testing.TB, h textproto.MIMEHeader, body io.Reader) string {
	mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		t.Fatalf("Content-Type %q: %v", h.Get("Content-Type"), err)
	}
	if !strings.HasPrefix(mt, "multipart/") {
		io.Copy(io.Discard, body)
		return mt
	}
	mr := multipart.NewReader(body, params["boundary"])
	var parts []string
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", mt, err)
		}
		parts = append(parts, walkStructure(t, p.Header, p))
	}
	return mt + "(" + strings.Join(parts, " ") + ")"
}

// testViews returns the testdata views.
func testViews() fs.FS { return os.DirFS("testdata/views") }
