// Package framework is the application object of gorails: an *App owns its
// configuration, logger, initializers, middleware stack, route set and view
// set, and is itself an http.Handler. Run gives an app binary its command line
// (server, routes, ...).
//
// Nothing here is global: two apps can be built and served side by side in one
// process, which is how the tests run them.
//
// framework may import every other gorails package; none of them imports it.
package framework
