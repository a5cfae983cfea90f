package job

import (
	"errors"
	"html/template"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// dashboardCase drives the dashboard over a store with one dead job.
func dashboardCase(f *fixture) {
	def := Register(f.c, echoJob{fail: errBoom}, MaxAttempts(1))
	id := mustEnqueue(f.t)(def.PerformLater(f.ctx, echoArgs{N: 9}))
	kill := func() {
		f.t.Helper()
		rs := f.claim("w1", 1)
		if len(rs) != 1 {
			f.t.Fatalf("claimed %d jobs, want 1", len(rs))
		}
		f.worker().work(f.ctx, rs[0])
	}
	kill()
	later := Register(f.c, namedJob{})
	laterID := mustEnqueue(f.t)(later.PerformIn(f.ctx, time.Hour, echoArgs{N: 3}))
	h := Dashboard(f.c, DashboardConfig{CSRFField: func(*http.Request) template.HTML {
		return `<input type="hidden" name="authenticity_token" value="tok">`
	}})
	do := func(method string, form url.Values, header map[string]string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, "http://app.test/admin/jobs", strings.NewReader(form.Encode()))
		if method == http.MethodPost {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		for k, v := range header {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	idText := url.Values{"id": {itoa(id)}}
	tests := []struct {
		name   string
		method string
		form   url.Values
		header map[string]string
		want   int
		body   []string
	}{
		{"the page lists counts and the dead job with its error and buttons", http.MethodGet, nil, nil, http.StatusOK,
			[]string{"echoJob", "boom", `{&#34;n&#34;:9}`, `name="authenticity_token"`, `value="retry"`, "mail.welcome", "2026-11-23 10:00:00", `value="run"`, `value="drop"`}},
		{"a cross-site post is refused", http.MethodPost, with(idText, "action", "retry"), map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden, nil},
		{"a post from another origin is refused", http.MethodPost, with(idText, "action", "retry"), map[string]string{"Origin": "https://evil.test"}, http.StatusForbidden, nil},
		{"an unknown job is not found", http.MethodPost, url.Values{"id": {"987654"}, "action": {"retry"}}, nil, http.StatusNotFound, nil},
		{"an unknown action is a bad request", http.MethodPost, with(idText, "action", "explode"), nil, http.StatusBadRequest, nil},
		{"retry queues the dead job again", http.MethodPost, with(idText, "action", "retry"), map[string]string{"Origin": "http://app.test"}, http.StatusSeeOther, nil},
	}
	for _, tt := range tests {
		rec := do(tt.method, tt.form, tt.header)
		if rec.Code != tt.want {
			f.t.Fatalf("%s: status %d, want %d\n%s", tt.name, rec.Code, tt.want, rec.Body)
		}
		for _, s := range tt.body {
			if !strings.Contains(rec.Body.String(), s) {
				f.t.Errorf("%s: body lacks %q", tt.name, s)
			}
		}
	}
	kill() // the retried job fails again and is dead again
	if rec := do(http.MethodPost, with(idText, "action", "discard"), nil); rec.Code != http.StatusSeeOther {
		f.t.Fatalf("discard: status %d", rec.Code)
	}
	if st := f.stats(); st.Dead != 0 {
		f.t.Fatalf("stats after discard %+v, want no dead job", st)
	}

	// Waiting jobs: run one now, discard another (its unique key is freed).
	same := map[string]string{"Origin": "http://app.test"}
	if rec := do(http.MethodPost, url.Values{"id": {itoa(id)}, "action": {"run"}}, same); rec.Code != http.StatusNotFound {
		f.t.Fatalf("run of a job that is not waiting: status %d, want 404", rec.Code)
	}
	if rec := do(http.MethodPost, url.Values{"id": {itoa(laterID)}, "action": {"run"}}, same); rec.Code != http.StatusSeeOther {
		f.t.Fatalf("run now: status %d\n%s", rec.Code, rec.Body)
	}
	if rs := f.claim("w1", 10); len(rs) != 1 || rs[0].ID != laterID {
		f.t.Fatalf("after run now claimed %d jobs, want job %d", len(rs), laterID)
	}
	unique := Register(f.c, slowJob{}, UniqueWhileActive())
	uid := mustEnqueue(f.t)(unique.PerformIn(f.ctx, time.Hour, echoArgs{N: 4}))
	if _, err := unique.PerformIn(f.ctx, time.Hour, echoArgs{N: 4}); !errors.Is(err, ErrDuplicate) {
		f.t.Fatalf("second unique enqueue: %v, want ErrDuplicate", err)
	}
	if rec := do(http.MethodPost, url.Values{"id": {itoa(uid)}, "action": {"drop"}}, same); rec.Code != http.StatusSeeOther {
		f.t.Fatalf("discard waiting: status %d\n%s", rec.Code, rec.Body)
	}
	if rec := do(http.MethodPost, url.Values{"id": {itoa(uid)}, "action": {"drop"}}, same); rec.Code != http.StatusNotFound {
		f.t.Fatalf("discard of a discarded job: status %d, want 404", rec.Code)
	}
	if st := f.stats(); st.Scheduled != 0 {
		f.t.Fatalf("stats after discard %+v, want nothing scheduled", st)
	}
	mustEnqueue(f.t)(unique.PerformIn(f.ctx, time.Hour, echoArgs{N: 4})) // the key was released
}

func with(v url.Values, k, val string) url.Values {
	out := url.Values{}
	for key, vs := range v {
		out[key] = vs
	}
	out.Set(k, val)
	return out
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
