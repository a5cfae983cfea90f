package mail

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"
)

const (
	testUser = "mailer@example.com"
	testPass = "s3cret-Passw0rd!"
)

// remote returns an SMTPConfig for the host mail.example.test (not
// loopback, so the TLS rules for remote hosts apply) dialled at srv.
func remote(srv *smtpServer, tc *tls.Config) SMTPConfig {
	addr := srv.ln.Addr().String()
	return SMTPConfig{
		Host: "mail.example.test", Port: 587, TLSConfig: tc,
		OpenTimeout: 5 * time.Second, ReadTimeout: 5 * time.Second,
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		},
	}
}

// testEnvelope builds a message to ann (To) and hidden (Bcc) whose text
// has a line starting with a dot, which SMTP must stuff and unstuff.
func testEnvelope(t *testing.T) *Envelope {
	t.Helper()
	m, err := New(Config{Env: "test"})
	if err != nil {
		t.Fatal(err)
	}
	env, err := m.Build(context.Background(), &Message{
		From: "Shop <shop@example.com>", To: []string{"ann@example.org"}, Bcc: []string{"hidden@example.org"},
		Subject: "Über SMTP", Text: "Hello\n.leading dot\n..two dots\n.\nend\n", HTML: "<p>Hello</p>",
	})
	if err != nil {
		t.Fatal(err)
	}
	return env
}

func TestSMTPDeliversOverStartTLSWithEachAuthMechanism(t *testing.T) {
	for _, mech := range []string{"plain", "login", "cram_md5", ""} {
		name := "auth " + mech
		if mech == "" {
			name = "auth picked from what the server offers"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv, tc := startSMTP(t, smtpServerOpts{startTLS: true, auth: []string{"CRAM-MD5", "LOGIN", "PLAIN"}, user: testUser, pass: testPass})
			cfg := remote(srv, tc)
			cfg.Username, cfg.Password, cfg.Auth = testUser, testPass, mech
			d, err := NewSMTP(cfg)
			if err != nil {
				t.Fatal(err)
			}
			env := testEnvelope(t)
			if err := d.Deliver(context.Background(), env); err != nil {
				t.Fatalf("Deliver: %v\n%s", err, srv.transcripts())
			}
			got := srv.messages()
			if len(got) != 1 {
				t.Fatalf("%d messages received, want 1", len(got))
			}
			r := got[0]
			if !r.tls || r.authed != testUser {
				t.Errorf("received over TLS=%v, authenticated as %q", r.tls, r.authed)
			}
			if r.from != "shop@example.com" || strings.Join(r.to, ",") != "ann@example.org,hidden@example.org" {
				t.Errorf("envelope from %s to %v", r.from, r.to)
			}
			if !bytes.Equal(bytes.TrimSuffix(r.data, []byte("\r\n")), bytes.TrimSuffix(env.Raw, []byte("\r\n"))) {
				t.Errorf("data differs from the message:\n%s", r.data)
			}
			back, err := Parse(r.data)
			if err != nil {
				t.Fatal(err)
			}
			if back.Text != "Hello\n.leading dot\n..two dots\n.\nend\n" || back.Subject != "Über SMTP" {
				t.Errorf("received text %q subject %q", back.Text, back.Subject)
			}
			if strings.Contains(srv.transcripts(), testPass) {
				t.Error("the password crossed the wire in clear text before TLS")
			}
		})
	}
}

func TestSMTPImplicitTLS(t *testing.T) {
	t.Parallel()
	srv, tc := startSMTP(t, smtpServerOpts{implicitTLS: true, auth: []string{"PLAIN"}, user: testUser, pass: testPass})
	cfg := remote(srv, tc)
	cfg.TLS, cfg.Port, cfg.Username, cfg.Password = TLSImplicit, 0, testUser, testPass
	d, err := NewSMTP(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if d.Config().Port != 465 {
		t.Errorf("implicit TLS port = %d, want 465", d.Config().Port)
	}
	if err := d.Deliver(context.Background(), testEnvelope(t)); err != nil {
		t.Fatalf("Deliver: %v\n%s", err, srv.transcripts())
	}
	if got := srv.messages(); len(got) != 1 || !got[0].tls {
		t.Fatalf("received %+v", got)
	}
}

func TestSMTPRemoteHostRequiresTLSByDefault(t *testing.T) {
	t.Parallel()
	srv, tc := startSMTP(t, smtpServerOpts{startTLS: false, auth: []string{"PLAIN"}, authInClear: true, user: testUser, pass: testPass})
	cfg := remote(srv, tc)
	cfg.Username, cfg.Password = testUser, testPass
	d, _ := NewSMTP(cfg)
	err := d.Deliver(context.Background(), testEnvelope(t))
	var se *SMTPError
	if !errors.As(err, &se) || se.Op != "STARTTLS" || !errors.Is(err, errNoStartTLS) {
		t.Fatalf("err = %v, want the STARTTLS requirement", err)
	}
	tr := srv.transcripts()
	if strings.Contains(tr, "C: AUTH") || strings.Contains(tr, "C: MAIL FROM") {
		t.Errorf("the client went on without TLS:\n%s", tr)
	}
}

func TestSMTPRefusesAnUntrustedCertificate(t *testing.T) {
	t.Parallel()
	srv, _ := startSMTP(t, smtpServerOpts{startTLS: true})
	d, _ := NewSMTP(remote(srv, nil)) // system roots: the self-signed cert is not trusted
	err := d.Deliver(context.Background(), testEnvelope(t))
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("err = %v, want a certificate error", err)
	}
	if len(srv.messages()) != 0 {
		t.Error("a message was sent over an unverified connection")
	}
}

