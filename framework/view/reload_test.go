package view

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func writeFile(t *testing.T, dir, name, text string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// eventually renders until the output is want or 5s pass: fsnotify
// delivers events asynchronously.
func eventually(t *testing.T, s *Set, o Options, want string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		got, err := render(t, s, o)
		if err == nil && got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("got %q, %v; want %q", got, err, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestReloadInDevelopment(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, dir, "layouts/application.html.tmpl", `[{{template "content" .}}]`)
	writeFile(t, dir, "posts/index.html.tmpl", `v1 {{render . "row"}}`)
	writeFile(t, dir, "posts/_row.html.tmpl", `row1`)
	s, err := New(Config{Dir: dir, Reload: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	index := Options{Controller: "posts", Template: "index"}
	eventually(t, s, index, "[v1 row1]")

	t.Run("an edited view shows on the next render", func(t *testing.T) {
		writeFile(t, dir, "posts/index.html.tmpl", `v2 {{render . "row"}}`)
		eventually(t, s, index, "[v2 row1]")
	})
	t.Run("an edited partial and layout show", func(t *testing.T) {
		writeFile(t, dir, "posts/_row.html.tmpl", `row2`)
		writeFile(t, dir, "layouts/application.html.tmpl", `({{template "content" .}})`)
		eventually(t, s, index, "(v2 row2)")
	})
	t.Run("a view in a new folder is found", func(t *testing.T) {
		writeFile(t, dir, "comments/index.html.tmpl", `comments`)
		eventually(t, s, Options{Controller: "comments", Template: "index"}, "(comments)")
		writeFile(t, dir, "comments/index.html.tmpl", `comments v2`)
		eventually(t, s, Options{Controller: "comments", Template: "index"}, "(comments v2)")
	})
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestNoReloadCachesCompiledTemplates(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, dir, "posts/index.html.tmpl", `v1`)
	s, err := New(Config{FS: os.DirFS(dir)})
	if err != nil {
		t.Fatal(err)
	}
	o := Options{Controller: "posts", Template: "index"}
	eventually(t, s, o, "v1")
	writeFile(t, dir, "posts/index.html.tmpl", `v2`)
	if got, _ := render(t, s, o); got != "v1" {
		t.Errorf("production set re-read its template: got %q", got)
	}
	s.Invalidate()
	if got, _ := render(t, s, o); got != "v2" {
		t.Errorf("after Invalidate: got %q", got)
	}
}

func TestReloadWithoutDirNeverCaches(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, dir, "posts/index.html.tmpl", `v1`)
	s, err := New(Config{FS: os.DirFS(dir), Reload: true})
	if err != nil {
		t.Fatal(err)
	}
	o := Options{Controller: "posts", Template: "index"}
	eventually(t, s, o, "v1")
	writeFile(t, dir, "posts/index.html.tmpl", `v2`)
	if got, _ := render(t, s, o); got != "v2" {
		t.Errorf("got %q, want v2 at once", got)
	}
}
