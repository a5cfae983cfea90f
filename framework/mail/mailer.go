package mail

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	netmail "net/mail"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/gorails/gorails/framework/event"
)

// Mailer builds and delivers an app's messages: defaults, templates,
// delivery method, deliver-later, actions and previews. Apps create one at
// boot (no global state). It is safe for concurrent use.
type Mailer struct {
	cfg      Config
	delivery Delivery
	log      *slog.Logger

	mu       sync.RWMutex
	actions  map[string]*action
	byArgs   map[reflect.Type]any // *Action[A] by A; ambiguous when two share A
	previews map[string]func(ctx context.Context) (*Message, error)
}

// New returns a Mailer for cfg, or an error matching ErrInvalidConfig
// that names the setting to fix. It does no I/O.
func New(cfg Config) (*Mailer, error) {
	cfg = cfg.withDefaults()
	d, err := cfg.validate()
	if err != nil {
		return nil, err
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Mailer{cfg: cfg, delivery: d, log: log, actions: map[string]*action{}, byArgs: map[reflect.Type]any{},
		previews: map[string]func(context.Context) (*Message, error){}}, nil
}

// Delivery returns the delivery in use.
func (m *Mailer) Delivery() Delivery { return m.delivery }

// Outbox returns the test delivery's Outbox, or nil under another method.
func (m *Mailer) Outbox() *Outbox {
	o, _ := m.delivery.(*Outbox)
	return o
}

// FileDir returns the file delivery's directory, or "" under another
// method.
func (m *Mailer) FileDir() string {
	if f, ok := m.delivery.(*File); ok {
		return f.Dir()
	}
	return ""
}

// Build turns msg into what would be delivered, without delivering it:
// a copy with the defaults applied, its parts rendered from its Template
// when it has no Text or HTML, Date and MessageID set, encoded, and its
// envelope. msg itself is not changed. Errors match ErrInvalidMessage (a
// FieldError naming the field) or come from the Renderer.
func (m *Mailer) Build(ctx context.Context, msg *Message) (*Envelope, error) {
	if msg == nil {
		return nil, &FieldError{Field: "Message", Err: errors.New("nil")}
	}
	c := m.applyDefaults(msg.clone())
	if c.Text == "" && c.HTML == "" {
		if err := m.render(ctx, c); err != nil {
			return nil, err
		}
	}
	p, err := prepare(c)
	if err != nil {
		return nil, err
	}
	if c.Date.IsZero() {
		c.Date = m.cfg.Now().Truncate(time.Second)
		p.date = c.Date
	}
	if c.MessageID == "" {
		domain := m.cfg.Defaults.MessageIDDomain
		if domain == "" {
			domain = domainOf(p.from.Address)
		}
		c.MessageID = newMessageID(domain)
		p.id = c.MessageID
	}
	var b bytes.Buffer
	if err := writeMessage(&b, p, randomBoundary); err != nil {
		return nil, err
	}
	env := &Envelope{From: addrSpec(p.from), Message: c, Raw: b.Bytes()}
	seen := map[string]bool{}
	for _, list := range [][]*netmail.Address{p.to, p.cc, p.bcc} {
		for _, a := range list {
			if k := strings.ToLower(a.Address); !seen[k] {
				seen[k] = true
				env.To = append(env.To, addrSpec(a))
			}
		}
	}
	if len(env.To) == 0 {
		return nil, &FieldError{Field: "To", Err: ErrNoRecipients}
	}
	return env, nil
}

func (m *Mailer) applyDefaults(c *Message) *Message {
	d := m.cfg.Defaults
	if c.From == "" {
		c.From = d.From
	}
	if len(c.ReplyTo) == 0 && d.ReplyTo != "" {
		c.ReplyTo = []string{d.ReplyTo}
	}
	for name, v := range d.Headers {
		if !hasHeader(c.Headers, name) {
			if c.Headers == nil {
				c.Headers = map[string]string{}
			}
			c.Headers[name] = v
		}
	}
	if c.Layout == "" && !c.NoLayout {
		c.Layout = d.Layout
	}
	if c.NoLayout {
		c.Layout = ""
	}
	return c
}

func hasHeader(h map[string]string, name string) bool {
	for k := range h {
		if strings.EqualFold(k, name) {
			return true
		}
	}
	return false
}

// render fills c.Text and c.HTML from c.Template, leaving out a format
// whose template does not exist.
func (m *Mailer) render(ctx context.Context, c *Message) error {
	if c.Template == "" {
		return nil // attachments alone, or prepare reports ErrNoBody
	}
	if m.cfg.Renderer == nil {
		return fmt.Errorf("mail: message has Template %q but the mailer has no Renderer: give Text or HTML, or set Config.Renderer", c.Template)
	}
	found := false
	for _, part := range []struct {
		format string
		dst    *string
	}{{"text", &c.Text}, {"html", &c.HTML}} {
		var b bytes.Buffer
		err := m.cfg.Renderer.RenderMail(ctx, &b, Template{Name: c.Template, Format: part.format, Layout: c.Layout, Data: c.Data, Message: c})
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("mail: render %s.%s: %w", c.Template, part.format, err)
		}
		found = true
		*part.dst = b.String()
	}
	if !found {
		return &FieldError{Field: "Template", Err: fmt.Errorf("%w: neither %s.text nor %s.html exists", ErrNoBody, c.Template, c.Template)}
	}
	if c.Text == "" && c.HTML == "" {
		return &FieldError{Field: "Template", Err: fmt.Errorf("%w: %s rendered empty", ErrNoBody, c.Template)}
	}
	return nil
}

