// Package errorpage is what a gorails app answers when something fails:
// StatusFor maps an error to its HTTP status (an error's own StatusCode, else
// the status of a matching Rescue, else 500), Debug writes the development
// error page (the message and Controller#action as the headline, where in a
// template it happened, the routes of a routing error, the app's frames
// with their source and the framework's folded, the request with secrets
// filtered), ServePending answers while migrations are pending (a list with
// a button that runs them; JSON for an API client), and Public serves production's public/404.html, 422.html and 500.html,
// which show nothing of the error.
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
// gorails but its inflector; it never imports controller, record or the App.
package errorpage
