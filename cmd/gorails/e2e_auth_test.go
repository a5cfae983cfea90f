package main

import (
	"fmt"
	"maps"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gorails/gorails/framework/mail"
)

var authenticityToken = regexp.MustCompile(`name="authenticity_token" value="([^"]+)"`)

// formToken GETs a page and returns the CSRF token of its first form.
func formToken(t *testing.T, c *http.Client, u string) string {
	t.Helper()
	res, body := do(t, c, "GET", u, nil, nil)
	m := authenticityToken.FindStringSubmatch(body)
	if res.StatusCode != 200 || m == nil {
		t.Fatalf("GET %s: %d, no form token in\n%s", u, res.StatusCode, body)
	}
	return m[1]
}

// cookiesOf copies a client's cookies for the site into a new client (a
// thief's copy).
func cookiesOf(t *testing.T, c *http.Client, base string) *http.Client {
	t.Helper()
	u, _ := url.Parse(base)
	cp := newClient(t)
	cp.Jar.SetCookies(u, c.Jar.Cookies(u))
	return cp
}

func cookieValue(c *http.Client, base, name string) string {
	u, _ := url.Parse(base)
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == name {
			return ck.Value
		}
	}
	return ""
}

// TestAuthenticationEndToEnd walks `gorails generate authentication` as a
// user meets it: generate it in a new app with a scaffold, migrate, run
// the app's own tests (integration and a browser system test), then serve
// it with `gorails server -w 2` and the database cache store and check, over
// HTTP and in Chromium: sign-up, sign-in and sign-out; a signed-out cookie
// replayed; the session changing at sign-in; a password reset by mail whose
// link works once; lockout after 5 failures; and the sign-in rate limit (10
// per 3 minutes) held across both workers.
func TestAuthenticationEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds binaries; skipped with -short")
	}
	dir := generateApp(t, "authed")
	for _, args := range [][]string{
		{"generate", "scaffold", "Post", "title:string"},
		{"generate", "authentication"},
		{"db:migrate"},
	} {
		if out, code := runCLI(t, dir, args...); code != 0 {
			t.Fatalf("gorails %v: exit %d\n%s", args, code, out)
		}
	}
	if out, code := runCLI(t, dir, "test"); code != 0 || strings.Contains(out, "--- SKIP: TestSignUpSignInSignOut") && os.Getenv("CI") == "true" {
		t.Fatalf("gorails test in the generated app: exit %d\n%s", code, out)
	}

	srv := startServerEnv(t, dir, []string{"GORAILS_CACHE_STORE=database"}, "-w", "2", "-t", "5")
	waitWorkers(t, dir, srv, nil)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server log:\n%s", srv.out)
		}
	})
	base := srv.base
	signIns := 0 // POST /session so far: the rate limit counts them all

	t.Run("pages need a user: HTML redirects, JSON gets 401", func(t *testing.T) {
		res, _ := do(t, newClient(t), "GET", base+"/posts", nil, nil)
		if res.StatusCode != http.StatusFound || res.Header.Get("Location") != "/session/new" {
			t.Fatalf("GET /posts signed out: %d to %q", res.StatusCode, res.Header.Get("Location"))
		}
		res, _ = do(t, newClient(t), "GET", base+"/posts.json", nil, nil)
		if res.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(res.Header.Get("WWW-Authenticate"), "Bearer realm=") {
			t.Fatalf("GET /posts.json signed out: %d, WWW-Authenticate %q", res.StatusCode, res.Header.Get("WWW-Authenticate"))
		}
	})

	t.Run("sign up, sign out and sign in in Chromium", func(t *testing.T) {
		ctx := browser(t)
		var notice, who string
		stepOn(t, ctx, srv, has("#sign_up"), chromedp.Navigate(base+"/registration/new"))
		stepOn(t, ctx, srv, has("#current_user"),
			chromedp.SendKeys(`input[name="user[email_address]"]`, "ann@example.com"),
			chromedp.SendKeys(`input[name="user[password]"]`, "correct horse"),
			chromedp.SendKeys(`input[name="user[password_confirmation]"]`, "correct horse"),
			chromedp.Click(`#sign_up input[type=submit]`),
		)
		who = evaluate[string](t, ctx, `document.querySelector("#current_user").textContent`)
		if who != "ann@example.com" {
			t.Fatalf("after sign-up the page shows %q", who)
		}
		stepOn(t, ctx, srv, has(`#session_nav button[type=submit]`), chromedp.Navigate(base+"/posts"))
		stepOn(t, ctx, srv, has("#sign_in"), chromedp.Click(`#session_nav button[type=submit]`))
		notice = evaluate[string](t, ctx, `document.querySelector("#notice").textContent`)
		if notice != "Signed out successfully." {
			t.Fatalf("after sign-out the notice is %q", notice)
		}
		stepOn(t, ctx, srv, has("#sign_in"), chromedp.Navigate(base+"/posts/new")) // kept as the return path
		stepOn(t, ctx, srv, has("#post_title"),
			chromedp.SendKeys(`input[name="email_address"]`, "ann@example.com"),
			chromedp.SendKeys(`input[name="password"]`, "correct horse"),
			chromedp.Click(`#sign_in input[type=submit]`),
		)
		who = evaluate[string](t, ctx, `document.querySelector("#current_user").textContent`)
		signIns++
		if who != "ann@example.com" {
			t.Fatalf("after sign-in the page shows %q", who)
		}
	})

	c := newClient(t)
	t.Run("sign-in changes the session; a signed-out cookie replayed is refused", func(t *testing.T) {
		tok := formToken(t, c, base+"/session/new")
		before := cookiesOf(t, c, base) // planted before sign-in (fixation)
		res, _ := do(t, c, "POST", base+"/session", nil, url.Values{"authenticity_token": {tok}, "email_address": {"ANN@example.com"}, "password": {"correct horse"}})
		signIns++
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
			t.Fatalf("sign in: %d to %q", res.StatusCode, res.Header.Get("Location"))
		}
		if cookieValue(c, base, "_gorails_session") == cookieValue(before, base, "_gorails_session") {
			t.Error("the session cookie did not change at sign-in")
		}
		if res, _ := do(t, before, "GET", base+"/posts", nil, nil); res.StatusCode != http.StatusFound {
			t.Errorf("the cookies from before sign-in reach /posts: %d", res.StatusCode)
		}
		if res, _ := do(t, c, "GET", base+"/posts", nil, nil); res.StatusCode != 200 {
			t.Fatalf("signed in, GET /posts: %d", res.StatusCode)
		}
		stolen := cookiesOf(t, c, base)
		tok = formToken(t, c, base+"/posts")
		res, _ = do(t, c, "POST", base+"/session", nil, url.Values{"authenticity_token": {tok}, "_method": {"delete"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign out: %d", res.StatusCode)
		}
		if res, _ := do(t, stolen, "GET", base+"/posts", nil, nil); res.StatusCode != http.StatusFound {
			t.Fatalf("a copy of the signed-out cookies reaches /posts: %d", res.StatusCode)
		}
	})

	t.Run("a password reset by mail works once", func(t *testing.T) {
		mails := filepath.Join(dir, "tmp", "mails")
		before, _ := filepath.Glob(filepath.Join(mails, "*.eml"))
		tok := formToken(t, c, base+"/passwords/new")
		res, _ := do(t, c, "POST", base+"/passwords", nil, url.Values{"authenticity_token": {tok}, "email_address": {"ann@example.com"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("POST /passwords: %d", res.StatusCode)
		}
		var link string
		for deadline := time.Now().Add(time.Minute); link == "" && time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
			files, _ := filepath.Glob(filepath.Join(mails, "*.eml"))
			for _, f := range files {
				if strings.Contains(strings.Join(before, "\n"), f) {
					continue
				}
				raw, err := os.ReadFile(f)
				if err != nil {
					continue
				}
				msg, err := mail.Parse(raw)
				if err != nil {
					t.Fatalf("%s: %v", f, err)
				}
				if i := strings.Index(msg.Text, "/passwords/"); i >= 0 && strings.Contains(msg.Subject, "Reset") {
					link = strings.Fields(msg.Text[i:])[0]
				}
			}
		}
		if link == "" {
			t.Fatalf("no reset mail in %s within a minute\n%s", mails, srv.out)
		}
		tok = formToken(t, c, base+link)
		res, _ = do(t, c, "POST", base+strings.TrimSuffix(link, "/edit"), nil, url.Values{
			"authenticity_token": {tok}, "_method": {"patch"}, "password": {"battery staple"}, "password_confirmation": {"battery staple"},
		})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/session/new" {
			t.Fatalf("PATCH the new password: %d to %q", res.StatusCode, res.Header.Get("Location"))
		}
		res, _ = do(t, c, "GET", base+link, nil, nil)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/passwords/new" {
			t.Fatalf("the used reset link again: %d to %q, want it refused", res.StatusCode, res.Header.Get("Location"))
		}
	})

	signIn := func(c *http.Client, email, pw string) (*http.Response, string) {
		t.Helper()
		tok := formToken(t, c, base+"/session/new")
		signIns++
		res, body := do(t, c, "POST", base+"/session", nil, url.Values{"authenticity_token": {tok}, "email_address": {email}, "password": {pw}})
		if res.StatusCode == http.StatusTooManyRequests {
			return res, body
		}
		_, page := do(t, c, "GET", base+"/session/new", nil, nil)
		return res, page
	}

	t.Run("five failures lock the account", func(t *testing.T) {
		lc := newClient(t)
		for i := 1; i <= 5; i++ {
			_, page := signIn(lc, "ann@example.com", "wrong")
			want := "Try another email address or password."
			if i == 5 {
				want = "Your account is locked"
			}
			if !strings.Contains(page, want) {
				t.Fatalf("failure %d: the page does not say %q", i, want)
			}
		}
		res, page := signIn(lc, "ann@example.com", "battery staple")
		if res.Header.Get("Location") != "/session/new" || !strings.Contains(page, "Your account is locked") {
			t.Fatalf("the right password on a locked account: %d to %q", res.StatusCode, res.Header.Get("Location"))
		}
	})

	t.Run("sign-in is limited to 10 per 3 minutes across both workers", func(t *testing.T) {
		if signIns >= 10 {
			t.Fatalf("%d sign-ins already", signIns)
		}
		// No keep-alive: each request is a new connection, taken by either worker.
		jar, _ := cookiejar.New(nil)
		rc := &http.Client{Jar: jar, Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		// Over the limit, Rails 8's generated controller sends the form back
		// with "Try again later." (a 303, as a failed sign-in), not a 429.
		allowed := signIns
		answers := map[string]int{}
		for range 14 - signIns {
			res, page := signIn(rc, "nobody@example.com", "x")
			answer := fmt.Sprintf("%d to %s", res.StatusCode, res.Header.Get("Location"))
			if strings.Contains(page, "Try again later.") {
				answer += ", Try again later."
			}
			answers[answer]++
		}
		want := map[string]int{"303 to /session/new": 10 - allowed, "303 to /session/new, Try again later.": 4}
		if !maps.Equal(answers, want) {
			t.Fatalf("after %d sign-ins, %d more: %v; want %v\n%s", allowed, 14-allowed, answers, want, srv.out)
		}
	})
	for _, secret := range []string{"correct horse", "correct+horse", "battery staple", "battery+staple"} {
		if strings.Contains(srv.out.String(), secret) {
			t.Errorf("the server log shows a password (%q)", secret)
		}
	}
}

