package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestNamespacedScaffoldInANewApp: generate scaffold admin/post (and a
// second resource and a controller in the admin namespace) in a new app;
// db:migrate; the app's own generated tests pass; the pages are under
// /admin/posts and work in headless Chromium (create, show, edit,
// destroy); destroy scaffold takes everything out again, the namespace
// block of config/routes.go included.
func TestNamespacedScaffoldInANewApp(t *testing.T) {
	if _, err := chromium(); err != nil {
		noBrowser(t, err)
	}
	dir := generateApp(t, "nsapp")
	routesBefore, err := os.ReadFile(filepath.Join(dir, "config", "routes.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"generate", "scaffold", "admin/post", "title:string", "body:text", "published:boolean"},
		{"generate", "scaffold", "Admin::Comment", "body:text"},
		{"generate", "controller", "admin/dashboard", "index"},
		{"db:migrate"},
	} {
		if out, code := runCLI(t, dir, args...); code != 0 {
			t.Fatalf("gorails %v: exit %d\n%s", args, code, out)
		}
	}
	routes, err := os.ReadFile(filepath.Join(dir, "config", "routes.go"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(routes), `r.Namespace("admin"`); n != 1 {
		t.Errorf("config/routes.go has %d admin namespace blocks, want 1:\n%s", n, routes)
	}
	helpers, err := os.ReadFile(filepath.Join(dir, "app", "routes", "routes.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, fn := range []string{"func AdminPostsPath(", "func AdminPostPath(", "func NewAdminPostPath(", "func EditAdminPostPath(", "func AdminCommentsPath(", "func AdminDashboardIndexPath("} {
		if !strings.Contains(string(helpers), fn) {
			t.Errorf("app/routes/routes.go lacks %s", fn)
		}
	}
	if out, code := runCLI(t, dir, "routes"); code != 0 || !regexp.MustCompile(`admin_posts\s+GET\s+/admin/posts(\(\.:format\))?\s+admin/posts#index`).MatchString(out) {
		t.Errorf("gorails routes: exit %d, want admin_posts GET /admin/posts admin/posts#index\n%s", code, out)
	}

	// The app's generated tests: models, controllers, and the system tests
	// in Chromium.
	t.Setenv("CI", "true")
	out, code := runCLI(t, dir, "test", "-count=1", "-v", "./...")
	if code != 0 {
		t.Fatalf("gorails test: exit %d\n%s", code, out)
	}
	for _, want := range []string{"--- PASS: TestAdminPostsController", "--- PASS: TestAdminCommentsController", "--- PASS: TestAdminDashboardController",
		"--- PASS: TestAdminPosts/should_create_post", "--- PASS: TestAdminPosts/should_destroy_Post"} {
		if !strings.Contains(out, want) {
			t.Errorf("gorails test lacks %q\n%s", want, out)
		}
	}

	srv := startServer(t, dir)
	ctx := browser(t)
	text := func(js string) string { return evaluate[string](t, ctx, js) }
	stepOn(t, ctx, srv, has("h1"), chromedp.Navigate(srv.base+"/admin/posts"))
	stepOn(t, ctx, srv, has("#admin_post_title"), chromedp.Click(`a[href="/admin/posts/new"]`))
	if got := text(`document.querySelector("main form").getAttribute("action")`); got != "/admin/posts" {
		t.Errorf("the new form posts to %q, want /admin/posts", got)
	}
	stepOn(t, ctx, srv, has("#notice"),
		chromedp.SendKeys("#admin_post_title", "Hello admin"),
		chromedp.SendKeys("#admin_post_body", "Written in the admin area."),
		chromedp.Click("#admin_post_published"),
		chromedp.Click(`main form [type=submit]`))
	show := text(`location.pathname`)
	if !regexp.MustCompile(`^/admin/posts/\d+$`).MatchString(show) {
		t.Fatalf("after create: at %s, want /admin/posts/ID", show)
	}
	if got := text(`document.querySelector("#notice").innerText + "|" + document.querySelector(".record").innerText`); !strings.Contains(got, "Post was successfully created.|") ||
		!strings.Contains(got, "Hello admin") || !strings.Contains(got, "true") {
		t.Fatalf("after create: %q", got)
	}
	stepOn(t, ctx, srv, has("#admin_post_title"), chromedp.Click(`a[href="`+show+`/edit"]`))
	if got := text(`document.querySelector("main form").getAttribute("action")`); got != show {
		t.Errorf("the edit form posts to %q, want %s", got, show)
	}
	stepOn(t, ctx, srv, has("#notice"),
		chromedp.SetValue("#admin_post_title", "Hello again"),
		chromedp.Click(`main form [type=submit]`))
	if got := text(`location.pathname + "|" + document.querySelector("#notice").innerText + "|" + document.querySelector(".record").innerText`); !strings.HasPrefix(got, show+"|Post was successfully updated.|") ||
		!strings.Contains(got, "Hello again") {
		t.Fatalf("after update: %q", got)
	}
	evaluate[bool](t, ctx, `window.confirm = () => true; true`)
	// The show page has a #notice too, so wait for the index's.
	inBrowserOn(t, ctx, srv, chromedp.Click(`form.button_to button`))
	waitFor(t, ctx, srv, `location.pathname === "/admin/posts" && !!document.querySelector("#notice")`)
	if got := text(`location.pathname + "|" + document.querySelector("#notice").innerText`); got != "/admin/posts|Post was successfully destroyed." {
		t.Fatalf("after destroy: %q", got)
	}
	if code, _ := get(t, srv.base+show); code != 404 {
		t.Errorf("GET %s after destroy: %d, want 404", show, code)
	}
	if code, body := get(t, srv.base+"/admin/dashboard/index"); code != 200 || !strings.Contains(body, "admin/dashboard#index") {
		t.Errorf("GET /admin/dashboard/index: %d\n%.300s", code, body)
	}
	// (the server is stopped by its cleanup; destroy edits files only)

	// destroy takes it all out: the namespace block goes with its last line.
	for _, args := range [][]string{
		{"destroy", "scaffold", "admin/post"},
		{"destroy", "scaffold", "Admin::Comment"},
		{"destroy", "controller", "admin/dashboard"},
	} {
		if out, code := runCLI(t, dir, args...); code != 0 {
			t.Fatalf("gorails %v: exit %d\n%s", args, code, out)
		}
	}
	routes, err = os.ReadFile(filepath.Join(dir, "config", "routes.go"))
	if err != nil {
		t.Fatal(err)
	}
	if string(routes) != string(routesBefore) {
		t.Errorf("config/routes.go after destroy:\n%s\nwant:\n%s", routes, routesBefore)
	}
	for _, p := range []string{"app/views/admin", "app/controllers/admin_posts_controller.go", "app/models/admin_post.go", "test/system/admin_posts_test.go"} {
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(p))); !os.IsNotExist(err) {
			t.Errorf("destroy left %s: %v", p, err)
		}
	}
}
