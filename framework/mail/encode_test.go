package mail

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden .eml files in testdata/golden")

// png1x1 is a valid one-pixel PNG.
var png1x1 = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82")

func base() Message {
	return Message{
		From:      "Shop <shop@example.com>",
		To:        []string{"ann@example.org"},
		Subject:   "Your order",
		Text:      "Thanks for your order.\n",
		MessageID: "golden@example.com",
		Date:      fixedDate,
	}
}

func with(f func(m *Message)) Message {
	m := base()
	f(&m)
	return m
}

var goldenCases = []struct {
	name      string
	msg       Message
	structure string
}{
	{"text_only", base(), "text/plain"},
	{"text_and_html", with(func(m *Message) { m.HTML = "<p>Thanks for your <b>order</b>.</p>\n" }),
		"multipart/alternative(text/plain text/html)"},
	{"html_only", with(func(m *Message) { m.Text, m.HTML = "", "<p>Hello</p>" }), "text/html"},
	{"non_ascii_latin", with(func(m *Message) {
		m.From = "Boutique Élise <shop@example.com>"
		m.To = []string{"Zoë Müller <zoe@example.org>", `"Doe, John" <john@example.org>`}
		m.Subject = "Réinitialisez votre mot de passe, s'il vous plaît, avant la fin de la journée"
		m.Text = "Bonjour Zoë,\n\nCliquez ici pour réinitialiser votre mot de passe : https://example.com/reset?token=abc=def\n"
	}), "text/plain"},
	{"non_ascii_cjk", with(func(m *Message) {
		m.Subject = "パスワードをリセットしてください。リンクは二時間有効です。"
		m.Text = "こんにちは。\n"
		m.HTML = "<p>こんにちは。</p>"
	}), "multipart/alternative(text/plain text/html)"},
	{"attachment", with(func(m *Message) {
		m.Attach("invoice 2026-03.pdf", "application/pdf", []byte("%PDF-1.4 fake but binary \x00\x01\x02"))
		m.Attach("résumé.txt", "", []byte(strings.Repeat("line of text\n", 20)))
	}), "multipart/mixed(text/plain application/pdf text/plain)"},
	{"inline_image", with(func(m *Message) {
		m.HTML = `<p><img src="cid:logo" alt="Logo"></p>`
		m.Embed("logo", "logo.png", "image/png", png1x1)
	}), "multipart/alternative(text/plain multipart/related(text/html image/png))"},
	{"everything", with(func(m *Message) {
		m.Cc = []string{"cc@example.org"}
		m.Bcc = []string{"hidden@example.org"}
		m.ReplyTo = []string{"Support <support@example.com>"}
		m.Headers = map[string]string{"X-Campaign": "spring", "List-Unsubscribe": "<https://example.com/u?id=1>, <mailto:unsub@example.com>"}
		m.HTML = `<p><img src="cid:logo"></p>`
		m.Embed("logo", "logo.png", "image/png", png1x1)
		m.Attach("data.csv", "text/csv", []byte("a,b\n1,2\n"))
	}), "multipart/mixed(multipart/alternative(text/plain multipart/related(text/html image/png)) text/csv)"},
	{"attachment_only", with(func(m *Message) {
		m.Text = ""
		m.Attach("report.pdf", "application/pdf", []byte("%PDF"))
	}), "multipart/mixed(application/pdf)"},
	{"long_headers_fold", with(func(m *Message) {
		m.Subject = strings.Repeat("A long subject that goes on ", 8) + "and ends"
		for i := range 12 {
			m.To = append(m.To, Address("Recipient Number "+string(rune('A'+i)), "recipient"+string(rune('a'+i))+"@example.org"))
		}
	}), "text/plain"},
	{"long_body_line", with(func(m *Message) { m.Text = strings.Repeat("0123456789", 120) + "\nshort line\n" }), "text/plain"},
	{"boundary_lookalike_body", with(func(m *Message) { m.Text = "--=_b1\nnot a boundary: a=_b\n" }), "text/plain"},
	{"encoded_word_lookalike_subject", with(func(m *Message) { m.Subject = "=?utf-8?q?not_decoded?=" }), "text/plain"},
	{"bare_cr_and_crlf", with(func(m *Message) { m.Text = "one\r\ntwo\rthree\nfour" }), "text/plain"},
}

func TestEncodeGolden(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(strings.ReplaceAll(tc.name, "_", " "), func(t *testing.T) {
			raw := encodeFixed(t, &tc.msg)
			path := filepath.Join("testdata", "golden", tc.name+".eml")
			if *update {
				if err := os.WriteFile(path, raw, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -run TestEncodeGolden -update)", err)
			}
			if !bytes.Equal(raw, want) {
				t.Errorf("encoding differs from %s (run with -update if the change is intended):\n%s", path, raw)
			}
			checkWire(t, raw)
			if got := structure(t, raw); got != tc.structure {
				t.Errorf("structure = %s, want %s", got, tc.structure)
			}
			if bytes.Contains(raw, []byte("hidden@example.org")) {
				t.Error("Bcc is written into the message")
			}
			assertRoundTrip(t, &tc.msg, raw)
		})
	}
}

// assertRoundTrip parses raw back and compares it with the message it
// was encoded from.
func assertRoundTrip(t *testing.T, want *Message, raw []byte) {
	t.Helper()
	got, err := Parse(raw)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	norm := func(s string) string {
		return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	}
	check := func(field, got, want string) {
		if got != want {
			t.Errorf("%s parses back as %q, want %q", field, got, want)
		}
	}
	check("Subject", got.Subject, want.Subject)
	check("Text", got.Text, norm(want.Text))
	check("HTML", got.HTML, norm(want.HTML))
	check("MessageID", got.MessageID, want.MessageID)
	if !got.Date.Equal(want.Date) {
		t.Errorf("Date parses back as %v, want %v", got.Date, want.Date)
	}
	sameAddrs := func(field string, got, want []string) {
		canon := func(l []string) []string {
			var out []string
			for _, s := range l {
				a, err := parseAddress(field, s)
				if err != nil {
					t.Fatalf("%s %q: %v", field, s, err)
				}
				out = append(out, a.Name+" <"+a.Address+">")
			}
			return out
		}
		if g, w := canon(got), canon(want); !slices.Equal(g, w) {
			t.Errorf("%s parses back as %q, want %q", field, g, w)
		}
	}
	sameAddrs("From", []string{got.From}, []string{want.From})
	sameAddrs("To", got.To, want.To)
	sameAddrs("Cc", got.Cc, want.Cc)
	sameAddrs("ReplyTo", got.ReplyTo, want.ReplyTo)
	for k, v := range want.Headers {
		if got.Headers[k] != v {
			t.Errorf("header %s parses back as %q, want %q", k, got.Headers[k], v)
		}
	}
	if len(got.Attachments) != len(want.Attachments) {
		t.Fatalf("%d attachments parse back, want %d", len(got.Attachments), len(want.Attachments))
	}
	for i, a := range want.Attachments {
		g := got.Attachments[i]
		if g.Filename != a.Filename || !bytes.Equal(g.Data, a.Data) || g.Inline != a.Inline {
			t.Errorf("attachment %d parses back as %q inline=%v (%d bytes), want %q inline=%v (%d bytes)",
				i, g.Filename, g.Inline, len(g.Data), a.Filename, a.Inline, len(a.Data))
		}
		if a.Inline && g.ContentID != a.ContentID {
			t.Errorf("attachment %d Content-ID %q, want %q", i, g.ContentID, a.ContentID)
		}
	}
}
