package mail

import (
	"io"
	"maps"
	"slices"
	"time"
)

// Message is one email as a mailer builds it. Addresses are strings in
// RFC 5322 form ("ann@example.com" or "Ann Lee <ann@example.com>"), one
// address per element: an element holding a list is an error, so a user's
// e-mail field can never add a recipient. Every header value and address
// that holds a CR or LF is an error (ErrHeaderInjection), never a new
// header.
//
// A Message is plain data: a mailer copies it before filling defaults, so
// the caller's value is never changed. It is JSON-serializable except Data
// (deliver-later renders first and sends the result).
type Message struct {
	From    string   `json:"from,omitempty"`
	To      []string `json:"to,omitempty"`
	Cc      []string `json:"cc,omitempty"`
	Bcc     []string `json:"bcc,omitempty"` // recipients only: never written as a header
	ReplyTo []string `json:"reply_to,omitempty"`
	Subject string   `json:"subject,omitempty"`
	// Headers are extra headers ("List-Unsubscribe", "X-Campaign",
	// "In-Reply-To"). Names the fields above own (From, To, Subject,
	// Content-Type, ...) are refused. Written sorted by name.
	Headers map[string]string `json:"headers,omitempty"`

	// Text and HTML are the bodies; with both, the message is
	// multipart/alternative. Left empty, a mailer with a Renderer renders
	// them from Template.
	Text string `json:"text,omitempty"`
	HTML string `json:"html,omitempty"`

	// Attachments are files (multipart/mixed) and inline parts the HTML
	// refers to as cid:<ContentID> (multipart/related).
	Attachments []Attachment `json:"attachments,omitempty"`

	// Template names the views a Renderer renders the parts from:
	// "user_mailer/password_reset" renders user_mailer/password_reset.text.tmpl
	// and .html.tmpl, whichever exist. An action's message defaults to the
	// action's name. Layout overrides the mailer's default layout
	// ("mailer"); NoLayout renders without one. Data is what the template
	// sees as {{.Data}}.
	Template string `json:"template,omitempty"`
	Layout   string `json:"layout,omitempty"`
	NoLayout bool   `json:"no_layout,omitempty"`
	Data     any    `json:"-"`

	// MessageID (without angle brackets) and Date are set when the message
	// is built, unless given: a retried delivery keeps them.
	MessageID string    `json:"message_id,omitempty"`
	Date      time.Time `json:"date,omitzero"`

	// action is the name of the Action that built the message, for the
	// delivery event's Mailer and Action ("" for a message built by hand).
	action string
}

// Attachment is a file sent with a message. Filename and ContentType come
// from the application, often from a user: a CR or LF in them is an error.
type Attachment struct {
	Filename string `json:"filename"`
	// ContentType is a MIME type ("application/pdf"); empty means by the
	// file name's extension, else application/octet-stream.
	ContentType string `json:"content_type,omitempty"`
	Data        []byte `json:"data"`
	// Inline attachments are parts the HTML shows (cid:ContentID) rather
	// than files to download; ContentID defaults to Filename.
	Inline    bool   `json:"inline,omitempty"`
	ContentID string `json:"content_id,omitempty"`
}

// Attach adds a file attachment and returns m, for chaining.
func (m *Message) Attach(filename, contentType string, data []byte) *Message {
	m.Attachments = append(m.Attachments, Attachment{Filename: filename, ContentType: contentType, Data: data})
	return m
}

// AttachReader is Attach with the data read from r (fully, into memory).
func (m *Message) AttachReader(filename, contentType string, r io.Reader) (*Message, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return m, err
	}
	return m.Attach(filename, contentType, data), nil
}

// Embed adds an inline attachment the HTML part shows with
// <img src="cid:contentID">, and returns m.
func (m *Message) Embed(contentID, filename, contentType string, data []byte) *Message {
	m.Attachments = append(m.Attachments, Attachment{Filename: filename, ContentType: contentType, Data: data, Inline: true, ContentID: contentID})
	return m
}

// clone returns a copy that shares no slice or map with m (attachment
// data excepted: it is never written to).
func (m *Message) clone() *Message {
	c := *m
	c.To = slices.Clone(m.To)
	c.Cc = slices.Clone(m.Cc)
	c.Bcc = slices.Clone(m.Bcc)
	c.ReplyTo = slices.Clone(m.ReplyTo)
	c.Headers = maps.Clone(m.Headers)
	c.Attachments = slices.Clone(m.Attachments)
	return &c
}
