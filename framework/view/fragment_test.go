package view

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"
)

// memFragments is a FragmentCache in a map that counts its round trips.
type memFragments struct {
	mu            sync.Mutex
	m             map[string]Fragment // key -> with version
	html          map[string]string
	reads, writes int
}

func newMemFragments() *memFragments {
	return &memFragments{m: map[string]Fragment{}, html: map[string]string{}}
}

func (f *memFragments) ReadFragments(_ context.Context, keys []Fragment) ([]string, []bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads++
	html, found := make([]string, len(keys)), make([]bool, len(keys))
	for i, k := range keys {
		if got, ok := f.m[k.Key]; ok && got.Version == k.Version {
			html[i], found[i] = f.html[k.Key], true
		}
	}
	return html, found
}

func (f *memFragments) WriteFragments(_ context.Context, keys []Fragment, html []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.writes++
	for i, k := range keys {
		f.m[k.Key], f.html[k.Key] = k, html[i]
	}
}

// post is a cache record, as record's models are.
type cachedPost struct {
	ID      string
	Title   string
	Updated time.Time
	renders *int
}

func (p cachedPost) CacheTable() string        { return "posts" }
func (p cachedPost) CacheID() string           { return p.ID }
func (p cachedPost) CacheUpdatedAt() time.Time { return p.Updated }

func (p cachedPost) Name() string { *p.renders++; return p.Title }

func TestRenderCachedServesTheFragmentUntilTheRecordOrTemplateChanges(t *testing.T) {
	t.Parallel()
	fs := fstest.MapFS{
		"posts/show.html.tmpl":    {Data: []byte(`[{{render_cached . "post" .Data}}]`)},
		"posts/index.html.tmpl":   {Data: []byte(`[{{render_collection_cached . "post" .Data}}]`)},
		"posts/_post.html.tmpl":   {Data: []byte(`<p>{{.Locals.post.Name}}</p>{{render . "byline"}}`)},
		"posts/_byline.html.tmpl": {Data: []byte(`<i>by me</i>`)},
	}
	frags := newMemFragments()
	on := true
	s, err := New(Config{FS: fs, Fragments: frags, PerformCaching: func() bool { return on }})
	if err != nil {
		t.Fatal(err)
	}
	renders := 0
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p := cachedPost{ID: "1", Title: "Hello", Updated: t0, renders: &renders}
	show := func(data any) string {
		t.Helper()
		out, err := render(t, s, Options{Controller: "posts", Template: "show", Data: data})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	if got := show(p); got != "[<p>Hello</p><i>by me</i>]" || renders != 1 {
		t.Fatalf("first render %q after %d renders", got, renders)
	}
	p.Title = "Changed without touching updated_at"
	if got := show(p); got != "[<p>Hello</p><i>by me</i>]" || renders != 1 {
		t.Fatalf("second render %q after %d renders; want the cached fragment", got, renders)
	}
	p.Updated = t0.Add(time.Second)
	if got := show(p); !strings.Contains(got, "Changed") || renders != 2 {
		t.Fatalf("after an update: %q after %d renders; want a fresh render", got, renders)
	}
	// Editing a partial the fragment renders changes the digest: a miss.
	fs["posts/_byline.html.tmpl"] = &fstest.MapFile{Data: []byte(`<i>by you</i>`)}
	s.Invalidate()
	if got := show(p); !strings.Contains(got, "by you") || renders != 3 {
		t.Fatalf("after a template edit: %q after %d renders", got, renders)
	}
	// Without caching, render_cached is render.
	on = false
	show(p)
	if renders != 4 {
		t.Fatalf("with caching off: %d renders; want 4", renders)
	}
	on = true

	// A collection: one multi-read, the misses in one multi-write.
	list := []cachedPost{p, {ID: "2", Title: "Two", Updated: t0, renders: &renders}, {ID: "3", Title: "Three", Updated: t0, renders: &renders}}
	reads, writes := frags.reads, frags.writes
	before := renders
	out, err := render(t, s, Options{Controller: "posts", Template: "index", Data: list})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "<p>Two</p>") || !strings.Contains(out, "<p>Three</p>") || renders-before != 2 {
		t.Fatalf("collection: %q, %d renders; want 2 (post 1 was cached)", out, renders-before)
	}
	if frags.reads-reads != 1 || frags.writes-writes != 1 {
		t.Fatalf("collection: %d reads and %d writes; want one of each", frags.reads-reads, frags.writes-writes)
	}
	again, _ := render(t, s, Options{Controller: "posts", Template: "index", Data: list})
	if again != out || renders-before != 2 {
		t.Fatalf("collection again: %d renders; want none", renders-before-2)
	}
}

