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
	goCmd := func(args ...string) (string, error) {
		t.Helper()
		cmd := exec.Command("go", args...)
		cmd.Dir = dir
		// go generate runs `go run github.com/gorails/gorails/cmd/gorails`:
		// the CLI of the framework the app requires (here the checkout,
		// through go.mod's replace), not one from PATH.
		cmd.Env = append(os.Environ(), "GORAILS_ENV=test")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
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
