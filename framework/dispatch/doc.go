// Package dispatch routes HTTP requests to controller actions: it is gorails'
// ActionDispatch::Routing (Mapper, RouteSet, Journey) plus the request
// parameters Rack would parse.
//
// It owns:
//
//   - the routing DSL an application's config/routes.go draws with ([Mapper]):
//     Get/Post/Put/Patch/Delete/Match, Root, Resources and Resource with Rails'
//     paths and names, Member and Collection, Namespace, Scope, Constraints,
//     Redirect, Mount, optional format suffixes and globs; and Rails' forms
//     beyond those: optional groups ("photos(/:id)"), params sharing a
//     segment (":id-:slug"), Concern/Concerns, Default and Defaults,
//     PathNames, Controller with ToAction, Draw (routes from several
//     files), Direct and Resolve ([RouteSet.PathFor]);
//   - typed route targets built from Go method expressions ([To], [For]), so a
//     route to a missing action is a compile error;
//   - the [RouteSet]: compiled once by [RouteSet.Draw] into a tree matcher,
//     served as an [http.Handler] (404, 405 with Allow, HEAD through GET);
//   - URL generation: typed route helpers ([RouteHelper]: what the
//     PostPath(id) funcs `gorails generate routes` writes into an app call,
//     also as template functions, [RouteHelpers.Funcs]) checked against the
//     routes at boot ([RouteHelpers.Check]), and by name at run time
//     ([RouteSet.Path], [Request.Path]) for what only knows a name;
//   - the per-request [Request] with path, query and body params merged with
//     Rack's nested syntax ([Params], [ParamError]);
//   - the `routes` table ([WriteRoutes], [WriteRoutesExpanded] with each
//     route's source line) and the [MethodOverride] middleware.
//
// dispatch must not import framework/controller, framework/view or
// framework/record. A route to a controller action is served through an
// [Invoker] ([Config].Invoker; framework/controller's Env is one): Draw
// hands it each action once, at boot, and gets back the func that serves
// it. Controller types implement nothing for dispatch; the seam is the
// Invoker, as database/sql/driver is for database/sql.
//
// Matching differs from Rails' in one way: Rails tries routes in definition
// order, dispatch prefers, segment by segment, a static segment over a param
// over a glob over a mount, and uses definition order only among routes that
// end at the same place (where constraints, formats and methods pick one).
// Resources draws new before :id, so for Rails' own tables the result is
// the same; a route that could never be reached is a Draw error
// ([ErrUnreachable]) instead of a silent dead route. Params follow Rails'
// default segment requirement [^/.]+ (a dot starts the format) unless
// Constrain says otherwise. A path with optional groups is expanded into
// one route per combination of groups kept (keeping comes first, as
// Journey's greedy regexp prefers); a segment with several params is
// matched by a regexp, after static segments and before a plain param.
// Paths are matched in their escaped form; doubled and trailing slashes
// are ignored.
//
// A request flows like this: the RouteSet matches method and path (static
// paths by one map lookup, others by a segment tree walk), takes a pooled
// [Request] and calls the route's [ActionFunc], which the Invoker built at
// boot (a fresh controller, callbacks, the action). An
// error the action returns goes to [Config].ErrorHandler; the default one
// answers 400 for a [*ParamError] and 500 for anything else. Params are
// parsed lazily: a malformed or over-limit query or body surfaces as a
// *ParamError from [Request.Params] the first time the controller asks, so
// an action that never reads its params never pays for (or fails on) them.
// The [Request] is pooled and valid only until the action returns.
//
//	func Routes(r *dispatch.Mapper) {
//		r.Root(dispatch.To((*WelcomeController).Index))
//		r.Resources("posts", dispatch.For[PostsController](), func(r *dispatch.Mapper) {
//			r.Member(func(r *dispatch.Mapper) {
//				r.Get("preview", dispatch.To((*PostsController).Preview))
//			})
//			r.Resources("comments", dispatch.For[CommentsController](), dispatch.Only("create", "destroy"))
//		})
//		r.Namespace("admin", func(r *dispatch.Mapper) {
//			r.Resources("users", dispatch.For[AdminUsersController]())
//		})
//		r.Mount("/jobs", jobsDashboard)
//	}
package dispatch
