// Package framework is the application object of gorails: an *App owns its
// configuration, logger, initializers, middleware stack, route set and view
// set, and is itself an http.Handler. Its initializers open the database
// (App.DB) and the job client (App.Jobs, on the backend Config.JobBackend
// names) that controllers reach through controller.Env. The app binary's
// command line (server, routes, ctl, db:*, jobs) is framework/cli.
//
// Nothing here is global: two apps can be built and served side by side in one
// process, which is how the tests run them.
//
// framework may import every other gorails package; only framework/cli,
// the app binary's command line, imports it.
package framework
