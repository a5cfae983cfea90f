// Package controller is gorails' ActionController: app controllers embed
// Base and get a fresh value per request, renderers (views by convention,
// JSON, text, HTML, redirects, head, RespondTo), implicit rendering,
// callbacks, rescue handlers and strong params. [Env] runs them: it is the
// route set's dispatch.Invoker, so the machinery lives there and never on
// the app's controller types.
//
//	type PostsController struct {
//		ApplicationController        // embeds controller.Base, receives the app's services
//		Post  *models.Post           // exported fields are the view's data
//	}
//
//	func (c *PostsController) Callbacks(cb *controller.Chain[PostsController]) {
//		cb.Before((*PostsController).setPost, controller.Only("show", "edit", "update"))
//		cb.SkipBefore((*ApplicationController).requireLogin, controller.Only("show"))
//		controller.RescueAs(cb, (*PostsController).invalid)
//	}
//
//	func (c *PostsController) Show() error { return nil } // renders app/views/posts/show.html.tmpl
//
//	func (c *PostsController) Update() error {
//		attrs, err := c.Params().Require("post").Permit("title", "body", controller.List("tags"))
//		if err != nil {
//			return err // a 400 naming the missing or bad param
//		}
//		...
//		return c.Redirect(routes.PostPath(c.Post.ID)) // a generated route helper: a typo does not compile
//	}
//
// Redirect stays on the request's host: another host, a javascript: or
// data: URL, a protocol-relative //host or a backslash is refused with an
// *UnsafeRedirectError (ErrUnsafeRedirect, 400), so a return_to param
// cannot make an open redirect. RedirectOtherHost opts one call in to
// another host (an OAuth provider), still over http or https only.
//
// # Views get data, not the controller
//
// A view's {{.Data}} is the controller's exported fields, those of the
// structs it embeds by value included ({{.Data.Post.Title}},
// {{.Data.CurrentUser}}), collected once per type at boot; unexported
// fields and every method stay out, so a template cannot call
// {{.Data.Head 500}} or {{.Data.Redirect "/"}}. Per request the view reads
// the controller's own memory through a struct type with just those fields
// (no copy, no allocation). Env.CheckViews checks, at boot, every view of
// every routed controller against those fields: a field that is not there
// or a controller method fails with the template's file and line.
//
// # Services are typed fields
//
// The app's services (its database, its job client, later a cache or a
// mailer) reach controllers through [Use], declared once per type in
// Callbacks, and [Provide], which the framework calls with the app's
// values. A generated ApplicationController declares
//
//	controller.Use(cb, func(c *ApplicationController, db *record.DB) { c.db = db })
//
// into an unexported field (views do not see it) and exposes c.DB(). The
// service is found by type once, at boot (a controller that uses a service
// the app does not provide fails the boot); per request it is one call.
// This package never names the services' types: it imports neither record
// nor job.
//
// # Callbacks are declared once per type
//
// A controller type declares its callbacks and rescue handlers in a
// Callbacks(cb *Chain[T]) method, where T is the type itself. Boot (the
// first Env.Invoke for the type) calls it once on a zero value and records
// what it declares; nothing is declared per request. The Chain's type
// parameter is what makes inheritance through embedding work without
// ambiguity: PostsController embeds ApplicationController, so
// *PostsController has ApplicationController's Callbacks method promoted,
// but that method takes a *Chain[ApplicationController], not a
// *Chain[PostsController]. Boot walks the structs the controller embeds by
// value (deepest first, in field order, then the controller itself) and
// calls, for each, the Callbacks method whose Chain is for that very struct;
// a promoted one is skipped because its Chain names another type. So an
// ApplicationController's callbacks apply to every controller embedding it,
// a concern (any embedded struct with a Callbacks method) adds its own, and
// a controller that declares nothing inherits everything. Forgetting to call
// the parent is impossible: there is no parent call.
//
// Callbacks are typed method expressions on the struct that declares them,
// such as (*ApplicationController).requireLogin: the compiler checks them.
// Per request they need a *ApplicationController out of the
// *PostsController being served. Boot computes, by reflection over the
// struct layout, the byte offset of each embedded struct inside the
// controller, and the offset of the embedded Base; per request the wrapper
// gets the *Base through an unexported interface method, steps back to the
// start of the controller and forward to the callback's struct: pointer
// arithmetic inside one allocation, no reflection, no map lookup, no
// allocation. The only restriction that follows is that structs with
// callbacks (and Base) must be embedded by value, not by pointer; boot fails
// with a clear message otherwise. A method value or an interface per
// embedded type would have cost an allocation per callback per request, or
// code in every app controller.
//
// # Order
//
// The chain of each (controller type, action) is compiled at boot from the
// declarations that apply to the action (Only, Except), after skips, into
// Rails' nested sequence (ActiveSupport::Callbacks): before callbacks run in
// declaration order; an around callback wraps everything declared after it;
// after callbacks run in reverse declaration order, inside the around they
// were declared after. A before callback that renders, redirects or calls
// Head halts the chain: the action and the after callbacks do not run (the
// arounds it is inside still finish). An around that does not call next
// halts too. If/Unless conditions are evaluated per request. Skipping a
// callback that was never declared fails the boot.
//
// # Errors
//
// An error from a callback, the action or the implicit render goes to the
// rescue handlers, last declared first (so a controller's handlers win over
// its ApplicationController's): RescueFrom matches with errors.Is, RescueAs
// with errors.As. An unrescued error goes to the route set's error handler;
// one matching ErrNotFound is first given status 404 (a *StatusError), and
// errors with a StatusCode method (ParamError and UnpermittedError: 400;
// RespondTo's unknown format: 406) keep theirs.
//
// # Imports
//
// controller imports dispatch, view, session, csrf and security; it never imports
// framework, record or job.
package controller
