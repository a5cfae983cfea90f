package mail

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// smtpServer is a small SMTP server on loopback for tests: EHLO,
// STARTTLS, implicit TLS, AUTH PLAIN/LOGIN/CRAM-MD5, MAIL, RCPT, DATA,
// RSET, NOOP, QUIT. It records each conversation and each message.
type smtpServer struct {
	t    testing.TB
	ln   net.Listener
	opts smtpServerOpts
	tls  *tls.Config
	done chan struct{} // closed when the test ends

	mu       sync.Mutex
	received []received
	logs     []string // one transcript per connection, client lines prefixed "C: "
	open     int      // connections whose transcript is not in logs yet
}

type smtpServerOpts struct {
	startTLS     bool          // offer STARTTLS
	implicitTLS  bool          // TLS from the first byte
	auth         []string      // mechanisms offered ("PLAIN", "LOGIN", "CRAM-MD5")
	authInClear  bool          // offer AUTH before TLS too
	user, pass   string        // accepted credentials
	echoAuth     bool          // put what the client sent in the 535 reply (a careless server)
	rejectRcpt   string        // answer 550 to this recipient
	tempFailRcpt string        // answer 451 to this recipient
	stall        time.Duration // wait this long before the greeting
}

type received struct {
	from   string
	to     []string
	data   []byte
	tls    bool
	authed string // user
}

// testCert returns a self-signed certificate for mail.example.test and
// 127.0.0.1, and a pool that trusts it.
func testCert(t testing.TB) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "mail.example.test"},
		DNSNames:              []string{"mail.example.test", "localhost"},
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:                  true,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}

// startSMTP runs a server until the test ends and returns it with a
// client TLS config that trusts its certificate.
func startSMTP(t testing.TB, opts smtpServerOpts) (*smtpServer, *tls.Config) {
	t.Helper()
	cert, pool := testCert(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpServer{t: t, ln: ln, opts: opts, tls: &tls.Config{Certificates: []tls.Certificate{cert}}, done: make(chan struct{})}
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.open++
			s.mu.Unlock()
			wg.Go(func() { s.serve(c) })
		}
	})
	t.Cleanup(func() { close(s.done); ln.Close(); wg.Wait() })
	return s, &tls.Config{RootCAs: pool}
}

func (s *smtpServer) port() int { return s.ln.Addr().(*net.TCPAddr).Port }

func (s *smtpServer) messages() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.received...)
}

// transcripts returns every connection's transcript. A connection's
// transcript is complete only when the server has finished with it, which
// can be a moment after the client has its reply, so it waits (a little)
// for open connections to end.
func (s *smtpServer) transcripts() string {
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		s.mu.Lock()
		if s.open == 0 || time.Now().After(deadline) {
			defer s.mu.Unlock()
			return strings.Join(s.logs, "\n----\n")
		}
		s.mu.Unlock()
	}
}

// session is one connection's state.
type session struct {
	s      *smtpServer
	conn   net.Conn
	r      *bufio.Reader
	log    strings.Builder
	tls    bool
	authed string
	msg    received
}

