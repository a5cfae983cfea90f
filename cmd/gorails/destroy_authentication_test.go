package main

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// appTree is snapshotTree with every directory too (slash path with a
// trailing "/": ""), so that one left over or gone shows.
func appTree(t *testing.T, root string) map[string]string {
	t.Helper()
	tree := snapshotTree(t, root)
	err := filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err != nil || p == root || !e.IsDir() {
			return err
		}
		rel, err := filepath.Rel(root, p)
		tree[filepath.ToSlash(rel)+"/"] = ""
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return tree
}

// nothingDone checks a refused destroy printed nothing and left the app
// as it was.
func nothingDone(t *testing.T, root string, before map[string]string, out *bytes.Buffer) {
	t.Helper()
	if out.Len() > 0 {
		t.Errorf("a refused destroy printed:\n%s", out.String())
	}
	sameTree(t, appTree(t, root), before)
}

// sameTree reports how got differs from want, file by file.
func sameTree(t *testing.T, got, want map[string]string) {
	t.Helper()
	for p, w := range want {
		g, ok := got[p]
		switch {
		case !ok:
			t.Errorf("%s is gone", p)
		case g != w:
			t.Errorf("%s differs:\n--- got\n%s\n--- want\n%s", p, g, w)
		}
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			t.Errorf("%s is left over", p)
		}
	}
}

// A genStep runs a generator in an app.
type genStep func(root string, now time.Time) error

func scaffoldStep(name string, fields ...string) genStep {
	return func(root string, now time.Time) error {
		return generateScaffold(root, name, fields, true, now, false, &bytes.Buffer{})
	}
}

func mailerStep(name string, actions ...string) genStep {
	return func(root string, _ time.Time) error {
		return generateMailer(root, name, actions, false, &bytes.Buffer{})
	}
}

func controllerStep(name string, actions ...string) genStep {
	return func(root string, _ time.Time) error {
		_, err := generateController(root, name, actions, false, &bytes.Buffer{})
		return err
	}
}

// TestDestroyAuthenticationRestoresTheApp: generate authentication, then
// destroy authentication, leaves the app byte for byte as it would be
// without it, whatever was generated before and after, and prints what it
// did (testdata/golden/destroy_authentication/CASE; -update rewrites).
func TestDestroyAuthenticationRestoresTheApp(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		before, after []genStep
	}{
		{name: "new_app"},
		{name: "scaffold_before", before: []genStep{scaffoldStep("Post", "title:string", "body:text")}},
		{name: "scaffold_after", after: []genStep{scaffoldStep("Post", "title:string", "body:text")}},
		{name: "mailer_before", before: []genStep{mailerStep("user", "welcome")}},
		{name: "mailer_after", after: []genStep{mailerStep("user", "welcome")}},
		{name: "namespaced_scaffold_before", before: []genStep{scaffoldStep("admin/post", "title:string")}},
		{name: "namespaced_scaffold_after", after: []genStep{scaffoldStep("admin/post", "title:string")}},
		{name: "controller_before", before: []genStep{controllerStep("pages", "home")}},
		{name: "everything", before: []genStep{scaffoldStep("Post", "title:string"), mailerStep("user", "welcome"), controllerStep("pages", "home")},
			after: []genStep{scaffoldStep("admin/comment", "body:text"), mailerStep("notifications", "digest")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			run := func(root string, steps []genStep, from time.Time) {
				t.Helper()
				for i, step := range steps {
					if err := step(root, from.Add(time.Duration(i)*time.Minute)); err != nil {
						t.Fatal(err)
					}
				}
			}
			want := newFullTestApp(t)
			run(want, tt.before, genTime)
			run(want, tt.after, genTime.Add(time.Hour))

			root := newFullTestApp(t)
			run(root, tt.before, genTime)
			if err := generateAuthentication(root, genTime.Add(30*time.Minute), false, &bytes.Buffer{}); err != nil {
				t.Fatal(err)
			}
			run(root, tt.after, genTime.Add(time.Hour))
			var out bytes.Buffer
			broken, err := destroyAuthentication(root, &out)
			if err != nil || broken {
				t.Fatalf("broken %v, err %v", broken, err)
			}
			sameTree(t, appTree(t, root), appTree(t, want))
			checkGolden(t, "destroy_authentication/"+tt.name, map[string]string{"output.txt": out.String()})
		})
	}
}

