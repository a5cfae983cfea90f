package gorailstest_test

import (
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorails/gorails/framework/gorailstest"
	"github.com/gorails/gorails/framework/job"
	"github.com/gorails/gorails/framework/record"
)

// fakeT records the first failure of the kit's calls and stops there, as
// t.Fatal would; everything else (Cleanup, Context, ...) goes to the real
// test.
type fakeT struct {
	testing.TB
	mu     sync.Mutex
	failed string
}

func (f *fakeT) Helper() {}

func (f *fakeT) fail(msg string) {
	f.mu.Lock()
	if f.failed == "" {
		f.failed = msg
	}
	f.mu.Unlock()
	runtime.Goexit()
}

func (f *fakeT) Fatal(args ...any)                 { f.fail(fmt.Sprint(args...)) }
func (f *fakeT) Fatalf(format string, args ...any) { f.fail(fmt.Sprintf(format, args...)) }
func (f *fakeT) Errorf(format string, args ...any) { f.fail(fmt.Sprintf(format, args...)) }

// failure runs fn with a fakeT and returns the failure it reported.
func failure(t *testing.T, fn func(ft *fakeT)) string {
	ft := &fakeT{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(ft)
	}()
	<-done
	return ft.failed
}

func TestKitFailuresSayWhatIsWrong(t *testing.T) {
	app := newApp(t, record.SQLite)
	cases := []struct {
		name string
		fn   func(tc *gorailstest.Case)
		want string
	}{
		{"a status that differs shows the response", func(tc *gorailstest.Case) {
			tc.Session().Get("/posts/999999").AssertStatus(http.StatusOK)
		}, "GET /posts/999999: status 404, want 200\n--- response: 404 Not Found"},
		{"a selector that matches nothing", func(tc *gorailstest.Case) {
			tc.Session().Get("/posts").AssertSelect("h2.missing")
		}, `GET /posts: no element matches "h2.missing"`},
		{"a text no match contains lists the texts", func(tc *gorailstest.Case) {
			tc.Session().Get("/posts").AssertSelect("li.post", "Third")
		}, `no "li.post" contains "Third" (texts: ["First post by first" "Second"])`},
		{"a count", func(tc *gorailstest.Case) {
			tc.Session().Get("/posts").AssertSelectCount("li.post", 5)
		}, `2 elements match "li.post", want 5`},
		{"a field the form does not have", func(tc *gorailstest.Case) {
			s := tc.Session()
			s.Get("/posts/new")
			s.Submit("form#new_post", gorailstest.Form{"post[tilte]": {"x"}})
		}, `Submit: the form has no field named "post[tilte]" (fields: authenticity_token, commit, post[draft], post[title])`},
		{"a form that is not there", func(tc *gorailstest.Case) {
			s := tc.Session()
			s.Get("/posts")
			s.Submit("form#edit", nil)
		}, `Submit: no form matches "form#edit" on the last page (/posts)`},
		{"following what is not a redirect", func(tc *gorailstest.Case) {
			s := tc.Session()
			s.Get("/posts")
			s.Follow()
		}, "Follow: the last response is not a redirect (status 200)"},
		{"a redirect elsewhere", func(tc *gorailstest.Case) {
			s := tc.Session()
			s.Get("/posts/new")
			s.Submit("form#new_post", gorailstest.Form{"post[title]": {"x"}}).AssertRedirectTo("/posts")
		}, "redirects to /posts/"},
		{"a flash message that differs", func(tc *gorailstest.Case) {
			s := tc.Session()
			s.Get("/posts/new")
			s.Submit("form#new_post", gorailstest.Form{"post[title]": {"x"}}).AssertFlash("notice", "Saved!")
		}, `flash["notice"] = "Post was created.", want "Saved!"`},
		{"JSON of another shape", func(tc *gorailstest.Case) {
			var v struct{ Other int }
			s := tc.Session()
			s.Get("/posts")
			s.JSON(http.MethodPost, "/counter", map[string]string{"add": "x"}).DecodeJSON(&v)
		}, `the body is not JSON of *struct { Other int }: json: unknown field "got"`},
		{"a fixture label that does not exist", func(tc *gorailstest.Case) {
			gorailstest.Fixture[Post](tc, "frist")
		}, `test/fixtures/posts.yml has no fixture labeled "frist" (labels: first, second)`},
		{"a job that was not enqueued", func(tc *gorailstest.Case) {
			gorailstest.AssertEnqueued(tc, NotifyArgs{PostID: 1})
		}, "no NotifyJob job enqueued with {PostID:1} (enqueued: none)"},
		{"a job type no kind takes", func(tc *gorailstest.Case) {
			gorailstest.AssertEnqueued(tc, struct{ X int }{})
		}, "no job kind takes struct { X int } (is it registered in app/jobs.Register?)"},
		{"a form posted with no page loaded says why it is refused", func(tc *gorailstest.Case) {
			tc.Session().JSON(http.MethodPost, "/counter", map[string]string{"add": "x"}).AssertStatus(http.StatusCreated)
		}, "status 422, want 201 (no CSRF token was sent: Get a page with a form or csrf_meta_tags first)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := failure(t, func(ft *fakeT) { c.fn(app.Test(ft)) })
			if !strings.Contains(got, c.want) {
				t.Errorf("failure:\n%s\nwant it to contain:\n%s", got, c.want)
			}
		})
	}
	t.Run("travel refuses a parallel test", func(t *testing.T) {
		t.Parallel()
		got := failure(t, func(ft *fakeT) { app.Test(ft).Travel(time.Hour) })
		if !strings.Contains(got, "a test that travels in time cannot run in parallel") {
			t.Errorf("failure: %q", got)
		}
	})
}

func TestTravelBringsScheduledJobsDue(t *testing.T) {
	app := newApp(t, record.SQLite)
	tc := app.Test(t)
	if _, err := job.For[NotifyArgs](tc.App.Jobs).PerformIn(tc.Context(), 2*time.Hour, NotifyArgs{PostID: gorailstest.ID("first")}); err != nil {
		t.Fatal(err)
	}
	if n := tc.PerformEnqueuedJobs(); n != 0 {
		t.Fatalf("ran %d jobs scheduled in two hours, want 0", n)
	}
	tc.Travel(3 * time.Hour)
	if n := tc.PerformEnqueuedJobs(); n != 1 {
		t.Fatalf("three hours later ran %d jobs, want 1", n)
	}
	if p := gorailstest.Fixture[Post](tc, "first"); p.Title != "notified: First post by first" {
		t.Errorf("title %q: the job did not run in the test's transaction", p.Title)
	}
}
