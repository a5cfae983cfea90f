package controller

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"unsafe"
)

// ErrNoService is wrapped by the boot error of a controller that declares
// Use for a service the app does not [Provide].
var ErrNoService = errors.New("controller: the app provides no such service")

// Use declares that controller type T receives the app's service of type D
// (its database, its job client, later its cache or mailer) before each
// action and its callbacks: set stores it, typically in an unexported field
// so that views do not see it. Call it from T's Callbacks method:
//
//	type ApplicationController struct {
//		controller.Base
//		db *record.DB
//	}
//
//	func (c *ApplicationController) Callbacks(cb *controller.Chain[ApplicationController]) {
//		controller.Use(cb, func(c *ApplicationController, db *record.DB) { c.db = db })
//	}
//
// The service is found by its type among those the app provided to the
// [Env] ([Provide]), once, at boot: a controller that uses a service the
// app does not provide fails the boot (ErrNoService), naming both. Per
// request it costs one call of set, no lookup. Declared on an
// ApplicationController (or a concern), it applies to every controller
// embedding it, like its callbacks. controller itself never names the
// services' types, so it imports no database or job package.
func Use[D, T any](c *Chain[T], set func(c *T, d D)) {
	if set == nil {
		c.rec.errs = append(c.rec.errs, errorf("%s: Use needs a func that stores the %s", reflect.TypeFor[T](), reflect.TypeFor[D]()))
		return
	}
	c.rec.decls = append(c.rec.decls, decl{
		kind: kindUse, name: funcName(set), owner: reflect.TypeFor[T](), dep: reflect.TypeFor[D](),
		bind: func(v any) func(unsafe.Pointer) {
			d, _ := v.(D) // v was provided as a D; a nil interface gives the zero D
			return func(p unsafe.Pointer) { set((*T)(p), d) }
		},
	})
}

// Provide makes v the service of type D that controllers declaring [Use]
// for a D receive. The framework provides the app's database and job
// client (a nil one when the app has none, so that controllers still
// boot); an app may provide more from an initializer that runs before the
// routes are drawn. Providing a type again replaces it. Safe for
// concurrent use; routes drawn earlier keep what they found.
func Provide[D any](e *Env, v D) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.services == nil {
		e.services = make(map[reflect.Type]any)
	}
	e.services[reflect.TypeFor[D]()] = v
}

// use is a Use declaration with its receiver's offset resolved.
type use struct {
	off   uintptr
	owner reflect.Type
	name  string
	dep   reflect.Type
	bind  func(v any) func(unsafe.Pointer)
}

// service is a use bound to the app's value: set stores it in the
// controller at self+off.
type service struct {
	off uintptr
	set func(unsafe.Pointer)
}

// servicesFor binds a controller type's uses to the services provided.
func (e *Env) servicesFor(ti *typeInfo) ([]service, error) {
	if len(ti.uses) == 0 {
		return nil, nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]service, 0, len(ti.uses))
	var errs []error
	for _, u := range ti.uses {
		v, ok := e.services[u.dep]
		if !ok {
			errs = append(errs, fmt.Errorf("%w: %s uses a %s (controller.Use in its Callbacks), which the app does not provide (it provides %s)",
				ErrNoService, u.owner, u.dep, e.providedLocked()))
			continue
		}
		out = append(out, service{off: u.off, set: u.bind(v)})
	}
	return out, errors.Join(errs...)
}

func (e *Env) providedLocked() string {
	names := make([]string, 0, len(e.services))
	for t := range e.services {
		names = append(names, t.String())
	}
	if len(names) == 0 {
		return "nothing"
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}
