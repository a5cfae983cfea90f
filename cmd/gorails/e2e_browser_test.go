package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The pages a developer meets are tested in a real browser: headless
// Chromium driven with chromedp (github.com/chromedp/chromedp, the
// maintained Go driver for the DevTools protocol).

// chromium finds the browser: $CHROME_PATH, else chromium, chromium-browser
// or google-chrome on PATH.
func chromium() (string, error) {
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

// browser starts headless Chromium for one test and returns a context to
// run chromedp actions in. Without Chromium the test skips, or fails when
// CI=true.
func browser(t *testing.T) context.Context {
	t.Helper()
	path, err := chromium()
	if err != nil {
		noBrowser(t, err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.NoFirstRun)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		noBrowser(t, err)
	}
	return ctx
}

// noBrowser skips the test, or fails it when CI=true.
func noBrowser(t *testing.T, err error) {
	t.Helper()
	msg := "headless Chromium is not available (" + err.Error() + "); install chromium or set CHROME_PATH"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// inBrowser runs chromedp steps, each page given a minute, and fails the
// test on error.
func inBrowser(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

// inBrowserOn is inBrowser for a page of srv: a failure also says where
// the page is, what it shows and what the server logged, so a timeout in
// CI can be told apart (a refused form, a slow rebuild, a lost click).
func inBrowserOn(t *testing.T, ctx context.Context, srv *server, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	err := chromedp.Do(sctx, steps...)
	if err == nil {
		return
	}
	t.Fatalf("%v\nthe page: %s\nserver log:\n%s", err, pageNow(ctx), srv.out)
}

// pageNow is where the browser is and what its page shows, for a failure.
func pageNow(ctx context.Context) string {
	lctx, lcancel := context.WithTimeout(ctx, 10*time.Second)
	defer lcancel()
	page, err := chromedp.Run(lctx, chromedp.Evaluate[string](`location.href + "\n" + (document.body ? document.body.innerText.slice(0, 2000) : "(no body)")`))
	if err != nil {
		return "(the page could not be read: " + err.Error() + ")"
	}
	return page
}

// waitFor polls the JavaScript predicate js until it is true, for up to a
// minute. Unlike chromedp's Wait* queries, which watch nodes of the
// document they started on and can wait forever when a click replaces
// that document, each poll is a new evaluation in whatever page is
// current; use it after a click that navigates to a page with the same
// elements as the one before.
func waitFor(t *testing.T, ctx context.Context, srv *server, js string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	var last error
	for time.Now().Before(deadline) {
		pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		ok, err := chromedp.Run(pctx, chromedp.Evaluate[bool](js))
		cancel()
		if err == nil && ok {
			return
		}
		last = err
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("waited a minute for %s (last error: %v)\nthe page: %s\nserver log:\n%s", js, last, pageNow(ctx), srv.out)
}

// stepOn runs actions that load a page of srv (a click, a submit, a
// navigation), then polls the page as it is now until the JavaScript
// predicate until holds (waitFor), rather than waiting with chromedp on
// nodes, which can hold on to the document the click left.
func stepOn(t *testing.T, ctx context.Context, srv *server, until string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	inBrowserOn(t, ctx, srv, actions...)
	waitFor(t, ctx, srv, until)
}

// has is the JavaScript predicate "the page has an element matching sel".
func has(sel string) string { return fmt.Sprintf("!!document.querySelector(%q)", sel) }

// evaluate runs JavaScript in the page and returns its value as T.
func evaluate[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatal(err)
	}
	return v
}
