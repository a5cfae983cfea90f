package controller_test

import (
	"net/http"
	"testing"

	"github.com/gorails/gorails/framework/controller"
	"github.com/gorails/gorails/framework/dispatch"
)

type ServeController struct {
	controller.Base
}

func (c *ServeController) Callbacks(cb *controller.Chain[ServeController]) {
	cb.Before((*ServeController).gate)
}

// gate answers with a plain net/http handler (a failure app) and halts.
func (c *ServeController) gate() error {
	step(c.Request(), "gate")
	return c.Serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/sign_in", http.StatusFound)
	}))
}

func (c *ServeController) Index() error {
	step(c.Request(), "index")
	return c.Text(http.StatusOK, "secret")
}

func TestServeHaltsTheChain(t *testing.T) {
	t.Parallel()
	a := newApp(t, func(r *dispatch.Mapper) { r.Get("served", dispatch.To((*ServeController).Index)) })
	rec := a.get(t, "/served")
	if rec.Code != http.StatusFound || rec.Header().Get("Location") != "/sign_in" || traceOf(rec) != "gate" {
		t.Fatalf("got %d to %q with trace %q, want 302 to /sign_in with trace gate", rec.Code, rec.Header().Get("Location"), traceOf(rec))
	}
}
