// Package framework is the application object of gorails: an *App owns its
// configuration, logger, initializers, middleware stack, route set and view
// set, and is itself an http.Handler. Its initializers open the database
// (App.DB) and the job client (App.Jobs, on the backend Config.JobBackend
// names), which it provides to the controllers that declare them
// (controller.Use). Once the routes are drawn, boot checks the views and
// the app's generated route helpers (Config.RouteHelpers) against them.
// Run gives an app binary its command line (server, routes, ctl, db:*,
// jobs, jobs:stats).
//
// Nothing here is global: two apps can be built and served side by side in one
// process, which is how the tests run them.
//
// framework may import every other gorails package; none of them imports it.
package framework
