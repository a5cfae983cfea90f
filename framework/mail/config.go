package mail

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strconv"
	"time"

	"github.com/gorails/gorails/framework/event"
)

// Delivery methods, the names Config.DeliveryMethod takes.
const (
	MethodSMTP = "smtp"
	MethodFile = "file"
	MethodTest = "test"
	MethodLog  = "log"
	MethodNull = "null"
)

// DefaultFileDir is where file delivery writes, relative to Config.Root.
const DefaultFileDir = "tmp/mails"

// Config configures a Mailer. The zero value works: development, with
// messages written to tmp/mails for the preview page. The YAML names follow
// Rails' config.action_mailer, so a config/mail.yml section per environment
// decodes into it.
type Config struct {
	// Env picks the delivery method when DeliveryMethod is empty:
	// development ("" too) writes files, test keeps an Outbox; any other
	// environment must choose, so production never silently sends nothing.
	Env string `yaml:"-"`
	// DeliveryMethod is smtp, file, test, log or null.
	DeliveryMethod string `yaml:"delivery_method"`
	// Defaults fill what a message leaves empty.
	Defaults Defaults `yaml:"default"`
	// SMTP is used by the smtp method. Fill the password from the
	// credentials with FillFromCredentials.
	SMTP SMTPConfig `yaml:"smtp_settings"`
	// FileDir is where the file method writes (DefaultFileDir); a relative
	// path is relative to Root.
	FileDir string `yaml:"file_location"`
	Root    string `yaml:"-"`

	// Delivery, when set, is used instead of DeliveryMethod's.
	Delivery Delivery `yaml:"-"`
	// Renderer renders a message's parts from its Template; nil means
	// messages must carry their Text or HTML.
	Renderer Renderer `yaml:"-"`
	// Enqueue hands a deliver-later to the job system (see DeliveryJob);
	// nil delivers at once, in the caller, as the job package's Inline
	// backend would.
	Enqueue func(ctx context.Context, l Later) error `yaml:"-"`
	// Logger receives one line per delivery (never a body); nil discards,
	// except that the log method then logs to slog.Default().
	Logger *slog.Logger `yaml:"-"`
	// Events, when set, receives an event.DeliverMail per delivery (its
	// mailer and action, message id and subject, never its recipients or
	// body); the Logger's line is then left to the bus's log subscriber.
	Events *event.Bus `yaml:"-"`
	// Now is the clock for Date headers and file names; nil means time.Now.
	Now func() time.Time `yaml:"-"`
}

// Defaults are a mailer's defaults (ActionMailer's default from:, ...).
type Defaults struct {
	From    string `yaml:"from"`
	ReplyTo string `yaml:"reply_to"`
	// Layout is the layout parts render in ("mailer": layouts/mailer.html.tmpl
	// and layouts/mailer.text.tmpl).
	Layout string `yaml:"layout"`
	// Headers are added to every message that does not set them.
	Headers map[string]string `yaml:"headers"`
	// MessageIDDomain is the right side of generated Message-IDs; empty
	// means the From address's domain.
	MessageIDDomain string `yaml:"message_id_domain"`
}

func (c Config) withDefaults() Config {
	if c.Defaults.Layout == "" {
		c.Defaults.Layout = "mailer"
	}
	if c.FileDir == "" {
		c.FileDir = DefaultFileDir
	}
	if !filepath.IsAbs(c.FileDir) && c.Root != "" {
		c.FileDir = filepath.Join(c.Root, c.FileDir)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.DeliveryMethod == "" && c.Delivery == nil {
		switch c.Env {
		case "", "development":
			c.DeliveryMethod = MethodFile
		case "test":
			c.DeliveryMethod = MethodTest
		}
	}
	return c
}

func configErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidConfig, fmt.Sprintf(format, args...))
}

// validate checks c (after withDefaults) and returns the delivery it
// configures.
func (c Config) validate() (Delivery, error) {
	d := c.Defaults
	if d.From != "" {
		if _, err := parseAddress("default from", d.From); err != nil {
			return nil, configErr("%v", err)
		}
	}
	if d.ReplyTo != "" {
		if _, err := parseAddress("default reply_to", d.ReplyTo); err != nil {
			return nil, configErr("%v", err)
		}
	}
	for _, name := range sortedKeys(d.Headers) {
		field := "default headers[" + name + "]"
		if err := checkHeaderName(field, name); err != nil {
			return nil, configErr("%v", err)
		}
		if _, err := unstructured(field, d.Headers[name]); err != nil {
			return nil, configErr("%v", err)
		}
	}
	if d.MessageIDDomain != "" {
		if err := checkMessageID("x@" + d.MessageIDDomain); err != nil {
			return nil, configErr("message_id_domain %s is not a domain", strconv.Quote(d.MessageIDDomain))
		}
	}
	if c.Delivery != nil {
		return c.Delivery, nil
	}
	switch c.DeliveryMethod {
	case MethodSMTP:
		return NewSMTP(c.SMTP)
	case MethodFile:
		f := NewFile(c.FileDir)
		f.now = c.Now
		return f, nil
	case MethodTest:
		return NewOutbox(), nil
	case MethodLog:
		return Log{Logger: c.Logger}, nil
	case MethodNull:
		return Null{}, nil
	case "":
		return nil, configErr("delivery_method is not set for the %s environment: set smtp (with smtp_settings), file, log or null", c.Env)
	}
	return nil, configErr("delivery_method %q is not one of smtp, file, test, log, null", c.DeliveryMethod)
}

// FillFromCredentials fills c's empty SMTP settings from the credentials'
// smtp section (address, port, domain, user_name, password,
// authentication, tls), which is where the password belongs. lookup has
// the signature of (*secrets.Secrets).Credential. A value of the wrong
// type is an error naming it (never quoting it).
func (c SMTPConfig) FillFromCredentials(lookup func(path ...string) (any, bool)) (SMTPConfig, error) {
	str := func(key string, dst *string) error {
		v, ok := lookup("smtp", key)
		if !ok || v == nil || *dst != "" {
			return nil
		}
		s, ok := v.(string)
		if !ok {
			return configErr("credentials smtp.%s must be a string", key)
		}
		*dst = s
		return nil
	}
	pass := string(c.Password)
	mode := string(c.TLS)
	for _, f := range []struct {
		key string
		dst *string
	}{{"address", &c.Host}, {"domain", &c.Domain}, {"user_name", &c.Username}, {"password", &pass}, {"authentication", &c.Auth}, {"tls", &mode}} {
		if err := str(f.key, f.dst); err != nil {
			return c, err
		}
	}
	c.Password, c.TLS = Secret(pass), TLSMode(mode)
	if v, ok := lookup("smtp", "port"); ok && v != nil && c.Port == 0 {
		switch p := v.(type) {
		case int:
			c.Port = p
		case float64: // from JSON
			c.Port = int(p)
			if float64(c.Port) != p {
				return c, configErr("credentials smtp.port must be a whole number")
			}
		case string:
			n, err := strconv.Atoi(p)
			if err != nil {
				return c, configErr("credentials smtp.port must be a number")
			}
			c.Port = n
		default:
			return c, configErr("credentials smtp.port must be a number")
		}
	}
	return c, nil
}
