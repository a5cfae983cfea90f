package mail

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	netmail "net/mail"
	"net/textproto"
	"path"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// maxFilenameLen bounds an attachment's file name (most file systems'
// limit), which keeps its encoded header line within RFC 5322's 998.
const maxFilenameLen = 255

// WriteTo writes m as an RFC 5322 message with MIME (RFC 2045-2047)
// bodies: 7bit or quoted-printable text, base64 attachments, encoded-words
// for non-ASCII headers, lines folded and never longer than 998 characters,
// CRLF line ends. A zero Date means now; an empty MessageID gets a random
// one (a Mailer sets both when it builds the message). Bcc is not written.
//
// It validates everything first and writes nothing when m is invalid: the
// error matches ErrInvalidMessage, and ErrHeaderInjection for a CR or LF in
// a header value, address or file name.
func (m *Message) WriteTo(w io.Writer) (int64, error) {
	var b bytes.Buffer
	if err := encode(&b, m, randomBoundary); err != nil {
		return 0, err
	}
	return b.WriteTo(w)
}

// Bytes returns m encoded as WriteTo writes it.
func (m *Message) Bytes() ([]byte, error) {
	var b bytes.Buffer
	if err := encode(&b, m, randomBoundary); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// randomBoundary returns "=_" and 32 random hex digits. No encoded body
// can contain "=_": quoted-printable writes every "=" as =3D, base64 has
// no "_", and a body sent as 7bit must not contain "=_" (see bodyEncoding).
func randomBoundary() string {
	var r [16]byte
	rand.Read(r[:])
	return "=_" + hex.EncodeToString(r[:])
}

// newMessageID returns a random id-left@domain.
func newMessageID(domain string) string {
	var r [16]byte
	rand.Read(r[:])
	if domain == "" {
		domain = "localhost"
	}
	return hex.EncodeToString(r[:]) + "@" + domain
}

// checkMessageID accepts an RFC 5322 msg-id without its angle brackets:
// printable ASCII, no spaces, no brackets or quotes, one "@".
func checkMessageID(id string) error {
	if strings.ContainsAny(id, "\r\n") {
		return &FieldError{Field: "MessageID", Err: ErrHeaderInjection}
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c <= ' ' || c > '~' || strings.IndexByte(`<>"\(),;:`, c) >= 0 {
			return fieldErr("MessageID", "%q: a message ID is printable ASCII without spaces or <>\"()", id)
		}
	}
	if l, r, ok := strings.Cut(id, "@"); !ok || l == "" || r == "" || strings.Contains(r, "@") {
		return fieldErr("MessageID", "%q: a message ID is left@right", id)
	}
	if len(id) > 250 {
		return fieldErr("MessageID", "longer than 250 characters")
	}
	return nil
}

// prepared is a validated message: addresses parsed, subject encoded.
type prepared struct {
	m        *Message
	from     *netmail.Address
	to, cc   []*netmail.Address
	bcc      []*netmail.Address
	replyTo  []*netmail.Address
	subject  string
	headers  [][2]string // sorted, values encoded
	id       string
	date     time.Time
	attached []attachment
}

type attachment struct {
	Attachment
	ctype string // validated, with parameters
}

// prepare validates m. It changes nothing.
func prepare(m *Message) (*prepared, error) {
	p := &prepared{m: m, id: m.MessageID, date: m.Date}
	var err error
	if m.From == "" {
		return nil, fieldErr("From", "empty: set the message's From or the mailer's Defaults.From")
	}
	if p.from, err = parseAddress("From", m.From); err != nil {
		return nil, err
	}
	if p.to, err = parseAddresses("To", m.To); err != nil {
		return nil, err
	}
	if p.cc, err = parseAddresses("Cc", m.Cc); err != nil {
		return nil, err
	}
	if p.bcc, err = parseAddresses("Bcc", m.Bcc); err != nil {
		return nil, err
	}
	if p.replyTo, err = parseAddresses("ReplyTo", m.ReplyTo); err != nil {
		return nil, err
	}
	if p.subject, err = unstructured("Subject", m.Subject); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, name := range sortedKeys(m.Headers) {
		field := "Headers[" + name + "]"
		if err := checkHeaderName(field, name); err != nil {
			return nil, err
		}
		canon := textproto.CanonicalMIMEHeaderKey(name)
		if seen[canon] {
			return nil, fieldErr(field, "given twice, in different case")
		}
		seen[canon] = true
		v, err := unstructured(field, m.Headers[name])
		if err != nil {
			return nil, err
		}
		p.headers = append(p.headers, [2]string{textproto.CanonicalMIMEHeaderKey(name), v})
	}
	if p.id == "" {
		p.id = newMessageID(domainOf(p.from.Address))
	} else if err := checkMessageID(p.id); err != nil {
		return nil, err
	}
	if p.date.IsZero() {
		p.date = time.Now()
	}
	if !utf8.ValidString(m.Text) {
		return nil, fieldErr("Text", "not valid UTF-8")
	}
	if !utf8.ValidString(m.HTML) {
		return nil, fieldErr("HTML", "not valid UTF-8")
	}
	for i := range m.Attachments {
		a, err := checkAttachment(fmt.Sprintf("Attachments[%d]", i), m.Attachments[i])
		if err != nil {
			return nil, err
		}
		p.attached = append(p.attached, a)
	}
	if m.Text == "" && m.HTML == "" && len(m.Attachments) == 0 {
		return nil, &FieldError{Field: "Text", Err: ErrNoBody}
	}
	return p, nil
}

func sortedKeys(h map[string]string) []string {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func checkAttachment(field string, a Attachment) (attachment, error) {
	if strings.ContainsAny(a.Filename, "\r\n") {
		return attachment{}, &FieldError{Field: field + ".Filename", Err: ErrHeaderInjection}
	}
	if a.Filename == "" {
		return attachment{}, fieldErr(field+".Filename", "empty")
	}
	if !utf8.ValidString(a.Filename) || len(a.Filename) > maxFilenameLen {
		return attachment{}, fieldErr(field+".Filename", "must be valid UTF-8 of at most %d bytes", maxFilenameLen)
	}
	ct := a.ContentType
	if strings.ContainsAny(ct, "\r\n") {
		return attachment{}, &FieldError{Field: field + ".ContentType", Err: ErrHeaderInjection}
	}
	if ct == "" {
		ct = mime.TypeByExtension(strings.ToLower(path.Ext(a.Filename)))
	}
	if ct == "" {
		ct = "application/octet-stream"
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || strings.HasPrefix(mt, "multipart/") || strings.HasPrefix(mt, "message/") {
		return attachment{}, fieldErr(field+".ContentType", "%q is not a single-part media type", a.ContentType)
	}
	params["name"] = a.Filename
	out := attachment{Attachment: a, ctype: mime.FormatMediaType(mt, params)}
	if out.ctype == "" {
		return attachment{}, fieldErr(field+".ContentType", "%q cannot be written as a header", a.ContentType)
	}
	if a.Inline {
		if out.ContentID == "" {
			out.ContentID = a.Filename
		}
		if err := checkContentID(field+".ContentID", out.ContentID); err != nil {
			return attachment{}, err
		}
	}
	return out, nil
}

// checkContentID accepts what fits inside <...> and a cid: URL unescaped:
// printable ASCII without spaces, brackets, quotes or percent signs.
func checkContentID(field, id string) error {
	if strings.ContainsAny(id, "\r\n") {
		return &FieldError{Field: field, Err: ErrHeaderInjection}
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c <= ' ' || c > '~' || strings.IndexByte(`<>"'\%()`, c) >= 0 {
			return fieldErr(field, "%q: a content ID is printable ASCII without spaces, quotes, brackets or %%", id)
		}
	}
	if len(id) > 200 {
		return fieldErr(field, "longer than 200 characters")
	}
	return nil
}

// node is one MIME entity: a leaf with a body writer, or a multipart.
type node struct {
	header   [][2]string // Content-* headers, in order
	write    func(w io.Writer) error
	children []*node
}

// encode validates m and writes it to b, naming multipart boundaries with
// boundary (random in production, fixed in golden tests).
func encode(b *bytes.Buffer, m *Message, boundary func() string) error {
	p, err := prepare(m)
	if err != nil {
		return err
	}
	return writeMessage(b, p, boundary)
}

// writeMessage writes a prepared message.
func writeMessage(b *bytes.Buffer, p *prepared, boundary func() string) error {
	b.Grow(p.sizeHint())
	root := p.tree(boundary)
	if err := p.writeHeaders(b); err != nil {
		return err
	}
	return writeNode(b, root)
}

func (p *prepared) writeHeaders(b *bytes.Buffer) error {
	h := func(name, value string, structured bool) error { return writeHeader(b, name, value, structured) }
	if err := h("Date", p.date.Format(time.RFC1123Z), false); err != nil {
		return err
	}
	if err := h("From", p.from.String(), true); err != nil {
		return err
	}
	for _, l := range []struct {
		name string
		list []*netmail.Address
	}{{"Reply-To", p.replyTo}, {"To", p.to}, {"Cc", p.cc}} {
		if len(l.list) == 0 {
			continue
		}
		if err := h(l.name, joinAddresses(l.list), true); err != nil {
			return err
		}
	}
	if err := h("Message-ID", "<"+p.id+">", true); err != nil {
		return err
	}
	if err := h("Subject", p.subject, false); err != nil {
		return err
	}
	b.WriteString("MIME-Version: 1.0\r\n")
	for _, kv := range p.headers {
		if err := h(kv[0], kv[1], false); err != nil {
			return fieldErr("Headers["+kv[0]+"]", "%w", errLongLine)
		}
	}
	return nil
}

// sizeHint estimates the encoded size, so the buffer grows once: text
// may grow by a third in quoted-printable, base64 by 4/3 plus line ends.
func (p *prepared) sizeHint() int {
	n := 2048 + (len(p.m.Text)+len(p.m.HTML))*4/3
	for _, a := range p.attached {
		n += 512 + len(a.Data)*4/3 + len(a.Data)/57*2
	}
	return n
}

func joinAddresses(list []*netmail.Address) string {
	s := make([]string, len(list))
	for i, a := range list {
		s[i] = a.String()
	}
	return strings.Join(s, ", ")
}

// tree lays out the MIME structure:
//
//	mixed(body, files...)         when there are files
//	body = alternative(text, html) | text | html
//	html = related(html, inline...) when the HTML has inline parts
func (p *prepared) tree(boundary func() string) *node {
	var files, inline []*node
	for _, a := range p.attached {
		if a.Inline && p.m.HTML != "" {
			inline = append(inline, attachmentNode(a))
		} else {
			files = append(files, attachmentNode(a))
		}
	}
	var body *node
	var html *node
	if p.m.HTML != "" {
		html = textNode("text/html", p.m.HTML)
		if len(inline) > 0 {
			html = multipartNode(boundary, "multipart/related", map[string]string{"type": "text/html"}, append([]*node{html}, inline...))
		}
	}
	switch {
	case p.m.Text != "" && html != nil:
		body = multipartNode(boundary, "multipart/alternative", nil, []*node{textNode("text/plain", p.m.Text), html})
	case html != nil:
		body = html
	case p.m.Text != "":
		body = textNode("text/plain", p.m.Text)
	}
	if len(files) == 0 {
		return body
	}
	if body != nil {
		files = append([]*node{body}, files...)
	}
	return multipartNode(boundary, "multipart/mixed", nil, files)
}

func multipartNode(boundary func() string, mt string, params map[string]string, children []*node) *node {
	if params == nil {
		params = map[string]string{}
	}
	params["boundary"] = boundary()
	return &node{header: [][2]string{{"Content-Type", mime.FormatMediaType(mt, params)}}, children: children}
}

func textNode(mt, body string) *node {
	cte := bodyEncoding(body)
	return &node{
		header: [][2]string{
			{"Content-Type", mt + "; charset=utf-8"},
			{"Content-Transfer-Encoding", cte},
		},
		write: func(w io.Writer) error { return writeText(w, body, cte) },
	}
}

func attachmentNode(a attachment) *node {
	disposition := "attachment"
	if a.Inline {
		disposition = "inline"
	}
	h := [][2]string{
		{"Content-Type", a.ctype},
		{"Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": a.Filename})},
		{"Content-Transfer-Encoding", "base64"},
	}
	if a.Inline {
		h = append(h, [2]string{"Content-ID", "<" + a.ContentID + ">"})
	}
	return &node{header: h, write: func(w io.Writer) error { return writeBase64(w, a.Data) }}
}

// writeNode writes the root entity: its Content-* headers join the
// message's header block, then a blank line and the body.
func writeNode(b *bytes.Buffer, n *node) error {
	for _, kv := range n.header {
		if err := writeHeader(b, kv[0], kv[1], true); err != nil {
			return err
		}
	}
	b.WriteString("\r\n")
	return writeBody(b, n)
}

// writeBody writes a leaf's encoded body, or a multipart's parts between
// its boundaries.
func writeBody(w io.Writer, n *node) error {
	if n.children == nil {
		return n.write(w)
	}
	mw := multipart.NewWriter(w)
	_, params, _ := mime.ParseMediaType(n.header[0][1])
	if err := mw.SetBoundary(params["boundary"]); err != nil {
		return fmt.Errorf("mail: boundary: %w", err)
	}
	for _, c := range n.children {
		h := make(textproto.MIMEHeader, len(c.header))
		for _, kv := range c.header {
			h.Set(kv[0], kv[1])
		}
		pw, err := mw.CreatePart(h)
		if err != nil {
			return err
		}
		if err := writeBody(pw, c); err != nil {
			return err
		}
	}
	return mw.Close()
}

// bodyEncoding picks 7bit for ASCII text with lines within 998 octets
// that cannot be mistaken for a boundary ("=_"), quoted-printable for the
// rest (non-ASCII, long lines, control characters).
func bodyEncoding(s string) string {
	if strings.Contains(s, "=_") {
		return "quoted-printable"
	}
	line := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\n':
			line = 0
			continue
		case c == '\r' || c == '\t':
		case c < 0x20 || c >= 0x7f:
			return "quoted-printable"
		}
		line++
		if line > maxLineLen {
			return "quoted-printable"
		}
	}
	return "7bit"
}

// crlf normalizes line ends (CRLF, bare LF, bare CR) to CRLF.
var crlf = strings.NewReplacer("\r\n", "\r\n", "\r", "\r\n", "\n", "\r\n")

func writeText(w io.Writer, s, cte string) error {
	if cte == "7bit" {
		_, err := io.WriteString(w, crlf.Replace(s))
		return err
	}
	// quotedprintable writes CRLF for "\n" and "\r\n"; a bare CR would be
	// encoded as =0D, so make it a line end first.
	qp := quotedprintable.NewWriter(w)
	if _, err := io.WriteString(qp, strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")); err != nil {
		return err
	}
	return qp.Close()
}

// writeBase64 writes data in base64 lines of 76 characters (RFC 2045).
func writeBase64(w io.Writer, data []byte) error {
	const in = 57 // 57 bytes -> 76 characters
	line := make([]byte, 78)
	for len(data) > 0 {
		n := min(in, len(data))
		k := base64.StdEncoding.EncodedLen(n)
		base64.StdEncoding.Encode(line, data[:n])
		line[k], line[k+1] = '\r', '\n'
		if _, err := w.Write(line[:k+2]); err != nil {
			return err
		}
		data = data[n:]
	}
	return nil
}
