package controller_test

import (
	"net/http"
	"strconv"
	"strings"
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

// AnsweringBase is embedded by AnsweredController: its answer, a method of
// the embedded struct, is found through the embedding.
type AnsweringBase struct {
	controller.Base
	answered int
}

// tryAgainLater answers as Rails 8's generated SessionsController does:
// HTML goes back to the form; JSON keeps the default 429.
func (c *AnsweringBase) tryAgainLater(retryAfter time.Duration) error {
	c.answered++
	if c.Format() == "json" {
		return c.TooManyRequests(retryAfter)
	}
	return c.Redirect("/limited/new", http.StatusSeeOther)
}

type AnsweredController struct {
	AnsweringBase
}

func (c *AnsweredController) Callbacks(cb *controller.Chain[AnsweredController]) {
	cb.RateLimit(1, time.Minute, nil, controller.Only("create"), controller.With((*AnsweringBase).tryAgainLater))
}

func (c *AnsweredController) Create() error { return c.Text(http.StatusCreated, "created") }

// SilentController's answer does nothing: the default 429 stands.
type SilentController struct {
	controller.Base
}

func (c *SilentController) Callbacks(cb *controller.Chain[SilentController]) {
	cb.RateLimit(1, time.Minute, nil, controller.With(func(*SilentController, time.Duration) error { return nil }))
}

func (c *SilentController) Create() error { return c.Text(http.StatusCreated, "created") }

func TestRateLimitWithAnswers(t *testing.T) {
	t.Parallel()
	a := newApp(t, func(r *dispatch.Mapper) {
		r.Post("answered", dispatch.To((*AnsweredController).Create))
		r.Post("silent", dispatch.To((*SilentController).Create))
		r.Post("limited", dispatch.To((*LimitedController).Create))
	})
	tests := []struct {
		name, path     string
		header         []string
		status         int
		location, body string
		retryAfter     bool
	}{
		{"under the limit", "/answered", nil, 201, "", "created", false},
		{"HTML over the limit: the answer redirects", "/answered", nil, 303, "/limited/new", "", false},
		{"JSON over the limit: the answer falls back to 429 JSON", "/answered", []string{"Accept", "application/json"}, 429, "", `{"error":"Too many requests. Try again later."}`, true},
		{"silent answer: first", "/silent", nil, 201, "", "created", false},
		{"silent answer: the default 429", "/silent", nil, 429, "", "Too many requests. Try again later.", true},
		{"no With, JSON: first", "/limited", []string{"Accept", "application/json"}, 201, "", "created", false},
		{"no With, JSON: second", "/limited", []string{"Accept", "application/json"}, 201, "", "created", false},
		{"no With, JSON past the limit", "/limited", []string{"Accept", "application/json"}, 429, "", `{"error":"Too many requests. Try again later."}`, true},
	}
	for _, tt := range tests {
		rec := a.do(t, "POST", tt.path, nil, tt.header...)
		body := strings.TrimSpace(rec.Body.String())
		if rec.Code != tt.status || rec.Header().Get("Location") != tt.location || (tt.body != "" && body != tt.body) {
			t.Errorf("%s: %d to %q, body %q; want %d to %q, %q", tt.name, rec.Code, rec.Header().Get("Location"), body, tt.status, tt.location, tt.body)
		}
		if got := rec.Header().Get("Retry-After") != ""; got != tt.retryAfter {
			t.Errorf("%s: Retry-After %q, want one: %v", tt.name, rec.Header().Get("Retry-After"), tt.retryAfter)
		}
	}
}

type MisplacedWithController struct {
	controller.Base
}

func (c *MisplacedWithController) Callbacks(cb *controller.Chain[MisplacedWithController]) {
	cb.Before((*MisplacedWithController).check, controller.With(func(*MisplacedWithController, time.Duration) error { return nil }))
}

func (c *MisplacedWithController) check() error { return nil }
func (c *MisplacedWithController) Index() error { return nil }

type ForeignWithController struct {
	controller.Base
}

func (c *ForeignWithController) Callbacks(cb *controller.Chain[ForeignWithController]) {
	cb.RateLimit(1, time.Minute, nil, controller.With((*AnsweringBase).tryAgainLater))
}

func (c *ForeignWithController) Index() error { return nil }

func TestRateLimitWithMisusedFailsTheBoot(t *testing.T) {
	t.Parallel()
	for name, route := range map[string]func(r *dispatch.Mapper){
		"With on Before": func(r *dispatch.Mapper) { r.Get("x", dispatch.To((*MisplacedWithController).Index)) },
		"With of a type the controller does not embed": func(r *dispatch.Mapper) {
			r.Get("x", dispatch.To((*ForeignWithController).Index))
		},
	} {
		if _, _, err := drawApp(route); err == nil || !strings.Contains(err.Error(), "With") {
			t.Errorf("%s: boot error %v, want one naming With", name, err)
		}
	}
}
