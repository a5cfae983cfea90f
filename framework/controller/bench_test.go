package controller_test

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gorails/gorails/framework/controller"
	"github.com/gorails/gorails/framework/dispatch"
	"github.com/gorails/gorails/framework/view"
)

// The benchmark page: a layout, a view and a partial rendered once per item.
const (
	benchLayout = `<!DOCTYPE html>
<html><head><title>{{block "title" .}}Shop{{end}}</title></head>
<body><header>Signed in as {{.Data.User}}</header>
{{template "content" .}}
</body></html>
`
	benchIndex = `{{define "title"}}Items{{end}}<h1>{{len .Data.Items}} items</h1>
<ul>
{{render_collection . "item" .Data.Items}}</ul>
`
	// The same view including the partial natively (no copy of its output).
	benchIndexNative = `{{define "title"}}Items{{end}}<h1>{{len .Data.Items}} items</h1>
<ul>
{{range .Data.Items}}{{template "items/_item" (locals $ "item" .)}}{{end}}</ul>
`
	benchItem = `{{with .Locals.item}}<li id="item-{{.ID}}"><a href="/items/{{.ID}}">{{.Name}}</a> {{.Price}}</li>{{end}}
`
	// The same page for html/template alone.
	baseLayout = `<!DOCTYPE html>
<html><head><title>Items</title></head>
<body><header>Signed in as {{.User}}</header>
<h1>{{len .Items}} items</h1>
<ul>
{{range .Items}}{{template "item" .}}{{end}}</ul>

</body></html>
`
	baseItem = `{{define "item"}}<li id="item-{{.ID}}"><a href="/items/{{.ID}}">{{.Name}}</a> {{.Price}}</li>
{{end}}`
)

type benchItemT struct {
	ID    int
	Name  string
	Price string
}

// benchStore is the in-memory "database": loading copies 20 items.
type benchStore struct{ items []benchItemT }

func newBenchStore() *benchStore {
	s := &benchStore{}
	for i := range 20 {
		s.items = append(s.items, benchItemT{ID: i + 1, Name: fmt.Sprintf("Item <%d> & co", i+1), Price: fmt.Sprintf("$%d.99", i)})
	}
	return s
}

func (s *benchStore) all() []benchItemT {
	out := make([]benchItemT, len(s.items))
	copy(out, s.items)
	return out
}

// ItemsController is the gorails side: one before callback, an action that
// loads the items, an implicit render with a layout and a partial.
type ItemsController struct {
	controller.Base
	User  string
	Items []benchItemT
}

func (c *ItemsController) Callbacks(cb *controller.Chain[ItemsController]) {
	cb.Before((*ItemsController).currentUser)
}

func (c *ItemsController) currentUser() error {
	c.User = "ann"
	return nil
}

func (c *ItemsController) Index() error {
	c.Items = benchStoreFromRequest(c).all()
	return nil
}

// The store is reached through the request context, as an app would reach
// a pool.
type storeKey struct{}

func benchStoreFromRequest(c *ItemsController) *benchStore {
	return c.Request().Context().Value(storeKey{}).(*benchStore)
}

func benchViews(tb testing.TB, index string) *view.Set {
	views, err := view.New(view.Config{FS: fstest.MapFS{
		"layouts/application.html.tmpl": {Data: []byte(benchLayout)},
		"items/index.html.tmpl":         {Data: []byte(index)},
		"items/_item.html.tmpl":         {Data: []byte(benchItem)},
	}})
	if err != nil {
		tb.Fatal(err)
	}
	return views
}

// viewOnlyHandler renders the gorails page with the view set alone, no
// routing and no controller: the difference to gorailsHandler is what
// dispatch and controller cost.
func viewOnlyHandler(tb testing.TB, store *benchStore) http.Handler {
	views := benchViews(tb, benchIndex)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data := &struct {
			User  string
			Items []benchItemT
		}{"ann", store.all()}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		if err := views.Render(w, view.Options{Controller: "items", Template: "items/index", Data: data}); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	})
}

func gorailsHandler(tb testing.TB, store *benchStore, index string) http.Handler {
	views := benchViews(tb, index)
	env := &controller.Env{Views: views, Logger: slog.New(slog.DiscardHandler)}
	rs := dispatch.NewRouteSet(dispatch.Config{Invoker: env})
	if err := rs.Draw(func(r *dispatch.Mapper) {
		r.Resources("items", dispatch.For[ItemsController](), dispatch.Only("index"))
	}); err != nil {
		tb.Fatal(err)
	}
	return withStore(rs, store)
}

func withStore(h http.Handler, store *benchStore) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(contextWith(r, store)))
	})
}

func contextWith(r *http.Request, s *benchStore) context.Context {
	return context.WithValue(r.Context(), storeKey{}, s)
}

func baselineHandler(tb testing.TB, store *benchStore) http.Handler {
	t := template.Must(template.Must(template.New("page").Parse(baseLayout)).Parse(baseItem))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items", func(w http.ResponseWriter, r *http.Request) {
		s := r.Context().Value(storeKey{}).(*benchStore)
		user := "ann" // what the before callback does
		data := struct {
			User  string
			Items []benchItemT
		}{user, s.all()}
		var buf bytes.Buffer // render fully before answering, as gorails does
		if err := t.Execute(&buf, data); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(buf.Bytes())
	})
	return withStore(mux, store)
}

