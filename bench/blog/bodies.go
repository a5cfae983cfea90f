package blog

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"html"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
)

// Bodies fetches every endpoint from the server at addr. An answer other
// than 200 OK is an error.
func Bodies(ctx context.Context, addr string) (map[string][]byte, error) {
	bodies := map[string][]byte{}
	for _, e := range Endpoints {
		code, body, err := Get(ctx, addr, e.Path)
		if err != nil {
			return nil, fmt.Errorf("GET %s: %w", e.Path, err)
		}
		if code != http.StatusOK {
			return nil, fmt.Errorf("GET %s: status %d: %.300s", e.Path, code, body)
		}
		bodies[e.Name] = body
	}
	return bodies, nil
}

// SameBodies compares the SHA-256 of each endpoint's body with the
// reference's and, when they differ, says where.
func SameBodies(ref, got map[string][]byte) error {
	for _, e := range Endpoints {
		a, b := ref[e.Name], got[e.Name]
		if sha256.Sum256(a) == sha256.Sum256(b) {
			continue
		}
		i := 0
		for i < len(a) && i < len(b) && a[i] == b[i] {
			i++
		}
		from := max(i-80, 0)
		return fmt.Errorf("%s: bodies differ (sha256 %x vs %x, %d vs %d bytes) at byte %d:\nwant ...%q\ngot  ...%q",
			e.Path, sha256.Sum256(a), sha256.Sum256(b), len(a), len(b), i, clip(a, from, i+80), clip(b, from, i+80))
	}
	return nil
}

func clip(b []byte, from, to int) []byte {
	return b[min(from, len(b)):min(to, len(b))]
}

// Digest is a short SHA-256 of a body, for reports.
func Digest(body []byte) string {
	sum := sha256.Sum256(body)
	return fmt.Sprintf("%x", sum[:6])
}

// Check verifies a server's bodies against the workload itself, so that
// servers agreeing on a wrong page cannot pass: /hello's text, the index
// listing the 20 newest posts in order (created_at DESC, id DESC), each
// with its escaped title and its body cut to 100 characters, and the JSON
// of post 500 with Rails' keys and time format.
func Check(bodies map[string][]byte, posts []Post) error {
	if got := string(bodies["hello"]); got != "Hello, World!" {
		return fmt.Errorf("/hello = %q, want %q", got, "Hello, World!")
	}
	newest := slices.Clone(posts)
	slices.SortFunc(newest, func(a, b Post) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return cmp.Compare(b.ID, a.ID)
	})
	page := string(bodies["posts"])
	if !strings.HasPrefix(page, "<!doctype html>") || !strings.Contains(page, "<title>Posts | Blog</title>") || !strings.Contains(page, "<nav>") {
		return fmt.Errorf("/posts is not the layout with doctype, title and nav:\n%.500s", page)
	}
	items := liRE.FindAllStringSubmatch(page, -1)
	if len(items) != 20 {
		return fmt.Errorf("/posts lists %d posts, want 20", len(items))
	}
	for i, item := range items {
		p := newest[i]
		want := fmt.Sprintf(`<li><a href="/posts/%d">%s</a>: %s</li>`, p.ID, html.EscapeString(p.Title), html.EscapeString(truncate100(p.Body)))
		if item[0] != want {
			return fmt.Errorf("/posts item %d:\n got %s\nwant %s", i+1, item[0], want)
		}
	}
	var j map[string]any
	if err := json.Unmarshal(bodies["json"], &j); err != nil {
		return fmt.Errorf("/posts/500.json: %w", err)
	}
	p := posts[499]
	want := map[string]any{"id": float64(500), "title": p.Title, "body": p.Body,
		"created_at": p.CreatedAt.Format("2006-01-02T15:04:05.000Z"), "updated_at": p.UpdatedAt.Format("2006-01-02T15:04:05.000Z")}
	if !maps.Equal(j, want) {
		return fmt.Errorf("/posts/500.json = %s, want %v", bodies["json"], want)
	}
	return nil
}

var liRE = regexp.MustCompile(`<li>.*</li>`)

// truncate100 is Rails' truncate(s, length: 100): at most 100 characters,
// "..." included.
func truncate100(s string) string {
	if r := []rune(s); len(r) > 100 {
		return string(r[:97]) + "..."
	}
	return s
}
