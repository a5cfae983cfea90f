package blog_test

import (
	"bytes"
	"cmp"

	"slices"
	"strings"
	"testing"

	"github.com/gorails/gorails/bench/blog"
	"github.com/gorails/gorails/bench/blog/internal/baseline"
)

// goodBodies renders the three bodies with the hand-written servers' code,
// in process.
func goodBodies(t *testing.T, posts []blog.Post) map[string][]byte {
	t.Helper()
	newest := slices.Clone(posts)
	slices.SortFunc(newest, func(a, b blog.Post) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return cmp.Compare(b.ID, a.ID)
	})
	var page []baseline.Post
	for _, p := range newest[:baseline.PageSize] {
		page = append(page, baseline.Post(p))
	}
	var html, json bytes.Buffer
	if err := baseline.Templates.ExecuteTemplate(&html, "index", page); err != nil {
		t.Fatal(err)
	}
	if err := baseline.WriteJSON(&json, baseline.Post(posts[499])); err != nil {
		t.Fatal(err)
	}
	return map[string][]byte{"hello": []byte(baseline.Hello), "posts": html.Bytes(), "json": json.Bytes()}
}

func TestCheckAcceptsTheRightBodiesAndRejectsWrongOnes(t *testing.T) {
	posts := blog.Posts(blog.SeedCount)
	good := goodBodies(t, posts)
	if err := blog.Check(good, posts); err != nil {
		t.Fatalf("the hand-written servers' bodies fail the check: %v", err)
	}
	wrong := []struct {
		name     string
		endpoint string
		change   func(string) string
	}{
		{"hello with a newline", "hello", func(s string) string { return s + "\n" }},
		{"posts without the layout", "posts", func(s string) string { return s[strings.Index(s, "<h1>"):] }},
		{"posts in the wrong order", "posts", func(s string) string {
			return strings.Replace(strings.Replace(s, `"/posts/990"`, `"/posts/X"`, 1), `"/posts/989"`, `"/posts/990"`, 1)
		}},
		{"posts with an unescaped body", "posts", func(s string) string { return strings.Replace(s, "&lt;", "<", 1) }},
		{"posts with a body cut one character longer", "posts", func(s string) string { return strings.Replace(s, "...</li>", "X...</li>", 1) }},
		{"posts with 19 items", "posts", func(s string) string {
			i := strings.LastIndex(s, "\n  <li>")
			j := strings.Index(s[i:], "</li>")
			return s[:i] + s[i+j+5:]
		}},
		{"json with Go's time format", "json", func(s string) string { return strings.Replace(s, ".165Z", ".165123Z", 1) }},
		{"json with Go's key names", "json", func(s string) string { return strings.Replace(s, `"created_at"`, `"CreatedAt"`, 1) }},
	}
	for _, w := range wrong {
		t.Run(w.name, func(t *testing.T) {
			bodies := map[string][]byte{}
			for k, v := range good {
				bodies[k] = v
			}
			changed := w.change(string(good[w.endpoint]))
			if changed == string(good[w.endpoint]) {
				t.Fatal("the change changed nothing")
			}
			bodies[w.endpoint] = []byte(changed)
			if err := blog.Check(bodies, posts); err == nil {
				t.Error("Check accepted it")
			}
			if err := blog.SameBodies(good, bodies); err == nil {
				t.Error("SameBodies accepted it")
			}
		})
	}
}
