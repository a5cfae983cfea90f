package mail

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/smtp"
	"net/textproto"
	"slices"
	"strings"
)

// smtpAuth is one of the SASL mechanisms SMTP delivery speaks. It refuses
// to send a password over a connection without TLS unless the host is a
// loopback one (net/smtp's PlainAuth rule, applied to LOGIN as well).
type smtpAuth struct {
	mech       string // PLAIN, LOGIN, CRAM-MD5
	user, pass string
	loopback   bool
	cram       smtp.Auth
	step       int
}

var errClearTextAuth = errors.New("refusing to send the password over a connection without TLS")

func (a *smtpAuth) Start(si *smtp.ServerInfo) (string, []byte, error) {
	if a.mech != "CRAM-MD5" && !si.TLS && !a.loopback {
		return "", nil, errClearTextAuth
	}
	switch a.mech {
	case "PLAIN":
		return "PLAIN", []byte("\x00" + a.user + "\x00" + a.pass), nil
	case "LOGIN":
		return "LOGIN", nil, nil
	}
	a.cram = smtp.CRAMMD5Auth(a.user, a.pass)
	return a.cram.Start(si)
}

func (a *smtpAuth) Next(fromServer []byte, more bool) ([]byte, error) {
	if !more {
		return nil, nil
	}
	switch a.mech {
	case "CRAM-MD5":
		return a.cram.Next(fromServer, more)
	case "LOGIN":
		// Servers ask "Username:" then "Password:"; some word it
		// differently, so go by the step as well as the text.
		a.step++
		prompt := strings.ToLower(string(fromServer))
		switch {
		case strings.Contains(prompt, "user") || (a.step == 1 && !strings.Contains(prompt, "pass")):
			return []byte(a.user), nil
		case strings.Contains(prompt, "pass") || a.step == 2:
			return []byte(a.pass), nil
		}
	}
	return nil, fmt.Errorf("unexpected %s challenge from the server", a.mech)
}

// chooseAuth returns the configured mechanism, or the first of PLAIN,
// LOGIN, CRAM-MD5 that the server offers.
func chooseAuth(cfg SMTPConfig, offered []string) (*smtpAuth, error) {
	mech := strings.ToUpper(strings.ReplaceAll(cfg.Auth, "_", "-"))
	if mech == "" {
		for _, m := range []string{"PLAIN", "LOGIN", "CRAM-MD5"} {
			if slices.Contains(offered, m) {
				mech = m
				break
			}
		}
		if mech == "" {
			return nil, fmt.Errorf("the server offers AUTH %s; none of PLAIN, LOGIN, CRAM-MD5", strings.Join(offered, " "))
		}
	} else if !slices.Contains(offered, mech) {
		return nil, fmt.Errorf("authentication %s is configured but the server offers AUTH %s", cfg.Auth, strings.Join(offered, " "))
	}
	return &smtpAuth{mech: mech, user: cfg.Username, pass: string(cfg.Password), loopback: isLoopback(cfg.Host)}, nil
}

// redactor replaces every form of the password an SMTP conversation sends
// (as is, base64, inside a base64 PLAIN response) with [FILTERED].
type redactor []string

func newRedactor(cfg SMTPConfig) redactor {
	if cfg.Password == "" {
		return nil
	}
	pass := string(cfg.Password)
	b64 := base64.StdEncoding.EncodeToString
	return redactor{
		b64([]byte("\x00" + cfg.Username + "\x00" + pass)),
		b64([]byte(pass)),
		pass,
	}
}

func (r redactor) apply(s string) string {
	for _, secret := range r {
		s = strings.ReplaceAll(s, secret, filtered)
	}
	return s
}

// redactReply returns err with any server reply's text redacted: a
// server may echo what it was sent.
func (r redactor) redactReply(err error) error {
	var tp *textproto.Error
	if len(r) == 0 || !errors.As(err, &tp) {
		return err
	}
	return &textproto.Error{Code: tp.Code, Msg: r.apply(tp.Msg)}
}

// redactedError shows its cause's text with the password removed.
type redactedError struct {
	err error
	r   redactor
}

func (e *redactedError) Error() string { return e.r.apply(e.err.Error()) }
func (e *redactedError) Unwrap() error { return e.err }

func redactError(err error, cfg SMTPConfig) error {
	r := newRedactor(cfg)
	if len(r) == 0 {
		return err
	}
	return &redactedError{err: err, r: r}
}
