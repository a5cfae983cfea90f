package mail

import (
	"context"
	"log/slog"
	"strings"
)

// Envelope is a built message on its way out: the SMTP envelope (From and
// every recipient, Bcc included) and the encoded message. Deliveries must
// treat it as read-only.
type Envelope struct {
	// From is the envelope sender (SMTP MAIL FROM), the From address.
	From string
	// To lists every recipient (To, Cc, Bcc) once, in that order.
	To []string
	// Message is the message as built: defaults applied, parts rendered,
	// MessageID and Date set.
	Message *Message
	// Raw is the RFC 5322 encoding of Message.
	Raw []byte
}

// Delivery sends built messages: SMTP, File, Outbox (tests), Log and Null
// implement it; so can anything else (an HTTP API's client). Deliver must
// be safe for concurrent use and must return only once the message is
// accepted (or refused).
type Delivery interface {
	Deliver(ctx context.Context, e *Envelope) error
}

// DeliveryFunc adapts a function to Delivery.
type DeliveryFunc func(ctx context.Context, e *Envelope) error

// Deliver calls f.
func (f DeliveryFunc) Deliver(ctx context.Context, e *Envelope) error { return f(ctx, e) }

// Null discards every message: Rails' perform_deliveries = false.
type Null struct{}

// Deliver does nothing.
func (Null) Deliver(context.Context, *Envelope) error { return nil }

// Log is a delivery that sends nothing and logs one line per message at
// info level: its ID, sender, recipients, subject and size. Bodies are not
// logged: they hold password-reset links and other secrets.
type Log struct{ Logger *slog.Logger }

// Deliver logs e.
func (l Log) Deliver(ctx context.Context, e *Envelope) error {
	lg := l.Logger
	if lg == nil {
		lg = slog.Default()
	}
	m := e.Message
	if m == nil {
		m = &Message{}
	}
	lg.InfoContext(ctx, "mail not sent (log delivery)",
		"message_id", m.MessageID, "from", e.From, "to", strings.Join(e.To, ", "),
		"subject", m.Subject, "bytes", len(e.Raw))
	return nil
}

var (
	_ Delivery = Null{}
	_ Delivery = Log{}
	_ Delivery = DeliveryFunc(nil)
)
