package controller

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/gorails/gorails/framework/csrf"
	"github.com/gorails/gorails/framework/middleware"
)

// Fresh holds the validators of a response for FreshWhen and Stale
// (Rails' fresh_when etag:, last_modified:, public:).
type Fresh struct {
	// ETag is what the page is made of: a record (its table, id and
	// updated_at: "posts/42-20240102150405123456"), a slice of records, a
	// string, or any value JSON can encode. It is digested with the
	// request's format, its flash and its session's CSRF secret (so a page
	// whose forms carry a token is revalidated when the session's secret
	// changes) into a weak ETag. nil: no ETag.
	ETag any
	// LastModified is when the page last changed (zero: no Last-Modified).
	LastModified time.Time
	// Strong sends a strong ETag ("x") instead of a weak one (W/"x").
	Strong bool
	// Public lets shared caches (proxies, CDNs) keep the response
	// (Cache-Control: public); the default is private.
	Public bool
}

// cacheRecord is cache.Record, which record's models implement; controller
// does not import cache.
type cacheRecord interface {
	CacheTable() string
	CacheID() string
	CacheUpdatedAt() time.Time
}

// FreshWhen sets the response's ETag and Last-Modified from f and, when
// the request's If-None-Match or If-Modified-Since shows the client already
// has this version, answers 304 Not Modified with no body, which ends the
// action: the implicit render does not run. Otherwise the action renders as
// usual. Only GET and HEAD requests can be fresh. It fails when the ETag
// cannot be encoded or the action already rendered.
func (b *Base) FreshWhen(f Fresh) error {
	if b.performed {
		return fmt.Errorf("%s#%s: FreshWhen after the response was rendered: %w", b.action.Controller, b.action.Name, ErrDoubleRender)
	}
	h := b.w.Header()
	if f.ETag != nil {
		etag, err := b.etag(f)
		if err != nil {
			return fmt.Errorf("%s#%s: FreshWhen: %w", b.action.Controller, b.action.Name, err)
		}
		h.Set("ETag", etag)
	}
	if !f.LastModified.IsZero() {
		h.Set("Last-Modified", f.LastModified.UTC().Format(http.TimeFormat))
	}
	cc := "max-age=0, private, must-revalidate"
	if f.Public {
		cc = "public"
	}
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", cc)
	}
	if b.requestFresh(f) {
		return b.Head(http.StatusNotModified)
	}
	return nil
}

// Stale is FreshWhen for an action that renders itself: it reports whether
// the client needs the page (render it), and has answered 304 when not.
//
//	if !c.Stale(controller.Fresh{ETag: post, LastModified: post.UpdatedAt}) {
//		return nil
//	}
//	return c.Render()
//
// A failure (an ETag that cannot be encoded) is logged and the page is
// treated as stale, so it renders.
func (b *Base) Stale(f Fresh) bool {
	if err := b.FreshWhen(f); err != nil {
		b.log.Error("stale?", "action", b.action.String(), "error", err.Error())
		return !b.performed
	}
	return !b.performed
}

// requestFresh reports whether the request's validators match the
// response's headers just set (RFC 9110: If-None-Match wins).
func (b *Base) requestFresh(f Fresh) bool {
	r := b.req.HTTP()
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		etag := b.w.Header().Get("ETag")
		return etag != "" && middleware.ETagMatches(inm, etag)
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" && !f.LastModified.IsZero() {
		since, err := http.ParseTime(ims)
		return err == nil && !f.LastModified.Truncate(time.Second).After(since)
	}
	return false
}

// ExpiresIn sets Cache-Control so that caches keep the response for d
// without revalidating (Rails' expires_in): "max-age=N, private", or
// public with Public; extra directives ("must-revalidate",
// "stale-while-revalidate=60") are appended.
func (b *Base) ExpiresIn(d time.Duration, public bool, directives ...string) {
	parts := []string{"max-age=" + strconv.FormatInt(int64(max(d, 0)/time.Second), 10)}
	if public {
		parts = append(parts, "public")
	} else {
		parts = append(parts, "private")
	}
	parts = append(parts, directives...)
	b.w.Header().Set("Cache-Control", strings.Join(parts, ", "))
}

// ExpiresNow marks the response as not to be reused without revalidation
// (Rails' expires_now: "no-cache").
func (b *Base) ExpiresNow() { b.w.Header().Set("Cache-Control", "no-cache") }

// NoStore tells every cache, the browser's included, not to keep the
// response (Rails' no_store), for pages with private data.
func (b *Base) NoStore() { b.w.Header().Set("Cache-Control", "no-store") }

// etag digests f.ETag with what else makes this response differ: the
// format, the flash shown, and the session's CSRF secret.
func (b *Base) etag(f Fresh) (string, error) {
	hs := sha256.New()
	if err := etagKey(hs, f.ETag); err != nil {
		return "", err
	}
	r := b.req.HTTP()
	fmt.Fprintf(hs, "\x00format=%s", b.format())
	if fl := b.Flash(); fl != nil {
		for _, k := range fl.Keys() { // sorted
			fmt.Fprintf(hs, "\x00flash:%s=%s", k, fl.Get(k))
		}
	}
	if b.format() == "html" {
		// An HTML page carries tokens (a new app's layout has
		// csrf_meta_tags): make the session's secret now, as the render
		// would, so the first response's ETag is the one later requests
		// compute.
		_ = csrf.Token(r)
	}
	fmt.Fprintf(hs, "\x00csrf=%s", csrf.SecretDigest(r))
	sum := hex.EncodeToString(hs.Sum(nil)[:16])
	if f.Strong {
		return `"` + sum + `"`, nil
	}
	return `W/"` + sum + `"`, nil
}

type writer interface{ Write([]byte) (int, error) }

// etagKey writes v's cache key: records as "table/id-version", slices
// element by element, strings as they are, the rest as JSON.
func etagKey(w writer, v any) error {
	switch v := v.(type) {
	case string:
		_, err := fmt.Fprintf(w, "s%d:%s", len(v), v)
		return err
	case []byte:
		_, err := fmt.Fprintf(w, "b%d:%s", len(v), v)
		return err
	case cacheRecord:
		_, err := fmt.Fprintf(w, "r:%s/%s-%d", v.CacheTable(), v.CacheID(), v.CacheUpdatedAt().UnixNano())
		return err
	case []any:
		for _, e := range v {
			if err := etagKey(w, e); err != nil {
				return err
			}
		}
		return nil
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Slice && rv.Type().Elem().Implements(reflect.TypeFor[cacheRecord]()) {
		fmt.Fprintf(w, "[%d:", rv.Len())
		for i := range rv.Len() {
			if err := etagKey(w, rv.Index(i).Interface()); err != nil {
				return err
			}
		}
		_, err := w.Write([]byte("]"))
		return err
	}
	js, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("ETag %T: %w", v, err)
	}
	_, err = fmt.Fprintf(w, "j:%s", js)
	return err
}