func (s *smtpServer) serve(conn net.Conn) {
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	ss := &session{s: s, conn: conn}
	defer func() {
		s.mu.Lock()
		s.logs = append(s.logs, ss.log.String())
		s.open--
		s.mu.Unlock()
	}()
	if s.opts.stall > 0 {
		select {
		case <-time.After(s.opts.stall):
		case <-s.done:
			return
		}
	}
	if s.opts.implicitTLS {
		tc := tls.Server(conn, s.tls)
		if err := tc.Handshake(); err != nil {
			ss.log.WriteString("TLS handshake failed: " + err.Error())
			return
		}
		ss.conn, ss.tls = tc, true
	}
	ss.r = bufio.NewReader(ss.conn)
	ss.reply("220 mail.example.test ESMTP test")
	for {
		line, err := ss.readLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO", "HELO":
			ss.ehlo()
		case "STARTTLS":
			if !s.opts.startTLS || ss.tls {
				ss.reply("502 not offered")
				continue
			}
			ss.reply("220 go ahead")
			tc := tls.Server(ss.conn, s.tls)
			if err := tc.Handshake(); err != nil {
				ss.log.WriteString("TLS handshake failed: " + err.Error())
				return
			}
			ss.conn, ss.r, ss.tls, ss.authed = tc, bufio.NewReader(tc), true, ""
		case "AUTH":
			ss.auth(arg)
		case "MAIL":
			if len(s.opts.auth) > 0 && ss.authed == "" {
				ss.reply("530 5.7.0 authentication required")
				continue
			}
			ss.msg = received{from: strings.Trim(strings.TrimPrefix(strings.Fields(arg)[0], "FROM:"), "<>"), tls: ss.tls, authed: ss.authed}
			ss.reply("250 ok")
		case "RCPT":
			to := strings.Trim(strings.TrimPrefix(arg, "TO:"), "<>")
			switch to {
			case s.opts.rejectRcpt:
				ss.reply("550 5.1.1 no such user")
			case s.opts.tempFailRcpt:
				ss.reply("451 4.3.0 try again later")
			default:
				ss.msg.to = append(ss.msg.to, to)
				ss.reply("250 ok")
			}
		case "DATA":
			ss.reply("354 end with <CRLF>.<CRLF>")
			var data strings.Builder
			for {
				l, err := ss.r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				data.WriteString(strings.TrimPrefix(l, ".")) // dot-unstuffing
			}
			ss.msg.data = []byte(data.String())
			s.mu.Lock()
			s.received = append(s.received, ss.msg)
			s.mu.Unlock()
			ss.reply("250 2.0.0 queued")
		case "RSET", "NOOP":
			ss.reply("250 ok")
		case "QUIT":
			ss.reply("221 bye")
			return
		default:
			ss.reply("500 unknown command")
		}
	}
}

func (ss *session) reply(line string) {
	ss.log.WriteString("S: " + line + "\n")
	fmt.Fprintf(ss.conn, "%s\r\n", line)
}

func (ss *session) readLine() (string, error) {
	l, err := ss.r.ReadString('\n')
	if err != nil {
		return "", err
	}
	l = strings.TrimRight(l, "\r\n")
	ss.log.WriteString("C: " + l + "\n")
	return l, nil
}

func (ss *session) ehlo() {
	o := ss.s.opts
	lines := []string{"mail.example.test", "8BITMIME"}
	if o.startTLS && !ss.tls {
		lines = append(lines, "STARTTLS")
	}
	if len(o.auth) > 0 && (ss.tls || o.authInClear) {
		lines = append(lines, "AUTH "+strings.Join(o.auth, " "))
	}
	for i, l := range lines {
		sep := "-"
		if i == len(lines)-1 {
			sep = " "
		}
		ss.reply("250" + sep + l)
	}
}

func (ss *session) auth(arg string) {
	o := ss.s.opts
	mech, initial, _ := strings.Cut(arg, " ")
	dec := func(s string) string { b, _ := base64.StdEncoding.DecodeString(s); return string(b) }
	ask := func(prompt string) string {
		ss.reply("334 " + base64.StdEncoding.EncodeToString([]byte(prompt)))
		l, _ := ss.readLine()
		return l
	}
	var user, pass, sent string
	ok := false
	switch strings.ToUpper(mech) {
	case "PLAIN":
		if initial == "" {
			initial = ask("")
		}
		sent = initial
		parts := strings.Split(dec(initial), "\x00")
		if len(parts) == 3 {
			user, pass = parts[1], parts[2]
			ok = user == o.user && pass == o.pass
		}
	case "LOGIN":
		u := ask("Username:")
		p := ask("Password:")
		sent = u + " " + p
		user, pass = dec(u), dec(p)
		ok = user == o.user && pass == o.pass
	case "CRAM-MD5":
		challenge := "<12345.67890@mail.example.test>"
		resp := dec(ask(challenge))
		sent = resp
		var digest string
		user, digest, _ = strings.Cut(resp, " ")
		mac := hmac.New(md5.New, []byte(o.pass))
		mac.Write([]byte(challenge))
		ok = user == o.user && digest == hex.EncodeToString(mac.Sum(nil))
	default:
		ss.reply("504 unrecognized mechanism")
		return
	}
	switch {
	case ok:
		ss.authed = user
		ss.reply("235 2.7.0 authenticated")
	case o.echoAuth:
		ss.reply("535 5.7.8 bad credentials: got " + sent + " (user " + user + ", password " + pass + ")")
	default:
		ss.reply("535 5.7.8 bad credentials")
	}
}
