package mail

import (
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// PreviewConfig configures PreviewPage.
type PreviewConfig struct {
	// Mailer provides the registered previews (AddPreview, PreviewWith),
	// and the directory when Dir is empty and it delivers to files.
	Mailer *Mailer
	// Dir is a File delivery directory whose messages are listed.
	Dir string
	// Limit is how many delivered messages the list shows, newest first
	// (200).
	Limit int
}

// Content Security Policies of the preview page and of a message's HTML
// part. The part is also framed with the sandbox attribute: it never runs
// a script, submits a form or reads the app's cookies, whatever the
// message holds.
const (
	previewPageCSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; frame-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
	previewPartCSP = "sandbox allow-popups allow-popups-to-escape-sandbox; default-src 'none'; img-src 'self' data: https: http:; style-src 'unsafe-inline' https: http:; font-src https: http: data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
	previewFileCSP = "sandbox; default-src 'none'"
)

// PreviewPage returns an http.Handler, mountable at any path, showing
// what a development app sent (File delivery's messages) and its
// registered previews (Rails' mailer previews, built when opened): the
// headers, the text part, the HTML part in a sandboxed frame, the
// attachments and the raw message. Links are query strings, so the
// mount point does not matter. Everything shown is escaped.
//
// It shows every message's content, reset links included: mount it in
// development only (the framework does), never in production.
func PreviewPage(cfg PreviewConfig) http.Handler {
	if cfg.Dir == "" && cfg.Mailer != nil {
		cfg.Dir = cfg.Mailer.FileDir()
	}
	if cfg.Limit <= 0 {
		cfg.Limit = 200
	}
	return &previewPage{cfg: cfg}
}

type previewPage struct{ cfg PreviewConfig }

// shown is one message opened on the page.
type shown struct {
	Key     string // "m" (delivered) or "p" (a preview)
	Val     string // its id or name
	Bcc     []string
	Msg     *Message
	Raw     []byte
	Headers [][2]string
}

func (p *previewPage) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	q := r.URL.Query()
	if q.Get("m") == "" && q.Get("p") == "" {
		p.index(w)
		return
	}
	s, status, err := p.load(r)
	if err != nil {
		p.page(w, status, "error", map[string]any{"Error": err.Error()})
		return
	}
	switch {
	case q.Get("part") == "html":
		h.Set("Content-Security-Policy", previewPartCSP)
		h.Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(rewriteCIDs(s)))
	case q.Get("part") == "text":
		h.Set("Content-Security-Policy", previewFileCSP)
		h.Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte(s.Msg.Text))
	case q.Get("part") == "raw":
		h.Set("Content-Security-Policy", previewFileCSP)
		h.Set("Content-Type", "text/plain; charset=utf-8")
		w.Write(s.Raw)
	case q.Has("att") || q.Has("cid"):
		p.attachment(w, s, q)
	default:
		h.Set("Content-Security-Policy", previewPageCSP)
		p.page(w, http.StatusOK, "show", s)
	}
}

// load reads the message ?m= (delivered) or ?p= (a preview) names.
func (p *previewPage) load(r *http.Request) (*shown, int, error) {
	q := r.URL.Query()
	s := &shown{}
	if id := q.Get("m"); id != "" {
		if p.cfg.Dir == "" {
			return nil, http.StatusNotFound, errors.New("no delivery directory is configured")
		}
		raw, err := ReadDelivered(p.cfg.Dir, id)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, http.StatusNotFound, fmt.Errorf("no delivered message %q", id)
		}
		if err != nil {
			return nil, http.StatusInternalServerError, err
		}
		s.Raw, s.Key, s.Val = raw, "m", id
		if list, err := ReadIndex(p.cfg.Dir); err == nil {
			for _, e := range list {
				if e.ID == id {
					s.Bcc = e.Bcc
				}
			}
		}
	} else {
		name := q.Get("p")
		if p.cfg.Mailer == nil {
			return nil, http.StatusNotFound, fmt.Errorf("no preview %q", name)
		}
		env, err := p.cfg.Mailer.Preview(r.Context(), name)
		if errors.Is(err, ErrUnknownAction) {
			return nil, http.StatusNotFound, err
		}
		if err != nil {
			return nil, http.StatusInternalServerError, fmt.Errorf("preview %s: %w", name, err)
		}
		s.Raw, s.Key, s.Val, s.Bcc = env.Raw, "p", name, env.Message.Bcc
	}
	msg, err := Parse(s.Raw)
	if err != nil {
		return nil, http.StatusInternalServerError, err
	}
	s.Msg = msg
	s.Headers = displayHeaders(msg, s.Bcc)
	return s, http.StatusOK, nil
}

