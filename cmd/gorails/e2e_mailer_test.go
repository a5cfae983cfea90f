package main

import (
	"bufio"
	"encoding/base64"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// signupController is added to a generated app: it sends the generated
// UserMailer's welcome mail later, through the app's jobs.
const signupController = `package controllers

import (
	"net/http"

	"github.com/gorails/gorails/framework/mail"

	"mailapp/app/mailers"
)

type SignupsController struct {
	ApplicationController
}

func (c *SignupsController) Create() error {
	args := mailers.UserMailerWelcomeArgs{To: c.Request().Param("email")}
	if err := mail.For[mailers.UserMailerWelcomeArgs](c.Mailer()).DeliverLater(c.Request().Context(), args); err != nil {
		return err
	}
	return c.Text(http.StatusAccepted, "welcome mail on its way")
}
`

// fakeSMTP is an SMTP server on loopback that takes AUTH PLAIN and keeps
// what it receives.
type fakeSMTP struct {
	addr string
	mu   sync.Mutex
	auth []string // the decoded AUTH PLAIN responses
	data []string // each message's DATA
}

func startFakeSMTP(t *testing.T) *fakeSMTP {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	s := &fakeSMTP{addr: l.Addr().String()}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

func (s *fakeSMTP) serve(c net.Conn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(30 * time.Second))
	r := bufio.NewReader(c)
	say := func(line string) { fmt.Fprintf(c, "%s\r\n", line) }
	say("220 fake ESMTP")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.TrimRight(line, "\r\n")
		switch up := strings.ToUpper(cmd); {
		case strings.HasPrefix(up, "EHLO"):
			say("250-fake")
			say("250 AUTH PLAIN")
		case strings.HasPrefix(up, "AUTH PLAIN"):
			raw, _ := base64.StdEncoding.DecodeString(strings.TrimSpace(cmd[len("AUTH PLAIN"):]))
			s.mu.Lock()
			s.auth = append(s.auth, string(raw))
			s.mu.Unlock()
			say("235 ok")
		case strings.HasPrefix(up, "MAIL FROM"), strings.HasPrefix(up, "RCPT TO"), strings.HasPrefix(up, "RSET"), strings.HasPrefix(up, "NOOP"):
			say("250 ok")
		case up == "DATA":
			say("354 go on")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(strings.TrimPrefix(l, "."))
			}
			s.mu.Lock()
			s.data = append(s.data, b.String())
			s.mu.Unlock()
			say("250 queued")
		case up == "QUIT":
			say("221 bye")
			return
		default:
			say("502 unknown")
		}
	}
}

func (s *fakeSMTP) received() ([]string, []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.auth...), append([]string(nil), s.data...)
}

