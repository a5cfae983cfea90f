package dispatch_test

import (
	"context"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gorails/gorails/framework/dispatch"
)

// TestFormatNegotiation follows ActionDispatch::Http::MimeNegotiation
// (Rails 8.0): the format param first, then an Accept header that is not a
// browser's, by q-value, then XMLHttpRequest, then HTML.
func TestFormatNegotiation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, target, accept string
		xhr                  bool
		want                 string
	}{
		{name: "no Accept header is HTML", target: "/things/1", want: "html"},
		{name: "a single known type", target: "/things/1", accept: "application/json", want: "json"},
		{name: "a single type with parameters", target: "/things/1", accept: "application/json; charset=utf-8", want: "json"},
		{name: "the path's suffix beats Accept", target: "/things/1.xml", accept: "application/json", want: "xml"},
		{name: "?format=json is honoured", target: "/things/1?format=json", want: "json"},
		{name: "?format= beats the Accept header", target: "/things/1?format=json", accept: "text/html", want: "json"},
		{name: "the path's suffix beats ?format=", target: "/things/1.csv?format=json", want: "csv"},
		{name: "an unknown ?format= is kept for a 406", target: "/things/1?format=docx", want: "docx"},
		{name: "an empty ?format= is ignored", target: "/things/1?format=", accept: "application/json", want: "json"},
		{name: "q-values order the types", target: "/things/1", accept: "text/html;q=0.5, application/json", want: "json"},
		{name: "higher q wins over header order", target: "/things/1", accept: "application/xml;q=0.9, text/html", want: "html"},
		{name: "equal q keeps header order", target: "/things/1", accept: "application/json, application/xml", want: "json"},
		{name: "unknown types are skipped", target: "/things/1", accept: "application/x-foo, application/json;q=0.2", want: "json"},
		{name: "q is read from the first parameter only, as Rails does", target: "/things/1", accept: "text/html;level=1;q=0.1, application/json;q=0.5", want: "html"},
		{name: "an unreadable q counts as 1", target: "/things/1", accept: "text/html;q=0.5, application/json;q=high", want: "json"},
		{name: "a browser's Accept is ignored", target: "/things/1", accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", want: "html"},
		{name: "axios' Accept is ignored", target: "/things/1", accept: "application/json, text/plain, */*", want: "html"},
		{name: "*/* first among several is ignored", target: "/things/1", accept: "*/*, application/json", want: "html"},
		{name: "*/* with parameters among several is ignored", target: "/things/1", accept: "application/json,*/*;q=0.01", want: "html"},
		{name: "a browser-like Accept counts on an XMLHttpRequest", target: "/things/1", accept: "application/json, text/javascript, */*; q=0.01", xhr: true, want: "json"},
		{name: "an XMLHttpRequest without Accept is js", target: "/things/1", xhr: true, want: "js"},
		{name: "*/* alone is HTML", target: "/things/1", accept: "*/*", want: "html"},
		{name: "text/* picks the first text format Rails registers", target: "/things/1", accept: "text/*", want: "html"},
		{name: "application/* picks the first format with an application type", target: "/things/1", accept: "application/*", want: "html"},
		{name: "image/* names no format", target: "/things/1", accept: "image/*", want: "html"},
		{name: "image/* is not taken over a lower known type", target: "/things/1", accept: "image/*, application/json;q=0.5", want: "json"},
		{name: "an image type is its format", target: "/things/1", accept: "image/png", want: "png"},
		{name: "an unknown single type is HTML", target: "/things/1", accept: "application/x-foo", want: "html"},
		{name: "a synonym maps to its format", target: "/things/1", accept: "text/xml", want: "xml"},
		{name: "empty items are skipped", target: "/things/1", accept: ", ,application/json", want: "json"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req := httptest.NewRequest("GET", tc.target, nil)
			if tc.accept != "" {
				req.Header.Set("Accept", tc.accept)
			}
			if tc.xhr {
				req.Header.Set("X-Requested-With", "XMLHttpRequest")
			}
			if c, _ := paramsOf(t, dispatch.Config{}, req); c.format != tc.want {
				t.Errorf("GET %s Accept %q: format %q, want %q", tc.target, tc.accept, c.format, tc.want)
			}
		})
	}
}

// FuzzFormat: any Accept header and ?format= gives a format without a
// panic, and a browser-like Accept (*/* among several types) is always HTML.
func FuzzFormat(f *testing.F) {
	for _, s := range []string{"", "*/*", "text/html;q=0.5, application/json", "application/json, text/plain, */*",
		"text/*", "a;q=.", "x;q=1..2,y", ",,;;q=", "application/json;q=2,text/html"} {
		f.Add(s, "")
		f.Add(s, "json")
	}
	rs := draw(f, dispatch.Config{}, func(r *dispatch.Mapper) {
		r.Match("things/:id", dispatch.To((*captureController).Show), dispatch.Via("all"))
	})
	f.Fuzz(func(t *testing.T, accept, format string) {
		if !utf8.ValidString(format) {
			return // a 400, tested with the params
		}
		req := httptest.NewRequest("GET", "/things/1", nil)
		if format != "" {
			req.URL.RawQuery = "format=" + url.QueryEscape(format)
		}
		req.Header["Accept"] = []string{accept}
		c := &capture{}
		req = req.WithContext(context.WithValue(req.Context(), captureKey{}, c))
		rs.ServeHTTP(httptest.NewRecorder(), req)
		switch {
		case format != "" && c.format != format:
			t.Fatalf("?format=%q gave %q", format, c.format)
		case format == "" && strings.Contains(accept, ",") && containsStarItem(accept) && c.format != "html":
			t.Fatalf("browser-like Accept %q gave %q", accept, c.format)
		case c.format == "":
			t.Fatalf("Accept %q gave no format", accept)
		}
	})
}

func containsStarItem(accept string) bool {
	for _, item := range strings.Split(accept, ",") {
		mt, _, _ := strings.Cut(item, ";")
		if strings.TrimSpace(mt) == "*/*" {
			return true
		}
	}
	return false
}
