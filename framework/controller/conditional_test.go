package controller_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorails/gorails/framework/controller"
	"github.com/gorails/gorails/framework/dispatch"
	"github.com/gorails/gorails/framework/secrets"
	"github.com/gorails/gorails/framework/session"
)

// article is a cache record, as record's models are.
type article struct {
	ID      string
	Updated time.Time
}

func (a article) CacheTable() string        { return "articles" }
func (a article) CacheID() string           { return a.ID }
func (a article) CacheUpdatedAt() time.Time { return a.Updated }

var articleUpdated = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

type FreshController struct {
	controller.Base
	Title string
}

func (c *FreshController) Show() error {
	a := article{ID: c.Request().Param("id"), Updated: articleUpdated}
	if strings.HasSuffix(a.ID, "x") {
		a.Updated = a.Updated.Add(time.Hour)
	}
	c.Title = "article " + a.ID
	// The implicit render runs unless FreshWhen answered 304.
	return c.FreshWhen(controller.Fresh{ETag: a, LastModified: a.Updated})
}

func (c *FreshController) Index() error {
	list := []article{{ID: "1", Updated: articleUpdated}, {ID: "2", Updated: articleUpdated}}
	if !c.Stale(controller.Fresh{ETag: list, Public: true}) {
		return nil
	}
	c.ExpiresIn(5*time.Minute, true)
	return c.Text(http.StatusOK, "two articles")
}

func TestFreshWhenAndStaleAnswer304(t *testing.T) {
	t.Parallel()
	a := newApp(t, func(r *dispatch.Mapper) {
		r.Get("articles/:id", dispatch.To((*FreshController).Show))
		r.Get("articles", dispatch.To((*FreshController).Index))
		r.Post("articles/:id", dispatch.To((*FreshController).Show))
	})
	first := a.get(t, "/articles/1")
	etag := first.Header().Get("ETag")
	if first.Code != 200 || !strings.HasPrefix(etag, `W/"`) || first.Header().Get("Last-Modified") != "Wed, 04 Mar 2026 05:06:07 GMT" ||
		first.Header().Get("Cache-Control") != "max-age=0, private, must-revalidate" {
		t.Fatalf("first: %d %v", first.Code, first.Header())
	}
	tests := []struct {
		name    string
		method  string
		path    string
		headers []string
		want    int
	}{
		{"the same ETag is fresh", "GET", "/articles/1", []string{"If-None-Match", etag}, 304},
		{"a list of ETags with it is fresh", "GET", "/articles/1", []string{"If-None-Match", `"nope", ` + etag}, 304},
		{"another record's page is stale", "GET", "/articles/2", []string{"If-None-Match", etag}, 200},
		{"an updated record is stale", "GET", "/articles/1x", []string{"If-None-Match", etag}, 200},
		{"If-Modified-Since at Last-Modified is fresh", "GET", "/articles/1", []string{"If-Modified-Since", "Wed, 04 Mar 2026 05:06:07 GMT"}, 304},
		{"If-Modified-Since before it is stale", "GET", "/articles/1", []string{"If-Modified-Since", "Wed, 04 Mar 2026 05:06:06 GMT"}, 200},
		{"a garbage If-Modified-Since is stale", "GET", "/articles/1", []string{"If-Modified-Since", "\x00garbage"}, 200},
		{"a POST is never fresh", "POST", "/articles/1", []string{"If-None-Match", etag}, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := a.do(t, tt.method, tt.path, nil, tt.headers...)
			if rec.Code != tt.want {
				t.Fatalf("status %d, want %d", rec.Code, tt.want)
			}
			if tt.want == 304 && rec.Body.Len() != 0 {
				t.Fatalf("a 304 with a body: %q", rec.Body)
			}
		})
	}
	list := a.get(t, "/articles")
	if list.Code != 200 || list.Header().Get("Cache-Control") != "max-age=300, public" {
		t.Fatalf("index: %d %v", list.Code, list.Header())
	}
	if again := a.get(t, "/articles", "If-None-Match", list.Header().Get("ETag")); again.Code != 304 {
		t.Fatalf("index revalidated: %d; want 304", again.Code)
	}
}

// countingStore is a shared RateStore, as the app's cache is.
type countingStore struct {
	mu sync.Mutex
	n  map[string]int
}

func (s *countingStore) Increment(_ context.Context, key string, within time.Duration) (int, time.Time, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n[key]++
	return s.n[key], time.Now().Add(within), nil
}

func TestRateLimitCountsInTheEnvsStoreByClientIP(t *testing.T) {
	t.Parallel()
	store := &countingStore{n: map[string]int{}}
	env := func(e *controller.Env) {
		e.RateStore = store
		e.ClientIP = func(r *http.Request) string { return r.Header.Get("X-Test-Client") }
	}
	routes := func(r *dispatch.Mapper) { r.Post("limited", dispatch.To((*LimitedController).Create)) }
	// Two apps (two workers) on one store share the limit.
	one, two := newApp(t, routes, env), newApp(t, routes, env)
	for i, tt := range []struct {
		a      *app
		client string
		want   int
	}{{one, "1.1.1.1", 201}, {two, "1.1.1.1", 201}, {one, "1.1.1.1", 429}, {two, "1.1.1.1", 429}, {two, "2.2.2.2", 201}} {
		if rec := tt.a.do(t, "POST", "/limited", nil, "X-Test-Client", tt.client); rec.Code != tt.want {
			t.Fatalf("request %d from %s: %d, want %d", i+1, tt.client, rec.Code, tt.want)
		}
	}
}

// The first response's ETag is the one the next request of the same
// session computes, though the first render created the session's CSRF
// secret (TestConditionalGetWithCSRFTokens end to end).
func TestFreshWhenETagIsStableFromTheFirstResponse(t *testing.T) {
	t.Parallel()
	keys, err := secrets.New(strings.Repeat("k", 64))
	if err != nil {
		t.Fatal(err)
	}
	m, err := session.New(session.Config{Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	a := newApp(t, func(r *dispatch.Mapper) { r.Get("articles/:id", dispatch.To((*FreshController).Show)) })
	h := m.Handler(a.h)
	get := func(cookies []*http.Cookie, etag string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, "/articles/1", nil)
		for _, c := range cookies {
			req.AddCookie(c)
		}
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	first := get(nil, "")
	cookies := first.Result().Cookies()
	if len(cookies) == 0 {
		t.Fatal("the first response set no session cookie")
	}
	etag := first.Header().Get("ETag")
	if again := get(cookies, etag); again.Code != 304 {
		t.Fatalf("the same session revalidating: %d; want 304", again.Code)
	}
	if other := get(nil, etag); other.Code != 200 {
		t.Fatalf("another session with the first one's ETag: %d; want 200", other.Code)
	}
}