// TestDestroyAuthenticationRefusesChangedLines: a line generate
// authentication added, changed since, stops destroy authentication with
// nothing written and the file:line of each change.
func TestDestroyAuthenticationRefusesChangedLines(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, path, old, new string
		spots                []string // file:line the error lists (the line of new's marker)
	}{
		{name: "a callback", path: "app/controllers/application_controller.go",
			old: "cb.Before((*ApplicationController).requireAuthentication)", new: "cb.Before((*ApplicationController).requireAuthentication) // CHANGED"},
		{name: "the embedded Authentication", path: "app/controllers/application_controller.go",
			old: "Authentication // who is signed in", new: "Authentication // CHANGED who is signed in"},
		{name: "a line among the callbacks", path: "app/controllers/application_controller.go",
			old: "\tcb.Before((*ApplicationController).requireAuthentication)", new: "\tcb.Before(nil) // CHANGED\n\tcb.Before((*ApplicationController).requireAuthentication)"},
		{name: "the boot step", path: "config/application.go",
			old: "controllers.InstallAuthentication); err != nil {", new: "controllers.InstallAuthentication); err != nil { // CHANGED"},
		{name: "a route", path: "config/routes.go",
			old: `dispatch.Param("token"))`, new: `dispatch.Param("token"), dispatch.Only("new")) // CHANGED`},
		{name: "the sign-in bar", path: "app/views/layouts/application.html.tmpl",
			old: `<nav id="session_nav">`, new: `<nav id="session_nav" class="CHANGED">`},
		{name: "the welcome page's callbacks", path: "app/controllers/welcome_controller.go",
			old: "allowUnauthenticatedAccess(cb)", new: `allowUnauthenticatedAccess(cb, "index") // CHANGED`},
		{name: "the mailer's registration", path: mailersFile,
			old: "RegisterPasswordsMailer(app)", new: "RegisterPasswordsMailer(app) // CHANGED"},
		{name: "a scaffold's system test", path: "test/system/posts_test.go",
			old: "signIn(b) // the pages need a signed-in user", new: "signIn(b) // CHANGED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			root := newFullTestApp(t)
			if err := generateScaffold(root, "Post", []string{"title:string"}, true, genTime, false, &bytes.Buffer{}); err != nil {
				t.Fatal(err)
			}
			if err := generateAuthentication(root, genTime.Add(time.Minute), false, &bytes.Buffer{}); err != nil {
				t.Fatal(err)
			}
			src := readFile(t, root, tt.path)
			if !strings.Contains(src, tt.old) {
				t.Fatalf("%s has no %q:\n%s", tt.path, tt.old, src)
			}
			src = strings.Replace(src, tt.old, tt.new, 1)
			if err := os.WriteFile(filepath.Join(root, filepath.FromSlash(tt.path)), []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
			line := strings.Count(src[:strings.Index(src, "CHANGED")], "\n") + 1
			before := appTree(t, root)

			var out bytes.Buffer
			_, err := destroyAuthentication(root, &out)
			if !errors.Is(err, errAuthChanged) {
				t.Fatalf("err = %v, want errAuthChanged", err)
			}
			if want := tt.path + ":" + strconv.Itoa(line) + ":"; !strings.Contains(err.Error(), want) {
				t.Errorf("the error does not list %s:\n%v", want, err)
			}
			nothingDone(t, root, before, &out)
		})
	}
}

// TestDestroyAuthenticationNotGenerated: in an app without authentication
// it says so, naming what it looked for, and writes nothing.
func TestDestroyAuthenticationNotGenerated(t *testing.T) {
	t.Parallel()
	root := newFullTestApp(t)
	before := appTree(t, root)
	var out bytes.Buffer
	_, err := destroyAuthentication(root, &out)
	if !errors.Is(err, errAuthNotGenerated) || !strings.Contains(err.Error(), "app/controllers/authentication.go") {
		t.Fatalf("err = %v, want errAuthNotGenerated naming app/controllers/authentication.go", err)
	}
	nothingDone(t, root, before, &out)
}

