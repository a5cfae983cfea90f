package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// messagesController is added to a generated app: a form and an action that
// sets a flash and redirects.
const messagesController = `package controllers

import "net/http"

type MessagesController struct {
	ApplicationController
}

func (c *MessagesController) New() error { return nil }

func (c *MessagesController) Create() error {
	msg, err := c.Params().Require("message").Permit("body")
	if err != nil {
		return err
	}
	body, err := msg.String("body")
	if err != nil {
		return err
	}
	c.Flash().Set("notice", "Received: "+body)
	return c.Redirect("/", http.StatusSeeOther)
}
`

const messagesForm = `<form method="post" action="/messages">
  <input type="hidden" name="authenticity_token" value="{{csrf_token .}}">
  <input name="message[body]">
</form>
`

func addMessages(t *testing.T, dir string) {
	t.Helper()
	write := func(rel, data string) {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("app/controllers/messages_controller.go", messagesController)
	write("app/views/messages/new.html.tmpl", messagesForm)
	routes := filepath.Join(dir, "config", "routes.go")
	src, err := os.ReadFile(routes)
	if err != nil {
		t.Fatal(err)
	}
	out := strings.Replace(string(src), "r.Root(dispatch.To((*controllers.WelcomeController).Index))",
		"r.Root(dispatch.To((*controllers.WelcomeController).Index))\n"+
			"\tr.Get(\"messages/new\", dispatch.To((*controllers.MessagesController).New))\n"+
			"\tr.Post(\"messages\", dispatch.To((*controllers.MessagesController).Create))", 1)
	if out == string(src) {
		t.Fatal("could not add the routes")
	}
	write("config/routes.go", out)
}

var tokenRE = regexp.MustCompile(`name="authenticity_token" value="([^"]+)"`)

// TestFormsAreProtectedAndTheFlashShows is the secure-defaults end-to-end
// test: a form posted with its token succeeds and the flash shows on the
// page redirected to; the same post from another origin, or without a
// token, is rejected with 422.
func TestFormsAreProtectedAndTheFlashShows(t *testing.T) {
	dir := generateApp(t, "guarded")
	addMessages(t, dir)
	srv := startServer(t, dir)
	base, _ := url.Parse(srv.base)
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 10 * time.Second}

	res, err := client.Get(srv.base + "/messages/new")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := tokenRE.FindSubmatch(page)
	if res.StatusCode != 200 || m == nil {
		t.Fatalf("GET /messages/new = %d, no token in:\n%s\n%s", res.StatusCode, page, srv.out)
	}
	token := string(m[1])
	if len(jar.Cookies(base)) == 0 {
		t.Fatal("no session cookie was set with the form")
	}

	post := func(t *testing.T, form url.Values, headers map[string]string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest("POST", srv.base+"/messages", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { res.Body.Close() })
		return res
	}

	t.Run("a post from another origin is rejected", func(t *testing.T) {
		res := post(t, url.Values{"authenticity_token": {token}, "message[body]": {"evil"}}, map[string]string{"Origin": "https://evil.example"})
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("status %d, want 422", res.StatusCode)
		}
	})
	t.Run("a post without a token is rejected", func(t *testing.T) {
		res := post(t, url.Values{"message[body]": {"no token"}}, nil)
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("status %d, want 422", res.StatusCode)
		}
	})
	t.Run("a post with a wrong token is rejected", func(t *testing.T) {
		res := post(t, url.Values{"authenticity_token": {"AAAA" + token[4:]}, "message[body]": {"forged"}}, nil)
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("status %d, want 422", res.StatusCode)
		}
	})
	t.Run("the form posted with its token succeeds and the flash shows after the redirect", func(t *testing.T) {
		res := post(t, url.Values{"authenticity_token": {token}, "message[body]": {"hello <world>"}}, nil)
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != 200 || res.Request.URL.Path != "/" {
			t.Fatalf("status %d at %s, want 200 at / after the redirect\n%s\n%s", res.StatusCode, res.Request.URL.Path, body, srv.out)
		}
		if !strings.Contains(string(body), `<p class="notice" id="notice">Received: hello &lt;world&gt;</p>`) {
			t.Errorf("the flash is not on the page (escaped):\n%s", body)
		}
		// The flash lives for one request only.
		status, again := get(t, srv.base+"/")
		if status != 200 || strings.Contains(again, "Received:") {
			t.Errorf("the flash showed again on the next request")
		}
	})
}
