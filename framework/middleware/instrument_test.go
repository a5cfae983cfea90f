package middleware_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gorails/gorails/framework/event"
	"github.com/gorails/gorails/framework/middleware"
)

// TestInstrumentRequestsInSequence: Instrument reuses its status writers
// and takes its events from the request scope. Two different requests in
// a row, with and without request_id's scope in front, must each report
// their own status, path and address, whatever the one before left; and
// an event a subscriber kept must still say what it said.
func TestInstrumentRequestsInSequence(t *testing.T) {
	t.Parallel()
	type req struct {
		path, remote string
		status       int // 0: the handler writes a body without a status
		wantStatus   int
	}
	reqs := []req{
		{"/missing", "10.0.0.1:1234", http.StatusNotFound, http.StatusNotFound},
		{"/hello", "192.168.1.9:80", 0, http.StatusOK},
		{"/created", "[::1]:443", http.StatusCreated, http.StatusCreated},
		{"/again", "10.0.0.2:1", 0, http.StatusOK},
	}
	for _, tc := range []struct {
		name  string
		scope bool
	}{{"with request_id's scope", true}, {"alone", false}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			bus := event.New()
			var starts []event.StartRequest
			var kept []*event.ProcessAction
			event.Subscribe(bus, func(_ context.Context, e *event.StartRequest) { starts = append(starts, *e) })
			event.Subscribe(bus, func(_ context.Context, e *event.ProcessAction) { kept = append(kept, e) })
			var writers []http.ResponseWriter
			inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				writers = append(writers, w)
				for _, rq := range reqs {
					if rq.path == r.URL.Path && rq.status != 0 {
						w.WriteHeader(rq.status)
					}
				}
				_, _ = w.Write([]byte(r.URL.Path))
			})
			h := middleware.Instrument(middleware.InstrumentConfig{Events: bus})(inner)
			if tc.scope {
				h = middleware.RequestID(h)
			}
			for _, rq := range reqs {
				r := httptest.NewRequest(http.MethodGet, rq.path, nil)
				r.RemoteAddr = rq.remote
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, r)
				if rec.Code != rq.wantStatus || rec.Body.String() != rq.path {
					t.Fatalf("%s: %d %q", rq.path, rec.Code, rec.Body)
				}
			}
			if len(starts) != len(reqs) || len(kept) != len(reqs) {
				t.Fatalf("%d starts, %d process actions for %d requests", len(starts), len(kept), len(reqs))
			}
			wantIP := map[string]string{"/missing": "10.0.0.1", "/hello": "192.168.1.9", "/created": "::1", "/again": "10.0.0.2"}
			for i, rq := range reqs {
				if s := starts[i]; s.Path != rq.path || s.RemoteIP != wantIP[rq.path] || s.Method != http.MethodGet {
					t.Errorf("request %d: start %+v", i, s)
				}
				if e := kept[i]; e.Path != rq.path || e.Status != rq.wantStatus {
					t.Errorf("request %d (%s): kept process action says %s %d, want %d", i, rq.path, e.Path, e.Status, rq.wantStatus)
				}
				for j := range i {
					if kept[j] == kept[i] {
						t.Errorf("requests %d and %d were given the same ProcessAction", j, i)
					}
				}
			}
			if len(writers) < 2 {
				t.Fatal("the handler saw no writers")
			}
		})
	}
}
