// Package gorailstest is gorails' testing kit: what a Rails developer
// reaches for on day one, in Go's idiom (go test, t.Helper, t.Cleanup,
// t.Parallel).
//
// An app's test package boots the app once per test binary and gives each
// test a Case:
//
//	var app = gorailstest.NewApp(config.App) // app/controllers/app_test.go
//
//	func TestPosts(t *testing.T) {
//		t.Parallel()
//		tc := app.Test(t) // a test transaction, rolled back at the end
//		s := tc.Session() // a browser-like session over the app, in process
//		s.Get(routes.NewPostPath()).AssertStatus(http.StatusOK)
//		s.Submit("form", gorailstest.Form{"post[title]": {"Hello"}}).
//			AssertRedirectTo(routes.PostPath(1))
//		s.Follow().AssertSelect("h1", "Hello").AssertFlash("notice", "Post was created.")
//	}
//
// # What a Case gives a test
//
//   - Database: every test runs in a transaction rolled back at its end
//     (record.BeginTest). The app reaches it through the context of the
//     Case (tc.Context(), and every request a Session makes), so the app's
//     code runs unchanged: its own transactions become savepoints, its
//     AfterCommit callbacks run when they commit, and jobs enqueued with
//     PerformLaterTx reach the backend then, as in production. Parallel
//     tests are isolated on PostgreSQL and MySQL; on SQLite their database
//     work takes turns. The test database itself is prepared from
//     db/schema.sql and the migrations when the app boots (once per test
//     binary), and a schema that lacks a migration stops the boot.
//   - Fixtures: test/fixtures/<table>.yml, loaded once per test binary
//     (before the first test's transaction), with labels, references by
//     label, timestamps filled and stable ids (ID). Fixture[T] reads one.
//   - Jobs: the test environment's job backend keeps the jobs a test's
//     context enqueues (job.Test, job.Recorder): AssertEnqueued,
//     Case.PerformEnqueuedJobs.
//   - Mail: each Case has its own outbox (Case.Mails), so parallel tests
//     see only their mail: AssertMailCount, AssertMail, AssertMailContains,
//     MailLink (a link of a mail to follow with the Session), and for
//     deliver-later AssertMailsEnqueued and AssertMailEnqueued, delivered
//     by Case.PerformEnqueuedJobs.
//   - Time: the App's one clock (framework.Config.Now), which record
//     timestamps, job schedules and session expiry read: Case.Travel,
//     Case.TravelTo, Case.Freeze.
//   - Requests: Session (cookies, CSRF tokens read from the page, redirects
//     followed on request) and Response's assertions (status, redirect,
//     flash, CSS selectors, JSON).
//
// System tests in a real browser live in framework/gorailstest/system, so
// that a test binary without them links no browser driver.
package gorailstest
