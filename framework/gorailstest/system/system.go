// Package system runs system tests: the app served on a real socket and
// driven by headless Chromium through chromedp (the DevTools protocol), as
// Rails' system tests drive a browser through Capybara.
//
//	func TestCreatePost(t *testing.T) {
//		tc := app.Test(t)
//		b := system.Browser(tc)
//		b.Visit(routes.NewPostPath())
//		b.FillIn(`input[name="post[title]"]`, "Hello")
//		b.Click(`input[type="submit"]`)
//		b.AssertText("h1", "Hello")
//	}
//
// The server's requests carry the test's context, so the browser's work
// runs in the test's database transaction and records its jobs, as a
// Session's does. When the test fails, a screenshot and the page's HTML
// are saved under the app's tmp/screenshots and their paths logged.
// Without Chromium (chromium, chromium-browser or google-chrome on PATH,
// or CHROME_PATH) the test is skipped with a message saying so, or fails
// when CI=true.
//
// It is its own package so that test binaries without system tests link
// no browser driver.
package system

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/gorails/gorails/framework/gorailstest"
)

// Timeout is how long a step (a page load, finding an element, a text
// to appear) may take before the test fails.
const Timeout = 10 * time.Second

// B is a browser on the app under test. Its methods fail the test.
type B struct {
	// URL is the app's base URL, http://127.0.0.1:<port>.
	URL string

	c   *gorailstest.Case
	ctx context.Context
}

// Chromium finds the browser: $CHROME_PATH, else chromium,
// chromium-browser or google-chrome on PATH.
func Chromium() (string, error) {
	if p := os.Getenv("CHROME_PATH"); p != "" {
		return p, nil
	}
	var err error
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		var p string
		if p, err = exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", err
}

// Browser serves the app on a loopback port of its own and starts headless
// Chromium for the test; both stop when the test ends.
func Browser(c *gorailstest.Case) *B {
	t := c.T()
	t.Helper()
	path, err := Chromium()
	if err != nil {
		noBrowser(t, err)
	}
	tctx := c.Context()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.App.ServeHTTP(w, r.WithContext(withValues{Context: r.Context(), values: tctx}))
	}))
	t.Cleanup(srv.Close)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.NoFirstRun, chromedp.WindowSize(1280, 900))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	b := &B{URL: srv.URL, c: c, ctx: ctx}
	t.Cleanup(func() {
		if t.Failed() {
			b.saveFailure()
		}
		cancel()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		noBrowser(t, err)
	}
	return b
}

// withValues is the request's context (its cancellation) with the test's
// values (its transaction, its job recorder).
type withValues struct {
	context.Context
	values context.Context
}

func (c withValues) Value(key any) any {
	if v := c.values.Value(key); v != nil {
		return v
	}
	return c.Context.Value(key)
}

func noBrowser(t interface {
	Helper()
	Fatal(...any)
	Skip(...any)
}, err error) {
	t.Helper()
	msg := "system test: headless Chromium is not available (" + err.Error() + "); install chromium or set CHROME_PATH"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

func (b *B) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	t := b.c.T()
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, Timeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("system test: %s: %v", what, err)
	}
}

// Visit loads path (or a full URL) and waits for its body.
func (b *B) Visit(path string) {
	b.c.T().Helper()
	u := path
	if !strings.Contains(path, "://") {
		u = b.URL + path
	}
	b.do("visit "+path, chromedp.Navigate(u), chromedp.WaitReady(chromedp.CSS("body")))
}

// FillIn types value into the field selector finds (an input or a
// textarea), after clearing it.
func (b *B) FillIn(selector, value string) {
	b.c.T().Helper()
	sel := chromedp.CSS(selector)
	b.do("fill in "+selector, chromedp.WaitVisible(sel))
	// Cleared in the page: chromedp.Clear and SetValue fail on textareas.
	b.eval("fill in "+selector, `e.value = ""; return true`, selector)
	b.do("fill in "+selector, chromedp.SendKeys(sel, value))
}

// eval runs body as a function of e, the element selector finds, which
// must return true.
func (b *B) eval(what, body, selector string) {
	t := b.c.T()
	t.Helper()
	q, _ := json.Marshal(selector)
	js := fmt.Sprintf(`(() => { const e = document.querySelector(%s); if (!e) return false; %s })()`, q, body)
	ctx, cancel := context.WithTimeout(b.ctx, Timeout)
	defer cancel()
	if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js)); err != nil || !ok {
		t.Fatalf("system test: %s: %v, %v", what, ok, err)
	}
}