func TestSMTPLoopbackHostSendsInClearTextByDefault(t *testing.T) {
	t.Parallel()
	srv, _ := startSMTP(t, smtpServerOpts{startTLS: true, auth: []string{"PLAIN"}, authInClear: true, user: testUser, pass: testPass})
	d, err := NewSMTP(SMTPConfig{Host: "127.0.0.1", Port: srv.port(), Username: testUser, Password: testPass})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Deliver(context.Background(), testEnvelope(t)); err != nil {
		t.Fatalf("Deliver: %v\n%s", err, srv.transcripts())
	}
	if got := srv.messages(); len(got) != 1 || got[0].tls || got[0].authed != testUser {
		t.Fatalf("received %+v", got)
	}
}

func TestSMTPStartTLSCanBeRequiredOnLoopback(t *testing.T) {
	t.Parallel()
	srv, tc := startSMTP(t, smtpServerOpts{startTLS: true})
	d, _ := NewSMTP(SMTPConfig{Host: "127.0.0.1", Port: srv.port(), TLS: TLSStartTLS, TLSConfig: tc})
	if err := d.Deliver(context.Background(), testEnvelope(t)); err != nil {
		t.Fatalf("Deliver: %v\n%s", err, srv.transcripts())
	}
	if got := srv.messages(); len(got) != 1 || !got[0].tls {
		t.Fatalf("received %+v", got)
	}
}

