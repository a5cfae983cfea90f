package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorails/gorails/internal/generator"
	"github.com/gorails/gorails/templates"
)

// newFullTestApp writes the whole skeleton of gorails new (no go mod
// download, no route helpers).
func newFullTestApp(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	files, err := generator.Render(templates.FS, "app", appData{Name: "blog", Module: "blog", Title: "Blog", GoVersion: "1.26.8"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := generator.Write(root, files, false, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	return root
}

// TestGenerateAuthenticationGolden pins what `gorails generate
// authentication` writes, edits and prints against
// testdata/golden/authentication (go test ./cmd/gorails -run
// GenerateAuthentication -update rewrites them).
func TestGenerateAuthenticationGolden(t *testing.T) {
	t.Parallel()
	root := newFullTestApp(t)
	var out bytes.Buffer
	if err := generateAuthentication(root, genTime, false, &out); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{"output.txt": out.String()}
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		fields := strings.Fields(line)
		if len(fields) < 2 {
			continue
		}
		got[fields[1]] = readFile(t, root, fields[1])
	}
	if len(got) < 25 {
		t.Fatalf("generate authentication wrote %d files:\n%s", len(got)-1, out.String())
	}
	checkGolden(t, "authentication", got)

	// Running it again changes nothing and says so file by file.
	out.Reset()
	if err := generateAuthentication(root, genTime, false, &out); err == nil {
		t.Fatalf("a second run did not refuse (create_users exists):\n%s", out.String())
	}
	for p, data := range got {
		if p != "output.txt" && readFile(t, root, p) != data {
			t.Errorf("the refused second run changed %s", p)
		}
	}
}

// TestGenerateAuthenticationRefusesUnknownShapes: an application
// controller the generator cannot edit stops it before anything is
// written.
func TestGenerateAuthenticationRefusesUnknownShapes(t *testing.T) {
	t.Parallel()
	root := newFullTestApp(t)
	p := filepath.Join(root, "app", "controllers", "application_controller.go")
	if err := os.WriteFile(p, []byte("package controllers\n\ntype ApplicationController struct{ base }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := generateAuthentication(root, genTime, false, &bytes.Buffer{})
	if !errors.Is(err, errAuthShape) {
		t.Fatalf("err = %v, want errAuthShape", err)
	}
	if _, err := os.Stat(filepath.Join(root, "app", "models", "user.go")); err == nil {
		t.Error("files were written although an edit was refused")
	}
}

func TestAddImport(t *testing.T) {
	t.Parallel()
	tests := []struct{ src, want string }{
		{"package a\n\nimport \"x/y\"\n\nvar _ = y.Z\n", "import (\n\t\"x/y\"\n\n\t\"blog/app/mailers\"\n)"},
		{"package a\n\nimport (\n\t\"fmt\"\n\n\t\"blog/app/jobs\"\n)\n", "\t\"blog/app/jobs\"\n\t\"blog/app/mailers\"\n)"},
		{"package a\n\nimport (\n\t\"fmt\"\n)\n", "\t\"fmt\"\n\n\t\"blog/app/mailers\"\n)"},
	}
	for _, tt := range tests {
		got, err := addImport(tt.src, "blog/app/mailers")
		if err != nil || !strings.Contains(got, tt.want) {
			t.Errorf("addImport(%q) = %q, %v; want it to contain %q", tt.src, got, err, tt.want)
		}
	}
}

// TestGenerateAuthenticationRegistersPasswordsMailer: the passwords mailer
// is registered in app/mailers/mailers.go beside the app's own mailers,
// whichever generator runs first, once.
func TestGenerateAuthenticationRegistersPasswordsMailer(t *testing.T) {
	t.Parallel()
	for _, mailerFirst := range []bool{true, false} {
		root := newFullTestApp(t)
		steps := []func() error{
			func() error { return generateMailer(root, "user", []string{"welcome"}, false, &bytes.Buffer{}) },
			func() error { return generateAuthentication(root, genTime, false, &bytes.Buffer{}) },
		}
		if !mailerFirst {
			steps[0], steps[1] = steps[1], steps[0]
		}
		for _, step := range steps {
			if err := step(); err != nil {
				t.Fatal(err)
			}
		}
		src := readFile(t, root, mailersFile)
		want := "func Register(app *framework.App) error {\n\tRegister"
		if !strings.Contains(src, want) || strings.Count(src, "\tRegisterUserMailer(app)\n") != 1 || strings.Count(src, "\tRegisterPasswordsMailer(app)\n") != 1 {
			t.Errorf("mailer first %v: %s:\n%s", mailerFirst, mailersFile, src)
		}
		if strings.Contains(readFile(t, root, "app/jobs/jobs.go"), "mailers") {
			t.Errorf("mailer first %v: app/jobs/jobs.go registers mailers", mailerFirst)
		}
	}
}

// TestGenerateAuthenticationNeedsTheAppMailer: an app made before the App
// had a mailer is refused, with nothing written; a Register of its own
// shape gets a note on the line to add.
func TestGenerateAuthenticationNeedsTheAppMailer(t *testing.T) {
	t.Parallel()
	root := newFullTestApp(t)
	if err := os.Remove(filepath.Join(root, filepath.FromSlash(mailersFile))); err != nil {
		t.Fatal(err)
	}
	err := generateAuthentication(root, genTime, false, &bytes.Buffer{})
	if !errors.Is(err, errAuthShape) || !strings.Contains(err.Error(), "RegisterMailers: mailers.Register") {
		t.Fatalf("err = %v, want errAuthShape saying what to add", err)
	}
	if _, err := os.Stat(filepath.Join(root, "app", "models", "user.go")); err == nil {
		t.Error("files were written although the app has no mailer")
	}

	root = newFullTestApp(t)
	custom := "package mailers\n\nimport \"github.com/gorails/gorails/framework\"\n\nfunc Register(app *framework.App) error { return nil }\n"
	if err := os.WriteFile(filepath.Join(root, filepath.FromSlash(mailersFile)), []byte(custom), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := generateAuthentication(root, genTime, false, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "add RegisterPasswordsMailer(app) to func Register") || readFile(t, root, mailersFile) != custom {
		t.Errorf("a Register of another shape: %s\n%s", out.String(), readFile(t, root, mailersFile))
	}
}

// TestGenerateAuthenticationWithScaffold: the scaffold and authentication
// generators share test/system/app_test.go; either runs after the other,
// and the scaffold's controller and system tests then sign in.
func TestGenerateAuthenticationWithScaffold(t *testing.T) {
	t.Parallel()
	for _, scaffoldFirst := range []bool{true, false} {
		root := newFullTestApp(t)
		steps := []func() error{
			func() error {
				return generateScaffold(root, "Post", []string{"title:string"}, true, genTime, false, &bytes.Buffer{})
			},
			func() error { return generateAuthentication(root, genTime.Add(time.Minute), false, &bytes.Buffer{}) },
		}
		if !scaffoldFirst {
			steps[0], steps[1] = steps[1], steps[0]
		}
		for i, step := range steps {
			if err := step(); err != nil {
				t.Fatalf("scaffold first %v, step %d: %v", scaffoldFirst, i, err)
			}
		}
		// The scaffold's tests sign in: its pages need a user.
		if src := readFile(t, root, "test/system/posts_test.go"); strings.Count(src, "\tsignIn(b)") != 1 {
			t.Errorf("scaffold first %v: the system test does not sign in once:\n%s", scaffoldFirst, src)
		}
		if src := readFile(t, root, "app/controllers/posts_controller_test.go"); !strings.Contains(src, "signedIn(tc)") || strings.Contains(src, "tc.Session()") {
			t.Errorf("scaffold first %v: the controller test does not sign in", scaffoldFirst)
		}
	}
}
