package controller_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gorails/gorails/framework/controller"
	"github.com/gorails/gorails/framework/dispatch"
)

// store and notifier stand for an app's services (its database, its
// mailer): one a pointer type, one an interface.
type store struct{ name string }

type notifier interface{ Notify(msg string) string }

type echoNotifier struct{}

func (echoNotifier) Notify(msg string) string { return "sent " + msg }

// ServicesBase receives the services, unexported so views do not see
// them, and uses them in a before callback.
type ServicesBase struct {
	controller.Base
	db     *store
	notify notifier
	seen   string
}

func (c *ServicesBase) Callbacks(cb *controller.Chain[ServicesBase]) {
	controller.Use(cb, func(c *ServicesBase, db *store) { c.db = db })
	controller.Use(cb, func(c *ServicesBase, n notifier) { c.notify = n })
	cb.Before((*ServicesBase).remember)
}

func (c *ServicesBase) remember() error {
	if c.db != nil {
		c.seen = c.db.name
	}
	return nil
}

// padding puts ServicesBase at an offset inside the controller.
type padding struct{ A, B, C int64 }

type NotesController struct {
	padding
	ServicesBase
}

func (c *NotesController) Index() error {
	db := "<nil>"
	if c.db != nil {
		db = c.db.name
	}
	msg := "<no notifier>"
	if c.notify != nil {
		msg = c.notify.Notify("hi")
	}
	return c.Text(http.StatusOK, fmt.Sprintf("db %s, before saw %q, %s", db, c.seen, msg))
}

func notesRoutes(r *dispatch.Mapper) { r.Get("notes", dispatch.To((*NotesController).Index)) }

func TestServicesReachControllersThatUseThem(t *testing.T) {
	t.Parallel()
	serve := func(t *testing.T, env *controller.Env) string {
		t.Helper()
		rs := dispatch.NewRouteSet(dispatch.Config{Invoker: env, ErrorHandler: statusErrorHandler})
		if err := rs.Draw(notesRoutes); err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		rs.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/notes", nil))
		return rec.Body.String()
	}
	t.Run("provided services are set before the callbacks, through an embedded struct at an offset", func(t *testing.T) {
		t.Parallel()
		env := &controller.Env{}
		controller.Provide(env, &store{name: "main"})
		controller.Provide[notifier](env, echoNotifier{})
		if got, want := serve(t, env), `db main, before saw "main", sent hi`; got != want {
			t.Fatalf("got %q, want %q", got, want)
		}
	})
	t.Run("a service provided as nil arrives as nil", func(t *testing.T) {
		t.Parallel()
		env := &controller.Env{}
		controller.Provide[*store](env, nil)
		controller.Provide[notifier](env, nil)
		if got, want := serve(t, env), `db <nil>, before saw "", <no notifier>`; got != want {
			t.Fatalf("got %q, want %q", got, want)
		}
	})
	t.Run("providing again replaces the service", func(t *testing.T) {
		t.Parallel()
		env := &controller.Env{}
		controller.Provide(env, &store{name: "old"})
		controller.Provide(env, &store{name: "new"})
		controller.Provide[notifier](env, echoNotifier{})
		if got := serve(t, env); !strings.HasPrefix(got, "db new") {
			t.Fatalf("got %q", got)
		}
	})
}

func TestUsingAServiceTheAppDoesNotProvideFailsTheBoot(t *testing.T) {
	t.Parallel()
	env := &controller.Env{}
	controller.Provide(env, &store{name: "main"})
	err := dispatch.NewRouteSet(dispatch.Config{Invoker: env}).Draw(notesRoutes)
	if !errors.Is(err, controller.ErrNoService) {
		t.Fatalf("Draw: %v, want ErrNoService", err)
	}
	for _, want := range []string{"notes#index", "controller_test.ServicesBase uses a controller_test.notifier", "it provides *controller_test.store"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

type NilUseController struct{ controller.Base }

func (c *NilUseController) Callbacks(cb *controller.Chain[NilUseController]) {
	controller.Use[*store](cb, nil)
}

func (c *NilUseController) Index() error { return nil }

func TestUseWithoutASetterFailsTheBoot(t *testing.T) {
	t.Parallel()
	err := dispatch.NewRouteSet(dispatch.Config{Invoker: &controller.Env{}}).Draw(func(r *dispatch.Mapper) {
		r.Get("x", dispatch.To((*NilUseController).Index))
	})
	if !errors.Is(err, controller.ErrBadCallback) || !strings.Contains(err.Error(), "Use needs a func") {
		t.Fatalf("Draw: %v", err)
	}
}

func ExampleUse() {
	env := &controller.Env{}
	controller.Provide(env, &store{name: "main"}) // the framework provides the app's *record.DB and *job.Client
	controller.Provide[notifier](env, echoNotifier{})
	rs := dispatch.NewRouteSet(dispatch.Config{Invoker: env})
	_ = rs.Draw(notesRoutes)
	rec := httptest.NewRecorder()
	rs.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/notes", nil))
	fmt.Println(rec.Body)
	// Output: db main, before saw "main", sent hi
}
