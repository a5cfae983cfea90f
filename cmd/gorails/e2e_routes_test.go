package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// linkedPosts is a controller added to a generated app that links to its
// routes with helpers that do not exist until they are generated.
const linkedPosts = `package controllers

import "linked/app/routes"

// PostsController links to its routes with the generated helpers.
type PostsController struct {
	ApplicationController
	IDs []int
}

func (c *PostsController) Index() error {
	c.IDs = []int{1, 2}
	return nil
}

func (c *PostsController) Show() error {
	if c.Request().PathParam("id") == "old" {
		return c.Redirect(routes.PostPath(1))
	}
	return c.Text(200, "post "+c.Request().PathParam("id"))
}
`

const linkedPostsTest = `package controllers_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"linked/app/routes"
	"linked/config"
)

func TestPostsLinks(t *testing.T) {
	app := config.App(nil)
	if err := app.Boot(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = app.Close() })
	rec := httptest.NewRecorder()
	app.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, routes.PostsPath(), nil))
	if want := ` + "`" + `<a href="/posts/2">2</a>` + "`" + `; !strings.Contains(rec.Body.String(), want) {
		t.Errorf("GET /posts: %d %s, want %s", rec.Code, rec.Body, want)
	}
	rec = httptest.NewRecorder()
	app.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, routes.PostPath("old"), nil))
	if rec.Code != http.StatusFound || rec.Header().Get("Location") != "/posts/1" {
		t.Errorf("GET /posts/old: %d to %q, want 302 to /posts/1", rec.Code, rec.Header().Get("Location"))
	}
}
`

const postsRoute = "\tr.Resources(\"posts\", dispatch.For[controllers.PostsController](), dispatch.Only(\"index\", \"show\"))"

