package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// snapshotTree reads every file under root (slash paths).
func snapshotTree(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(root, p)
		out[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// withAuthor adds an Author model, so that author:references has a target.
func withAuthor(t *testing.T, root string) {
	t.Helper()
	if err := generateModel(root, "Author", []string{"name:string"}, genTime.Add(-time2s), false, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
}

const time2s = 2e9 // two seconds, as a time.Duration

var scaffoldArgs = []string{"title:string", "body:text", "published:boolean", "author:references", "views:integer",
	"rating:decimal", "published_on:date", "starts_at:datetime", "reminder:time", "meta:json", "token:uuid:uniq"}

// TestGenerateScaffoldGolden pins what `gorails generate scaffold Post ...`
// writes and prints, every field type included.
func TestGenerateScaffoldGolden(t *testing.T) {
	t.Parallel()
	root := newTestApp(t)
	withAuthor(t, root)
	before := snapshotTree(t, root)
	var out bytes.Buffer
	if err := generateScaffold(root, "Post", scaffoldArgs, true, genTime, false, &out); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{"output.txt": out.String()}
	for p, data := range snapshotTree(t, root) {
		if before[p] != data && !strings.HasPrefix(p, "public/assets/") {
			got[p] = data
		}
	}
	checkGolden(t, "scaffold/post", got)
}

func TestGenerateResourceGolden(t *testing.T) {
	t.Parallel()
	root := newTestApp(t)
	before := snapshotTree(t, root)
	var out bytes.Buffer
	if err := generateScaffold(root, "Tag", []string{"name:string:uniq"}, false, genTime, false, &out); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{"output.txt": out.String()}
	for p, data := range snapshotTree(t, root) {
		if before[p] != data {
			got[p] = data
		}
	}
	if _, ok := got["public/assets/application.css"]; ok {
		t.Error("generate resource wrote the scaffold's assets")
	}
	checkGolden(t, "resource/tag", got)
}

// TestDestroyScaffoldRemovesWhatGenerateCreated: generate then destroy
// leaves the app as it was, file for file (routes.go included).
func TestDestroyScaffoldRemovesWhatGenerateCreated(t *testing.T) {
	t.Parallel()
	for _, full := range []bool{true, false} {
		root := newTestApp(t)
		withAuthor(t, root)
		// The assets belong to the app once written: destroy keeps them.
		for _, p := range scaffoldAssets {
			if err := os.MkdirAll(filepath.Join(root, filepath.Dir(p)), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(root, p), []byte("/* the app's */"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		before := snapshotTree(t, root)
		if err := generateScaffold(root, "BlogPost", scaffoldArgs, full, genTime, false, &bytes.Buffer{}); err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		changed, err := destroyScaffold(root, "BlogPost", full, &out)
		if err != nil || !changed {
			t.Fatalf("destroy (full=%v) = %v, %v\n%s", full, changed, err, out.String())
		}
		after := snapshotTree(t, root)
		for p := range after {
			if _, ok := before[p]; !ok {
				t.Errorf("full=%v: %s is left after destroy", full, p)
			}
		}
		for p, data := range before {
			if after[p] != data {
				t.Errorf("full=%v: %s changed or removed by generate+destroy:\n%s", full, p, after[p])
			}
		}
		if _, err := os.Stat(filepath.Join(root, "app/views/blog_posts")); full && !errors.Is(err, os.ErrNotExist) {
			t.Errorf("the views folder is left: %v", err)
		}
	}
}

func TestGenerateScaffoldRejectsBadInput(t *testing.T) {
	t.Parallel()
	root := newTestApp(t)
	withAuthor(t, root)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"a name going up a folder", []string{"../x"}, `".." is not`},
		{"a doubled slash", []string{"admin//post"}, "has an empty part"},
		{"a namespace without a name", []string{"Admin::"}, "has an empty part"},
		{"a leading slash", []string{"/post"}, "has an empty part"},
		{"a namespace starting with a digit", []string{"1admin/post"}, `"1admin" is not`},
		{"both separators", []string{"Admin::Blog/post"}, "not both separators"},
		{"a Go keyword as namespace", []string{"func/post"}, `"func" is a Go keyword`},
		{"a Go keyword as name", []string{"admin/type"}, `"type" is a Go keyword`},
		{"a namespaced uncountable name", []string{"admin/news"}, "its plural is the same word"},
		{"a name with punctuation", []string{"Post;rm"}, "invalid model name"},
		{"a name starting with a digit", []string{"1Post"}, "invalid model name"},
		{"an uncountable name", []string{"News", "title"}, "its plural is the same word"},
		{"a reserved model name", []string{"Application"}, "is reserved"},
		{"a name whose controller field hides a Base method", []string{"Param"}, "would hide a method of controller.Base"},
		{"an unknown type", []string{"Post", "title:strin"}, `unknown type or option "strin"`},
		{"a bad field name", []string{"Post", "Title:string"}, "snake_case"},
		{"a field named like a Model method", []string{"Post", "errors:string"}, "of record.Model; choose another name"},
		{"a field that would hide the embedded record.Model", []string{"Post", "model:string"}, "of record.Model; choose another name"},
		{"a field record.Model has", []string{"Post", "created_at:datetime"}, "record.Model already has created_at"},
		{"a duplicate column", []string{"Post", "title", "title:text"}, `field "title" is given twice`},
		{"a reference and its column", []string{"Post", "author:references", "author_id:integer"}, `field "author_id" is given twice`},
		{"a reference to a model that does not exist", []string{"Post", "user:references"}, "there is no model User in app/models"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := snapshotTree(t, root)
			err := generateScaffold(root, tt.args[0], tt.args[1:], true, genTime, false, &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error containing %q", err, tt.want)
			}
			if after := snapshotTree(t, root); len(after) != len(before) {
				t.Errorf("a rejected scaffold wrote files")
			}
		})
	}
}
