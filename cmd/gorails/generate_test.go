package main

import (
	"bytes"
	"errors"
	"go/format"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorails/gorails/internal/generator"
	"github.com/gorails/gorails/templates"
)

// newTestApp writes the files generate reads and edits (go.mod,
// config/application.go, config/routes.go as `gorails new` writes them) into
// a temporary directory and returns it.
func newTestApp(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	files, err := generator.Render(templates.FS, "app", appData{Name: "blog", Module: "blog", Title: "Blog", GoVersion: "1.26.8"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var keep []generator.File
	for _, f := range files {
		if f.Path == "go.mod" || f.Path == jobsFile || f.Path == mailersFile || f.Path == migrationsFile || strings.HasPrefix(f.Path, "config/") {
			keep = append(keep, f)
		}
	}
	if err := generator.Write(root, keep, false, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	return root
}

func readFile(t *testing.T, root, p string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(p)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestGenerateControllerGolden pins what `gorails generate controller posts
// index show_all` writes and prints against testdata/golden/controller/posts.
// Run `go test ./cmd/gorails -run Generate -update` after changing a
// template, and read the diff.
func TestGenerateControllerGolden(t *testing.T) {
	t.Parallel()
	root := newTestApp(t)
	var out bytes.Buffer
	if _, err := generateController(root, "posts", []string{"index", "show_all"}, false, &out); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{
		"output.txt":                               out.String(),
		"app/controllers/posts_controller.go":      readFile(t, root, "app/controllers/posts_controller.go"),
		"app/controllers/posts_controller_test.go": readFile(t, root, "app/controllers/posts_controller_test.go"),
		"app/views/posts/index.html.tmpl":          readFile(t, root, "app/views/posts/index.html.tmpl"),
		"app/views/posts/show_all.html.tmpl":       readFile(t, root, "app/views/posts/show_all.html.tmpl"),
		"config/routes.go":                         readFile(t, root, "config/routes.go"),
	}
	golden := filepath.Join("..", "..", "testdata", "golden", "controller", "posts")
	for p, data := range got {
		if strings.HasSuffix(p, ".go") {
			if formatted, err := format.Source([]byte(data)); err != nil || string(formatted) != data {
				t.Errorf("%s is not gofmt'ed (%v)", p, err)
			}
		}
		gp := filepath.Join(golden, filepath.FromSlash(p)) + ".golden"
		if *update {
			if err := os.MkdirAll(filepath.Dir(gp), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(gp, []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(gp)
		if err != nil {
			t.Errorf("%s: no golden file (run with -update): %v", p, err)
			continue
		}
		if string(want) != data {
			t.Errorf("%s differs from its golden file:\n--- got\n%s\n--- want\n%s", p, data, want)
		}
	}
}

func TestGenerateControllerRefusesToOverwrite(t *testing.T) {
	t.Parallel()
	root := newTestApp(t)
	if _, err := generateController(root, "posts", []string{"index"}, false, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	routes := readFile(t, root, "config/routes.go")

	t.Run("generating the same again changes nothing", func(t *testing.T) {
		var out bytes.Buffer
		if _, err := generateController(root, "posts", []string{"index"}, false, &out); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), "identical  app/controllers/posts_controller.go") {
			t.Errorf("output does not say identical:\n%s", out.String())
		}
		if got := readFile(t, root, "config/routes.go"); got != routes {
			t.Errorf("routes.go changed:\n%s", got)
		}
	})

	edited := "package controllers\n\n// edited by hand\n"
	if err := os.WriteFile(filepath.Join(root, "app", "controllers", "posts_controller.go"), []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Run("an edited file is not overwritten without force", func(t *testing.T) {
		_, err := generateController(root, "posts", []string{"index", "show"}, false, &bytes.Buffer{})
		if !errors.Is(err, generator.ErrExists) || !strings.Contains(err.Error(), "--force") {
			t.Fatalf("error = %v, want ErrExists mentioning --force", err)
		}
		if got := readFile(t, root, "app/controllers/posts_controller.go"); got != edited {
			t.Error("the edited controller was overwritten")
		}
		if _, err := os.Stat(filepath.Join(root, "app", "views", "posts", "show.html.tmpl")); err == nil {
			t.Error("a refused generate still wrote the new view")
		}
		if got := readFile(t, root, "config/routes.go"); got != routes {
			t.Errorf("a refused generate still changed routes.go:\n%s", got)
		}
	})
	t.Run("force overwrites", func(t *testing.T) {
		var out bytes.Buffer
		if _, err := generateController(root, "posts", []string{"index", "show"}, true, &out); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), "force  app/controllers/posts_controller.go") {
			t.Errorf("output does not say force:\n%s", out.String())
		}
		if !strings.Contains(readFile(t, root, "config/routes.go"), `r.Get("posts/show", dispatch.To((*controllers.PostsController).Show))`) {
			t.Error("the new action's route was not added")
		}
	})
}

func TestGenerateControllerRejectsBadInput(t *testing.T) {
	t.Parallel()
	root := newTestApp(t)
	tests := []struct {
		name, controller string
		actions          []string
		want             string
	}{
		{"a name going up a folder", "../users", nil, `".." is not`},
		{"a doubled slash", "admin//users", nil, "has an empty part"},
		{"a namespace without a name", "Admin::", nil, "has an empty part"},
		{"a Go keyword as namespace", "go/users", nil, `"go" is a Go keyword`},
		{"a name with a dash", "blog-posts", nil, "invalid controller name"},
		{"the application controller", "application", nil, "choose another name"},
		{"an action with capitals", "posts", []string{"Index"}, "invalid action name"},
		{"an action that hides a Base method", "posts", []string{"render"}, "Render is a method of controller.Base"},
		{"an action given twice", "posts", []string{"index", "index"}, "given twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := generateController(root, tt.controller, tt.actions, false, &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want one with %q", err, tt.want)
			}
		})
	}
}

func TestGenerateControllerNames(t *testing.T) {
	t.Parallel()
	root := newTestApp(t)
	for _, tt := range []struct{ in, file, typ string }{
		{"posts", "posts", "PostsController"},
		{"PostsController", "posts", "PostsController"},
		{"AdminUsers", "admin_users", "AdminUsersController"},
		{"HTMLPages", "html_pages", "HtmlPagesController"},
	} {
		d, err := newControllerData(root, tt.in, nil)
		if err != nil || d.File != tt.file || d.Type != tt.typ {
			t.Errorf("%s: got %q %q %v, want %q %q", tt.in, d.File, d.Type, err, tt.file, tt.typ)
		}
	}
}

func TestDestroyControllerRemovesWhatGenerateCreated(t *testing.T) {
	t.Parallel()
	root := newTestApp(t)
	before := readFile(t, root, "config/routes.go")
	if _, err := generateController(root, "posts", []string{"index", "show_all"}, false, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if _, err := destroyController(root, "posts", nil, &out); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"app/controllers/posts_controller.go", "app/controllers/posts_controller_test.go", "app/views/posts"} {
		if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(p))); err == nil {
			t.Errorf("%s is still there", p)
		}
	}
	if got := readFile(t, root, "config/routes.go"); got != before {
		t.Errorf("routes.go after destroy:\n%s\nwant\n%s", got, before)
	}
	for _, want := range []string{"remove  app/views/posts/show_all.html.tmpl", `route  remove r.Get("posts/index"`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestDestroyControllerReportsOtherRoutes(t *testing.T) {
	t.Parallel()
	root := newTestApp(t)
	if _, err := generateController(root, "posts", []string{"index"}, false, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	routesPath := filepath.Join(root, "config", "routes.go")
	src := strings.Replace(readFile(t, root, "config/routes.go"), "\n}", "\n\tr.Resources(\"posts\", dispatch.For[controllers.PostsController]())\n}", 1)
	if err := os.WriteFile(routesPath, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if _, err := destroyController(root, "posts", nil, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "still refers to PostsController") {
		t.Errorf("output does not warn about the hand-written route:\n%s", out.String())
	}
	if !strings.Contains(readFile(t, root, "config/routes.go"), "r.Resources(\"posts\"") {
		t.Error("destroy removed a route it did not generate")
	}
}

// TestGeneratedControllerPassesItsTest runs the CLI end to end: a new app,
// `gorails generate controller` (which regenerates the route helpers), then
// the app's own `go test` of the generated test, which boots the app and
// requests each action through its helper; then `gorails destroy
// controller` and a build of what is left.
func TestGeneratedControllerPassesItsTest(t *testing.T) {
	dir := generateApp(t, "shop")
	out, code := runCLI(t, dir, "generate", "controller", "products", "index", "show_all")
	if code != 0 {
		t.Fatalf("gorails generate controller: exit %d\n%s", code, out)
	}
	if !strings.Contains(out, "update  app/routes/routes.go") || !strings.Contains(readFile(t, dir, "app/routes/routes.go"), "func ProductsShowAllPath(") {
		t.Fatalf("generate controller did not regenerate the route helpers:\n%s", out)
	}
	goCmd := func(args ...string) {
		t.Helper()
		cmd := exec.Command("go", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GORAILS_ENV=test", "GOFLAGS=-mod=mod")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %v: %v\n%s", args, err, out)
		}
	}
	goCmd("test", "./app/controllers/")
	if out, code := runCLI(t, dir, "generate", "controller", "products", "index", "show_all"); code != 0 || !strings.Contains(out, "identical") {
		t.Errorf("generating again: exit %d\n%s", code, out)
	}
	out, code = runCLI(t, dir, "destroy", "controller", "products")
	if code != 0 {
		t.Fatalf("gorails destroy controller: exit %d\n%s", code, out)
	}
	if strings.Contains(readFile(t, dir, "app/routes/routes.go"), "Products") {
		t.Errorf("destroy controller left the route helpers of its routes:\n%s", out)
	}
	goCmd("build", "-o", os.DevNull, ".")
}