// Deliver builds msg and delivers it now, returning what was sent.
func (m *Mailer) Deliver(ctx context.Context, msg *Message) (*Envelope, error) {
	env, err := m.Build(ctx, msg)
	if err != nil {
		return nil, err
	}
	return env, m.send(ctx, env)
}

func (m *Mailer) send(ctx context.Context, env *Envelope) error {
	start := time.Now()
	err := m.delivery.Deliver(ctx, env)
	took := time.Since(start)
	id := env.Message.MessageID
	if bus := m.cfg.Events; bus != nil {
		if bus.Enabled(event.KindDeliverMail) {
			mailer, action := mailerAction(env.Message.action)
			bus.Emit(ctx, &event.DeliverMail{Mailer: mailer, Action: action, MessageID: id, Subject: env.Message.Subject, Start: start, Duration: took, Err: err})
		}
		if err != nil {
			return fmt.Errorf("mail: deliver %s: %w", id, err)
		}
		return nil
	}
	if err != nil {
		m.log.ErrorContext(ctx, "mail delivery failed", "message_id", id, "recipients", len(env.To), "error", err.Error(), "duration", took)
		return fmt.Errorf("mail: deliver %s: %w", id, err)
	}
	m.log.InfoContext(ctx, "Delivered mail", "message_id", id, "recipients", len(env.To), "duration", took)
	return nil
}

// Later is what a deliver-later job carries, as JSON: an action's name
// and arguments (the message is built when the job runs, from fresh data,
// as Rails' MailDeliveryJob does), or a message already built and
// rendered.
type Later struct {
	Action  string          `json:"action,omitempty"`
	Args    json.RawMessage `json:"args,omitempty"`
	Message *Message        `json:"message,omitempty"`
}

// DeliverLater builds msg now (so a bad message fails here, in the
// caller) and hands the built message to Config.Enqueue; without one it
// is delivered now, after the same JSON round trip a job would make.
// Delivery is at least once: a job retried after the server accepted the
// message sends it again, with the same Message-ID.
func (m *Mailer) DeliverLater(ctx context.Context, msg *Message) error {
	env, err := m.Build(ctx, msg)
	if err != nil {
		return err
	}
	c := env.Message.clone()
	c.Data = nil
	return m.enqueue(ctx, Later{Message: c})
}

func (m *Mailer) enqueue(ctx context.Context, l Later) error {
	if m.cfg.Enqueue != nil {
		if err := m.cfg.Enqueue(ctx, l); err != nil {
			return fmt.Errorf("mail: enqueue: %w", err)
		}
		return nil
	}
	raw, err := json.Marshal(l)
	if err != nil {
		return fmt.Errorf("mail: deliver later: %w", err)
	}
	var back Later
	if err := json.Unmarshal(raw, &back); err != nil {
		return fmt.Errorf("mail: deliver later: %w", err)
	}
	return m.DeliverEnqueued(ctx, back)
}

// DeliverEnqueued is the job side of deliver-later: it builds and delivers
// what l describes. Errors for which Permanent is true will fail again;
// the others (a server's 4xx, a network failure) are worth a retry.
func (m *Mailer) DeliverEnqueued(ctx context.Context, l Later) error {
	switch {
	case l.Action != "":
		m.mu.RLock()
		a := m.actions[l.Action]
		m.mu.RUnlock()
		if a == nil {
			return fmt.Errorf("%w %q: register it on this mailer at boot", ErrUnknownAction, l.Action)
		}
		msg, err := a.run(ctx, l.Args)
		if err != nil || msg == nil {
			return err
		}
		_, err = m.Deliver(ctx, msg)
		return err
	case l.Message != nil:
		_, err := m.Deliver(ctx, l.Message)
		return err
	}
	return fmt.Errorf("%w: a deliver-later job with neither an action nor a message", ErrInvalidMessage)
}

// DeliveryJob is the job that delivers later. It has the job package's
// shape (a Kind and a Perform over typed arguments) without importing it,
// so the framework wires deliver-later with:
//
//	deliver := job.Register(jobs, mail.DeliveryJob{Mailer: m}, job.Queue("mailers"),
//		job.DiscardOn(mail.ErrInvalidMessage, mail.ErrRejected, mail.ErrUnknownAction))
//
// and Config.Enqueue calling deliver.PerformLater (or job.For[mail.Later]).
type DeliveryJob struct{ Mailer *Mailer }

// Kind is the job's stored name.
func (DeliveryJob) Kind() string { return "mail.Delivery" }

// Perform delivers l.
func (j DeliveryJob) Perform(ctx context.Context, l Later) error {
	return j.Mailer.DeliverEnqueued(ctx, l)
}

// logger returns the mailer's logger (for the preview page's errors).
func (m *Mailer) logger() *slog.Logger { return m.log }
