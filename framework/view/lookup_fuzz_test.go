package view

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// lookupFS is a views tree whose every file says which it is.
func lookupFS() fstest.MapFS {
	m := fstest.MapFS{}
	for _, p := range []string{
		"posts/index.html.tmpl", "posts/show.tmpl", "posts/_form.html.tmpl", "application/_nav.html.tmpl",
		"admin/users/index.html.tmpl", "layouts/application.html.tmpl", "layouts/admin.html.tmpl", "shared/_footer.html.tmpl",
	} {
		body := "[" + p + "]"
		if strings.HasPrefix(p, "layouts/") {
			body = `{{template "content" .}}` + body
		}
		m[p] = &fstest.MapFile{Data: []byte(body)}
	}
	return m
}

// hostileName reports whether a name must be refused before any lookup.
func hostileName(s string) bool {
	return s != "" && checkName("x", s, ErrTemplateNotFound) != nil
}

// TestHostileTemplateNamesAreRefused: names from a request that try to
// leave app/views are refused with ErrInvalidName, on a real directory
// with a file beside the views.
func TestHostileTemplateNamesAreRefused(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	views := filepath.Join(root, "views")
	if err := os.MkdirAll(filepath.Join(views, "posts"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "secret.html.tmpl"), []byte("SECRET"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(views, "posts", "index.html.tmpl"), []byte("index"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{FS: os.DirFS(views)})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		o        Options
		notFound error
	}{
		{"dot-dot", Options{Template: "../secret"}, ErrTemplateNotFound},
		{"deep dot-dot", Options{Template: "../../../../etc/passwd"}, ErrTemplateNotFound},
		{"dot-dot inside", Options{Template: "posts/../../secret"}, ErrTemplateNotFound},
		{"absolute", Options{Template: "/etc/passwd"}, ErrTemplateNotFound},
		{"NUL", Options{Template: "posts/index\x00.txt"}, ErrTemplateNotFound},
		{"newline", Options{Template: "posts/index\n"}, ErrTemplateNotFound},
		{"backslash", Options{Template: `..\secret`}, ErrTemplateNotFound},
		{"empty element", Options{Template: "posts//index"}, ErrTemplateNotFound},
		{"controller", Options{Controller: "../..", Template: "secret"}, ErrTemplateNotFound},
		{"format", Options{Template: "posts/index", Format: "html/../../../secret"}, ErrTemplateNotFound},
		{"layout", Options{Template: "posts/index", Layout: "../../secret"}, ErrLayoutNotFound},
	} {
		var b bytes.Buffer
		err := s.Render(&b, tc.o)
		if !errors.Is(err, ErrInvalidName) || !errors.Is(err, tc.notFound) {
			t.Errorf("%s: err = %v; want ErrInvalidName and %v", tc.name, err, tc.notFound)
		}
		if b.Len() > 0 || strings.Contains(fmt.Sprint(err), "SECRET") {
			t.Errorf("%s: rendered %q", tc.name, b.String())
		}
	}
	if err := s.Render(new(bytes.Buffer), Options{Template: "posts/index"}); err != nil {
		t.Fatalf("a good name: %v", err)
	}
}

// TestMissingTemplatesAreNotRemembered: names a request makes up do not
// grow the file cache.
func TestMissingTemplatesAreNotRemembered(t *testing.T) {
	t.Parallel()
	s, err := New(Config{FS: lookupFS()})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 500 {
		if err := s.Render(new(bytes.Buffer), Options{Template: fmt.Sprintf("pages/made-up-%d", i)}); !errors.Is(err, ErrTemplateNotFound) {
			t.Fatal(err)
		}
	}
	s.mu.RLock()
	n := len(s.files)
	s.mu.RUnlock()
	if n > 10 {
		t.Fatalf("the file cache holds %d entries after 500 missing names", n)
	}
}

// FuzzTemplateLookup renders any controller, template, format and layout
// name: it never panics, refuses a hostile name with ErrInvalidName
// before any lookup, and renders only files of the views tree.
func FuzzTemplateLookup(f *testing.F) {
	for _, seed := range [][4]string{
		{"posts", "index", "html", ""},
		{"posts", "show", "json", ""},
		{"admin/users", "index", "", "admin"},
		{"posts", "../../etc/passwd", "html", ""},
		{"posts", "index\x00", "html", ""},
		{"", "/etc/passwd", "", ""},
		{"..", "index", "html", ""},
		{"posts", "index", "html", "../../../etc/shadow"},
		{"posts", `..\..\windows`, "html", ""},
		{"posts", "posts/./index", "html", ""},
		{"posts", "shared/_footer", "html", ""},
		{"a/b/c/d", "e", "f.g", "h"},
	} {
		f.Add(seed[0], seed[1], seed[2], seed[3])
	}
	files := lookupFS()
	s, err := New(Config{FS: files})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, controller, template, format, layout string) {
		var b bytes.Buffer
		err := s.Render(&b, Options{Controller: controller, Template: template, Format: format, Layout: layout})
		hostile := hostileName(controller) || hostileName(template) || hostileName(format) || hostileName(layout)
		if hostile && !errors.Is(err, ErrInvalidName) && !errors.Is(err, ErrTemplateNotFound) {
			t.Fatalf("a hostile name (%q, %q, %q, %q): err = %v", controller, template, format, layout, err)
		}
		if err != nil {
			if !errors.Is(err, ErrTemplateNotFound) && !errors.Is(err, ErrLayoutNotFound) && !errors.Is(err, ErrInvalidTemplate) && !errors.Is(err, ErrPartialNotFound) {
				t.Fatalf("(%q, %q, %q, %q): unexpected error %v", controller, template, format, layout, err)
			}
			if b.Len() > 0 {
				t.Fatal("a failed render wrote output")
			}
			return
		}
		if hostile {
			t.Fatalf("a hostile name (%q, %q, %q, %q) rendered %q", controller, template, format, layout, b.String())
		}
		out := b.String()
		if !strings.HasPrefix(out, "[") {
			t.Fatalf("rendered %q, not a file of the tree", out)
		}
		for _, part := range strings.Split(strings.Trim(out, "[]"), "][") {
			if _, ok := files[part]; !ok {
				t.Fatalf("rendered %q: %q is not a file of the tree", out, part)
			}
		}
	})
}
