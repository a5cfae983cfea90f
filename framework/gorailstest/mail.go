package gorailstest

import (
	"encoding/json"
	"html"
	"net/url"
	"reflect"
	"regexp"
	"strings"

	"github.com/gorails/gorails/framework/mail"
)

// Mails is the test's outbox: the messages the app delivered for this test
// (in its Session's requests, in the jobs PerformEnqueuedJobs ran, and in
// calls given tc.Context()), apart from the other tests' even when they
// run in parallel. Its own assertions (AssertCount, MustFind, To, ...)
// work too.
func (c *Case) Mails() *mail.Outbox { return c.mails }

// AssertMailCount checks that the test delivered exactly n messages
// (ActionMailer's assert_emails), listing those it did.
func AssertMailCount(c *Case, n int) {
	c.t.Helper()
	c.mails.AssertCount(c.t, n)
}

// AssertMail returns the one message delivered to addr with subject, and
// fails the test (listing what was delivered) when there is none or more
// than one.
func AssertMail(c *Case, addr, subject string) *mail.Envelope {
	c.t.Helper()
	return c.mails.MustFind(c.t, addr, subject)
}

// AssertMailContains checks that the text or the HTML part of e contains
// text (the HTML part as written, entities and all).
func AssertMailContains(c *Case, e *mail.Envelope, text string) {
	c.t.Helper()
	if e == nil || e.Message == nil {
		c.t.Fatalf("gorailstest: AssertMailContains: no message")
		return
	}
	if !strings.Contains(e.Message.Text, text) && !strings.Contains(e.Message.HTML, text) {
		c.t.Fatalf("gorailstest: the mail %q does not contain %q; text part:\n%s", e.Message.Subject, text, e.Message.Text)
	}
}

var mailURL = regexp.MustCompile(`https?://[^\s"'<>]+`)

// MailLink returns the first link of e (its text part, then its HTML
// part) whose URL contains contains, as a path and query a Session can
// Get: the reset link of a password mail, the confirmation link of a
// sign-up. The link must point at the app (the mailer's default URL's
// host, www.example.com in test, as a Session's); otherwise, or when
// there is no such link, the test fails.
func MailLink(c *Case, e *mail.Envelope, contains string) string {
	c.t.Helper()
	if e == nil || e.Message == nil {
		c.t.Fatalf("gorailstest: MailLink: no message")
		return ""
	}
	var found []string
	for _, part := range []string{e.Message.Text, html.UnescapeString(e.Message.HTML)} {
		for _, raw := range mailURL.FindAllString(part, -1) {
			raw = strings.TrimRight(raw, ".,;:!?)")
			found = append(found, raw)
			if !strings.Contains(raw, contains) {
				continue
			}
			u, err := url.Parse(raw)
			if err != nil {
				c.t.Fatalf("gorailstest: MailLink: %q is not a URL: %v", raw, err)
				return ""
			}
			if base := c.App.MailDefaultURL(); base != "" && !strings.EqualFold(u.Scheme+"://"+u.Host, base) {
				c.t.Fatalf("gorailstest: MailLink: %s leaves the app (%s)", raw, base)
				return ""
			}
			return u.RequestURI()
		}
	}
	c.t.Fatalf("gorailstest: the mail %q has no link containing %q (links: %s)", e.Message.Subject, contains, strings.Join(found, ", "))
	return ""
}

// EnqueuedMails returns the deliver-later jobs the test enqueued that
// have not run (each an action's name and JSON arguments, or a built
// message), in order.
func EnqueuedMails(c *Case) []mail.Later {
	c.t.Helper()
	return Enqueued[mail.Later](c)
}

// PerformedMails returns the deliver-later jobs PerformEnqueuedJobs ran.
func PerformedMails(c *Case) []mail.Later {
	c.t.Helper()
	return Performed[mail.Later](c)
}

// AssertMailsEnqueued checks that the test enqueued exactly n deliveries
// for later (ActionMailer's assert_enqueued_emails).
func AssertMailsEnqueued(c *Case, n int) {
	c.t.Helper()
	if got := EnqueuedMails(c); len(got) != n {
		c.t.Fatalf("gorailstest: %d mails enqueued, want %d: %s", len(got), n, describeLater(got))
	}
}

// AssertMailEnqueued checks that the test enqueued a deliver-later of the
// mailer action registered for A with exactly want for arguments
// (ActionMailer's assert_enqueued_email_with); PerformEnqueuedJobs then
// delivers it into Mails.
func AssertMailEnqueued[A any](c *Case, want A) {
	c.t.Helper()
	if c.App.Mailer == nil {
		c.t.Fatal("gorailstest: the app has no mailer")
	}
	name := mail.For[A](c.App.Mailer).Name()
	if name == "" {
		c.t.Fatalf("gorailstest: no mailer action takes %T (is it registered in app/mailers.Register?)", want)
	}
	got := EnqueuedMails(c)
	for _, l := range got {
		if l.Action != name {
			continue
		}
		var a A
		if err := json.Unmarshal(l.Args, &a); err == nil && reflect.DeepEqual(a, want) {
			return
		}
	}
	c.t.Fatalf("gorailstest: no %s mail enqueued with %+v (enqueued: %s)", name, want, describeLater(got))
}

func describeLater(ls []mail.Later) string {
	if len(ls) == 0 {
		return "none"
	}
	parts := make([]string, len(ls))
	for i, l := range ls {
		switch {
		case l.Action != "":
			parts[i] = l.Action + " " + string(l.Args)
		case l.Message != nil:
			parts[i] = "message " + l.Message.Subject
		}
	}
	return strings.Join(parts, "; ")
}
