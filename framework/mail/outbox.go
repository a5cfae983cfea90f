package mail

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Outbox is the test delivery: it keeps delivered messages in memory for
// assertions (ActionMailer's deliveries). It is safe for concurrent use.
//
// Isolate tests by giving each its own Mailer and Outbox, or, when tests
// share one app, by routing a test's deliveries to its own Outbox through
// the context: ctx = mail.WithOutbox(ctx, box). Any Outbox that delivers
// with such a ctx records into box instead.
type Outbox struct {
	mu      sync.Mutex
	sent    []*Envelope
	changed chan struct{} // closed and replaced on every delivery
}

// NewOutbox returns an empty Outbox. The zero value is ready too.
func NewOutbox() *Outbox { return &Outbox{} }

// signal returns the channel the next delivery closes; o.mu is held.
func (o *Outbox) signal() chan struct{} {
	if o.changed == nil {
		o.changed = make(chan struct{})
	}
	return o.changed
}

type outboxKey struct{}

// WithOutbox returns a ctx under which Outbox deliveries go to box.
func WithOutbox(ctx context.Context, box *Outbox) context.Context {
	return context.WithValue(ctx, outboxKey{}, box)
}

// Deliver records e (in the ctx's Outbox when there is one).
func (o *Outbox) Deliver(ctx context.Context, e *Envelope) error {
	if box, ok := ctx.Value(outboxKey{}).(*Outbox); ok && box != nil {
		o = box
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.sent = append(o.sent, e)
	close(o.signal())
	o.changed = nil
	return nil
}

// Deliveries returns the delivered messages, oldest first (a copy).
func (o *Outbox) Deliveries() []*Envelope {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.sent)
}

// Len returns how many messages were delivered.
func (o *Outbox) Len() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.sent)
}

// Last returns the latest delivery, or nil.
func (o *Outbox) Last() *Envelope {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.sent) == 0 {
		return nil
	}
	return o.sent[len(o.sent)-1]
}

// Clear forgets every delivery.
func (o *Outbox) Clear() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.sent = nil
}

// Find returns the deliveries match accepts, oldest first.
func (o *Outbox) Find(match func(*Envelope) bool) []*Envelope {
	var out []*Envelope
	for _, e := range o.Deliveries() {
		if match(e) {
			out = append(out, e)
		}
	}
	return out
}

// To returns the deliveries with addr among their recipients (To, Cc or
// Bcc; the address compared without case).
func (o *Outbox) To(addr string) []*Envelope {
	if a, err := parseAddress("addr", addr); err == nil {
		addr = addrSpec(a)
	}
	return o.Find(func(e *Envelope) bool {
		return slices.ContainsFunc(e.To, func(r string) bool { return strings.EqualFold(r, addr) })
	})
}

// WithSubject returns the deliveries whose subject is subject.
func (o *Outbox) WithSubject(subject string) []*Envelope {
	return o.Find(func(e *Envelope) bool { return e.Message != nil && e.Message.Subject == subject })
}

// Wait blocks until at least n messages were delivered (for mail sent
// later by a job running elsewhere) and returns them, or ctx's error.
func (o *Outbox) Wait(ctx context.Context, n int) ([]*Envelope, error) {
	for {
		o.mu.Lock()
		sent, changed := slices.Clone(o.sent), o.signal()
		o.mu.Unlock()
		if len(sent) >= n {
			return sent, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return sent, fmt.Errorf("mail: waited for %d deliveries, got %d: %w", n, len(sent), ctx.Err())
		}
	}
}

// TB is the part of testing.TB the assertions use (mail does not import
// testing).
type TB interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// AssertCount fails t unless exactly n messages were delivered, listing
// what was.
func (o *Outbox) AssertCount(t TB, n int) {
	t.Helper()
	if got := o.Deliveries(); len(got) != n {
		t.Errorf("mail: %d deliveries, want %d:%s", len(got), n, describe(got))
	}
}

// AssertNone fails t if any message was delivered.
func (o *Outbox) AssertNone(t TB) {
	t.Helper()
	o.AssertCount(t, 0)
}

// MustFind returns the only delivery to addr with subject, and stops t
// (Fatalf) when there is none or more than one.
func (o *Outbox) MustFind(t TB, addr, subject string) *Envelope {
	t.Helper()
	var hits []*Envelope
	for _, e := range o.To(addr) {
		if e.Message != nil && e.Message.Subject == subject {
			hits = append(hits, e)
		}
	}
	if len(hits) != 1 {
		t.Fatalf("mail: %d deliveries to %s with subject %q, want 1; delivered:%s", len(hits), addr, subject, describe(o.Deliveries()))
		return nil
	}
	return hits[0]
}

func describe(list []*Envelope) string {
	if len(list) == 0 {
		return " none"
	}
	var b strings.Builder
	for _, e := range list {
		subject := ""
		if e.Message != nil {
			subject = e.Message.Subject
		}
		fmt.Fprintf(&b, "\n\tto %s: %q", strings.Join(e.To, ", "), subject)
	}
	return b.String()
}

var _ Delivery = (*Outbox)(nil)
