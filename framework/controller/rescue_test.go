package controller_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/gorails/gorails/framework/controller"
	"github.com/gorails/gorails/framework/dispatch"
)

var (
	errForbidden = errors.New("forbidden")
	errConflict  = errors.New("conflict")
)

// validationError stands for a record's *ValidationError.
type validationError struct{ field string }

func (e *validationError) Error() string { return e.field + " is invalid" }

// recordNotFound stands for a record's not-found error: it knows its status.
type recordNotFound struct{}

func (recordNotFound) Error() string   { return "record not found" }
func (recordNotFound) StatusCode() int { return http.StatusNotFound }

type RescueBase struct{ controller.Base }

func (c *RescueBase) Callbacks(cb *controller.Chain[RescueBase]) {
	cb.RescueFrom(errForbidden, (*RescueBase).forbidden)
	cb.RescueFrom(errConflict, (*RescueBase).conflictFromParent)
}

func (c *RescueBase) forbidden(err error) error {
	return c.Text(http.StatusForbidden, "parent: "+err.Error())
}

func (c *RescueBase) conflictFromParent(error) error {
	return c.Text(http.StatusConflict, "parent handled the conflict")
}

type ThingsController struct{ RescueBase }

func (c *ThingsController) Callbacks(cb *controller.Chain[ThingsController]) {
	cb.Before((*ThingsController).check)
	cb.RescueFrom(errConflict, (*ThingsController).conflict)
	controller.RescueAs(cb, (*ThingsController).invalid)
}

func (c *ThingsController) check() error {
	if c.Request().HTTP().URL.Query().Has("forbid") {
		return fmt.Errorf("check: %w", errForbidden)
	}
	return nil
}

func (c *ThingsController) conflict(error) error {
	return c.Text(http.StatusConflict, "child handled the conflict")
}

func (c *ThingsController) invalid(err *validationError) error {
	return c.Text(http.StatusUnprocessableEntity, "invalid field "+err.field)
}

func (c *ThingsController) Show() error {
	switch c.Request().PathParam("id") {
	case "conflict":
		return errConflict
	case "invalid":
		return fmt.Errorf("save: %w", &validationError{field: "title"})
	case "missing":
		return fmt.Errorf("load: %w", controller.ErrNotFound)
	case "record":
		return fmt.Errorf("load: %w", recordNotFound{})
	case "boom":
		return errors.New("boom")
	}
	return c.Text(http.StatusOK, "thing")
}

func TestRescue(t *testing.T) {
	t.Parallel()
	a := newApp(t, func(r *dispatch.Mapper) {
		r.Resources("things", dispatch.For[ThingsController](), dispatch.Only("show"))
	})
	tests := []struct {
		name, target string
		status       int
		body         string
	}{
		{"an inherited handler rescues an error from a callback", "/things/1?forbid=1", 403, "parent: check: forbidden"},
		{"the controller's own handler wins over the inherited one", "/things/conflict", 409, "child handled the conflict"},
		{"RescueAs hands the handler the typed error", "/things/invalid", 422, "invalid field title"},
		{"ErrNotFound without a handler becomes a 404", "/things/missing", 404, "error: load: not found"},
		{"an error with StatusCode 404 stays a 404", "/things/record", 404, "error: load: record not found"},
		{"an unrescued error reaches the error handler", "/things/boom", 500, "error: boom"},
		{"no error, no rescue", "/things/1", 200, "thing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := a.get(t, tt.target)
			if rec.Code != tt.status || strings.TrimSpace(rec.Body.String()) != tt.body {
				t.Errorf("got %d %q, want %d %q", rec.Code, rec.Body, tt.status, tt.body)
			}
		})
	}
}