// discardWriter is a reusable ResponseWriter, so that the benchmark measures
// the handlers, not httptest.
type discardWriter struct {
	h    http.Header
	code int
	n    int
}

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) WriteHeader(code int)        { d.code = code }
func (d *discardWriter) Write(p []byte) (int, error) { d.n += len(p); return len(p), nil }

func TestBenchmarkPagesAreIdentical(t *testing.T) {
	t.Parallel()
	store := newBenchStore()
	handlers := []http.Handler{baselineHandler(t, store), gorailsHandler(t, store, benchIndex), gorailsHandler(t, store, benchIndexNative), viewOnlyHandler(t, store)}
	pages := make([]string, len(handlers))
	for i, h := range handlers {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/items", nil))
		if rec.Code != 200 {
			t.Fatalf("handler %d: status %d: %s", i, rec.Code, rec.Body)
		}
		pages[i] = rec.Body.String()
	}
	for i := 1; i < len(pages); i++ {
		if pages[i] != pages[0] {
			t.Errorf("page %d differs:\n%s\nbaseline:\n%s", i, pages[i], pages[0])
		}
	}
}

// BenchmarkIndexPage compares a gorails GET (route, before callback, 20
// items, partial per item, layout) with the same page from net/http and
// html/template alone. The partial is included two ways:
// render_collection (Rails' render collection:, which renders each item to
// a string first) and a native {{template}} with locals. Compare ns/op with
// the baseline's; the target is a ratio gorails/baseline of at most 1.25.
func BenchmarkIndexPage(b *testing.B) {
	store := newBenchStore()
	for _, bc := range []struct {
		name string
		h    http.Handler
	}{
		{"baseline", baselineHandler(b, store)},
		{"gorails_render_collection", gorailsHandler(b, store, benchIndex)},
		{"gorails_template_partial", gorailsHandler(b, store, benchIndexNative)},
		{"view_only", viewOnlyHandler(b, store)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			w := serveLoop(b, bc.h, "/items")
			if w.code != 200 || w.n == 0 {
				b.Fatalf("status %d, %d bytes", w.code, w.n)
			}
		})
	}
}

// BenchmarkIndexPageRatio interleaves the baseline and gorails in blocks of
// 20 requests and reports the ratio of their fastest blocks, which holds
// still on a machine shared with other work, where separate sub-benchmarks
// drift apart.
func BenchmarkIndexPageRatio(b *testing.B) {
	store := newBenchStore()
	for _, bc := range []struct {
		name string
		h    http.Handler
	}{
		{"render_collection", gorailsHandler(b, store, benchIndex)},
		{"template_partial", gorailsHandler(b, store, benchIndexNative)},
		{"view_only", viewOnlyHandler(b, store)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			hs := [2]http.Handler{baselineHandler(b, store), bc.h}
			req := httptest.NewRequest(http.MethodGet, "/items", nil)
			w := &discardWriter{h: http.Header{}}
			const block = 20
			best := [2]time.Duration{math.MaxInt64, math.MaxInt64}
			for b.Loop() {
				for i, h := range hs {
					start := time.Now()
					for range block {
						clear(w.h)
						h.ServeHTTP(w, req)
					}
					best[i] = min(best[i], time.Since(start))
				}
			}
			base, gr := float64(best[0])/block, float64(best[1])/block
			b.ReportMetric(base, "baseline-ns/req")
			b.ReportMetric(gr, "gorails-ns/req")
			b.ReportMetric(gr/base, "ratio")
		})
	}
}

// ChainController has a before, an after and (per ?around) an around
// callback, and answers 204: BenchmarkCallbackChain measures the route set
// plus the controller machinery without rendering.
type ChainController struct {
	controller.Base
	n int
}

func (c *ChainController) Callbacks(cb *controller.Chain[ChainController]) {
	cb.Before((*ChainController).before)
	cb.Around((*ChainController).around, controller.Only("wrapped"))
	cb.After((*ChainController).after)
}

func (c *ChainController) before() error { c.n++; return nil }
func (c *ChainController) after() error  { c.n++; return nil }
func (c *ChainController) around(next func() error) error {
	c.n++
	return next()
}
func (c *ChainController) Plain() error   { return c.Head(http.StatusNoContent) }
func (c *ChainController) Wrapped() error { return c.Head(http.StatusNoContent) }

func BenchmarkCallbackChain(b *testing.B) {
	rs, _, err := drawApp(func(r *dispatch.Mapper) {
		r.Get("plain", dispatch.To((*ChainController).Plain))
		r.Get("wrapped", dispatch.To((*ChainController).Wrapped))
	})
	if err != nil {
		b.Fatal(err)
	}
	for _, path := range []string{"/plain", "/wrapped"} {
		b.Run(path[1:], func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, path, nil)
			w := &discardWriter{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				rs.ServeHTTP(w, req)
			}
			if w.code != http.StatusNoContent {
				b.Fatalf("status %d", w.code)
			}
		})
	}
}

// serveLoop serves GET path to h for b.N iterations into one reused
// discardWriter (its header cleared each time) and returns it, for the
// caller to check the last answer.
func serveLoop(b *testing.B, h http.Handler, path string) *discardWriter {
	b.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		w.n = 0
		h.ServeHTTP(w, req)
	}
	return w
}
