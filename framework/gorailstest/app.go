package gorailstest

import (
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"sync"
	"testing"

	"github.com/gorails/gorails/framework"
)

// App is an application under test: built and booted once, on the first
// test that needs it, and shared by the tests of the binary (it is safe
// for concurrent use). Declare one per test package:
//
//	var app = gorailstest.NewApp(config.App)
type App struct {
	build func(fs.FS) *framework.App

	once  sync.Once
	app   *framework.App
	err   error
	clock *clock

	fixturesOnce sync.Once
	fixtures     *fixtureSet
	fixturesErr  error
}

// NewApp returns the application config.App builds (a generated app's
// config.App; its files come from disk, found from the test's directory).
// It does no work until a test asks for it.
func NewApp(build func(fs.FS) *framework.App) *App {
	return &App{build: build}
}

// Boot returns the booted application, failing t when it does not boot. The
// first call builds it in the test environment, sets its clock to the
// kit's (for Travel) and adds the kit's middleware, then boots it. The app
// lives as long as the test binary, as a server's app lives as long as the
// server.
func (a *App) Boot(t testing.TB) *framework.App {
	t.Helper()
	a.once.Do(func() { a.app, a.err = a.boot() })
	if a.err != nil {
		t.Fatalf("gorailstest: the app does not boot: %v", a.err)
	}
	return a.app
}

func (a *App) boot() (*framework.App, error) {
	app := a.build(nil)
	if app == nil {
		return nil, fmt.Errorf("the build function returned no app")
	}
	if !app.Env().IsTest() {
		return nil, fmt.Errorf("the app runs in the %s environment: tests run in test (unset GORAILS_ENV)", app.Env())
	}
	a.clock = newClock(app.Config.Now)
	app.Config.Now = a.clock.Now
	if err := app.Middleware.InsertAfter(framework.MiddlewareSession, "gorailstest", captureFlash); err != nil {
		return nil, err
	}
	if err := app.Boot(context.Background()); err != nil {
		return nil, err
	}
	return app, nil
}

// Test begins a test case on the app: it boots the app if needed, loads
// the fixtures once, begins the test's database transaction, its job
// recorder and its mail outbox, and ends them when t ends.
func (a *App) Test(t testing.TB) *Case {
	t.Helper()
	app := a.Boot(t)
	c := &Case{t: t, kit: a, App: app, ctx: context.WithoutCancel(t.Context())}
	c.jobs = c.newRecorder()
	c.mails = c.newOutbox()
	if app.DB != nil {
		a.fixturesOnce.Do(func() { a.fixtures, a.fixturesErr = loadFixtures(context.Background(), app) })
		if a.fixturesErr != nil {
			t.Fatalf("gorailstest: fixtures: %v", a.fixturesErr)
		}
		c.beginTx()
	}
	return c
}

// ServeHTTP serves r with the booted app (ServeHTTP before a Boot answers
// 503, as the App does).
func (a *App) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if a.app == nil {
		http.Error(w, "gorailstest: the app has not booted", http.StatusServiceUnavailable)
		return
	}
	a.app.ServeHTTP(w, r)
}
