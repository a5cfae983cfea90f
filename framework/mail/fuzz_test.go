package mail

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzAddress: parsing an address never panics, never accepts a CR or LF,
// and what it accepts formats (Address) and parses back to the same name
// and address.
func FuzzAddress(f *testing.F) {
	for _, s := range []string{
		"ann@example.org", "Ann Lee <ann@example.org>", `"Lee, Ann" <ann@example.org>`, "=?utf-8?q?Zo=C3=AB?= <zoe@example.org>",
		"Zoë <zoe@example.org>", "a@b, c@d", "ann@example.org\r\nBcc: x@y", "\"x\r\n\" <a@b>", "<@route:a@b>", `"\"" <a@b>`,
		"(comment) a@b", "a@[127.0.0.1]", `"quoted local"@example.org`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := parseAddress("To[0]", s)
		if err != nil {
			if strings.ContainsAny(s, "\r\n") && !errors.Is(err, ErrHeaderInjection) {
				t.Fatalf("%q: a CR or LF gave %v, want ErrHeaderInjection", s, err)
			}
			return
		}
		if strings.ContainsAny(a.Name+a.Address, "\r\n") {
			t.Fatalf("%q accepted with a CR or LF: %q <%q>", s, a.Name, a.Address)
		}
		again, err := parseAddress("To[0]", Address(a.Name, a.Address))
		if err != nil {
			t.Fatalf("%q: Address(%q, %q) = %q does not parse: %v", s, a.Name, a.Address, Address(a.Name, a.Address), err)
		}
		if again.Name != a.Name || again.Address != a.Address {
			t.Fatalf("%q: round trip %q <%s> -> %q <%s>", s, a.Name, a.Address, again.Name, again.Address)
		}
		// And the encoded header form parses back too.
		var b bytes.Buffer
		if err := writeHeader(&b, "To", a.String(), true); err != nil {
			return // too long to fold: an error, not a broken header
		}
		checkFolded(t, b.Bytes())
	})
}

// FuzzUnstructuredHeader: any subject either fails (CR, LF, invalid
// UTF-8) or encodes to folded lines within 998 characters that decode
// back to exactly the subject.
func FuzzUnstructuredHeader(f *testing.F) {
	for _, s := range []string{
		"Hello", "", "Réinitialisez votre mot de passe", "パスワードをリセット", "=?utf-8?q?x?=", "a\tb", "a\x00b", "  spaced  out  ",
		strings.Repeat("word ", 100), strings.Repeat("x", 2000), "Hi\r\nBcc: x", "caf\xe9", "\"quoted\" (comment)",
	} {
		f.Add(s)
	}
	dec := wordDecoder()
	f.Fuzz(func(t *testing.T, s string) {
		v, err := unstructured("Subject", s)
		if err != nil {
			if !strings.ContainsAny(s, "\r\n") && utf8.ValidString(s) {
				t.Fatalf("%q refused: %v", s, err)
			}
			return
		}
		var b bytes.Buffer
		if err := writeHeader(&b, "Subject", v, false); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		checkFolded(t, b.Bytes())
		unfolded := strings.ReplaceAll(strings.TrimSuffix(b.String(), "\r\n"), "\r\n", "")
		got, err := dec.DecodeHeader(strings.TrimPrefix(unfolded, "Subject: "))
		if err != nil {
			t.Fatalf("%q: decode %q: %v", s, unfolded, err)
		}
		if got != s {
			t.Fatalf("%q comes back as %q (wire %q)", s, got, b.String())
		}
	})
}

// checkFolded fails unless h is header lines ending in CRLF, each
// continuation starting with whitespace, none longer than 998.
func checkFolded(t *testing.T, h []byte) {
	t.Helper()
	if !bytes.HasSuffix(h, []byte("\r\n")) {
		t.Fatalf("%q does not end in CRLF", h)
	}
	lines := bytes.Split(bytes.TrimSuffix(h, []byte("\r\n")), []byte("\r\n"))
	for i, l := range lines {
		if bytes.ContainsAny(l, "\r\n") {
			t.Fatalf("bare CR or LF in %q", h)
		}
		if len(l) > maxLineLen {
			t.Fatalf("line of %d characters in %q", len(l), h)
		}
		if i > 0 && (len(l) == 0 || (l[0] != ' ' && l[0] != '\t')) {
			t.Fatalf("continuation line %q does not start with whitespace", l)
		}
		if i > 0 && len(bytes.TrimSpace(l)) == 0 {
			t.Fatalf("whitespace-only continuation line in %q", h)
		}
	}
}

// FuzzParse: Parse never panics or hangs on any input, and what it
// accepts can be encoded again when it is a valid message.
func FuzzParse(f *testing.F) {
	for _, tc := range goldenCases {
		f.Add(encodeFixed(f, &tc.msg))
	}
	f.Add([]byte("From: a@b\r\n\r\nbody"))
	f.Add([]byte("Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x--\r\n"))
	f.Add([]byte("Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: base64\r\n\r\nY2Fm6Q==\r\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := Parse(raw)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v does not match ErrMalformed", err)
			}
			return
		}
		if !utf8.ValidString(m.Text) || !utf8.ValidString(m.HTML) {
			t.Fatalf("Parse returned invalid UTF-8 text")
		}
		if m.From == "" || len(m.To) == 0 {
			return
		}
		if out, err := m.Bytes(); err == nil {
			if _, err := Parse(out); err != nil {
				t.Fatalf("re-encoded message does not parse: %v\n%s", err, out)
			}
		}
	})
}

// FuzzEncode: a message made of fuzzed parts either is refused with a
// FieldError or encodes to lines within 998 characters that parse back
// to the same subject, bodies and attachment.
func FuzzEncode(f *testing.F) {
	f.Add("Hello", "Text\n", "<p>HTML</p>", "report.pdf", []byte("%PDF"))
	f.Add("Été", "Zoë\r\n.\r\n", "", "résumé.txt", []byte{0, 1, 2})
	f.Add("", "=_b1\n--=_b1--", "--=_b1", "a\"b.bin", []byte("--=_b1"))
	f.Add("x\r\nBcc: y", "", "", "a\r\n.pdf", []byte(nil))
	f.Fuzz(func(t *testing.T, subject, text, html, filename string, data []byte) {
		m := &Message{From: "shop@example.com", To: []string{"ann@example.org"}, Subject: subject, Text: text, HTML: html,
			MessageID: "fuzz@example.com", Date: fixedDate}
		if filename != "" {
			m.Attach(filename, "application/octet-stream", data)
		}
		raw, err := m.Bytes()
		if err != nil {
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v is not a FieldError", err)
			}
			return
		}
		checkWire(t, raw)
		back, err := Parse(raw)
		if err != nil {
			t.Fatalf("does not parse back: %v\n%s", err, raw)
		}
		norm := func(s string) string { return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n") }
		if back.Subject != subject || back.Text != norm(text) || back.HTML != norm(html) {
			t.Fatalf("round trip changed the message:\nsubject %q -> %q\ntext %q -> %q\nhtml %q -> %q", subject, back.Subject, text, back.Text, html, back.HTML)
		}
		if filename != "" {
			if len(back.Attachments) != 1 || back.Attachments[0].Filename != filename || !bytes.Equal(back.Attachments[0].Data, data) {
				t.Fatalf("attachment %q (%d bytes) came back as %+v", filename, len(data), back.Attachments)
			}
		}
	})
}
