package generator

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

func TestRenderExpandsTemplatesAndPaths(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{
		"tpl/app/models/[[.File]].go.tt": {Data: []byte("type [[.Type]] struct{} // {{ kept }}\n")},
		"tpl/public/robots.txt":          {Data: []byte("[[ copied as is ]]\n")},
	}
	files, err := Render(fsys, "tpl", map[string]string{"File": "post", "Type": "Post"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range files {
		got[f.Path] = string(f.Data)
	}
	want := map[string]string{
		"app/models/post.go": "type Post struct{} // {{ kept }}\n",
		"public/robots.txt":  "[[ copied as is ]]\n",
	}
	for p, w := range want {
		if got[p] != w {
			t.Errorf("%s = %q, want %q", p, got[p], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("rendered %v", got)
	}
}

func TestRenderReportsAMissingKey(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{"tpl/a.tt": {Data: []byte("[[.Nope]]")}}
	if _, err := Render(fsys, "tpl", map[string]string{}, nil); err == nil {
		t.Fatal("a template naming a missing key rendered")
	}
}

func TestWrite(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		existing string // content of a.txt before, "" for none
		force    bool
		wantErr  error
		wantOut  string
		wantFile string
	}{
		{"a new file is created", "", false, nil, "create  a.txt", "new"},
		{"an identical file is left alone", "new", false, nil, "identical  a.txt", "new"},
		{"a different file is refused without force", "old", false, ErrExists, "", "old"},
		{"a different file is replaced with force", "old", true, nil, "force  a.txt", "new"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if tt.existing != "" {
				if err := os.WriteFile(filepath.Join(dir, "a.txt"), []byte(tt.existing), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			var out bytes.Buffer
			files := []File{{Path: "b/b.txt", Data: []byte("b"), Mode: 0o644}, {Path: "a.txt", Data: []byte("new"), Mode: 0o644}}
			err := Write(dir, files, tt.force, &out)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if !strings.Contains(out.String(), tt.wantOut) {
				t.Errorf("output %q lacks %q", out.String(), tt.wantOut)
			}
			got, _ := os.ReadFile(filepath.Join(dir, "a.txt"))
			if string(got) != tt.wantFile {
				t.Errorf("a.txt = %q, want %q", got, tt.wantFile)
			}
			if _, statErr := os.Stat(filepath.Join(dir, "b", "b.txt")); (statErr == nil) != (tt.wantErr == nil) {
				t.Errorf("b/b.txt exists = %v; a refused write must write nothing", statErr == nil)
			}
		})
	}
}

func TestWriteTreeIsAllOrNothing(t *testing.T) {
	t.Parallel()
	parent := t.TempDir()
	files := []File{{Path: "go.mod", Data: []byte("module x\n"), Mode: 0o644}}

	t.Run("a new directory is created whole", func(t *testing.T) {
		var out bytes.Buffer
		dst := filepath.Join(parent, "fresh")
		if err := WriteTree(dst, files, &out); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(dst, "go.mod")); err != nil {
			t.Error(err)
		}
	})
	t.Run("an empty directory is filled", func(t *testing.T) {
		dst := filepath.Join(parent, "empty")
		if err := os.Mkdir(dst, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := WriteTree(dst, files, &bytes.Buffer{}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("a non-empty directory is refused and left untouched", func(t *testing.T) {
		dst := filepath.Join(parent, "busy")
		if err := os.MkdirAll(dst, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, "mine"), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := WriteTree(dst, files, &bytes.Buffer{}); !errors.Is(err, ErrNotEmpty) {
			t.Fatalf("err = %v, want ErrNotEmpty", err)
		}
		entries, _ := os.ReadDir(dst)
		if len(entries) != 1 {
			t.Errorf("the directory was changed: %v", entries)
		}
		siblings, _ := os.ReadDir(parent)
		for _, e := range siblings {
			if strings.Contains(e.Name(), ".tmp-") {
				t.Errorf("a temporary directory was left behind: %s", e.Name())
			}
		}
	})
}

func TestRemoveReportsEachFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.go"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := Remove(dir, []string{"a.go", "gone.go"}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "remove  a.go") || !strings.Contains(out.String(), "missing  gone.go") {
		t.Errorf("output:\n%s", out.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "a.go")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a.go still exists: %v", err)
	}
}
