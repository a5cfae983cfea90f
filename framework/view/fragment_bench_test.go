package view

import (
	"context"
	"io"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gorails/gorails/framework/cache"
)

// cacheFragments is the framework's adapter (framework.fragmentCache) over
// a real cache: the path a generated app takes.
type cacheFragments struct{ c *cache.Cache }

func (f cacheFragments) ReadFragments(ctx context.Context, keys []Fragment) ([]string, []bool) {
	ks := make([]cache.Key, len(keys))
	for i, k := range keys {
		ks[i] = cache.Key{Name: k.Key, Version: k.Version}
	}
	hits, _ := cache.ReadMulti[string](ctx, f.c, ks)
	html, found := make([]string, len(keys)), make([]bool, len(keys))
	for i, k := range keys {
		html[i], found[i] = hits[k.Key]
	}
	return html, found
}

func (f cacheFragments) WriteFragments(ctx context.Context, keys []Fragment, html []string) {
	m := make(map[cache.Key]string, len(keys))
	for i, k := range keys {
		m[cache.Key{Name: k.Key, Version: k.Version}] = html[i]
	}
	_ = cache.WriteMulti(ctx, f.c, m, cache.Options{})
}

// fragItem is a record shown by the partial.
type fragItem struct {
	ID      string
	Title   string
	Author  string
	Updated time.Time
}

func (p fragItem) CacheTable() string        { return "posts" }
func (p fragItem) CacheID() string           { return p.ID }
func (p fragItem) CacheUpdatedAt() time.Time { return p.Updated }

// BenchmarkFragmentCacheHit compares a page of 20 items rendered through
// render_collection (the baseline: no cache) with the same page through
// render_collection_cached on an in-memory cache, every fragment a hit,
// and with a single render_cached of the whole list.
func BenchmarkFragmentCacheHit(b *testing.B) {
	partial := `<li id="post_{{.Locals.post.ID}}"><a href="/posts/{{.Locals.post.ID}}">{{.Locals.post.Title}}</a>
  by {{.Locals.post.Author}} <time datetime="{{.Locals.post.Updated.Format "2006-01-02"}}">{{.Locals.post.Updated.Format "Jan 2"}}</time>
  {{if gt (len .Locals.post.Title) 10}}<span class="long">long</span>{{end}}</li>
`
	fs := fstest.MapFS{
		"posts/plain.html.tmpl":  {Data: []byte(`<ul>{{render_collection . "post" .Data}}</ul>`)},
		"posts/cached.html.tmpl": {Data: []byte(`<ul>{{render_collection_cached . "post" .Data}}</ul>`)},
		"posts/_post.html.tmpl":  {Data: []byte(partial)},
	}
	c, err := cache.New(cache.Config{Store: cache.NewMemory(cache.MemoryConfig{})})
	if err != nil {
		b.Fatal(err)
	}
	s, err := New(Config{FS: fs, Fragments: cacheFragments{c}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	items := make([]fragItem, 20)
	for i := range items {
		items[i] = fragItem{ID: string(rune('a' + i)), Title: "A post about caching in gorails", Author: "Ann", Updated: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	}
	for _, tt := range []struct{ name, template string }{
		{"baseline=render_collection uncached", "plain"},
		{"render_collection_cached all hits", "cached"},
	} {
		b.Run(tt.name, func(b *testing.B) {
			o := Options{Controller: "posts", Template: tt.template, Data: items, NoLayout: true}
			if err := s.Render(io.Discard, o); err != nil { // warms the cache
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if err := s.Render(io.Discard, o); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
