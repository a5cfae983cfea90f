package gorailstest_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/gorails/gorails/framework/gorailstest"
	"github.com/gorails/gorails/framework/record"
)

// forEachAdapter runs fn with the test app on SQLite, PostgreSQL and
// MariaDB, one app (one boot, one fixture load) per database.
func forEachAdapter(t *testing.T, fn func(t *testing.T, app *gorailstest.App)) {
	for _, adapter := range []string{record.SQLite, record.PostgreSQL, record.MySQL} {
		t.Run(adapter, func(t *testing.T) {
			fn(t, newApp(t, adapter))
		})
	}
}

func TestKit(t *testing.T) {
	forEachAdapter(t, func(t *testing.T, app *gorailstest.App) {
		t.Run("fixtures are loaded with labels, references and timestamps", func(t *testing.T) {
			tc := app.Test(t)
			first := gorailstest.Fixture[Post](tc, "first")
			alice := gorailstest.Fixture[User](tc, "alice")
			if first.ID != gorailstest.ID("first") || first.Title != "First post by first" || first.UserID != alice.ID || alice.Name != "Alice" {
				t.Errorf("first = %+v, alice = %+v", first, alice)
			}
			if first.CreatedAt.IsZero() || first.UpdatedAt.IsZero() {
				t.Errorf("timestamps not filled: %+v", first)
			}
			if second := gorailstest.Fixture[Post](tc, "second"); second.UserID != 7 {
				t.Errorf("second.UserID = %d, want the 7 written", second.UserID)
			}
		})

		t.Run("a form posted with the page's CSRF token creates a post, its job waits, the flash shows", func(t *testing.T) {
			tc := app.Test(t)
			s := tc.Session()
			s.Get("/posts/new").AssertStatus(http.StatusOK).AssertSelect("h1", "New post").
				AssertSelectCount(`form#new_post input[name="post[title]"]`, 1)
			res := s.Submit("form#new_post", gorailstest.Form{"post[title]": {"Hello kit"}})
			var id int64
			posts, err := record.Query[Post](tc.DB()).Where("title = ?", "Hello kit").All(tc.Context())
			if err != nil || len(posts) != 1 {
				t.Fatalf("posts titled Hello kit: %v, %v", posts, err)
			}
			id = posts[0].ID
			res.AssertStatus(http.StatusFound).AssertRedirectTo("/posts/"+itoa(id)).AssertFlash("notice", "Post was created.")
			s.Follow().AssertStatus(http.StatusOK).AssertSelect("h1", "Hello kit").AssertSelect("#notice", "Post was created.")

			// The job was handed over when the controller's transaction
			// committed, and waits in the test's recorder.
			gorailstest.AssertEnqueued(tc, NotifyArgs{PostID: id})
			if n := tc.PerformEnqueuedJobs(); n != 1 {
				t.Errorf("PerformEnqueuedJobs ran %d jobs, want 1", n)
			}
			gorailstest.AssertPerformed(tc, NotifyArgs{PostID: id})
			gorailstest.AssertNoEnqueued[NotifyArgs](tc)
			s.Get("/posts/"+itoa(id)).AssertSelect("h1", "notified: Hello kit")
		})

		t.Run("what one test wrote is gone for the next", func(t *testing.T) {
			tc := app.Test(t)
			tc.Session().Get("/posts").AssertStatus(http.StatusOK).
				AssertSelectCount("li.post", 2).AssertSelect("li.post", "First post by first")
		})

		t.Run("a form without its token is refused", func(t *testing.T) {
			tc := app.Test(t)
			s := tc.Session()
			s.Post("/posts", gorailstest.Form{"post[title]": {"forged"}}).AssertStatus(http.StatusUnprocessableEntity)
			s.Get("/posts/new")
			s.Post("/posts", gorailstest.Form{"post[title]": {""}}).AssertStatus(http.StatusUnprocessableEntity).
				AssertSelect("#alert", "Title can't be blank")
		})

		t.Run("the session's cookies are kept across requests", func(t *testing.T) {
			s := app.Test(t).Session()
			for _, want := range []string{"I", "II", "III"} {
				if got := s.Get("/counter").AssertStatus(http.StatusOK).Body; got != want {
					t.Fatalf("counter = %q, want %q", got, want)
				}
			}
		})

		t.Run("JSON goes out with the meta tag's token and comes back decoded", func(t *testing.T) {
			s := app.Test(t).Session()
			s.Get("/posts")
			var got struct {
				Got string `json:"got"`
			}
			s.JSON(http.MethodPost, "/counter", map[string]string{"add": "x"}).AssertStatus(http.StatusCreated).DecodeJSON(&got)
			if got.Got != "x" {
				t.Errorf("decoded %+v", got)
			}
		})

		t.Run("parallel tests do not see each other's rows", func(t *testing.T) {
			for i := range 3 {
				t.Run("writer", func(t *testing.T) {
					t.Parallel()
					tc := app.Test(t)
					title := "parallel " + itoa(int64(i))
					if err := record.Create(tc.Context(), tc.DB(), &Post{Title: title, UserID: gorailstest.ID("alice")}); err != nil {
						t.Fatal(err)
					}
					n, err := record.Query[Post](tc.DB()).Count(tc.Context())
					if err != nil || n != 3 {
						t.Errorf("this test sees %d posts (%v), want the 2 fixtures and its own", n, err)
					}
				})
			}
		})

		t.Run("travel moves record timestamps and job schedules", func(t *testing.T) {
			tc := app.Test(t)
			at := time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)
			tc.Freeze(at)
			p := Post{Title: "frozen", UserID: gorailstest.ID("alice")}
			if err := record.Create(tc.Context(), tc.DB(), &p); err != nil {
				t.Fatal(err)
			}
			if !p.CreatedAt.Equal(at) {
				t.Errorf("created_at %v, want the frozen %v", p.CreatedAt, at)
			}
			tc.Session().Get("/posts/"+itoa(p.ID)).AssertSelect("time", "2031-05-06")
		})
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