// TestSMTPErrorsNeverShowThePassword has a careless server echo the
// credentials in its refusal: the error text, the Mailer's log line and
// every wrapped error keep the password out.
func TestSMTPErrorsNeverShowThePassword(t *testing.T) {
	for _, mech := range []string{"plain", "login"} {
		t.Run("auth "+mech, func(t *testing.T) {
			t.Parallel()
			srv, tc := startSMTP(t, smtpServerOpts{startTLS: true, auth: []string{"PLAIN", "LOGIN"}, user: testUser, pass: "another", echoAuth: true})
			cfg := remote(srv, tc)
			cfg.Username, cfg.Password, cfg.Auth = testUser, testPass, mech
			var logs bytes.Buffer
			m, err := New(Config{DeliveryMethod: MethodSMTP, SMTP: cfg, Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
			if err != nil {
				t.Fatal(err)
			}
			_, err = m.Deliver(context.Background(), &Message{From: "a@example.com", To: []string{"b@example.org"}, Text: "x"})
			if !errors.Is(err, ErrRejected) || !Permanent(err) {
				t.Fatalf("err = %v, want ErrRejected", err)
			}
			if !strings.Contains(srv.transcripts(), "password "+testPass) {
				t.Fatalf("the server did not echo the password; the test proves nothing:\n%s", srv.transcripts())
			}
			texts := []string{err.Error(), fmt.Sprintf("%+v", err), logs.String()}
			for e := errors.Unwrap(err); e != nil; e = errors.Unwrap(e) {
				texts = append(texts, e.Error())
			}
			b64 := base64.StdEncoding.EncodeToString
			for _, text := range texts {
				for _, secret := range []string{testPass, b64([]byte(testPass)), b64([]byte("\x00" + testUser + "\x00" + testPass))} {
					if strings.Contains(text, secret) {
						t.Errorf("%q shows the password (as %q)", text, secret)
					}
				}
			}
			if !strings.Contains(err.Error(), "[FILTERED]") {
				t.Errorf("err = %v, want the echoed password replaced by [FILTERED]", err)
			}
		})
	}
}

func TestSMTPRecipientRefusals(t *testing.T) {
	cases := []struct {
		name      string
		opts      smtpServerOpts
		permanent bool
	}{
		{"a 550 is permanent", smtpServerOpts{rejectRcpt: "hidden@example.org"}, true},
		{"a 451 is worth a retry", smtpServerOpts{tempFailRcpt: "hidden@example.org"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, _ := startSMTP(t, tc.opts)
			d, _ := NewSMTP(SMTPConfig{Host: "127.0.0.1", Port: srv.port()})
			err := d.Deliver(context.Background(), testEnvelope(t))
			var se *SMTPError
			if !errors.As(err, &se) || se.Op != "RCPT TO <hidden@example.org>" {
				t.Fatalf("err = %v, want an SMTPError for the RCPT", err)
			}
			if Permanent(err) != tc.permanent || se.Temporary() == tc.permanent || errors.Is(err, ErrRejected) != tc.permanent {
				t.Errorf("err = %v: Permanent %v, Temporary %v", err, Permanent(err), se.Temporary())
			}
			if len(srv.messages()) != 0 {
				t.Error("the message was sent although a recipient was refused")
			}
		})
	}
}

func TestSMTPTimeoutsAndCancellation(t *testing.T) {
	t.Run("a server that never greets times out after OpenTimeout", func(t *testing.T) {
		t.Parallel()
		srv, _ := startSMTP(t, smtpServerOpts{stall: 3 * time.Second})
		d, _ := NewSMTP(SMTPConfig{Host: "127.0.0.1", Port: srv.port(), OpenTimeout: 100 * time.Millisecond})
		start := time.Now()
		err := d.Deliver(context.Background(), testEnvelope(t))
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() {
			t.Fatalf("err = %v, want a timeout", err)
		}
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("gave up after %v", took)
		}
	})
	t.Run("cancelling the context aborts the conversation", func(t *testing.T) {
		t.Parallel()
		srv, _ := startSMTP(t, smtpServerOpts{stall: 3 * time.Second})
		d, _ := NewSMTP(SMTPConfig{Host: "127.0.0.1", Port: srv.port(), OpenTimeout: time.Minute})
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(100*time.Millisecond, cancel)
		err := d.Deliver(ctx, testEnvelope(t))
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	})
}

func TestSMTPConfigErrorsNameTheSetting(t *testing.T) {
	cases := []struct {
		name string
		cfg  SMTPConfig
		want string
	}{
		{"no host", SMTPConfig{}, "address (the SMTP host) is not set"},
		{"a URL for a host", SMTPConfig{Host: "smtp://x"}, "is not a host name"},
		{"a port out of range", SMTPConfig{Host: "x", Port: 70000}, "port 70000"},
		{"an unknown TLS mode", SMTPConfig{Host: "x", TLS: "ssl"}, `tls "ssl"`},
		{"an unknown auth", SMTPConfig{Host: "x", Auth: "xoauth2"}, `authentication "xoauth2"`},
		{"a user without a password", SMTPConfig{Host: "x", Username: "u"}, "set together"},
		{"a password without a user", SMTPConfig{Host: "x", Password: "p"}, "set together"},
		{"a password in clear text to a remote host", SMTPConfig{Host: "smtp.example.com", TLS: TLSNone, Username: "u", Password: "p"}, "clear text"},
		{"a NUL in the user name", SMTPConfig{Host: "x", Username: "u\x00", Password: "p"}, "NUL"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewSMTP(tc.cfg)
			if !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want ErrInvalidConfig saying %q", err, tc.want)
			}
			if tc.cfg.Password != "" && strings.Contains(err.Error(), string(tc.cfg.Password)+" ") {
				t.Errorf("err = %v shows the password", err)
			}
		})
	}
	t.Run("clear text with a password is allowed on loopback", func(t *testing.T) {
		if _, err := NewSMTP(SMTPConfig{Host: "localhost", TLS: TLSNone, Username: "u", Password: "p"}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestSMTPConfigNeverPrintsThePassword(t *testing.T) {
	cfg := Config{DeliveryMethod: MethodSMTP, SMTP: SMTPConfig{Host: "smtp.example.com", Username: "u", Password: testPass}}
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("config", "mail", cfg, "smtp", cfg.SMTP, "password", cfg.SMTP.Password)
	js, _ := json.Marshal(cfg.SMTP)
	for _, text := range []string{
		fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg), fmt.Sprintf("%v", cfg.SMTP),
		fmt.Sprintf("%s|%q|%x|%v", cfg.SMTP.Password, cfg.SMTP.Password, cfg.SMTP.Password, cfg.SMTP.Password),
		logs.String(), string(js),
	} {
		if strings.Contains(text, testPass) || strings.Contains(text, fmt.Sprintf("%x", testPass)) {
			t.Errorf("%s shows the password", text)
		}
	}
}

func TestFillFromCredentials(t *testing.T) {
	creds := map[string]any{"smtp": map[string]any{"address": "smtp.example.com", "port": 2525, "user_name": "apikey", "password": "from-credentials"}}
	lookup := func(path ...string) (any, bool) {
		var cur any = creds
		for _, p := range path {
			m, ok := cur.(map[string]any)
			if !ok {
				return nil, false
			}
			if cur, ok = m[p]; !ok {
				return nil, false
			}
		}
		return cur, true
	}
	got, err := SMTPConfig{Host: "smtp.from-config.example"}.FillFromCredentials(lookup)
	if err != nil {
		t.Fatal(err)
	}
	if got.Host != "smtp.from-config.example" || got.Port != 2525 || got.Username != "apikey" || got.Password != "from-credentials" {
		t.Errorf("filled %+v (password %q)", got, string(got.Password))
	}
	creds["smtp"].(map[string]any)["port"] = []any{1}
	if _, err := (SMTPConfig{}).FillFromCredentials(lookup); !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), "smtp.port") {
		t.Errorf("a list for the port: err = %v", err)
	}
	creds["smtp"].(map[string]any)["password"] = 1234
	if _, err := (SMTPConfig{}).FillFromCredentials(lookup); err == nil || strings.Contains(err.Error(), "1234") {
		t.Errorf("a number for the password: err = %v, want an error that does not quote it", err)
	}
}
