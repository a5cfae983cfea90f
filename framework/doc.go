// Package framework is the application object of gorails, and only that: an
// *App owns its configuration, environment, logger, secrets, boot steps
// (Initializers), middleware stack (Stack), route set, view set, database
// (App.DB), job client (App.Jobs, on the backend Config.JobBackend
// names) and mailer (App.Mailer, on Config.Mail: files and a preview page
// in development, each test's outbox in test, SMTP in production), and is
// itself an http.Handler. New builds it without I/O, Boot
// runs the initializers, Close releases what they opened. The database, the
// job client, the cache and the mailer are provided to the controllers that declare them
// (controller.Use); once the routes are drawn, boot checks the views and the
// app's generated route helpers (Config.RouteHelpers) against them.
//
// The rest lives beside it, one room each:
//
//   - framework/cli is the app binary's command line (server, routes, ctl,
//     db:*, jobs, jobs:stats): a generated main.go is
//     cli.Run(config.App(files));
//   - framework/middleware holds the default stack's plain net/http pieces
//     (request id, request log, recover, static files, basic auth), which
//     the App names and orders in its Stack;
//   - framework/errorpage holds the pages the App answers errors with (the
//     development debug page, production's public/<status>.html).
//
// Nothing here is global: two apps can be built and served side by side in
// one process, which is how the tests run them.
//
// framework may import every other gorails package except the database
// drivers, which an app imports itself (only its own); nothing imports
// framework but framework/cli. deps_test.go at the module root enforces
// the import policy of every package.
package framework
