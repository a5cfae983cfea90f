// Package mail is gorails' ActionMailer: messages, their MIME encoding,
// delivery methods, mailer actions with templates by convention,
// deliver-now and deliver-later, a test outbox and a preview page.
//
// # Messages
//
// A Message is plain data: From, To, Cc, Bcc, ReplyTo, Subject, extra
// Headers, a Text and an HTML body, and Attachments (files, or inline
// parts the HTML shows as cid:). WriteTo encodes it (RFC 5322, MIME
// RFC 2045-2047): 7bit or quoted-printable text, base64 attachments,
// multipart/alternative for text and HTML, multipart/related for inline
// parts, multipart/mixed for files, encoded-words for non-ASCII headers,
// lines folded and never past 998 characters, a Message-ID and a Date.
// Parse reads any message back.
//
// Header injection cannot happen: a CR or LF in a header value, address,
// file name or content type is an error matching ErrHeaderInjection,
// never a new header. Addresses are parsed with net/mail, one per element
// (a user's e-mail field holding "a@x, b@y" is an error, not two
// recipients).
//
// # Mailers and actions
//
// An app builds one *Mailer at boot from a Config whose zero value works
// (development: messages written to tmp/mails). An action is a mailer
// method: typed arguments in, a Message out; its name is also its
// template's, rendered by the Renderer (the view package, adapted by the
// framework; Templates for apps without it):
//
//	type ResetArgs struct{ UserID int64 }
//
//	reset := mail.Register(m, "passwords_mailer/reset", func(ctx context.Context, a ResetArgs) (*mail.Message, error) {
//		u, err := users.Find(ctx, a.UserID)
//		if err != nil {
//			return nil, err
//		}
//		return &mail.Message{To: []string{u.Email}, Subject: "Reset your password",
//			Data: map[string]any{"User": u, "Token": u.ResetToken()}}, nil
//	})
//	// renders passwords_mailer/reset.text.tmpl and .html.tmpl in layouts/mailer.*
//	reset.DeliverLater(ctx, ResetArgs{UserID: u.ID})   // or DeliverNow
//	mail.For[ResetArgs](m).DeliverLater(ctx, args)      // where only m is at hand
//
// DeliverLater stores the action's name and JSON arguments; the job
// (DeliveryJob, which has the job package's shape without importing it)
// builds the message from fresh data when it runs, as Rails'
// MailDeliveryJob does. Config.Enqueue is the seam: nil delivers at once.
//
// # Delivery
//
// Delivery is one method: Deliver(ctx, *Envelope). SMTP (STARTTLS required
// for remote hosts by default, implicit TLS on 465, PLAIN, LOGIN and
// CRAM-MD5, timeouts, the password never in an error or a log), File
// (development: .eml files and an index for the preview page), Outbox
// (tests: in memory, with finders and assertions), Log and Null.
// Config.DeliveryMethod picks one per environment.
//
// # Preview
//
// PreviewPage is an http.Handler listing File's messages and the
// registered previews, showing each one's headers, text, attachments, and
// HTML in a sandboxed frame under a Content-Security-Policy.
//
// # Imports
//
// mail imports the standard library only. It must not import the web
// stack (dispatch, controller, view), record or job: the framework
// adapts the view set to Renderer and the job client to Config.Enqueue.
package mail
