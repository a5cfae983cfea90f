package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestGettingStartedGuide runs docs/guides/getting-started.md literally:
// each command of its sh blocks (gorails server with a free port, on
// 127.0.0.1; curl against that server) and each file block written where
// it says, then walks the app it built in headless Chromium.
func TestGettingStartedGuide(t *testing.T) {
	guide := filepath.Join("..", "..", "docs", "guides", "getting-started.md")
	steps := parseGuide(t, guide)
	if len(steps) < 8 {
		t.Fatalf("%s: only %d steps found", guide, len(steps))
	}
	dir := t.TempDir()
	var srv *server
	lastWrite := 0 // where the server's log was when a Go file was last written
	for _, s := range steps {
		where := fmt.Sprintf("%s:%d", guide, s.line)
		if s.file != "" {
			p := filepath.Join(dir, filepath.FromSlash(s.file))
			if err := os.WriteFile(p, []byte(s.content), 0o644); err != nil {
				t.Fatalf("%s: %v", where, err)
			}
			if srv != nil {
				lastWrite = len(srv.out.String())
			}
			continue
		}
		args := strings.Fields(s.command)
		switch {
		case args[0] == "cd":
			dir = filepath.Join(dir, args[1])
		case s.command == "gorails server":
			srv = startServer(t, dir)
		case args[0] == "gorails":
			if srv != nil {
				lastWrite = len(srv.out.String())
			}
			out, code := runCLI(t, dir, args[1:]...)
			if code != 0 {
				t.Fatalf("%s: %s: exit %d\n%s", where, s.command, code, out)
			}
		case args[0] == "curl":
			if srv == nil {
				t.Fatalf("%s: curl before gorails server", where)
			}
			waitForRebuild(t, srv, lastWrite)
			cmd := exec.Command("sh", "-c", strings.ReplaceAll(s.command, "http://localhost:3000", srv.base))
			out, err := cmd.Output()
			if err != nil || !strings.HasPrefix(strings.TrimSpace(string(out)), "[") {
				t.Fatalf("%s: %s: %v\n%s", where, s.command, err, out)
			}
		case s.command == "go test ./...":
			cmd := exec.Command("go", "test", "./...")
			cmd.Dir = dir
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("%s: go test ./... in the guide's app: %v\n%s", where, err, out)
			}
		default:
			t.Fatalf("%s: the test does not know how to run %q", where, s.command)
		}
	}
	if srv == nil {
		t.Fatal("the guide never starts the server")
	}
	waitForRebuild(t, srv, lastWrite)
	t.Run("the blog works in a browser", func(t *testing.T) { walkBlog(t, srv) })
}