func TestRenderCachedRefusesKeysThatCannotSayWhenTheyChanged(t *testing.T) {
	t.Parallel()
	fs := fstest.MapFS{
		"posts/show.html.tmpl":  {Data: []byte(`{{render_cached . "post" .Data}}`)},
		"posts/_post.html.tmpl": {Data: []byte(`x`)},
	}
	s, err := New(Config{FS: fs, Fragments: newMemFragments()})
	if err != nil {
		t.Fatal(err)
	}
	_, err = render(t, s, Options{Controller: "posts", Template: "show", Data: map[string]int{"a": 1}})
	if !errors.Is(err, ErrHelper) || !strings.Contains(err.Error(), "cannot key a cached fragment") {
		t.Fatalf("err = %v; want ErrHelper naming the problem", err)
	}
}

func TestRenderCollectionCachedGivesEveryElementItsIndexAsTheCounter(t *testing.T) {
	t.Parallel()
	fs := fstest.MapFS{
		"posts/index.html.tmpl": {Data: []byte(`{{render_collection_cached . "post" .Data}}`)},
		"posts/plain.html.tmpl": {Data: []byte(`{{render_collection . "post" .Data}}`)},
		"posts/as.html.tmpl":    {Data: []byte(`{{render_collection_cached . "post" .Data "as" "item"}}`)},
		"posts/_post.html.tmpl": {Data: []byte(`{{with .Locals.post}}[{{$.Locals.post_counter}}:{{.Name}}]{{else}}({{.Locals.item_counter}}:{{.Locals.item.Name}}){{end}}`)},
	}
	frags := newMemFragments()
	on := true
	s, err := New(Config{FS: fs, Fragments: frags, PerformCaching: func() bool { return on }})
	if err != nil {
		t.Fatal(err)
	}
	renders := 0
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	posts := make([]cachedPost, 5)
	for i := range posts {
		posts[i] = cachedPost{ID: string(rune('a' + i)), Title: string(rune('A' + i)), Updated: t0, renders: &renders}
	}
	want := "[0:A][1:B][2:C][3:D][4:E]"
	page := func(tmpl string, data []cachedPost) string {
		t.Helper()
		out, err := render(t, s, Options{Controller: "posts", Template: tmpl, Data: data})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	tests := []struct {
		name, tmpl string
		misses     []int // elements changed since the list was cached
		want       string
	}{
		{"all misses", "index", []int{0, 1, 2, 3, 4}, want},
		{"misses after hits", "index", []int{2, 3, 4}, want},
		{"hits and misses interleaved", "index", []int{1, 3}, want},
		{"all hits", "index", nil, want},
		{"renamed local", "as", []int{0, 2}, "(0:A)(1:B)(2:C)(3:D)(4:E)"},
	}
	for n, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			list := slices.Clone(posts)
			for i := range list { // versions no other case cached
				list[i].Updated = t0.Add(time.Duration(n) * time.Hour)
			}
			page(tt.tmpl, list)
			for _, i := range tt.misses {
				list[i].Updated = list[i].Updated.Add(time.Second)
			}
			before := renders
			if got := page(tt.tmpl, list); got != tt.want {
				t.Fatalf("render_collection_cached = %q; want %q", got, tt.want)
			}
			if tt.tmpl == "index" && renders-before != len(tt.misses) {
				t.Fatalf("%d elements rendered; want the %d misses", renders-before, len(tt.misses))
			}
		})
	}
	on = false
	if got := page("plain", posts); got != want {
		t.Fatalf("render_collection = %q; want %q", got, want)
	}
}