// editFile replaces each pair's first string by its second in dir/rel.
func editFile(t *testing.T, dir, rel string, pairs ...string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	src, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	s := string(src)
	for i := 0; i < len(pairs); i += 2 {
		if !strings.Contains(s, pairs[i]) {
			t.Fatalf("%s lacks %q:\n%s", rel, pairs[i], s)
		}
		s = strings.Replace(s, pairs[i], pairs[i+1], 1)
	}
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// waitForMail waits until a .eml file in dir contains every part.
func waitForMail(t *testing.T, dir string, within time.Duration, logs func() string, parts ...string) string {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
		for _, f := range files {
			b, _ := os.ReadFile(f)
			ok := true
			for _, p := range parts {
				ok = ok && strings.Contains(string(b), p)
			}
			if ok {
				return string(b)
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("no mail in %s with %q within %v\n%s", dir, parts, within, logs())
	return ""
}

// TestMailerEndToEnd: a mailer generated into a new app, sent later from a
// controller action, delivered by the development server's job worker into
// tmp/mails and shown on the preview page in Chromium; its generated test
// passes; production boots only with the SMTP settings, and sends through
// an SMTP server on loopback with the credentials' password, which no log
// shows.
func TestMailerEndToEnd(t *testing.T) {
	dir := generateApp(t, "mailapp")
	out, code := runCLI(t, dir, "generate", "mailer", "User", "welcome")
	if code != 0 || !strings.Contains(out, "create  app/views/user_mailer/welcome.html.tmpl") || !strings.Contains(out, "register  RegisterUserMailer(app) in app/mailers/mailers.go") {
		t.Fatalf("generate mailer: exit %d\n%s", code, out)
	}
	// A link in each part, built on the default URL.
	editFile(t, dir, "app/views/user_mailer/welcome.html.tmpl", "</p>", "</p>\n<p><a id=\"home\" href=\"{{root_url $}}\">Visit us</a></p>")
	editFile(t, dir, "app/views/user_mailer/welcome.text.tmpl", ".text.tmpl\n", ".text.tmpl\nVisit us at {{root_url $}}\n")
	if err := os.WriteFile(filepath.Join(dir, "app", "controllers", "signups_controller.go"), []byte(signupController), 0o644); err != nil {
		t.Fatal(err)
	}
	editFile(t, dir, "config/routes.go", "r.Root(dispatch.To((*controllers.WelcomeController).Index))",
		"r.Root(dispatch.To((*controllers.WelcomeController).Index))\n\tr.Get(\"signup\", dispatch.To((*controllers.SignupsController).Create))")
	if out, code := runCLI(t, dir, "generate", "routes"); code != 0 {
		t.Fatalf("generate routes: exit %d\n%s", code, out)
	}
	if out, code := runCLI(t, dir, "db:migrate"); code != 0 {
		t.Fatalf("db:migrate: exit %d\n%s", code, out)
	}

	// The generated mailer's test passes in the app's test environment.
	test := exec.Command("go", "test", "./app/mailers/")
	test.Dir = dir
	if out, err := test.CombinedOutput(); err != nil {
		t.Fatalf("the generated mailer's test fails: %v\n%s", err, out)
	}

	// Development: the server's job worker delivers into tmp/mails.
	s := startServer(t, dir)
	port := s.base[strings.LastIndex(s.base, ":")+1:]
	code, body := get(t, s.base+"/signup?email=ann@example.com")
	if code != 202 {
		t.Fatalf("GET /signup: %d %s\n%s", code, body, s.out)
	}
	eml := waitForMail(t, filepath.Join(dir, "tmp", "mails"), time.Minute, s.out.String, "To: <ann@example.com>", "Subject: Welcome")
	if !strings.Contains(eml, "Visit us at http://localhost:"+port+"/") || !strings.Contains(eml, "multipart/alternative") {
		t.Fatalf("the delivered mail lacks its link or its two parts:\n%s", eml)
	}

	// The preview page lists the delivered mail and the mailer's preview.
	ctx := browser(t)
	inBrowser(t, ctx, chromedp.Navigate(s.base+"/rails/mailers"), chromedp.WaitVisible("h1"))
	index := evaluate[string](t, ctx, "document.body.innerText")
	for _, want := range []string{"user_mailer", "welcome", "ann@example.com", "Welcome"} {
		if !strings.Contains(index, want) {
			t.Errorf("the preview index lacks %q:\n%s", want, index)
		}
	}
	link := evaluate[string](t, ctx, `document.querySelector('a[href^="?p=user_mailer"]').href`)
	inBrowser(t, ctx, chromedp.Navigate(link), chromedp.WaitVisible("h1"))
	subject := evaluate[string](t, ctx, `document.querySelector("h1").innerText`)
	text := evaluate[string](t, ctx, `document.querySelector("pre").innerText`)
	frames := evaluate[int](t, ctx, `document.querySelectorAll("iframe[sandbox]").length`)
	if subject != "Welcome" || frames != 1 || !strings.Contains(text, "UserMailer#welcome") || !strings.Contains(text, "Hi, find me in app/views/user_mailer/welcome.text.tmpl") {
		t.Errorf("the preview shows %q, %d sandboxed frames, text %q", subject, frames, text)
	}
	// The HTML part (the frame's page) has the link.
	inBrowser(t, ctx, chromedp.Navigate(s.base+"/rails/mailers?p=user_mailer/welcome&part=html"), chromedp.WaitVisible("#home"))
	if href := evaluate[string](t, ctx, `document.querySelector("#home").getAttribute("href")`); href != "http://localhost:"+port+"/" {
		t.Errorf("the HTML part links to %q", href)
	}
	if err := syscall.Kill(-s.cmd.Process.Pid, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-s.done

	// Production: the app's binary, run in the app's directory.
	bin := filepath.Join(t.TempDir(), "mailapp")
	if out, err := exec.Command("go", "-C", dir, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	prod := func(extra ...string) *exec.Cmd {
		cmd := exec.Command(bin)
		cmd.Dir = dir
		cmd.Env = append(append(os.Environ(), productionEnv...), extra...)
		return cmd
	}
	// Without SMTP settings it does not boot, and says what to set.
	routes := prod()
	routes.Args = append(routes.Args, "routes")
	if out, err := routes.CombinedOutput(); err == nil || !strings.Contains(string(out), "smtp: address (the SMTP host) is not set") || !strings.Contains(string(out), "credentials") {
		t.Fatalf("production without SMTP settings: %v\n%s", err, out)
	}

	const password = "smtp-Pa55word-xyz"
	smtp := startFakeSMTP(t)
	host, smtpPort, _ := net.SplitHostPort(smtp.addr)
	editor := filepath.Join(t.TempDir(), "editor.sh")
	script := fmt.Sprintf("#!/bin/sh\nprintf 'secret_key_base: %s\\nsmtp:\\n  address: %s\\n  port: %s\\n  user_name: mailer@example.com\\n  password: %s\\n' > \"$1\"\n",
		strings.Repeat("b", 64), host, smtpPort, password)
	if err := os.WriteFile(editor, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("EDITOR", editor)
	if out, code := runCLI(t, dir, "credentials:edit"); code != 0 {
		t.Fatalf("credentials:edit: exit %d\n%s", code, out)
	}
	migrate := prod()
	migrate.Args = append(migrate.Args, "db:migrate")
	if out, err := migrate.CombinedOutput(); err != nil {
		t.Fatalf("production db:migrate: %v\n%s", err, out)
	}
	httpPort := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", httpPort)
	srv := startBinaryEnv(t, dir, bin, addr, prod().Env, "server", "-b", "127.0.0.1", "-p", fmt.Sprint(httpPort))
	jobsCmd := prod()
	jobsCmd.Args = append(jobsCmd.Args, "jobs", "--poll-interval", "50ms")
	jobsCmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	jobLogs := &syncBuffer{}
	jobsCmd.Stdout, jobsCmd.Stderr = jobLogs, jobLogs
	if err := jobsCmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Kill(-jobsCmd.Process.Pid, syscall.SIGKILL); _ = jobsCmd.Wait() })
	waitListening(t, srv, addr)
	if code, body := get(t, srv.base+"/signup?email=bob@example.com"); code != 202 {
		t.Fatalf("production GET /signup: %d %s\n%s", code, body, srv.out)
	}
	deadline := time.Now().Add(time.Minute)
	var auth, data []string
	for time.Now().Before(deadline) {
		if auth, data = smtp.received(); len(data) > 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if len(data) != 1 || !strings.Contains(data[0], "To: <bob@example.com>") || !strings.Contains(data[0], "Visit us at http://127.0.0.1/") {
		t.Fatalf("the SMTP server received %d messages:\n%s\n--- jobs\n%s", len(data), strings.Join(data, "\n---\n"), jobLogs)
	}
	if len(auth) != 1 || auth[0] != "\x00mailer@example.com\x00"+password {
		t.Fatalf("AUTH PLAIN %q", auth)
	}
	if strings.Contains(srv.out.String()+jobLogs.String(), password) {
		t.Fatalf("a log shows the SMTP password:\n%s\n%s", srv.out, jobLogs)
	}
}

// startBinaryEnv runs bin with args and env in dir (without waiting).
func startBinaryEnv(t *testing.T, dir, bin, addr string, env []string, args ...string) *server {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	s := &server{cmd: cmd, out: &syncBuffer{}, base: "http://" + addr, done: make(chan error, 1)}
	cmd.Stdout, cmd.Stderr = s.out, s.out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		select {
		case <-s.done:
		case <-time.After(5 * time.Second):
		}
	})
	return s
}

// waitListening waits until s answers on addr.
func waitListening(t *testing.T, s *server, addr string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		select {
		case err := <-s.done:
			t.Fatalf("the server exited: %v\n%s", err, s.out)
		default:
		}
		if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			c.Close()
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("the server did not listen on %s\n%s", addr, s.out)
}
