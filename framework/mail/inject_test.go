package mail

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// TestHeaderInjectionIsAnError tries a CR or LF in everything a user can
// put in a header: each is refused with ErrHeaderInjection, and nothing
// is written.
func TestHeaderInjectionIsAnError(t *testing.T) {
	cases := []struct {
		name  string
		field string
		edit  func(m *Message)
	}{
		{"a CRLF and a Bcc header in the subject", "Subject", func(m *Message) { m.Subject = "Hi\r\nBcc: victim@example.net" }},
		{"a bare LF in the subject", "Subject", func(m *Message) { m.Subject = "Hi\nX-Evil: 1" }},
		{"a bare CR in the subject", "Subject", func(m *Message) { m.Subject = "Hi\rX-Evil: 1" }},
		{"a CRLF after a To address", "To[0]", func(m *Message) { m.To = []string{"ann@example.org\r\nBcc: victim@example.net"} }},
		{"a folded To address", "To[0]", func(m *Message) { m.To = []string{"Ann\r\n <ann@example.org>"} }},
		{"a CRLF in From's display name", "From", func(m *Message) { m.From = "\"Shop\r\nBcc: v@example.net\" <shop@example.com>" }},
		{"a LF in a Cc address", "Cc[0]", func(m *Message) { m.Cc = []string{"cc@example.org\nBcc: v@example.net"} }},
		{"a CRLF in a Bcc address", "Bcc[0]", func(m *Message) { m.Bcc = []string{"b@example.org\r\n"} }},
		{"a CRLF in Reply-To", "ReplyTo[0]", func(m *Message) { m.ReplyTo = []string{"r@example.org\r\nX: y"} }},
		{"a CRLF in a custom header's value", "Headers[X-Tag]", func(m *Message) { m.Headers = map[string]string{"X-Tag": "a\r\nBcc: v@example.net"} }},
		{"a CRLF in a custom header's name", "Headers[X-Tag\r\nBcc]", func(m *Message) { m.Headers = map[string]string{"X-Tag\r\nBcc": "v@example.net"} }},
		{"a CRLF in an attachment's file name", "Attachments[0].Filename", func(m *Message) {
			m.Attach("a.pdf\r\nContent-Type: text/html", "application/pdf", []byte("x"))
		}},
		{"a CRLF in an attachment's content type", "Attachments[0].ContentType", func(m *Message) {
			m.Attach("a.pdf", "application/pdf\r\nX-Evil: 1", []byte("x"))
		}},
		{"a CRLF in an inline part's content ID", "Attachments[0].ContentID", func(m *Message) {
			m.HTML = "<img src=cid:x>"
			m.Embed("x\r\nX-Evil: 1", "x.png", "image/png", png1x1)
		}},
		{"a CRLF in the message ID", "MessageID", func(m *Message) { m.MessageID = "a@b\r\nBcc: v@example.net" }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := base()
			tc.edit(&m)
			var b bytes.Buffer
			n, err := m.WriteTo(&b)
			if !errors.Is(err, ErrHeaderInjection) || !errors.Is(err, ErrInvalidMessage) {
				t.Fatalf("err = %v, want ErrHeaderInjection and ErrInvalidMessage", err)
			}
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != tc.field {
				t.Errorf("error names field %v, want %s", fe, tc.field)
			}
			if n != 0 || b.Len() != 0 {
				t.Errorf("%d bytes written for an invalid message", b.Len())
			}
		})
	}
}