func displayHeaders(m *Message, bcc []string) [][2]string {
	out := [][2]string{{"Date", m.Date.Format(time.RFC1123Z)}, {"From", m.From}}
	for _, l := range []struct {
		name string
		list []string
	}{{"Reply-To", m.ReplyTo}, {"To", m.To}, {"Cc", m.Cc}, {"Bcc", bcc}} {
		if len(l.list) > 0 {
			out = append(out, [2]string{l.name, strings.Join(l.list, ", ")})
		}
	}
	out = append(out, [2]string{"Subject", m.Subject}, [2]string{"Message-ID", m.MessageID})
	for _, k := range sortedKeys(m.Headers) {
		out = append(out, [2]string{k, m.Headers[k]})
	}
	return out
}

// rewriteCIDs points the HTML's cid: references at this page's inline
// part URLs. Only Content-IDs of the message's own parts are replaced,
// with URL-escaped values, so the markup cannot be broken out of.
func rewriteCIDs(s *shown) string {
	html := s.Msg.HTML
	for _, a := range s.Msg.Attachments {
		if a.ContentID == "" {
			continue
		}
		html = strings.ReplaceAll(html, "cid:"+a.ContentID, "?"+s.Key+"="+url.QueryEscape(s.Val)+"&amp;cid="+url.QueryEscape(a.ContentID))
	}
	return html
}