// TestAuthenticationWithMailer: generate authentication registers its
// passwords mailer on the app's mailer beside the app's own, whichever
// generator runs first, and the app's tests pass either way; an app whose
// only mail is the reset mail refuses to boot in production without SMTP
// settings, saying what to set.
func TestAuthenticationWithMailer(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds binaries; skipped with -short")
	}
	run := func(t *testing.T, dir string, args ...string) string {
		t.Helper()
		out, code := runCLI(t, dir, args...)
		if code != 0 {
			t.Fatalf("gorails %v: exit %d\n%s", args, code, out)
		}
		return out
	}
	check := func(t *testing.T, dir string) {
		t.Helper()
		src := readFile(t, dir, "app/mailers/mailers.go")
		for _, line := range []string{"\tRegisterUserMailer(app)\n", "\tRegisterPasswordsMailer(app)\n"} {
			if strings.Count(src, line) != 1 {
				t.Errorf("app/mailers/mailers.go has %q %d times:\n%s", line, strings.Count(src, line), src)
			}
		}
		if strings.Contains(readFile(t, dir, "app/jobs/jobs.go"), "mailers") {
			t.Errorf("app/jobs/jobs.go registers the mailers: the App does")
		}
		run(t, dir, "db:migrate")
		if out := run(t, dir, "test"); !strings.Contains(out, "app/mailers") {
			t.Errorf("gorails test did not test app/mailers:\n%s", out)
		}
	}
	t.Run("mailer then authentication", func(t *testing.T) {
		t.Parallel()
		dir := generateApp(t, "mailfirst")
		run(t, dir, "generate", "mailer", "user", "welcome")
		if out := run(t, dir, "generate", "authentication"); !strings.Contains(out, "edit  app/mailers/mailers.go (register the passwords mailer)") {
			t.Errorf("generate authentication did not register its mailer:\n%s", out)
		}
		check(t, dir)
	})
	t.Run("authentication then mailer", func(t *testing.T) {
		t.Parallel()
		dir := generateApp(t, "authfirst")
		run(t, dir, "generate", "authentication")

		// Production: the reset mail cannot be sent without SMTP settings,
		// and the app says so at boot.
		bin := filepath.Join(t.TempDir(), "authfirst")
		if out, err := exec.Command("go", "-C", dir, "build", "-o", bin, ".").CombinedOutput(); err != nil {
			t.Fatalf("go build: %v\n%s", err, out)
		}
		routes := exec.Command(bin, "routes")
		routes.Dir = dir
		routes.Env = append(os.Environ(), productionEnv...)
		if out, err := routes.CombinedOutput(); err == nil || !strings.Contains(string(out), "smtp: address (the SMTP host) is not set") || !strings.Contains(string(out), "credentials") {
			t.Fatalf("production without SMTP settings: %v\n%s", err, out)
		}

		if out := run(t, dir, "generate", "mailer", "user", "welcome"); !strings.Contains(out, "register  RegisterUserMailer(app) in app/mailers/mailers.go") {
			t.Errorf("generate mailer did not register its mailer:\n%s", out)
		}
		check(t, dir)
	})
}

