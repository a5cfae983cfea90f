package controller_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/gorails/gorails/framework/controller"
	"github.com/gorails/gorails/framework/dispatch"
)

type LimitedController struct {
	controller.Base
}

func (c *LimitedController) Callbacks(cb *controller.Chain[LimitedController]) {
	cb.RateLimit(2, time.Minute, nil, controller.Only("create"))
}

func (c *LimitedController) Create() error { return c.Text(http.StatusCreated, "created") }
func (c *LimitedController) Index() error  { return c.Text(http.StatusOK, "listed") }

func TestRateLimitAnswers429PastTheLimit(t *testing.T) {
	t.Parallel()
	a := newApp(t, func(r *dispatch.Mapper) {
		r.Post("limited", dispatch.To((*LimitedController).Create))
		r.Get("limited", dispatch.To((*LimitedController).Index))
	})
	for i, want := range []int{201, 201, 429, 429} {
		rec := a.do(t, "POST", "/limited", nil)
		if rec.Code != want {
			t.Fatalf("request %d: status %d, want %d", i+1, rec.Code, want)
		}
		if want == 429 {
			secs, err := strconv.Atoi(rec.Header().Get("Retry-After"))
			if err != nil || secs < 1 || secs > 60 {
				t.Errorf("Retry-After %q, want 1..60 seconds", rec.Header().Get("Retry-After"))
			}
		}
	}
	if rec := a.get(t, "/limited"); rec.Code != 200 {
		t.Errorf("an action outside Only was limited: %d", rec.Code)
	}
}

type BadLimitController struct {
	controller.Base
}

func (c *BadLimitController) Callbacks(cb *controller.Chain[BadLimitController]) {
	cb.RateLimit(0, time.Minute, nil)
}

func (c *BadLimitController) Index() error { return nil }

func TestRateLimitWithABadLimitFailsTheBoot(t *testing.T) {
	t.Parallel()
	_, _, err := drawApp(func(r *dispatch.Mapper) { r.Get("bad", dispatch.To((*BadLimitController).Index)) })
	if err == nil {
		t.Fatal("a rate limit of 0 requests was accepted at boot")
	}
}