// waitForRebuild waits until the development server rebuilt after the
// output offset from (a Go file changed there), or it had nothing to rebuild.
func waitForRebuild(t *testing.T, srv *server, from int) {
	t.Helper()
	if from == 0 {
		return
	}
	deadline := time.Now().Add(4 * time.Minute)
	for time.Now().Before(deadline) {
		out := srv.out.String()[from:]
		if i := strings.LastIndex(out, "gorails: rebuilt"); i >= 0 {
			time.Sleep(2 * time.Second) // the SIGUSR2 restart
			if !strings.Contains(srv.out.String()[from+i+10:], "gorails: rebuilt") {
				return
			}
			from += i + 10
			continue
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("the server did not rebuild within 4 minutes\n%s", srv.out.String()[from:])
}

// walkBlog is what the guide tells the reader to do in the browser, with
// Rails' scaffold conventions (ids, names, flash, status codes).
func walkBlog(t *testing.T, srv *server) {
	ctx := browser(t)
	text := func(js string) string { return evaluate[string](t, ctx, js) }
	step := func(until string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		stepOn(t, ctx, srv, until, actions...)
	}
	// New post, with an empty title: the form comes back with the errors.
	step(has("h1"), chromedp.Navigate(srv.base+"/posts"))
	step(has("#post_title"), chromedp.Click(`a[href="/posts/new"]`))
	step(has("#error_explanation"), chromedp.SendKeys("#post_body", "Too short"), chromedp.Click(`input[type=submit]`))
	if got := text(`document.querySelector("#error_explanation").innerText`); !strings.Contains(got, "2 errors prohibited this post from being saved") ||
		!strings.Contains(got, "Title can't be blank") || !strings.Contains(got, "Body is too short (minimum is 10 characters)") {
		t.Fatalf("error summary: %q", got)
	}
	if n := evaluate[int](t, ctx, `document.querySelectorAll(".field_with_errors #post_title, .field_with_errors #post_body").length`); n != 2 {
		t.Errorf("%d invalid fields are marked field_with_errors, want 2", n)
	}
	if got := text(`document.querySelector("#post_body").value`); got != "Too short" {
		t.Errorf("the form lost what was typed: body %q", got)
	}
	if got := text(`getComputedStyle(document.querySelector(".error_explanation")).backgroundColor`); got == "rgba(0, 0, 0, 0)" {
		t.Errorf("the error summary is not styled: application.css did not load")
	}
	// Fix it and save: the post's page, with the flash.
	step(has("#notice"),
		chromedp.SendKeys("#post_title", "Hello gorails"),
		chromedp.SetValue("#post_body", "A body that is long enough."),
		chromedp.Click("#post_published"),
		chromedp.Click(`input[type=submit]`))
	if got := text(`document.querySelector("#notice").innerText + "|" + document.querySelector(".record").innerText`); !strings.Contains(got, "Post was successfully created.|") ||
		!strings.Contains(got, "Hello gorails") || !strings.Contains(got, "true") {
		t.Fatalf("after create: %q", got)
	}
	show := text(`location.pathname`)
	// Edit: the form shows the saved values, the checkbox included.
	step(has("#post_title"), chromedp.Click(`a[href$="/edit"]`))
	if !evaluate[bool](t, ctx, `document.querySelector("#post_published").checked`) || text(`document.querySelector("#post_title").value`) != "Hello gorails" {
		t.Fatal("the edit form does not show the saved post")
	}
	step(has("#notice"),
		chromedp.SetValue("#post_title", "Hello again"), chromedp.Click("#post_published"),
		chromedp.Click(`input[type=submit]`))
	if got := text(`document.querySelector("#notice").innerText + "|" + document.querySelector(".record").innerText`); !strings.Contains(got, "Post was successfully updated.") ||
		!strings.Contains(got, "Hello again") || !strings.Contains(got, "false") {
		t.Fatalf("after update (the unchecked box must send 0): %q", got)
	}
	// A comment on it, through the comment scaffold's select.
	step(has("#comment_post_id"), chromedp.Navigate(srv.base+"/comments/new"))
	inBrowserOn(t, ctx, srv, chromedp.SendKeys("#comment_commenter", "Ann"), chromedp.SendKeys("#comment_body", "Nice post"))
	if got := text(`[...document.querySelectorAll("#comment_post_id option")].map(o => o.textContent).join("|")`); !strings.Contains(got, "Hello again") {
		t.Fatalf("the post select offers %q", got)
	}
	step(has("#notice"),
		chromedp.SetValue("#comment_post_id", strings.TrimPrefix(show, "/posts/")),
		chromedp.Click(`input[type=submit]`))
	comment := text(`location.pathname`)
	// Destroy asks first (application.js, under the app's CSP): refusing keeps the post.
	step(has("form.button_to"), chromedp.Navigate(srv.base+show))
	evaluate[bool](t, ctx, `window.confirm = () => false; true`)
	inBrowserOn(t, ctx, srv, chromedp.Click(`form.button_to button`))
	time.Sleep(500 * time.Millisecond)
	if got := text(`location.pathname`); got != show {
		t.Fatalf("a refused confirmation still submitted: at %s", got)
	}
	// Accepting, with a comment still on the post: refused with a message.
	evaluate[bool](t, ctx, `window.confirm = () => true; true`)
	step(has("#alert"), chromedp.Click(`form.button_to button`))
	if got := text(`document.querySelector("#alert").innerText`); !strings.Contains(got, "Post could not be destroyed") {
		t.Fatalf("destroying a post with comments: %q", got)
	}
	// Without its comment, the post goes.
	for _, path := range []string{comment, show} {
		step(has("form.button_to"), chromedp.Navigate(srv.base+path))
		evaluate[bool](t, ctx, `window.confirm = () => true; true`)
		step(has("#notice"), chromedp.Click(`form.button_to button`))
		if got := text(`document.querySelector("#notice").innerText`); !strings.Contains(got, "successfully destroyed") {
			t.Fatalf("destroy %s: %q", path, got)
		}
	}
	if got := text(`location.pathname`); got != "/posts" {
		t.Errorf("after destroy: at %s, want /posts", got)
	}
	if code, _ := get(t, srv.base+show); code != 404 {
		t.Errorf("GET %s after destroy: %d, want 404", show, code)
	}
}
