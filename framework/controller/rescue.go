package controller

import (
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"unsafe"
)

// ErrNotFound is the controller's not-found sentinel: an action error that
// matches it (errors.Is), or that has a StatusCode() of 404 (as a record's
// not-found error does), is answered with 404 Not Found when no rescue
// handler takes it.
var ErrNotFound = errors.New("not found")

// StatusError is an error with the HTTP status its response should have. The
// framework's error handler answers with StatusCode() (and the app's
// public/<status>.html in production).
type StatusError struct {
	Code int
	Err  error
}

func (e *StatusError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("%d %s", e.Code, http.StatusText(e.Code))
	}
	return e.Err.Error()
}

// StatusCode is the response status.
func (e *StatusError) StatusCode() int { return e.Code }

// Unwrap returns the wrapped error.
func (e *StatusError) Unwrap() error { return e.Err }

// RescueFrom adds a rescue handler for errors matching target (errors.Is):
// when the action or a callback returns such an error, handle runs with the
// controller and the error, and may render or redirect. Handlers are tried
// last declared first, so a controller's handlers win over those of the
// ApplicationController it embeds, as in Rails. An error handle returns goes
// to the framework's error handler, without being rescued again.
func (c *Chain[T]) RescueFrom(target error, handle func(c *T, err error) error) {
	if target == nil || handle == nil {
		c.rec.errs = append(c.rec.errs, errorf("%s: RescueFrom needs a target error and a handler", reflect.TypeFor[T]()))
		return
	}
	c.rescue(funcName(handle), func(err error) bool { return errors.Is(err, target) },
		func(p unsafe.Pointer, err error) error { return handle((*T)(p), err) })
}

// RescueAs adds a rescue handler for errors of type E (errors.As), such as
// *ValidationError; handle gets the matched error:
//
//	controller.RescueAs(cb, (*PostsController).invalid) // invalid(err *record.ValidationError) error
func RescueAs[E error, T any](c *Chain[T], handle func(c *T, err E) error) {
	if handle == nil {
		c.rec.errs = append(c.rec.errs, errorf("%s: RescueAs needs a handler", reflect.TypeFor[T]()))
		return
	}
	c.rescue(funcName(handle), func(err error) bool {
		var target E
		return errors.As(err, &target)
	}, func(p unsafe.Pointer, err error) error {
		var target E
		errors.As(err, &target)
		return handle((*T)(p), target)
	})
}

func (c *Chain[T]) rescue(name string, match func(error) bool, handle func(unsafe.Pointer, error) error) {
	c.rec.decls = append(c.rec.decls, decl{
		kind: kindRescue, name: name, owner: reflect.TypeFor[T](), match: match, rescue: handle,
	})
}

// rescuer is a compiled rescue handler.
type rescuer struct {
	off    uintptr
	match  func(error) bool
	handle func(unsafe.Pointer, error) error
}

// rescue runs the first matching handler, last declared first, then maps
// not-found errors to 404.
func rescue(handlers []rescuer, self unsafe.Pointer, err error) error {
	for i := len(handlers) - 1; i >= 0; i-- {
		h := &handlers[i]
		if h.match(err) {
			return h.handle(unsafe.Add(self, h.off), err)
		}
	}
	return defaultStatus(err)
}

// defaultStatus gives a not-found error its 404.
func defaultStatus(err error) error {
	var sc interface{ StatusCode() int }
	if errors.As(err, &sc) {
		return err
	}
	if errors.Is(err, ErrNotFound) {
		return &StatusError{Code: http.StatusNotFound, Err: err}
	}
	return err
}
