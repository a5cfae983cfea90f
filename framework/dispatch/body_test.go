package dispatch

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestTheRawBodyIsReadableAfterTheParams: parsing a form or JSON body for
// params (as the request log does before the action) leaves the raw body
// for an action that reads it itself.
func TestTheRawBodyIsReadableAfterTheParams(t *testing.T) {
	for _, tc := range []struct{ ct, body string }{
		{"application/x-www-form-urlencoded", "title=Dune&n=1"},
		{"application/json", `{"title":"Dune"}`},
	} {
		r := httptest.NewRequest("POST", "/books", strings.NewReader(tc.body))
		r.Header.Set("Content-Type", tc.ct)
		p, _, err := NewRouteSet(Config{}).parseBody(r)
		if err != nil || p.String("title") != "Dune" {
			t.Fatalf("%s: params %v, %v", tc.ct, p, err)
		}
		raw, err := io.ReadAll(r.Body)
		if err != nil || string(raw) != tc.body {
			t.Errorf("%s: the body read after the params is %q, %v; want %q", tc.ct, raw, err, tc.body)
		}
	}
}
