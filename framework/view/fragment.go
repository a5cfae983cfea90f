package view

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"path"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Fragment names one cached fragment: Key holds the partial, its template
// digest and what it shows ("views/posts/_post:3fa1.../posts/42"), Version
// the shown record's updated_at, so that an edit replaces the entry in
// place (Rails' recyclable cache keys).
type Fragment struct {
	Key     string
	Version string
}

// FragmentCache is where render_cached and render_collection_cached keep
// rendered partials: the framework gives the app's cache. Both calls are
// best effort: a failing store is a miss and an unwritten fragment (the
// cache logs it), never a failed page.
type FragmentCache interface {
	// ReadFragments reads the fragments in one round trip; found[i] says
	// whether html[i] is a hit.
	ReadFragments(ctx context.Context, keys []Fragment) (html []string, found []bool)
	// WriteFragments writes the fragments in one round trip.
	WriteFragments(ctx context.Context, keys []Fragment, html []string)
}

// fragmentRecord is cache.Record (record's models implement it); view
// does not import cache.
type fragmentRecord interface {
	CacheTable() string
	CacheID() string
	CacheUpdatedAt() time.Time
}

// caching reports whether fragments are cached now.
func (s *Set) caching() bool {
	if s.cfg.Fragments == nil {
		return false
	}
	return s.cfg.PerformCaching == nil || s.cfg.PerformCaching()
}

// digest is the partial's template digest: the SHA-256 of the parse trees
// of the partial and of every partial it renders by a constant name, so
// that editing any of them changes the fragments' keys (Rails'
// ActionView::Digestor). Computed once per compiled unit.
func (u *unit) digest() string {
	u.digestOnce.Do(func() {
		names := make([]string, 0, len(u.src))
		for name := range u.src {
			names = append(names, name)
		}
		slices.Sort(names)
		h := sha256.New()
		for _, name := range names {
			fmt.Fprintf(h, "%s\x00", name)
			if t := u.src[name]; t != nil && t.Root != nil {
				h.Write([]byte(t.Root.String()))
			}
			h.Write([]byte{0})
		}
		u.digestSum = hex.EncodeToString(h.Sum(nil)[:16])
	})
	return u.digestSum
}

// fragmentKey is the cache key of partial name showing obj with the extra
// locals kv: records key by table and id and version by updated_at;
// strings, booleans and numbers key by their value. Anything else cannot
// say when it changed, and is refused.
func fragmentKey(prefix string, obj any, kv []any) (Fragment, error) {
	var b strings.Builder
	b.WriteString(prefix)
	f := Fragment{}
	if r, ok := obj.(fragmentRecord); ok {
		id := r.CacheID()
		if id == "" {
			id = "new"
		}
		b.WriteString(r.CacheTable() + "/" + id)
		if t := r.CacheUpdatedAt(); !t.IsZero() {
			f.Version = strconv.FormatInt(t.UTC().UnixMicro(), 10)
		}
	} else if err := scalarKey(&b, obj); err != nil {
		return f, err
	}
	for i := 0; i+1 < len(kv); i += 2 {
		fmt.Fprintf(&b, "/%v=", kv[i])
		if r, ok := kv[i+1].(fragmentRecord); ok {
			fmt.Fprintf(&b, "%s/%s@%d", r.CacheTable(), r.CacheID(), r.CacheUpdatedAt().UnixMicro())
			continue
		}
		if err := scalarKey(&b, kv[i+1]); err != nil {
			return f, fmt.Errorf("local %v: %w", kv[i], err)
		}
	}
	f.Key = b.String()
	return f, nil
}

func scalarKey(b *strings.Builder, v any) error {
	switch v := v.(type) {
	case string:
		b.WriteString(strconv.Quote(v))
	case bool, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64:
		fmt.Fprint(b, v)
	case nil:
		b.WriteString("nil")
	default:
		return fmt.Errorf("%w: a %T cannot key a cached fragment (give a record, with its table, id and updated_at, or a string or number)", ErrHelper, v)
	}
	return nil
}

