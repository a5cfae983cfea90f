// Package errorpage is what a gorails app answers when something fails:
// StatusFor maps an error to its HTTP status (an error's own StatusCode, else
// 500), Debug writes the development error page (the error, where in a
// template it happened, the routes of a routing error, the stack, the
// request with secrets filtered) and Public serves production's
// public/404.html, 422.html and 500.html, which show nothing of the error.
//
// The App (package framework) decides which page a request gets: the
// debug page in development, the public page everywhere else.
//
// These pages are their own package, not middleware: the route set's error
// handler and its not-found handler answer with them as well as Recover, and
// they grow with what a developer needs to see (source excerpts, pending
// migrations) while the middleware stay small and depend on nothing.
//
// errorpage imports view (to locate template errors) and nothing else of
// gorails; it never imports controller, record or the App.
package errorpage
