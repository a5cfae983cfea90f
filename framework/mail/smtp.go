package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/smtp"
	"net/textproto"
	"strconv"
	"strings"
	"time"
)

// TLSMode says how SMTP delivery protects the connection.
type TLSMode string

// TLS modes. The zero value, TLSAuto, is the safe default.
const (
	// TLSAuto uses implicit TLS on port 465; on a loopback host (localhost,
	// 127.0.0.1, ::1: a local relay or Mailpit) it sends in clear text,
	// since nothing leaves the machine; everywhere else it requires
	// STARTTLS and fails if the server does not offer it.
	TLSAuto TLSMode = ""
	// TLSStartTLS requires STARTTLS, on any host.
	TLSStartTLS TLSMode = "starttls"
	// TLSImplicit speaks TLS from the first byte (SMTPS, port 465).
	TLSImplicit TLSMode = "tls"
	// TLSNone never uses TLS. Credentials are refused with it except on a
	// loopback host: they would cross the network in clear text.
	TLSNone TLSMode = "none"
)

// SMTPConfig configures SMTP delivery. The YAML names are Rails'
// smtp_settings. Only Host is required; the Password comes from the
// credentials (FillFromCredentials), never from a file in the repository.
type SMTPConfig struct {
	Host string `yaml:"address"`
	// Port defaults to 465 with TLSImplicit, 25 on a loopback host, else 587
	// (submission).
	Port int `yaml:"port"`
	// Domain is the name given in EHLO ("localhost").
	Domain   string `yaml:"domain"`
	Username string `yaml:"user_name"`
	Password Secret `yaml:"password"`
	// Auth is "plain", "login" or "cram_md5"; empty picks the first the
	// server offers of PLAIN, LOGIN, CRAM-MD5. Used when Username is set.
	Auth string  `yaml:"authentication"`
	TLS  TLSMode `yaml:"tls"`
	// OpenTimeout bounds connecting, the TLS handshake and the greeting
	// (5s); ReadTimeout bounds each later command (10s), and the message's
	// transfer gets ReadTimeout plus a second per 64 KiB. A context
	// deadline that comes sooner wins.
	OpenTimeout time.Duration `yaml:"open_timeout"`
	ReadTimeout time.Duration `yaml:"read_timeout"`
	// TLSConfig is cloned for the handshake (ServerName is Host unless
	// set); nil means the system's roots. Tests pass their own RootCAs.
	TLSConfig *tls.Config `yaml:"-"`
	// DialContext replaces net.Dialer's (proxies, tests); it gets
	// "tcp" and "host:port".
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error) `yaml:"-"`
}

// String describes c without its password.
func (c SMTPConfig) String() string {
	return fmt.Sprintf("smtp://%s@%s:%d (auth %q, tls %q, password %s)", c.Username, c.Host, c.Port, c.Auth, c.TLS, c.Password)
}

// LogValue logs c without its password.
func (c SMTPConfig) LogValue() slog.Value { return slog.StringValue(c.String()) }

// withDefaults returns c with its zero fields filled in.
func (c SMTPConfig) withDefaults() SMTPConfig {
	if c.Port == 0 {
		switch {
		case c.TLS == TLSImplicit:
			c.Port = 465
		case isLoopback(c.Host):
			c.Port = 25
		default:
			c.Port = 587
		}
	}
	if c.Domain == "" {
		c.Domain = "localhost"
	}
	if c.OpenTimeout <= 0 {
		c.OpenTimeout = 5 * time.Second
	}
	if c.ReadTimeout <= 0 {
		c.ReadTimeout = 10 * time.Second
	}
	c.Auth = strings.ReplaceAll(strings.ToLower(c.Auth), "-", "_")
	return c
}

func smtpConfigErr(format string, args ...any) error {
	return fmt.Errorf("%w: smtp: %s", ErrInvalidConfig, fmt.Sprintf(format, args...))
}