// renderCached is render_cached: {{render_cached . "post" .Data.Post}}
// renders the partial _post with the local post, as render does, through
// the fragment cache: keyed by the partial, its template digest and the
// record (or string or number), versioned by the record's updated_at.
// Extra locals follow as pairs and are part of the key. Without caching
// (development without `gorails dev:cache`, test) it is render.
func renderCached(ctx *Context, name string, obj any, kv ...any) (template.HTML, error) {
	as := strings.TrimPrefix(path.Base(name), "_")
	locals := append([]any{as, obj}, kv...)
	if ctx == nil || ctx.set == nil || !ctx.set.caching() {
		return renderPartial(ctx, name, locals...)
	}
	prefix, err := ctx.fragmentPrefix(name)
	if err != nil {
		return "", err
	}
	key, err := fragmentKey(prefix, obj, kv)
	if err != nil {
		return "", fmt.Errorf("render_cached %q: %w", name, err)
	}
	fc := ctx.set.cfg.Fragments
	rctx := ctx.requestContext()
	html, found := fc.ReadFragments(rctx, []Fragment{key})
	if len(found) == 1 && found[0] {
		return template.HTML(html[0]), nil
	}
	out, err := renderPartial(ctx, name, locals...)
	if err != nil {
		return "", err
	}
	fc.WriteFragments(rctx, []Fragment{key}, []string{string(out)})
	return out, nil
}

// renderCollectionCached is render_collection_cached: render_collection
// through the fragment cache, each element keyed as render_cached keys
// it, with every fragment read in one multi-read and the misses rendered
// and written in one multi-write (Rails' render collection cached: true).
func renderCollectionCached(ctx *Context, name string, items any, kv ...any) (template.HTML, error) {
	if ctx == nil || ctx.set == nil || !ctx.set.caching() {
		return renderCollection(ctx, name, items, kv...)
	}
	list, err := elements(name, items)
	if err != nil || len(list) == 0 {
		return "", err
	}
	prefix, err := ctx.fragmentPrefix(name)
	if err != nil {
		return "", err
	}
	keys := make([]Fragment, len(list))
	for i, it := range list {
		if keys[i], err = fragmentKey(prefix, it, kv); err != nil {
			return "", fmt.Errorf("render_collection_cached %q: element %d: %w", name, i, err)
		}
	}
	fc := ctx.set.cfg.Fragments
	rctx := ctx.requestContext()
	html, found := fc.ReadFragments(rctx, keys)
	if len(html) != len(keys) || len(found) != len(keys) {
		html, found = make([]string, len(keys)), make([]bool, len(keys))
	}
	var missKeys []Fragment
	var missHTML []string
	for i := range list {
		if found[i] {
			continue
		}
		// Rendered alone, with its own index as the counter.
		out, err := renderCollectionFrom(ctx, name, []any{list[i]}, i, kv...)
		if err != nil {
			return "", err
		}
		html[i] = string(out)
		missKeys, missHTML = append(missKeys, keys[i]), append(missHTML, string(out))
	}
	if len(missKeys) > 0 {
		fc.WriteFragments(rctx, missKeys, missHTML)
	}
	return template.HTML(strings.Join(html, "")), nil
}

// elements returns a slice's elements.
func elements(name string, items any) ([]any, error) {
	switch items := items.(type) {
	case nil:
		return nil, nil
	case []any:
		return items, nil
	}
	rv := reflect.ValueOf(items)
	if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
		return nil, fmt.Errorf("%w: render_collection_cached %q: %T is not a slice", ErrHelper, name, items)
	}
	out := make([]any, rv.Len())
	for i := range out {
		out[i] = rv.Index(i).Interface()
	}
	return out, nil
}

// fragmentPrefix is "views/<partial file>:<digest>/".
func (c *Context) fragmentPrefix(name string) (string, error) {
	u, err := c.set.partialUnit(c.controller, name, c.u.format)
	if err != nil {
		return "", err
	}
	return "views/" + u.file + ":" + u.digest() + "/", nil
}

func (c *Context) requestContext() context.Context {
	if c.RequestContext != nil {
		return c.RequestContext
	}
	return context.Background()
}
