package view

import (
	"embed"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// appFiles is the sample app of testdata/app, embedded as a production
// binary would embed its views and public pages. "all:" is needed: without
// it go:embed skips files starting with "_", which partials do.
//
//go:embed all:testdata/app
var appFiles embed.FS

func appFS(t testing.TB, dir string) fs.FS {
	t.Helper()
	sub, err := fs.Sub(appFiles, "testdata/app/"+dir)
	if err != nil {
		t.Fatal(err)
	}
	return sub
}

type appData struct {
	Posts []*post
	Post  *post
}

func samplePosts() []*post {
	var ps []*post
	for i := range 3 {
		ps = append(ps, &post{ID: int64(i + 1), Title: "Post <" + string(rune('A'+i)) + ">", Body: "A body that is long enough to be truncated & escaped",
			PublishAt: now.Add(-time.Duration(i+1) * 3 * time.Hour)})
	}
	return ps
}

func appHelpers(path string) Helpers {
	return Helpers{CSRFToken: func() string { return "t0k3n" }, URLs: fakeURLs{}, RequestPath: path, Flash: map[string]string{"notice": "Post was <saved>."}}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	file := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (run with -update after checking):\n got:\n%s\nwant:\n%s", name, got, want)
	}
}

// TestEmbeddedApp renders the sample app from an embed.FS, as production
// does, and compares whole pages with golden files.
func TestEmbeddedApp(t *testing.T) {
	t.Parallel()
	s, err := New(Config{FS: appFS(t, "views"), Now: func() time.Time { return now }, Funcs: routeFuncs(),
		Assets: map[string]string{"application.css": "application-3f2a.css", "application.js": "application-77e1.js"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Check(); err != nil {
		t.Fatalf("Check: %v", err)
	}
	edited := samplePosts()[0]
	edited.errs = map[string][]string{"title": {"can't be blank"}}
	tests := []struct {
		name string
		o    Options
	}{
		{"posts_index.html", Options{Controller: "posts", Template: "index", Data: appData{Posts: samplePosts()}, Helpers: appHelpers("/posts")}},
		{"posts_edit.html", Options{Controller: "posts", Template: "edit", Data: appData{Post: edited}, Helpers: appHelpers("/posts/1/edit")}},
		{"posts_show.json", Options{Controller: "posts", Template: "show", Format: "json", Data: appData{Post: edited}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := render(t, s, tt.o)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tt.name, got)
		})
	}
}
