package middleware_test

import (
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorails/gorails/framework/middleware"
)

func serveETag(h http.HandlerFunc, method string, header http.Header) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, "/", nil)
	for k, v := range header {
		r.Header[k] = v
	}
	w := httptest.NewRecorder()
	middleware.ETag(h).ServeHTTP(w, r)
	return w
}

func page(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, body)
	}
}

func TestETagGivesPagesAWeakETagAndAnswers304(t *testing.T) {
	first := serveETag(page("<p>hello</p>"), "GET", nil)
	etag := first.Header().Get("ETag")
	if first.Code != 200 || !strings.HasPrefix(etag, `W/"`) || first.Body.String() != "<p>hello</p>" {
		t.Fatalf("first response: %d, ETag %q, body %q", first.Code, etag, first.Body)
	}
	if cc := first.Header().Get("Cache-Control"); cc != "max-age=0, private, must-revalidate" {
		t.Errorf("Cache-Control = %q", cc)
	}
	again := serveETag(page("<p>hello</p>"), "GET", http.Header{"If-None-Match": {etag}})
	if again.Code != 304 || again.Body.Len() != 0 || again.Header().Get("Content-Type") != "" || again.Header().Get("ETag") != etag {
		t.Fatalf("revalidation: %d, body %q, headers %v; want an empty 304 with the ETag", again.Code, again.Body, again.Header())
	}
	changed := serveETag(page("<p>changed</p>"), "GET", http.Header{"If-None-Match": {etag}})
	if changed.Code != 200 || changed.Body.String() != "<p>changed</p>" || changed.Header().Get("ETag") == etag {
		t.Fatalf("a changed page: %d %q ETag %q", changed.Code, changed.Body, changed.Header().Get("ETag"))
	}
}

func TestETagLeavesAloneWhatItMustNotTouch(t *testing.T) {
	tests := []struct {
		name   string
		method string
		h      http.HandlerFunc
		want   int
	}{
		{"a POST", "POST", page("x"), 200},
		{"a 404", "GET", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", 404) }, 404},
		{"a redirect", "GET", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/x", 302) }, 302},
		{"no-store", "GET", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Cache-Control", "no-store")
			io.WriteString(w, "secret")
		}, 200},
		{"a streamed response", "GET", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "part 1")
			w.(http.Flusher).Flush()
			io.WriteString(w, "part 2")
		}, 200},
		{"an event stream", "GET", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/event-stream")
			io.WriteString(w, "data: x\n\n")
		}, 200},
		{"a body over the limit", "GET", page(strings.Repeat("x", middleware.ETagMaxBody+1)), 200},
		{"a HEAD", "HEAD", page("x"), 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := serveETag(tt.h, tt.method, http.Header{"If-None-Match": {"*"}})
			if w.Code != tt.want || w.Header().Get("ETag") != "" {
				t.Fatalf("status %d, ETag %q; want %d and no ETag", w.Code, w.Header().Get("ETag"), tt.want)
			}
		})
	}
}

func TestETagAnswers304ForTheHandlersOwnValidators(t *testing.T) {
	mod := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	h := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Last-Modified", mod.Format(http.TimeFormat))
		io.WriteString(w, "body")
	}
	tests := []struct {
		name   string
		header http.Header
		want   int
	}{
		{"a matching If-None-Match", http.Header{"If-None-Match": {`"v0", W/"v1"`}}, 304},
		{"another ETag", http.Header{"If-None-Match": {`"v2"`}}, 200},
		{"If-Modified-Since at Last-Modified", http.Header{"If-Modified-Since": {mod.Format(http.TimeFormat)}}, 304},
		{"If-Modified-Since before it", http.Header{"If-Modified-Since": {mod.Add(-time.Second).Format(http.TimeFormat)}}, 200},
		{"If-None-Match wins over If-Modified-Since", http.Header{"If-None-Match": {`"v2"`}, "If-Modified-Since": {mod.Format(http.TimeFormat)}}, 200},
		{"a malformed If-Modified-Since", http.Header{"If-Modified-Since": {"yesterday"}}, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := serveETag(h, "GET", tt.header)
			if w.Code != tt.want {
				t.Fatalf("status %d; want %d", w.Code, tt.want)
			}
			if w.Code == 200 && w.Body.String() != "body" {
				t.Fatalf("body %q", w.Body)
			}
		})
	}
}

func FuzzETagMatches(f *testing.F) {
	f.Add(`W/"a", "b"`, `"a"`)
	f.Add("*", `"x"`)
	f.Add(",,,", "")
	f.Fuzz(func(t *testing.T, inm, etag string) {
		if middleware.ETagMatches(inm, etag) && etag == "" && !strings.Contains(inm, "*") {
			t.Fatalf("an empty ETag matched %q", inm)
		}
	})
}

func TestETagLeavesAPanicToRecover(t *testing.T) {
	h := middleware.Recover(nil)(middleware.ETag(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "half a page")
		panic("kaboom")
	})))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	if w.Code != 500 || strings.Contains(w.Body.String(), "half a page") {
		t.Fatalf("status %d body %q; want the 500 alone", w.Code, w.Body)
	}
}

// TestETagSharedCacheControlStaysUnchanged: the default Cache-Control's
// values are shared by the responses of one ETag middleware; a later Add
// or Set on one response's header changes that response only.
func TestETagSharedCacheControlStaysUnchanged(t *testing.T) {
	const want = "max-age=0, private, must-revalidate"
	h := middleware.ETag(page("<p>hello</p>"))
	serve := func() *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
		return w
	}
	first, second := serve(), serve()
	first.Header().Add("Cache-Control", "x-first")
	second.Header().Add("Cache-Control", "x-second")
	if got := first.Header().Values("Cache-Control"); len(got) != 2 || got[0] != want || got[1] != "x-first" {
		t.Fatalf("the first response's Cache-Control became %q", got)
	}
	first.Header().Set("Cache-Control", "no-store")
	first.Header().Add("ETag", "x")
	third := serve()
	if got := third.Header().Values("Cache-Control"); len(got) != 1 || got[0] != want {
		t.Fatalf("a later response's Cache-Control: %q", got)
	}
	if got := third.Header().Values("ETag"); len(got) != 1 || got[0] != second.Header().Get("ETag") {
		t.Fatalf("a later response's ETag: %q", got)
	}
}

// TestETagValuesOfRequestsInSequence: each response's ETag is its own
// body's W/"<CRC-32C><CRC-32><length>" in hex, computed here apart, and
// stays so in the header map it was given after later requests through the
// same handler (the text lives in the request's writer).
func TestETagValuesOfRequestsInSequence(t *testing.T) {
	t.Parallel()
	bodies := []string{"<p>hello</p>", "", "x", strings.Repeat("long page ", 4000), "<p>hello</p>"}
	var body string
	h := middleware.ETag(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, body)
	}))
	var recs []*httptest.ResponseRecorder
	for _, b := range bodies {
		body = b
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
		recs = append(recs, rec)
	}
	castagnoli := crc32.MakeTable(crc32.Castagnoli)
	for i, b := range bodies {
		want := fmt.Sprintf(`W/"%08x%08x%x"`, crc32.Checksum([]byte(b), castagnoli), crc32.ChecksumIEEE([]byte(b)), len(b))
		if got := recs[i].Header().Get("ETag"); got != want || recs[i].Body.String() != b {
			t.Errorf("response %d: ETag %q, want %q (body %d bytes)", i, got, want, recs[i].Body.Len())
		}
	}
}