// validate reports what is wrong with c (after withDefaults), naming the
// setting to fix. It never quotes the password.
func (c SMTPConfig) validate() error {
	if c.Host == "" {
		return smtpConfigErr("address (the SMTP host) is not set")
	}
	if strings.ContainsAny(c.Host, " \t\r\n/@") {
		return smtpConfigErr("address %q is not a host name", c.Host)
	}
	if strings.ContainsAny(c.Domain, " \t\r\n") {
		return smtpConfigErr("domain %q is not a host name", c.Domain)
	}
	if c.Port < 1 || c.Port > 65535 {
		return smtpConfigErr("port %d is out of range", c.Port)
	}
	switch c.TLS {
	case TLSAuto, TLSStartTLS, TLSImplicit, TLSNone:
	default:
		return smtpConfigErr("tls %q is not one of starttls, tls, none (or empty for automatic)", c.TLS)
	}
	switch c.Auth {
	case "", "plain", "login", "cram_md5":
	default:
		return smtpConfigErr("authentication %q is not one of plain, login, cram_md5", c.Auth)
	}
	if (c.Username == "") != (c.Password == "") {
		return smtpConfigErr("user_name and password must be set together (the password belongs in the credentials: smtp.password)")
	}
	if strings.ContainsAny(c.Username, "\x00\r\n") || strings.ContainsAny(string(c.Password), "\x00\r\n") {
		return smtpConfigErr("user_name and password may not contain NUL, CR or LF")
	}
	if c.Username != "" && c.TLS == TLSNone && !isLoopback(c.Host) {
		return smtpConfigErr("tls: none would send the password to %s in clear text; use starttls or tls", c.Host)
	}
	return nil
}

// isLoopback reports whether host is "localhost" or a loopback IP. A name
// is not resolved: one that resolves to 127.0.0.1 is still remote here.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// SMTP delivers over SMTP, one connection per message. It is safe for
// concurrent use.
type SMTP struct {
	cfg  SMTPConfig
	addr string
}

// NewSMTP returns SMTP delivery for cfg, or an error matching
// ErrInvalidConfig that names the setting to fix. It does no I/O.
func NewSMTP(cfg SMTPConfig) (*SMTP, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return &SMTP{cfg: cfg, addr: net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port))}, nil
}

// Config returns the configuration in use, defaults filled in.
func (s *SMTP) Config() SMTPConfig { return s.cfg }

// SMTPError is a failed SMTP delivery: the step, the server's reply code
// (0 for a network or TLS failure) and the cause. Its text never contains
// the password, even when a server echoes it. It matches ErrRejected for a
// permanent (5xx) reply.
type SMTPError struct {
	Addr string // host:port
	Op   string // "dial", "EHLO", "STARTTLS", "AUTH", "MAIL FROM", "RCPT TO <bob@example.com>", "DATA"
	Code int
	Err  error
}

func (e *SMTPError) Error() string {
	return "mail: smtp " + e.Addr + ": " + e.Op + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *SMTPError) Unwrap() error { return e.Err }

// Is matches ErrRejected for a 5xx reply.
func (e *SMTPError) Is(target error) bool {
	return target == ErrRejected && e.Code >= 500 && e.Code < 600
}

// Temporary reports whether the same delivery may succeed later: a 4xx
// reply or a network failure.
func (e *SMTPError) Temporary() bool { return e.Code < 500 || e.Code >= 600 }

// Deliver sends e in one SMTP conversation: EHLO, STARTTLS or implicit
// TLS as configured, AUTH, MAIL FROM, one RCPT TO per recipient, DATA.
// Any refused recipient fails the whole delivery. It returns once the
// server accepted the message (a failed QUIT after that is ignored), or
// an *SMTPError; cancelling ctx aborts the conversation.
func (s *SMTP) Deliver(ctx context.Context, e *Envelope) error {
	conv := &conversation{s: s, ctx: ctx}
	err := conv.run(e)
	if conv.conn != nil {
		conv.conn.Close()
	}
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		err = fmt.Errorf("%w (%w)", ctx.Err(), err)
	}
	return redactError(err, s.cfg)
}

// conversation is one SMTP delivery's state.
type conversation struct {
	s      *SMTP
	ctx    context.Context
	conn   net.Conn // the TCP connection, whose deadlines bound every step
	client *smtp.Client
	op     string
}

// step starts operation op with a deadline d from now (or ctx's, if
// sooner).
func (c *conversation) step(op string, d time.Duration) {
	c.op = op
	deadline := time.Now().Add(d)
	if cd, ok := c.ctx.Deadline(); ok && cd.Before(deadline) {
		deadline = cd
	}
	if c.conn != nil {
		c.conn.SetDeadline(deadline)
	}
}

func (c *conversation) fail(err error) error {
	se := &SMTPError{Addr: c.s.addr, Op: c.op, Err: newRedactor(c.s.cfg).redactReply(err)}
	var tp *textproto.Error
	if errors.As(err, &tp) {
		se.Code = tp.Code
	}
	return se
}