// inlineImages are the types an inline part is served as; anything else
// (SVG, HTML, scripts) is a download.
var inlineImages = map[string]bool{"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true}

func (p *previewPage) attachment(w http.ResponseWriter, s *shown, q url.Values) {
	var a *Attachment
	if q.Has("cid") {
		for i := range s.Msg.Attachments {
			if s.Msg.Attachments[i].ContentID == q.Get("cid") {
				a = &s.Msg.Attachments[i]
			}
		}
	} else if i, err := strconv.Atoi(q.Get("att")); err == nil && i >= 0 && i < len(s.Msg.Attachments) {
		a = &s.Msg.Attachments[i]
	}
	if a == nil {
		http.Error(w, "no such attachment", http.StatusNotFound)
		return
	}
	h := w.Header()
	h.Set("Content-Security-Policy", previewFileCSP)
	mt, _, _ := mime.ParseMediaType(a.ContentType)
	if q.Has("cid") && inlineImages[mt] {
		h.Set("Content-Type", mt)
	} else {
		h.Set("Content-Type", "application/octet-stream")
		disp := mime.FormatMediaType("attachment", map[string]string{"filename": a.Filename})
		if disp == "" {
			disp = "attachment"
		}
		h.Set("Content-Disposition", disp)
	}
	w.Write(a.Data)
}

type indexRow struct {
	IndexEntry
	When string
}

func (p *previewPage) index(w http.ResponseWriter) {
	w.Header().Set("Content-Security-Policy", previewPageCSP)
	data := map[string]any{"Dir": p.cfg.Dir}
	if p.cfg.Dir != "" {
		list, err := ReadIndex(p.cfg.Dir)
		if err != nil {
			p.page(w, http.StatusInternalServerError, "error", map[string]any{"Error": err.Error()})
			return
		}
		data["Total"] = len(list)
		rows := make([]indexRow, 0, min(len(list), p.cfg.Limit))
		for _, e := range list[:min(len(list), p.cfg.Limit)] {
			rows = append(rows, indexRow{e, e.Time.Local().Format("2006-01-02 15:04:05")})
		}
		data["Delivered"] = rows
	}
	if p.cfg.Mailer != nil {
		data["Previews"] = previewGroups(p.cfg.Mailer.Previews())
	}
	p.page(w, http.StatusOK, "index", data)
}

// previewGroup is a mailer's previews: "user_mailer" and its actions.
type previewGroup struct {
	Mailer  string
	Actions [][2]string // the action's name and the preview's
}

// previewGroups groups sorted preview names by mailer (what comes before
// the last slash), as Rails' index lists each mailer with its actions.
func previewGroups(names []string) []previewGroup {
	var out []previewGroup
	for _, n := range names {
		mailer, act := "", n
		if i := strings.LastIndexByte(n, '/'); i >= 0 {
			mailer, act = n[:i], n[i+1:]
		}
		if len(out) == 0 || out[len(out)-1].Mailer != mailer {
			out = append(out, previewGroup{Mailer: mailer})
		}
		g := &out[len(out)-1]
		g.Actions = append(g.Actions, [2]string{act, n})
	}
	return out
}

func (p *previewPage) page(w http.ResponseWriter, status int, name string, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", previewPageCSP)
	w.WriteHeader(status)
	if err := previewTmpl.ExecuteTemplate(w, name, data); err != nil && p.cfg.Mailer != nil {
		p.cfg.Mailer.logger().Error("mail preview page", "error", err)
	}
}

var previewTmpl = template.Must(template.New("preview").Funcs(template.FuncMap{
	"join": func(l []string) string { return strings.Join(l, ", ") },
	"size": func(n int) string {
		if n < 1024 {
			return strconv.Itoa(n) + " B"
		}
		return strconv.FormatFloat(float64(n)/1024, 'f', 1, 64) + " KiB"
	},
}).Parse(`{{define "head"}}<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{{.}} · Mail previews</title>
<style>body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;padding:.3em .7em;text-align:left;vertical-align:top}
th{color:#555;font-weight:600}pre{white-space:pre-wrap;background:#f6f6f6;padding:1em;max-width:60em}iframe{width:100%;height:36em;border:1px solid #ccc}a{color:#0645ad}.err{color:#a00}</style>
</head><body>{{end}}
{{define "index"}}{{template "head" "Index"}}
<h1>Mail</h1>
{{with .Previews}}<h2>Previews</h2>{{range .}}<h3 class="mailer">{{or .Mailer "(no mailer)"}}</h3><ul>{{range .Actions}}<li><a href="?p={{index . 1}}">{{index . 0}}</a></li>{{end}}</ul>{{end}}{{end}}
<h2>Delivered</h2>
{{if .Dir}}{{if .Delivered}}<p>{{.Total}} message(s) in {{.Dir}}{{if lt (len .Delivered) .Total}}, newest {{len .Delivered}} shown{{end}}.</p>
<table><tr><th>Sent</th><th>From</th><th>To</th><th>Subject</th><th>Size</th></tr>
{{range .Delivered}}<tr><td>{{.When}}</td><td>{{.From}}</td><td>{{join .To}}</td><td><a href="?m={{.ID}}">{{or .Subject "(no subject)"}}</a></td><td>{{size .Size}}</td></tr>
{{end}}</table>{{else}}<p>No messages in {{.Dir}} yet.</p>{{end}}
{{else}}<p>The mailer does not deliver to files.</p>{{end}}
</body></html>{{end}}
{{define "show"}}{{template "head" .Msg.Subject}}
<p><a href="?">All mail</a> · <a href="?{{.Key}}={{.Val}}&amp;part=raw">Raw message</a></p>
<h1>{{or .Msg.Subject "(no subject)"}}</h1>
<table>{{range .Headers}}<tr><th>{{index . 0}}</th><td>{{index . 1}}</td></tr>{{end}}</table>
{{with .Msg.Attachments}}<h2>Attachments</h2><ul>{{range $i, $a := .}}<li><a href="?{{$.Key}}={{$.Val}}&amp;att={{$i}}">{{or $a.Filename "(unnamed)"}}</a> {{$a.ContentType}}, {{size (len $a.Data)}}{{if $a.Inline}} (inline){{end}}</li>{{end}}</ul>{{end}}
{{if .Msg.HTML}}<h2>HTML</h2><iframe sandbox="allow-popups allow-popups-to-escape-sandbox" referrerpolicy="no-referrer" src="?{{.Key}}={{.Val}}&amp;part=html" title="HTML part"></iframe>{{end}}
{{if .Msg.Text}}<h2>Text</h2><pre>{{.Msg.Text}}</pre>{{end}}
</body></html>{{end}}
{{define "error"}}{{template "head" "Error"}}<p><a href="?">All mail</a></p><h1>Mail preview</h1><p class="err">{{.Error}}</p></body></html>{{end}}`))