// goInApp runs the go command in the app at dir, in the test environment.
// go generate runs `go run github.com/gorails/gorails/cmd/gorails`: the CLI
// of the framework the app requires (here the checkout, through go.mod's
// replace), not one from PATH.
func goInApp(dir string, args ...string) (string, error) {
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GORAILS_ENV=test")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestRouteHelpersCatchBrokenLinks walks what a user meets with the typed
// route helpers of a generated app: code that links to a route with a
// helper not generated yet does not build, and `go generate ./...` (the
// go:generate line of config/routes.go) fixes it; a view that names a route
// without a helper, or calls a controller method, fails the app's tests
// with its file and line; a route removed while the code still links to it
// fails the tests (stale helpers), then, once regenerated, the build. (A
// fresh app's own tests pass: TestGeneratedControllerPassesItsTest.)
func TestRouteHelpersCatchBrokenLinks(t *testing.T) {
	dir := generateApp(t, "linked")
	goCmd := func(args ...string) (string, error) { return goInApp(dir, args...) }
	mustGo := func(args ...string) string {
		t.Helper()
		out, err := goCmd(args...)
		if err != nil {
			t.Fatalf("go %v: %v\n%s", args, err, out)
		}
		return out
	}
	failingGo := func(args []string, wants ...string) {
		t.Helper()
		out, err := goCmd(args...)
		if err == nil {
			t.Fatalf("go %v succeeded, want a failure\n%s", args, out)
		}
		for _, want := range wants {
			if !strings.Contains(out, want) {
				t.Errorf("go %v: the failure does not say %q\n%s", args, want, out)
			}
		}
	}
	write := func(rel, data string) {
		t.Helper()
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	editRoutes := func(old, new string) {
		t.Helper()
		src := readFile(t, dir, "config/routes.go")
		out := strings.Replace(src, old, new, 1)
		if out == src {
			t.Fatalf("config/routes.go has no %q:\n%s", old, src)
		}
		write("config/routes.go", out)
	}
	root := "\tr.Root(dispatch.To((*controllers.WelcomeController).Index))"
	index := `<a href="{{posts_path}}">all</a>{{range .Data.IDs}} <a href="{{post_path .}}">{{.}}</a>{{end}}`
	build, test := []string{"build", "./..."}, []string{"test", "./app/controllers/"}

	write("app/controllers/posts_controller.go", linkedPosts)
	write("app/controllers/posts_links_test.go", linkedPostsTest)
	write("app/views/posts/index.html.tmpl", index)
	editRoutes(root, root+"\n"+postsRoute)
	failingGo(build, "undefined: routes.PostPath")
	if out := mustGo("generate", "./..."); !strings.Contains(out, "update  app/routes/routes.go") {
		t.Errorf("go generate printed:\n%s", out)
	}
	mustGo(test...)

	write("app/views/posts/index.html.tmpl", "<p>\n<a href=\"{{post_comments_path 1}}\">comments</a></p>")
	write("app/views/posts/show.html.tmpl", `{{.Data.Redirect "/elsewhere"}}`)
	failingGo(test, `posts/index.html.tmpl:2: function "post_comments_path" not defined`,
		`posts/show.html.tmpl:1: .Data.Redirect: Redirect is not in the view's data: PostsController views read PostsController's exported fields (IDs), never its methods`)
	write("app/views/posts/index.html.tmpl", index)
	write("app/views/posts/show.html.tmpl", "post")

	editRoutes(postsRoute+"\n", "")
	failingGo(test, "the route helpers are stale: helper posts_path names no route; helper post_path names no route")
	mustGo("generate", "./...")
	failingGo(build, "undefined: routes.PostPath")
}

// TestRoutingDSLInAGeneratedApp walks Rails' routing DSL beyond resources
// in a generated app: an optional segment with a default, a concern, a
// routes file drawn from config/routes.go (Rails' draw(:admin)), the
// typed helpers generated for them, `gorails routes --expanded` with each
// route's source line, and a running server answering the new forms.
func TestRoutingDSLInAGeneratedApp(t *testing.T) {
	dir := generateApp(t, "dsl")
	write := func(rel, data string) {
		t.Helper()
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("app/controllers/photos_controller.go", `package controllers

import (
	"github.com/gorails/gorails/framework/dispatch"

	"dsl/app/routes"
)

// PhotosController serves photos(/:id) and, as a resource, albums.
type PhotosController struct {
	ApplicationController
}

func (c *PhotosController) Show() error {
	r := c.Request()
	return c.Text(200, "photo "+r.PathParam("id")+" "+r.PathParam("kind")+" "+routes.PhotosPath(dispatch.Params{"id": 7})+" "+routes.PhotosPath())
}

func (c *PhotosController) Stats() error { return c.Text(200, "stats "+routes.AlbumCommentsPath(3)) }

// CommentsController is drawn by the commentable concern.
type CommentsController struct {
	ApplicationController
}

func (c *CommentsController) Index() error { return c.Text(200, "comments of album "+c.Request().PathParam("album_id")) }
`)
	write("config/routes_admin.go", `package config

import (
	"github.com/gorails/gorails/framework/dispatch"

	"dsl/app/controllers"
)

// adminRoutes is drawn by Routes, as Rails' draw(:admin).
func adminRoutes(r *dispatch.Mapper) {
	r.Scope("admin", dispatch.As("admin"), func(r *dispatch.Mapper) {
		r.Controller(dispatch.For[controllers.PhotosController](), func(r *dispatch.Mapper) {
			r.Get("stats", dispatch.ToAction("stats"))
		})
	})
}
`)
	src := readFile(t, dir, "config/routes.go")
	root := "\tr.Root(dispatch.To((*controllers.WelcomeController).Index))"
	drawn := root + `
	r.Concern("commentable", func(r *dispatch.Mapper) {
		r.Resources("comments", dispatch.For[controllers.CommentsController](), dispatch.Only("index"))
	})
	r.Get("photos(/:id)", dispatch.To((*controllers.PhotosController).Show), dispatch.As("photos"), dispatch.Default("kind", "jpg"))
	r.Resources("albums", dispatch.For[controllers.PhotosController](), dispatch.Only("show"), dispatch.Concerns("commentable"))
	r.Draw(adminRoutes)`
	if !strings.Contains(src, root) {
		t.Fatalf("config/routes.go has no root route:\n%s", src)
	}
	write("config/routes.go", strings.Replace(src, root, drawn, 1))

	gen := exec.Command("go", "generate", "./...")
	gen.Dir = dir
	if out, err := gen.CombinedOutput(); err != nil {
		t.Fatalf("go generate: %v\n%s", err, out)
	}
	helpers := readFile(t, dir, "app/routes/routes.go")
	for _, want := range []string{"func PhotosPath(query ...dispatch.Params) string", "func AlbumCommentsPath(albumID any, query ...dispatch.Params) string", "func AdminStatsPath("} {
		if !strings.Contains(helpers, want) {
			t.Errorf("app/routes/routes.go lacks %q:\n%s", want, helpers)
		}
	}

	out, code := runCLI(t, dir, "routes", "--expanded")
	if code != 0 {
		t.Fatalf("gorails routes --expanded: exit %d\n%s", code, out)
	}
	for _, want := range []string{
		"--[ Route 1 ]----",
		"Prefix            | photos\nVerb              | GET\nURI               | /photos(/:id)(.:format)\nController#Action | photos#show {kind: \"jpg\"}\nSource Location   | config/routes.go:",
		"Prefix            | album_comments\nVerb              | GET\nURI               | /albums/:album_id/comments(.:format)\nController#Action | comments#index\nSource Location   | config/routes.go:",
		"Prefix            | admin_stats\nVerb              | GET\nURI               | /admin/stats(.:format)\nController#Action | photos#stats\nSource Location   | config/routes_admin.go:",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("gorails routes --expanded lacks\n%s\nin:\n%s", want, out)
		}
	}
	if out, _ := runCLI(t, dir, "routes", "-g", "photos"); !strings.Contains(out, "photos GET  /photos(/:id)(.:format)") {
		t.Errorf("gorails routes -g photos:\n%s", out)
	}

	s := startServer(t, dir)
	for path, want := range map[string]string{
		"/photos":            "photo  jpg /photos/7 /photos",
		"/photos/3":          "photo 3 jpg /photos/7 /photos",
		"/photos/3.json":     "photo 3 jpg /photos/7 /photos",
		"/albums/2/comments": "comments of album 2",
		"/admin/stats":       "stats /albums/3/comments",
	} {
		if code, body := get(t, s.base+path); code != 200 || body != want {
			t.Errorf("GET %s: %d %q, want 200 %q", path, code, body, want)
		}
	}
	if code, _ := get(t, s.base+"/photos/3/4"); code != 404 {
		t.Errorf("GET /photos/3/4: %d, want 404", code)
	}
}

// TestDirectRoutesInViewsOfAGeneratedApp: a direct route drawn in
// config/routes.go (Rails' direct) gets its views' helpers from go
// generate, as a named route does: homepage_url for a full URL, and
// guide_path/guide_url with an argument for a path that the URL helper
// puts on the request's base. The views are set up before the routes are
// drawn; the page shows the func's URLs. An app whose helpers miss a direct
// route does not pass its tests (stale helpers).
func TestDirectRoutesInViewsOfAGeneratedApp(t *testing.T) {
	dir := generateApp(t, "directs")
	write := func(rel, data string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(rel)), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	goCmd := func(args ...string) (string, error) { return goInApp(dir, args...) }
	root := "\tr.Root(dispatch.To((*controllers.WelcomeController).Index))"
	src := readFile(t, dir, "config/routes.go")
	guide := `	r.Direct("guide", func(args ...any) (string, error) {
		if len(args) != 1 {
			return "", errors.New("guide takes the guide's name")
		}
		return "/guides/" + fmt.Sprint(args[0]) + "#top", nil
	})
`
	routes := strings.Replace(src, root, root+`
	r.Direct("homepage", func(...any) (string, error) { return "https://rubyonrails.org", nil })
`+guide, 1)
	routes = strings.Replace(routes, "import (\n", "import (\n\t\"errors\"\n\t\"fmt\"\n\n", 1)
	if routes == src {
		t.Fatalf("config/routes.go has no %q:\n%s", root, src)
	}
	write("config/routes.go", routes)
	index := readFile(t, dir, "app/views/welcome/index.html.tmpl")
	write("app/views/welcome/index.html.tmpl", index+
		`<a id="rails" href="{{homepage_url $}}">Rails</a> <a id="guide" href="{{guide_path "routing"}}">guide</a> <a id="full" href="{{guide_url $ "routing"}}">guide</a>`+"\n")
	if out, err := goCmd("generate", "./..."); err != nil || !strings.Contains(out, "update  app/routes/routes.go") {
		t.Fatalf("go generate: %v\n%s", err, out)
	}
	if helpers := readFile(t, dir, "app/routes/routes.go"); !strings.Contains(helpers, `dispatch.NewDirectHelper("guide")`) || !strings.Contains(helpers, `dispatch.NewDirectHelper("homepage")`) {
		t.Errorf("the generated helpers have no direct routes:\n%s", helpers)
	}
	if out, err := goCmd("test", "./..."); err != nil {
		t.Fatalf("the app's tests fail with direct routes: %v\n%s", err, out)
	}

	s := startServer(t, dir)
	status, body := get(t, s.base+"/")
	for _, want := range []string{
		`<a id="rails" href="https://rubyonrails.org">`,
		`<a id="guide" href="/guides/routing#top">`,
		`<a id="full" href="` + s.base + `/guides/routing#top">`,
	} {
		if status != 200 || !strings.Contains(body, want) {
			t.Errorf("GET /: %d, want %s in\n%.2000s\n%s", status, want, body, s.out)
		}
	}
	stopServer(t, s)

	// A direct route drawn after the helpers were generated: stale.
	write("config/routes.go", strings.Replace(routes, guide, guide+`	r.Direct("blog", func(...any) (string, error) { return "https://blog.example.com", nil })
`, 1))
	out, err := goCmd("test", "./...")
	if err == nil || !strings.Contains(out, "direct route blog has no helper") {
		t.Errorf("go test with a direct route without its helper: %v, want it to fail saying so\n%s", err, out)
	}
}
