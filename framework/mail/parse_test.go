package mail

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestParseReadsMessagesOtherMailersWrite(t *testing.T) {
	cases := []struct {
		name  string
		raw   string
		check func(t *testing.T, m *Message)
	}{
		{"LF line ends, Latin-1 quoted-printable text, an encoded subject",
			"From: =?iso-8859-1?q?Ren=E9?= <rene@example.org>\nTo: a@example.org, \"B, C\" <b@example.org>\nSubject: =?ISO-8859-1?Q?caf=E9?=\nDate: Mon, 2 Jan 2006 15:04:05 -0700\nMessage-ID: <x@y>\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\ncaf=E9 cr=E8me=\n br=FBl=E9e\n",
			func(t *testing.T, m *Message) {
				if m.From != "René <rene@example.org>" || len(m.To) != 2 || m.To[1] != `"B, C" <b@example.org>` {
					t.Errorf("addresses %q %q", m.From, m.To)
				}
				if m.Subject != "café" || m.Text != "café crème brûlée\n" || m.MessageID != "x@y" || m.Date.Year() != 2006 {
					t.Errorf("subject %q text %q id %q date %v", m.Subject, m.Text, m.MessageID, m.Date)
				}
			}},
		{"a base64 HTML body and an attachment named only by Content-Type",
			"From: a@example.org\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\npreamble\r\n--XX\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\nPHA+SMOpPC9w\r\nPg==\r\n--XX\r\nContent-Type: application/zip; name=\"a.zip\"\r\nContent-Transfer-Encoding: base64\r\n\r\nUEsDBA==\r\n--XX--\r\nepilogue",
			func(t *testing.T, m *Message) {
				if m.HTML != "<p>Hé</p>" || len(m.Attachments) != 1 || m.Attachments[0].Filename != "a.zip" || string(m.Attachments[0].Data) != "PK\x03\x04" {
					t.Errorf("html %q attachments %+v", m.HTML, m.Attachments)
				}
				if m.Attachments[0].ContentType != "application/zip" || m.Attachments[0].Inline {
					t.Errorf("attachment %+v", m.Attachments[0])
				}
			}},
		{"a text part marked as an attachment stays an attachment",
			"From: a@example.org\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nbody\r\n--b\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename=notes.txt\r\n\r\nnotes\r\n--b--\r\n",
			func(t *testing.T, m *Message) {
				if m.Text != "body" || len(m.Attachments) != 1 || string(m.Attachments[0].Data) != "notes" {
					t.Errorf("text %q attachments %+v", m.Text, m.Attachments)
				}
			}},
		{"a part with a Content-ID is inline",
			"From: a@example.org\r\nContent-Type: multipart/related; boundary=b\r\n\r\n--b\r\nContent-Type: text/html\r\n\r\n<img src=cid:i1>\r\n--b\r\nContent-Type: image/gif\r\nContent-ID: <i1>\r\nContent-Transfer-Encoding: base64\r\n\r\nR0lGODlh\r\n--b--\r\n",
			func(t *testing.T, m *Message) {
				if len(m.Attachments) != 1 || !m.Attachments[0].Inline || m.Attachments[0].ContentID != "i1" {
					t.Errorf("attachments %+v", m.Attachments)
				}
			}},
		{"no Content-Type is US-ASCII text",
			"From: a@example.org\r\nX-Custom: =?utf-8?q?d=C3=A9cod=C3=A9?=\r\n\r\nhello\r\n",
			func(t *testing.T, m *Message) {
				if m.Text != "hello\n" || m.Headers["X-Custom"] != "décodé" {
					t.Errorf("text %q headers %v", m.Text, m.Headers)
				}
			}},
		{"invalid UTF-8 in a body is replaced, not returned",
			"From: a@example.org\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nbad \xff byte",
			func(t *testing.T, m *Message) {
				if m.Text != "bad \uFFFD byte" {
					t.Errorf("text %q", m.Text)
				}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Parse([]byte(tc.raw))
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, m)
		})
	}
}

func TestParseRefusesMalformedMessages(t *testing.T) {
	nested := "From: a@b\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n"
	for i := range 20 {
		nested += fmt.Sprintf("--b%d\r\nContent-Type: multipart/mixed; boundary=b%d\r\n\r\n", i, i+1)
	}
	many := "From: a@b\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" + strings.Repeat("--b\r\n\r\nx\r\n", 300) + "--b--\r\n"
	cases := []struct{ name, raw, want string }{
		{"a header line without a colon", "From a@b\r\n\r\nx", "headers"},
		{"a multipart without a boundary", "From: a@b\r\nContent-Type: multipart/mixed\r\n\r\nx", "without a boundary"},
		{"parts nested too deep", nested, "nested deeper"},
		{"too many parts", many, "more than 256"},
		{"a broken address list", "From: a@b\r\nTo: <<<\r\n\r\nx", "To"},
		{"a broken date", "From: a@b\r\nDate: yesterday\r\n\r\nx", "Date"},
		{"a multipart cut short", "From: a@b\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nno end", "unexpected EOF"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.raw))
			if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want ErrMalformed about %q", err, tc.want)
			}
		})
	}
}
