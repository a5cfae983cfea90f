package mail

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

const hostileHTML = `<p>Hi</p><img src="cid:logo"><script>new Image().src='/beacon?script'</script>` +
	`<img src="x" onerror="new Image().src='/beacon?onerror'"><form action="/beacon?form"><input name=a></form>`

// previewBundle is a mailer delivering to files, one hostile message
// delivered, and the preview page over it.
type previewBundle struct {
	m    *Mailer
	page http.Handler
	id   string
}

func setupPreview(t *testing.T) previewBundle {
	t.Helper()
	m, err := New(Config{FileDir: t.TempDir(), Defaults: Defaults{From: "Shop <shop@example.com>"}, Renderer: Templates(testViews())})
	if err != nil {
		t.Fatal(err)
	}
	msg := &Message{
		To: []string{`"<b>Ann</b>" <ann@example.org>`}, Bcc: []string{"audit@example.org"},
		Subject: `<script>alert("subject")</script> Été`, Text: "Text part <i>not html</i>\n", HTML: hostileHTML,
		Headers: map[string]string{"X-Note": `<img src=x onerror=alert(1)>`},
	}
	msg.Embed("logo", "logo.png", "image/png", png1x1)
	msg.Embed("vector", "evil.svg", "image/svg+xml", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`))
	msg.Attach(`"><script>alert(1)</script>.pdf`, "application/pdf", []byte("%PDF"))
	if _, err := m.Deliver(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
	list, _ := ReadIndex(m.FileDir())
	reset := registerReset(m)
	reset.PreviewWith(resetArgs{Name: "Ann", Token: "preview-token"})
	m.AddPreview("broken", func(context.Context) (*Message, error) { return nil, errors.New(`lookup <failed> & "broke"`) })
	return previewBundle{m: m, page: PreviewPage(PreviewConfig{Mailer: m}), id: list[0].ID}
}

func get(t *testing.T, h http.Handler, query string) *http.Response {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/rails/mailers?"+query, nil))
	return rec.Result()
}

func body(t *testing.T, r *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestPreviewPage(t *testing.T) {
	p := setupPreview(t)
	id := url.QueryEscape(p.id)
	cases := []struct {
		name        string
		query       string
		status      int
		contentType string
		csp         string
		has, hasNot []string
		header      map[string]string
	}{
		{"the index lists delivered messages and previews, escaped", "", 200, "text/html; charset=utf-8", "default-src 'none'",
			[]string{"?m=" + id, "&lt;script&gt;alert(&#34;subject&#34;)&lt;/script&gt; Été", "?p=user_mailer%2fpassword_reset", "?p=broken"},
			[]string{"<script>", "<b>Ann</b>"}, nil},
		{"a message shows its headers, Bcc, attachments and a sandboxed frame", "m=" + id, 200, "text/html; charset=utf-8", "frame-src 'self'",
			[]string{`<iframe sandbox="allow-popups allow-popups-to-escape-sandbox"`, "part=html", "audit@example.org", "X-Note",
				"&lt;img src=x onerror=alert(1)&gt;", "&lt;b&gt;Ann&lt;/b&gt;", "Text part &lt;i&gt;not html&lt;/i&gt;",
				"&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;.pdf", "att=2", "(inline)"},
			[]string{"<script>", "<b>Ann", "<i>not html", "<img src=x"}, nil},
		{"the HTML part is served under a sandbox policy, cid: rewritten", "m=" + id + "&part=html", 200, "text/html; charset=utf-8", "sandbox allow-popups",
			[]string{`<img src="?m=` + id + `&amp;cid=logo">`}, []string{"cid:logo"}, nil},
		{"the text part is plain text", "m=" + id + "&part=text", 200, "text/plain; charset=utf-8", "sandbox",
			[]string{"Text part <i>not html</i>"}, nil, nil},
		{"the raw message is plain text", "m=" + id + "&part=raw", 200, "text/plain; charset=utf-8", "sandbox",
			[]string{"Message-ID: <", "Content-Type: multipart/mixed"}, nil, nil},
		{"an inline PNG is an image", "m=" + id + "&cid=logo", 200, "image/png", "sandbox", nil, nil, nil},
		{"an inline SVG is a download, not a page", "m=" + id + "&cid=vector", 200, "application/octet-stream", "sandbox", nil, nil,
			map[string]string{"Content-Disposition": "attachment; filename=evil.svg"}},
		{"an attachment is a download with its name quoted", "m=" + id + "&att=2", 200, "application/octet-stream", "sandbox", []string{"%PDF"}, nil,
			map[string]string{"Content-Disposition": `attachment; filename="\"><script>alert(1)</script>.pdf"`}},
		{"a preview is built when opened", "p=user_mailer/password_reset", 200, "text/html; charset=utf-8", "default-src 'none'",
			[]string{"preview-token", "Reset your password", "ann@example.org"}, nil, nil},
		{"a preview's HTML part", "p=user_mailer/password_reset&part=html", 200, "text/html; charset=utf-8", "sandbox",
			[]string{`href="https://shop.example.com/passwords/preview-token/edit"`}, nil, nil},
		{"a failing preview shows its error, escaped", "p=broken", 500, "text/html; charset=utf-8", "default-src 'none'",
			[]string{"lookup &lt;failed&gt; &amp; &#34;broke&#34;"}, []string{"<failed>"}, nil},
		{"an unknown preview is 404", "p=nope", 404, "text/html; charset=utf-8", "", []string{"no preview"}, nil, nil},
		{"an unknown message is 404", "m=20260101T000000.000000000-00000000", 404, "text/html; charset=utf-8", "", nil, nil, nil},
		{"a path instead of an ID is 404", "m=../../etc/passwd", 404, "text/html; charset=utf-8", "", []string{"no delivered message"}, nil, nil},
		{"an attachment out of range is 404", "m=" + id + "&att=9", 404, "text/plain; charset=utf-8", "", nil, nil, nil},
		{"a negative attachment is 404", "m=" + id + "&att=-1", 404, "text/plain; charset=utf-8", "", nil, nil, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := get(t, p.page, tc.query)
			text := body(t, r)
			if r.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", r.StatusCode, tc.status, text)
			}
			if ct := r.Header.Get("Content-Type"); ct != tc.contentType {
				t.Errorf("Content-Type %q, want %q", ct, tc.contentType)
			}
			if !strings.Contains(r.Header.Get("Content-Security-Policy"), tc.csp) {
				t.Errorf("CSP %q, want it to contain %q", r.Header.Get("Content-Security-Policy"), tc.csp)
			}
			if r.Header.Get("X-Content-Type-Options") != "nosniff" {
				t.Error("no nosniff")
			}
			for _, s := range tc.has {
				if !strings.Contains(text, s) {
					t.Errorf("page lacks %q:\n%s", s, text)
				}
			}
			for _, s := range tc.hasNot {
				if strings.Contains(text, s) {
					t.Errorf("page has %q:\n%s", s, text)
				}
			}
			for k, v := range tc.header {
				if r.Header.Get(k) != v {
					t.Errorf("%s = %q, want %q", k, r.Header.Get(k), v)
				}
			}
		})
	}
	t.Run("only GET and HEAD are allowed", func(t *testing.T) {
		rec := httptest.NewRecorder()
		p.page.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/?m="+id, nil))
		if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "GET, HEAD" {
			t.Errorf("POST: %d", rec.Code)
		}
	})
	t.Run("without a file directory the page says so", func(t *testing.T) {
		m, _ := New(Config{Env: "test"})
		text := body(t, get(t, PreviewPage(PreviewConfig{Mailer: m}), ""))
		if !strings.Contains(text, "does not deliver to files") {
			t.Errorf("page: %s", text)
		}
	})
}
