// Package dispatch routes HTTP requests to controller actions: it is gorails'
// ActionDispatch::Routing (Mapper, RouteSet, Journey) plus the request
// parameters Rack would parse.
//
// It owns:
//
//   - the routing DSL an application's config/routes.go draws with ([Mapper]):
//     Get/Post/Put/Patch/Delete/Match, Root, Resources and Resource with Rails'
//     paths and names, Member and Collection, Namespace, Scope, Constraints,
//     Redirect, Mount, optional format suffixes and globs;
//   - typed route targets built from Go method expressions ([To], [For]), so a
//     route to a missing action is a compile error;
//   - the [RouteSet]: compiled once by [RouteSet.Draw] into a tree matcher,
//     served as an [http.Handler] (404, 405 with Allow, HEAD through GET);
//   - URL helpers by route name ([RouteSet.Path], [RouteSet.URL],
//     [Request.Path]);
//   - the per-request [Request] with path, query and body params merged with
//     Rack's nested syntax ([Params], [ParamError]);
//   - the `routes` table ([WriteRoutes]) and the [MethodOverride] middleware.
//
// dispatch must not import framework/controller, framework/view or
// framework/record: controllers reach it through the small [Controller] and
// [ActionWrapper] interfaces it defines, and the framework hands controller
// dependencies through [Config].Deps.
//
// Matching differs from Rails' in one way: Rails tries routes in definition
// order, dispatch prefers, segment by segment, a static segment over a param
// over a glob over a mount, and uses definition order only among routes that
// end at the same place (where constraints, formats and methods pick one).
// Resources draws new before :id, so for Rails' own tables the result is
// the same; a route that could never be reached is a Draw error
// ([ErrUnreachable]) instead of a silent dead route. Params follow Rails'
// default segment requirement [^/.]+ (a dot starts the format) unless
// Constrain says otherwise. Paths are matched in their escaped form; doubled
// and trailing slashes are ignored.
//
// A request flows like this: the RouteSet matches method and path (static
// paths by one map lookup, others by a segment tree walk), takes a pooled
// [Request], makes a fresh controller value, calls its Init and then the
// action (wrapped once at boot by the controller's ActionWrapper, if any). An
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