// TestInvalidMessagesSayWhatToFix covers the other mistakes a message can
// carry; each error names the field.
func TestInvalidMessagesSayWhatToFix(t *testing.T) {
	cases := []struct {
		name, field, text string
		edit              func(m *Message)
	}{
		{"an empty From", "From", "Defaults.From", func(m *Message) { m.From = "" }},
		{"a list in one To element", "To[0]", "one address per element", func(m *Message) { m.To = []string{"a@example.org, b@example.org"} }},
		{"a To element that is no address", "To[0]", "not an address", func(m *Message) { m.To = []string{"not an address"} }},
		{"an empty To element", "To[1]", "empty address", func(m *Message) { m.To = append(m.To, " ") }},
		{"a non-ASCII address", "To[0]", "SMTPUTF8", func(m *Message) { m.To = []string{"zoë@example.org"} }},
		{"an address longer than SMTP allows", "To[0]", "SMTP allows 254", func(m *Message) { m.To = []string{strings.Repeat("a", 60) + "@" + strings.Repeat("b", 250) + ".org"} }},
		{"a reserved header in Headers", "Headers[content-type]", "message's own field", func(m *Message) { m.Headers = map[string]string{"content-type": "text/html"} }},
		{"a Bcc in Headers", "Headers[Bcc]", "message's own field", func(m *Message) { m.Headers = map[string]string{"Bcc": "v@example.net"} }},
		{"a header name with a space", "Headers[X Tag]", "not a header name", func(m *Message) { m.Headers = map[string]string{"X Tag": "1"} }},
		{"a header name with a colon", "Headers[X:Tag]", "not a header name", func(m *Message) { m.Headers = map[string]string{"X:Tag": "1"} }},
		{"invalid UTF-8 in the subject", "Subject", "UTF-8", func(m *Message) { m.Subject = "caf\xe9" }},
		{"invalid UTF-8 in the text", "Text", "UTF-8", func(m *Message) { m.Text = "caf\xe9" }},
		{"no body at all", "Text", "no body", func(m *Message) { m.Text = "" }},
		{"an attachment without a name", "Attachments[0].Filename", "empty", func(m *Message) { m.Attach("", "", []byte("x")) }},
		{"a multipart attachment type", "Attachments[0].ContentType", "single-part", func(m *Message) { m.Attach("x", "multipart/mixed; boundary=x", nil) }},
		{"a malformed attachment type", "Attachments[0].ContentType", "single-part", func(m *Message) { m.Attach("x", "text/", nil) }},
		{"a content ID with a quote", "Attachments[0].ContentID", "content ID", func(m *Message) {
			m.HTML = "x"
			m.Embed(`a"onerror="x`, "x.png", "image/png", nil)
		}},
		{"a message ID without @", "MessageID", "left@right", func(m *Message) { m.MessageID = "abc" }},
		{"a message ID with brackets", "MessageID", "printable ASCII", func(m *Message) { m.MessageID = "<a@b>" }},
		{"a header given twice in different case", "Headers[x-tag]", "given twice", func(m *Message) { m.Headers = map[string]string{"X-Tag": "1", "x-tag": "2"} }},
		{"a header value too long to fold", "Headers[X-Long]", "998", func(m *Message) { m.Headers = map[string]string{"X-Long": strings.Repeat("x", 1000)} }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := base()
			tc.edit(&m)
			_, err := m.Bytes()
			var fe *FieldError
			if !errors.As(err, &fe) || !errors.Is(err, ErrInvalidMessage) {
				t.Fatalf("err = %v, want a FieldError", err)
			}
			if fe.Field != tc.field || !strings.Contains(err.Error(), tc.text) {
				t.Errorf("err = %q (field %s), want field %s and %q", err, fe.Field, tc.field, tc.text)
			}
		})
	}
}

func TestAddressFormatsNamesThatParseBack(t *testing.T) {
	cases := []struct{ name, addr, want string }{
		{"", "ann@example.org", "ann@example.org"},
		{"Ann Lee", "ann@example.org", "Ann Lee <ann@example.org>"},
		{"Lee, Ann", "ann@example.org", `"Lee, Ann" <ann@example.org>`},
		{`Ann "the admin" Lee`, "ann@example.org", `"Ann \"the admin\" Lee" <ann@example.org>`},
		{"Zoë", "zoe@example.org", "Zoë <zoe@example.org>"},
		{" padded ", "p@example.org", `" padded " <p@example.org>`},
		{"a\\b", "p@example.org", `"a\\b" <p@example.org>`},
	}
	for _, tc := range cases {
		t.Run("name "+tc.name, func(t *testing.T) {
			got := Address(tc.name, tc.addr)
			if got != tc.want {
				t.Errorf("Address = %s, want %s", got, tc.want)
			}
			a, err := parseAddress("x", got)
			if err != nil {
				t.Fatal(err)
			}
			if a.Name != tc.name || a.Address != tc.addr {
				t.Errorf("parses back as %q <%s>", a.Name, a.Address)
			}
		})
	}
}
