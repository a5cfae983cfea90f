package mail

import (
	"errors"
	"fmt"
)

// Errors callers branch on with errors.Is. Their text never contains a
// password.
var (
	// ErrInvalidMessage is matched by every error about a message's own
	// content: a bad address, header, body or attachment. Retrying cannot
	// help (a job should discard it).
	ErrInvalidMessage = errors.New("mail: invalid message")
	// ErrHeaderInjection is matched (along with ErrInvalidMessage) when a
	// header value, address or file name holds a CR or LF: it would start
	// a new header.
	ErrHeaderInjection = errors.New("CR or LF in a header value (header injection)")
	// ErrNoRecipients: the message has no To, Cc or Bcc (also an
	// ErrInvalidMessage).
	ErrNoRecipients = errors.New("no recipients")
	// ErrNoBody: the message has no text, no HTML and no attachment, and
	// no template was rendered for it (also an ErrInvalidMessage).
	ErrNoBody = errors.New("no body")
	// ErrRejected is matched by an SMTP server's permanent (5xx) refusal:
	// retrying the same message will not help.
	ErrRejected = errors.New("mail: rejected by the server")
	// ErrUnknownAction: a job asked to deliver through an action this
	// Mailer has not registered (a renamed action with jobs still queued).
	ErrUnknownAction = errors.New("mail: unknown action")
	// ErrInvalidConfig is matched by every configuration error New returns.
	ErrInvalidConfig = errors.New("mail: invalid configuration")
)

// FieldError says which part of a message is wrong. It matches
// ErrInvalidMessage, and Err (such as ErrHeaderInjection) through Unwrap.
type FieldError struct {
	Field string // "To[1]", "Subject", "Headers[X-Tag]", "Attachments[0].Filename"
	Err   error
}

func (e *FieldError) Error() string { return "mail: " + e.Field + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *FieldError) Unwrap() error { return e.Err }

// Is reports that every FieldError is an ErrInvalidMessage.
func (e *FieldError) Is(target error) bool { return target == ErrInvalidMessage }

func fieldErr(field string, format string, args ...any) error {
	return &FieldError{Field: field, Err: fmt.Errorf(format, args...)}
}

// Permanent reports whether err means that delivering the same message
// again cannot succeed: an invalid message, a server's permanent refusal, or
// an unknown action. Jobs discard such errors instead of retrying them.
func Permanent(err error) bool {
	return errors.Is(err, ErrInvalidMessage) || errors.Is(err, ErrRejected) || errors.Is(err, ErrUnknownAction)
}