// TestDestroyAuthenticationReportsTheAppsOwnCode: the app's own code that
// names what goes (the User model, CurrentUser, the sign-in helpers, the
// session routes' helpers) is listed, file:line, and the rest is done.
func TestDestroyAuthenticationReportsTheAppsOwnCode(t *testing.T) {
	t.Parallel()
	root := newFullTestApp(t)
	if err := generateAuthentication(root, genTime, false, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	own := map[string]string{
		"app/models/note.go": "package models\n\n// Note is the app's own.\ntype Note struct {\n\tID     int64\n\tAuthor *User\n}\n",
		"app/controllers/notes_controller.go": "package controllers\n\nimport (\n\t\"blog/app/models\"\n\t\"blog/app/routes\"\n)\n\n" +
			"type NotesController struct {\n\tApplicationController\n}\n\n" +
			"func (c *NotesController) Index() error {\n\tif c.CurrentUser == nil {\n\t\treturn c.RedirectTo(routes.NewSessionPath())\n\t}\n\tvar _ *models.Session\n\treturn nil\n}\n",
		"app/controllers/notes_controller_test.go": "package controllers_test\n\nimport \"testing\"\n\n// signIn(s) in a comment is no reference.\nfunc TestNotes(t *testing.T) {\n\ts := app.Test(t).Session()\n\tsignIn(s, \"one@example.com\", \"secret\")\n}\n",
		"app/views/notes/index.html.tmpl":          "<p>{{.Data.CurrentUser.EmailAddress}}</p>\n<p>{{link_to \"Sign up\" (new_registration_path)}}</p>\n",
	}
	for p, src := range own {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(root, filepath.FromSlash(p))), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, filepath.FromSlash(p)), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	broken, err := destroyAuthentication(root, &out)
	if err != nil || !broken {
		t.Fatalf("broken %v (want true: the app's code does not build), err %v", broken, err)
	}
	var warnings []string
	for _, l := range strings.Split(out.String(), "\n") {
		if f := strings.Fields(l); len(f) > 1 && f[0] == "warning" {
			warnings = append(warnings, strings.Join(f[1:6], " "))
		}
	}
	want := []string{
		"app/controllers/notes_controller.go:13 still refers to .CurrentUser;",
		"app/controllers/notes_controller.go:14 still refers to routes.NewSessionPath;",
		"app/controllers/notes_controller.go:16 still refers to models.Session;",
		"app/controllers/notes_controller_test.go:8 still refers to signIn;",
		"app/models/note.go:6 still refers to User;",
		"app/views/notes/index.html.tmpl:1 still refers to CurrentUser;",
		"app/views/notes/index.html.tmpl:2 still refers to new_registration_path;",
	}
	if strings.Join(warnings, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings\n%s\nwant\n%s\noutput:\n%s", strings.Join(warnings, "\n"), strings.Join(want, "\n"), out.String())
	}
	if exists(root, "app/models/user.go") || !exists(root, "app/models/note.go") {
		t.Errorf("the user model stays, or the app's own model went:\n%s", out.String())
	}
}

// TestRemoveImportUndoesAddImport: an import addImport added, removed
// again, leaves the source as it was (a block of one import comes back as
// the single import line, which addImport turns into the same block), and packageUsed sees a package only
// where code names it.
func TestRemoveImportUndoesAddImport(t *testing.T) {
	t.Parallel()
	for _, src := range []string{
		"package a\n\nimport \"x/y\"\n\nvar _ = y.Z\n",
		"package a\n\nimport (\n\t\"fmt\"\n\n\t\"blog/app/jobs\"\n)\n\nvar _ = fmt.Sprint(jobs.X)\n",
		"package a\n\nimport (\n\t\"fmt\"\n\n\t\"github.com/gorails/gorails\"\n)\n\nvar _ = fmt.Sprint(gorails.Version)\n",
	} {
		added, err := addImport(src, "blog/app/mailers")
		if err != nil {
			t.Fatal(err)
		}
		if got := removeImport(added, "blog/app/mailers"); got != src {
			t.Errorf("removeImport(addImport(%q)) = %q", src, got)
		}
	}
	for _, tt := range []struct {
		src  string
		used bool
	}{
		{"package a\n\nvar _ = mailers.X\n", true},
		{"package a\n\n// mailers.X in a comment\nvar _ = \"mailers.X\"\n", false},
		{"package a\n\nvar _ = x.mailers\n", false},
	} {
		if got := packageUsed(tt.src, "mailers"); got != tt.used {
			t.Errorf("packageUsed(%q) = %v, want %v", tt.src, got, tt.used)
		}
	}
}