// Click clicks the element selector finds (a link, a button).
func (b *B) Click(selector string) {
	b.c.T().Helper()
	sel := chromedp.CSS(selector)
	b.do("click "+selector, chromedp.WaitVisible(sel), chromedp.Click(sel))
}

// SetValue sets the value of the field selector finds without typing it:
// a select's option (its value), or a date, datetime-local or time input
// (2026-01-02, 2026-01-02T15:04, 15:04), whose typing depends on the
// browser's locale.
func (b *B) SetValue(selector, value string) {
	b.c.T().Helper()
	sel := chromedp.CSS(selector)
	b.do("set the value of "+selector, chromedp.WaitVisible(sel), chromedp.SetValue(sel, value))
}

// Check checks the checkbox selector finds (a checked one stays checked).
func (b *B) Check(selector string) {
	b.c.T().Helper()
	b.do("check "+selector, chromedp.WaitVisible(chromedp.CSS(selector)))
	b.eval("check "+selector, `if (!e.checked) e.click(); return e.checked`, selector)
}

// AcceptConfirm runs fn, whose click opens a confirm dialog (a destroy
// button's "Are you sure?"), accepts the dialog, as Capybara's
// accept_confirm does, and returns its message. The test fails when no
// dialog opens within Timeout.
func (b *B) AcceptConfirm(fn func()) string {
	t := b.c.T()
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, Timeout)
	defer cancel()
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening) // subscribed before the click
	type answer struct {
		msg string
		err error
	}
	done := make(chan answer, 1)
	go func() {
		for ev, err := range dialogs {
			if err == nil {
				_, err = chromedp.Call(b.ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
			}
			done <- answer{ev.Message, err}
			return
		}
		done <- answer{err: ctx.Err()}
	}()
	fn()
	a := <-done
	if a.err != nil {
		t.Fatalf("system test: accept a confirm dialog: none opened (%v)", a.err)
	}
	return a.msg
}

// Text is the text of the element selector finds, waiting for it.
func (b *B) Text(selector string) string {
	t := b.c.T()
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, Timeout)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(selector)))
	if err != nil {
		t.Fatalf("system test: text of %s: %v", selector, err)
	}
	return s
}

// AssertText waits until the element selector finds contains text (pages
// change after a click or a script), failing after Timeout with what it
// holds.
func (b *B) AssertText(selector, text string) {
	t := b.c.T()
	t.Helper()
	deadline := time.Now().Add(Timeout)
	var got string
	for {
		ctx, cancel := context.WithTimeout(b.ctx, time.Second)
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(selector)))
		cancel()
		if err == nil {
			got = s
			if strings.Contains(strings.Join(strings.Fields(s), " "), text) {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("system test: %s does not contain %q after %v (it holds %q)", selector, text, Timeout, got)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Path is the path (and query) of the page the browser shows.
func (b *B) Path() string {
	t := b.c.T()
	t.Helper()
	loc, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		t.Fatalf("system test: location: %v", err)
	}
	return strings.TrimPrefix(loc, b.URL)
}

// Run runs chromedp actions on the browser, for what the helpers do not
// cover.
func (b *B) Run(actions ...chromedp.Action[chromedp.Void]) error {
	ctx, cancel := context.WithTimeout(b.ctx, Timeout)
	defer cancel()
	return chromedp.Do(ctx, actions...)
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// saveFailure saves a screenshot and the page's HTML under the app's
// tmp/screenshots, named after the test, and logs where.
func (b *B) saveFailure() {
	t := b.c.T()
	dir := b.c.App.Path("tmp", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Logf("system test: cannot save the failure's screenshot: %v", err)
		return
	}
	base := filepath.Join(dir, unsafeName.ReplaceAllString(t.Name(), "_"))
	ctx, cancel := context.WithTimeout(b.ctx, Timeout)
	defer cancel()
	if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(90)); err == nil {
		if err := os.WriteFile(base+".png", png, 0o644); err == nil {
			t.Logf("system test: screenshot of the failure: %s", base+".png")
		}
	}
	if html, err := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("html"))); err == nil {
		if err := os.WriteFile(base+".html", []byte(html), 0o644); err == nil {
			t.Logf("system test: the page's HTML: %s", base+".html")
		}
	}
}

// String names the browser's app, for messages.
func (b *B) String() string { return fmt.Sprintf("browser on %s", b.URL) }