// TestDestroyAuthenticationEndToEnd walks taking authentication out again
// as the guide says: generate it in a new app, migrate, roll its two
// migrations back, then gorails destroy authentication leaves the app's
// code as gorails new wrote it (the route helpers regenerated too); the app
// builds, its own tests pass, and the server serves the welcome page with
// the session routes gone.
func TestDestroyAuthenticationEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds binaries; skipped with -short")
	}
	dir := generateApp(t, "unauthed")
	code := func() map[string]string {
		tree := map[string]string{}
		for p, data := range appTree(t, dir) {
			for _, prefix := range []string{"app/", "config/", "test/", "db/migrate/", "db/seeds/", "go.mod", "main.go"} {
				if strings.HasPrefix(p, prefix) {
					tree[p] = data
				}
			}
		}
		return tree
	}
	before := code()
	runOK(t, dir, "generate", "authentication")
	runOK(t, dir, "db:migrate")
	runOK(t, dir, "db:rollback", "--step", "2")
	out := runOK(t, dir, "destroy", "authentication")
	for _, want := range []string{
		"revoke  config/routes.go (session, passwords and registration routes)",
		"remove  app/models/user.go",
		"remove  db/migrate/",
		"note  migrations are removed, not rolled back",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("gorails destroy authentication did not print %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "warning") {
		t.Errorf("a new app's own code refers to authentication:\n%s", out)
	}
	sameTree(t, code(), before)

	if out, err := goInApp(dir, "build", "./..."); err != nil {
		t.Fatalf("go build ./...: %v\n%s", err, out)
	}
	if out, err := goInApp(dir, "test", "./..."); err != nil {
		t.Fatalf("go test ./... in the app: %v\n%s", err, out)
	}
	srv := startServer(t, dir)
	if status, body := get(t, srv.base+"/"); status != http.StatusOK || !strings.Contains(body, "Welcome to Unauthed") || strings.Contains(body, "session_nav") {
		t.Errorf("GET / = %d:\n%s\nserver log:\n%s", status, body, srv.out)
	}
	if status, _ := get(t, srv.base+"/session/new"); status != http.StatusNotFound {
		t.Errorf("GET /session/new = %d, want 404: the route is gone", status)
	}
}
