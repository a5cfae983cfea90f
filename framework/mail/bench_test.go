package mail

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	netmail "net/mail"
	"net/textproto"
	"strings"
	"syscall"
	"testing"
	"time"
)

// benchParts is a typical transactional mail: a password reset with text
// and HTML parts (some non-ASCII), and a 20 KiB PDF attached.
var (
	benchText = strings.Repeat("Bonjour Zoë, cliquez sur le lien pour réinitialiser votre mot de passe.\n", 14)
	benchHTML = "<!DOCTYPE html><html><body>" + strings.Repeat("<p>Bonjour Zoë, <a href=\"https://shop.example.com/passwords/abc/edit\">cliquez ici</a> pour réinitialiser votre mot de passe.</p>\n", 30) + "</body></html>"
	benchPDF  = bytes.Repeat([]byte("%PDF-1.4 \x00\x01\x02\x03 binary"), 1024)
)

func benchMessage() *Message {
	m := &Message{
		From: "Shop <shop@example.com>", To: []string{"Zoë Müller <zoe@example.org>", "ann@example.org"},
		Subject: "Réinitialisez votre mot de passe", Text: benchText, HTML: benchHTML,
	}
	return m.Attach("facture.pdf", "application/pdf", benchPDF)
}

// BenchmarkEncode compares building and encoding a multipart message
// with this package (Mailer.Build, what an app's delivery runs) against
// doing the same by hand with the standard library (net/mail, mime,
// mime/multipart, mime/quotedprintable, encoding/base64).
func BenchmarkEncode(b *testing.B) {
	b.Run("mail.Mailer.Build", func(b *testing.B) {
		m, err := New(Config{Env: "test"})
		if err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		msg := benchMessage()
		b.ReportAllocs()
		defer cpuPerOp(b)()
		for b.Loop() {
			env, err := m.Build(ctx, msg)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(env.Raw)))
		}
	})
	b.Run("mail.Message.Bytes", func(b *testing.B) {
		msg := benchMessage()
		b.ReportAllocs()
		defer cpuPerOp(b)()
		for b.Loop() {
			raw, err := msg.Bytes()
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(raw)))
		}
	})
	b.Run("stdlib by hand", func(b *testing.B) {
		b.ReportAllocs()
		defer cpuPerOp(b)()
		for b.Loop() {
			raw, err := stdlibEncode()
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(raw)))
		}
	})
}

// stdlibEncode is the by-hand baseline: the same structure, headers and
// encodings, with no validation beyond what the standard library does.
func stdlibEncode() ([]byte, error) {
	var b bytes.Buffer
	from, err := netmail.ParseAddress("Shop <shop@example.com>")
	if err != nil {
		return nil, err
	}
	to, err := netmail.ParseAddressList("Zoë Müller <zoe@example.org>, ann@example.org")
	if err != nil {
		return nil, err
	}
	toS := make([]string, len(to))
	for i, a := range to {
		toS[i] = a.String()
	}
	fmt.Fprintf(&b, "Date: %s\r\n", time.Now().Format(time.RFC1123Z))
	fmt.Fprintf(&b, "From: %s\r\n", from.String())
	fmt.Fprintf(&b, "To: %s\r\n", strings.Join(toS, ", "))
	fmt.Fprintf(&b, "Message-ID: <%d@example.com>\r\n", time.Now().UnixNano())
	fmt.Fprintf(&b, "Subject: %s\r\n", mime.QEncoding.Encode("utf-8", "Réinitialisez votre mot de passe"))
	b.WriteString("MIME-Version: 1.0\r\n")
	mixed := multipart.NewWriter(&b)
	fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=%q\r\n\r\n", mixed.Boundary())

	altHeader := textproto.MIMEHeader{}
	var alt bytes.Buffer
	altW := multipart.NewWriter(&alt)
	altHeader.Set("Content-Type", "multipart/alternative; boundary="+altW.Boundary())
	for _, part := range []struct{ ct, body string }{{"text/plain; charset=utf-8", benchText}, {"text/html; charset=utf-8", benchHTML}} {
		pw, err := altW.CreatePart(textproto.MIMEHeader{"Content-Type": {part.ct}, "Content-Transfer-Encoding": {"quoted-printable"}})
		if err != nil {
			return nil, err
		}
		qp := quotedprintable.NewWriter(pw)
		io.WriteString(qp, part.body)
		qp.Close()
	}
	altW.Close()
	pw, err := mixed.CreatePart(altHeader)
	if err != nil {
		return nil, err
	}
	pw.Write(alt.Bytes())

	pw, err = mixed.CreatePart(textproto.MIMEHeader{
		"Content-Type":              {mime.FormatMediaType("application/pdf", map[string]string{"name": "facture.pdf"})},
		"Content-Disposition":       {mime.FormatMediaType("attachment", map[string]string{"filename": "facture.pdf"})},
		"Content-Transfer-Encoding": {"base64"},
	})
	if err != nil {
		return nil, err
	}
	enc := make([]byte, base64.StdEncoding.EncodedLen(len(benchPDF)))
	base64.StdEncoding.Encode(enc, benchPDF)
	for len(enc) > 0 {
		n := min(76, len(enc))
		pw.Write(enc[:n])
		pw.Write([]byte("\r\n"))
		enc = enc[n:]
	}
	mixed.Close()
	return b.Bytes(), nil
}

// TestStdlibBaselineIsComparable keeps the benchmark honest: the by-hand
// message has the same structure and parses to the same content.
func TestStdlibBaselineIsComparable(t *testing.T) {
	raw, err := stdlibEncode()
	if err != nil {
		t.Fatal(err)
	}
	ours, err := benchMessage().Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if s, o := structure(t, raw), structure(t, ours); s != o {
		t.Fatalf("baseline structure %s, ours %s", s, o)
	}
	a, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if a.Text != benchText || a.HTML != benchHTML || a.Subject != "Réinitialisez votre mot de passe" || !bytes.Equal(a.Attachments[0].Data, benchPDF) {
		t.Error("the baseline encodes different content")
	}
}

// cpuPerOp reports the process's CPU time (user + system) per operation,
// which other load on a shared machine disturbs far less than wall time.
func cpuPerOp(b *testing.B) func() {
	start := cpuTime()
	return func() {
		if b.N > 0 {
			b.ReportMetric(float64((cpuTime()-start).Nanoseconds())/float64(b.N), "cpu-ns/op")
		}
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
