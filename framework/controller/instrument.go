package controller

import (
	"strings"

	"github.com/gorails/gorails/framework/dispatch"
	"github.com/gorails/gorails/framework/event"
	"github.com/gorails/gorails/framework/security"
	"github.com/gorails/gorails/internal/inflect"
)

// logName is the controller's name as Rails logs it: the Go type's
// name under its namespaces ("Admin::UsersController" for admin/users).
func logName(a dispatch.ControllerAction) string {
	name := a.Type.Name()
	if name == "" {
		name = inflect.Camelize(a.Controller) + "Controller"
	}
	if i := strings.LastIndexByte(a.Controller, '/'); i >= 0 {
		var b strings.Builder
		for _, ns := range strings.Split(a.Controller[:i], "/") {
			b.WriteString(inflect.Camelize(ns))
			b.WriteString("::")
		}
		name = b.String() + name
	}
	return name
}

// instrument records the action in the request's runtime and reports
// StartProcessing: "Processing by PostsController#index as HTML".
func (w *wrapper) instrument(r *dispatch.Request) {
	ctx := r.Context()
	format := strings.ToUpper(r.Format())
	if format == "" {
		format = "*/*"
	}
	event.RuntimeFrom(ctx).SetAction(event.Action{Controller: w.name, Action: w.action.Name, Format: format})
	bus := w.env.Events
	if !bus.Enabled(event.KindStartProcessing) {
		return
	}
	hr := r.HTTP()
	e := &event.StartProcessing{Controller: w.name, Action: w.action.Name, Format: format, Method: hr.Method, Path: hr.URL.Path}
	if params, err := r.Params(); err == nil && len(params) > 0 {
		f := w.env.ParamFilter
		if f == nil {
			f = security.NewFilter()
		}
		e.Params = f.Map(params)
		// As Rails' Parameters line: the route's own keys say nothing the
		// Processing line has not said.
		delete(e.Params, "controller")
		delete(e.Params, "action")
		if len(e.Params) == 0 {
			e.Params = nil
		}
	}
	bus.Emit(ctx, e)
}