func (c *conversation) run(e *Envelope) error {
	cfg := c.s.cfg
	c.step("dial", cfg.OpenTimeout)
	if err := c.dial(); err != nil {
		return c.fail(err)
	}
	// Cancelling ctx unblocks whatever read or write is in progress.
	stop := context.AfterFunc(c.ctx, func() { c.conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	c.step("greeting", cfg.OpenTimeout)
	if err := c.connect(); err != nil {
		return c.fail(err)
	}
	c.step("EHLO", cfg.ReadTimeout)
	if err := c.client.Hello(cfg.Domain); err != nil {
		return c.fail(err)
	}
	if err := c.startTLS(); err != nil {
		return c.fail(err)
	}
	if err := c.auth(); err != nil {
		return c.fail(err)
	}
	c.step("MAIL FROM", cfg.ReadTimeout)
	if err := c.client.Mail(e.From); err != nil {
		return c.fail(err)
	}
	for _, rcpt := range e.To {
		c.step("RCPT TO <"+rcpt+">", cfg.ReadTimeout)
		if err := c.client.Rcpt(rcpt); err != nil {
			return c.fail(err)
		}
	}
	c.step("DATA", cfg.ReadTimeout+time.Duration(len(e.Raw)/(64<<10))*time.Second)
	w, err := c.client.Data()
	if err != nil {
		return c.fail(err)
	}
	if _, err := w.Write(e.Raw); err != nil {
		return c.fail(err)
	}
	if err := w.Close(); err != nil {
		return c.fail(err)
	}
	c.step("QUIT", cfg.ReadTimeout)
	c.client.Quit() // the message is accepted; a failed goodbye changes nothing
	return nil
}

func (c *conversation) dial() error {
	cfg := c.s.cfg
	dial := cfg.DialContext
	if dial == nil {
		dial = (&net.Dialer{Timeout: cfg.OpenTimeout}).DialContext
	}
	ctx, cancel := context.WithTimeout(c.ctx, cfg.OpenTimeout)
	defer cancel()
	conn, err := dial(ctx, "tcp", c.s.addr)
	if err != nil {
		return err
	}
	c.conn = conn
	return nil
}

func (c *conversation) tlsConfig() *tls.Config {
	tc := &tls.Config{}
	if c.s.cfg.TLSConfig != nil {
		tc = c.s.cfg.TLSConfig.Clone()
	}
	if tc.ServerName == "" {
		tc.ServerName = c.s.cfg.Host
	}
	if tc.MinVersion == 0 {
		tc.MinVersion = tls.VersionTLS12
	}
	return tc
}

// connect reads the greeting, after the TLS handshake in implicit mode.
func (c *conversation) connect() error {
	var conn net.Conn = c.conn
	if c.s.cfg.TLS == TLSImplicit {
		c.op = "TLS handshake"
		tc := tls.Client(c.conn, c.tlsConfig())
		if err := tc.HandshakeContext(c.ctx); err != nil {
			return err
		}
		conn = tc
		c.op = "greeting"
	}
	cl, err := smtp.NewClient(conn, c.s.cfg.Host)
	if err != nil {
		return err
	}
	c.client = cl
	return nil
}

var errNoStartTLS = errors.New("the server does not offer STARTTLS; it is required for a remote host (set tls: none to send in clear text, or tls: tls for port 465)")

func (c *conversation) startTLS() error {
	mode := c.s.cfg.TLS
	if mode == TLSImplicit || mode == TLSNone || (mode == TLSAuto && isLoopback(c.s.cfg.Host)) {
		return nil
	}
	c.step("STARTTLS", c.s.cfg.ReadTimeout)
	if ok, _ := c.client.Extension("STARTTLS"); !ok {
		return errNoStartTLS
	}
	return c.client.StartTLS(c.tlsConfig())
}

func (c *conversation) auth() error {
	cfg := c.s.cfg
	if cfg.Username == "" {
		return nil
	}
	c.step("AUTH", cfg.ReadTimeout)
	ok, offered := c.client.Extension("AUTH")
	if !ok {
		return errors.New("the server offers no AUTH, but user_name is set")
	}
	a, err := chooseAuth(cfg, strings.Fields(strings.ToUpper(offered)))
	if err != nil {
		return err
	}
	c.op = "AUTH " + a.mech
	return c.client.Auth(a)
}
