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
// A type that spells its namespaces in its name, as the generators write
// it (AdminUsersController), is logged without them repeated.
func logName(a dispatch.ControllerAction) string {
	name := a.Type.Name()
	if name == "" {
		name = inflect.Camelize(a.Controller) + "Controller"
	}
	if i := strings.LastIndexByte(a.Controller, '/'); i >= 0 {
		var b strings.Builder
		rest := name
		for _, ns := range strings.Split(a.Controller[:i], "/") {
			cns := inflect.Camelize(ns)
			b.WriteString(cns)
			b.WriteString("::")
			if after, ok := strings.CutPrefix(rest, cns); ok && after != "" && after[0] >= 'A' && after[0] <= 'Z' {
				rest = after
			}
		}
		if rest != "Controller" {
			name = rest
		}
		name = b.String() + name
	}
	return name
}

// instrument records the action in the request's runtime and reports
// StartProcessing: "Processing by PostsController#index as HTML".
func (w *wrapper) instrument(b *Base, r *dispatch.Request) {
	ctx := r.Context()
	format := logFormat(r.Format())
	event.RuntimeFrom(ctx).SetAction(event.Action{Controller: w.name, Action: w.action.Name, Format: format})
	bus := w.env.Events
	if !bus.Enabled(event.KindStartProcessing) {
		return
	}
	hr := r.HTTP()
	// The event and its params' source live in the controller's Base,
	// already made for the request: no allocation for them.
	b.logParams = logParams{w: w, r: r}
	b.started = event.StartProcessingOf(w.name, w.action.Name, format, hr.Method, hr.URL.Path, &b.logParams)
	bus.Emit(ctx, &b.started)
}

// logFormat is a request's format as "Processing by ... as HTML" names it:
// upper-cased, "*/*" when the request has none. The common formats are
// constants: strings.ToUpper makes a new string each time.
func logFormat(f string) string {
	switch f {
	case "":
		return "*/*"
	case "html":
		return "HTML"
	case "json":
		return "JSON"
	case "text":
		return "TEXT"
	case "xml":
		return "XML"
	case "js":
		return "JS"
	case "turbo_stream":
		return "TURBO_STREAM"
	}
	return strings.ToUpper(f)
}

// logParams is a request's event.ParamsSource: its filtered params.
type logParams struct {
	w *wrapper
	r *dispatch.Request
}

// LogParams implements event.ParamsSource.
func (p *logParams) LogParams() map[string]any { return p.w.filteredParams(p.r) }

// filteredParams is the request's params for the Parameters line: the
// values of filtered names hidden, without the route's own keys; nil when
// there are none or they could not be parsed.
func (w *wrapper) filteredParams(r *dispatch.Request) map[string]any {
	if !r.MayHaveParams() {
		return nil // only controller and action, which the line leaves out
	}
	params, err := r.Params()
	if err != nil || len(params) == 0 {
		return nil
	}
	f := w.env.ParamFilter
	if f == nil {
		f = security.NewFilter()
	}
	p := f.Map(params)
	// As Rails' Parameters line: the route's own keys say nothing the
	// Processing line has not said.
	delete(p, "controller")
	delete(p, "action")
	if len(p) == 0 {
		return nil
	}
	return p
}
