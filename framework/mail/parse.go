package mail

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	netmail "net/mail"
	"net/textproto"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits Parse keeps to, so a hostile message cannot make it recurse or
// allocate without bound.
const (
	maxParseDepth = 16
	maxParseParts = 256
)

// ErrMalformed is matched by Parse's errors.
var ErrMalformed = errors.New("mail: malformed message")

// Parse reads an RFC 5322 message (what WriteTo writes, or any mail) back
// into a Message: addresses, decoded subject and headers, the first
// text/plain and text/html bodies, and every other part as an attachment
// (inline when it has a Content-ID or inline disposition). Bcc is never in
// a message's headers, so it comes back empty.
//
// It accepts 7bit, 8bit, binary, quoted-printable and base64 bodies and
// UTF-8, US-ASCII and ISO-8859-1 text; other charsets are kept as is.
// Errors match ErrMalformed.
func Parse(raw []byte) (*Message, error) {
	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return nil, malformed("headers: %v", err)
	}
	m := &Message{}
	h := msg.Header
	dec := wordDecoder()
	if m.From, err = firstAddress(h, "From"); err != nil {
		return nil, err
	}
	for _, f := range []struct {
		name string
		dst  *[]string
	}{{"To", &m.To}, {"Cc", &m.Cc}, {"Reply-To", &m.ReplyTo}} {
		if *f.dst, err = addressList(h, f.name); err != nil {
			return nil, err
		}
	}
	if m.Subject, err = dec.DecodeHeader(h.Get("Subject")); err != nil {
		m.Subject = h.Get("Subject") // an unknown charset: keep the encoded text
	}
	m.MessageID = strings.Trim(strings.TrimSpace(h.Get("Message-Id")), "<>")
	if d := h.Get("Date"); d != "" {
		if m.Date, err = netmail.ParseDate(d); err != nil {
			return nil, malformed("Date: %v", err)
		}
		m.Date = m.Date.In(time.UTC)
	}
	for name, vals := range h {
		if reserved[strings.ToLower(name)] || len(vals) == 0 {
			continue
		}
		v, err := dec.DecodeHeader(vals[0])
		if err != nil {
			v = vals[0]
		}
		if m.Headers == nil {
			m.Headers = map[string]string{}
		}
		m.Headers[name] = v
	}
	w := &walker{m: m}
	if err := w.walk(textproto.MIMEHeader(h), msg.Body, 0); err != nil {
		return nil, err
	}
	return m, nil
}

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
}

func wordDecoder() *mime.WordDecoder {
	return &mime.WordDecoder{CharsetReader: charsetReader}
}

// charsetReader converts the charsets Parse knows to UTF-8.
func charsetReader(charset string, input io.Reader) (io.Reader, error) {
	switch strings.ToLower(charset) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return input, nil
	case "iso-8859-1", "latin1", "latin-1":
		b, err := io.ReadAll(input)
		if err != nil {
			return nil, err
		}
		return strings.NewReader(latin1(b)), nil
	}
	return nil, fmt.Errorf("unsupported charset %q", charset)
}

func latin1(b []byte) string {
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

func addressList(h netmail.Header, name string) ([]string, error) {
	if h.Get(name) == "" {
		return nil, nil
	}
	list, err := (&netmail.AddressParser{WordDecoder: wordDecoder()}).ParseList(h.Get(name))
	if err != nil {
		return nil, malformed("%s: %v", name, err)
	}
	out := make([]string, len(list))
	for i, a := range list {
		out[i] = Address(a.Name, a.Address)
	}
	return out, nil
}

func firstAddress(h netmail.Header, name string) (string, error) {
	l, err := addressList(h, name)
	if err != nil || len(l) == 0 {
		return "", err
	}
	return l[0], nil
}

type walker struct {
	m     *Message
	parts int
}

func (w *walker) walk(h textproto.MIMEHeader, body io.Reader, depth int) error {
	if w.parts++; w.parts > maxParseParts {
		return malformed("more than %d MIME parts", maxParseParts)
	}
	if depth > maxParseDepth {
		return malformed("MIME parts nested deeper than %d", maxParseDepth)
	}
	mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		mt, params = "text/plain", map[string]string{"charset": "us-ascii"}
	}
	if strings.HasPrefix(mt, "multipart/") {
		if params["boundary"] == "" {
			return malformed("%s without a boundary", mt)
		}
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return malformed("%s: %v", mt, err)
			}
			if err := w.walk(p.Header, p, depth+1); err != nil {
				return err
			}
		}
	}
	data, err := io.ReadAll(decodeTransfer(h.Get("Content-Transfer-Encoding"), body))
	if err != nil {
		return malformed("%s body: %v", mt, err)
	}
	disp, dparams, _ := mime.ParseMediaType(h.Get("Content-Disposition"))
	cid := strings.Trim(strings.TrimSpace(h.Get("Content-Id")), "<>")
	if disp != "attachment" && cid == "" && (mt == "text/plain" || mt == "text/html") {
		text := decodeCharset(params["charset"], data)
		if mt == "text/plain" && w.m.Text == "" {
			w.m.Text = text
			return nil
		}
		if mt == "text/html" && w.m.HTML == "" {
			w.m.HTML = text
			return nil
		}
	}
	name := dparams["filename"]
	if name == "" {
		name = params["name"]
	}
	delete(params, "name")
	w.m.Attachments = append(w.m.Attachments, Attachment{
		Filename:    name,
		ContentType: mime.FormatMediaType(mt, params),
		Data:        data,
		Inline:      disp == "inline" || (disp == "" && cid != ""),
		ContentID:   cid,
	})
	return nil
}

func decodeTransfer(cte string, r io.Reader) io.Reader {
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, &stripSpace{r: r})
	case "quoted-printable":
		return quotedprintable.NewReader(r)
	}
	return r
}

// stripSpace drops the CR, LF and spaces between base64 lines, which
// encoding/base64 only partly ignores.
type stripSpace struct{ r io.Reader }

func (s *stripSpace) Read(p []byte) (int, error) {
	for {
		n, err := s.r.Read(p)
		k := 0
		for _, c := range p[:n] {
			if c != '\r' && c != '\n' && c != ' ' && c != '\t' {
				p[k] = c
				k++
			}
		}
		if k > 0 || err != nil {
			return k, err
		}
	}
}

// decodeCharset returns text as UTF-8 and with LF line ends.
func decodeCharset(charset string, data []byte) string {
	var s string
	switch strings.ToLower(charset) {
	case "iso-8859-1", "latin1", "latin-1":
		s = latin1(data)
	default:
		s = string(data)
		if !utf8.ValidString(s) {
			s = strings.ToValidUTF8(s, "\uFFFD")
		}
	}
	return strings.ReplaceAll(s, "\r\n", "\n")
}
